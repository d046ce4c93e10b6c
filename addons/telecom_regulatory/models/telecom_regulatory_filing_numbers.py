from odoo import fields, models

from .telecom_regulatory_number_row import NRUF_STATUSES


class TelecomRegulatoryFiling(models.Model):
    """Reassigned Numbers Database report and NRUF (Form 502)."""

    _inherit = "telecom.regulatory.filing"

    number_row_ids = fields.One2many(
        "telecom.regulatory.number.row", "filing_id", string="Number Rows"
    )

    def _generate_rnd(self):
        self.ensure_one()
        rows = self.env["telecom.regulatory.number.row"]._telecom_build_rnd(self)
        content = self._csv_bytes(
            ["telephone_number", "disconnect_date"],
            [[r.telephone_number, fields.Date.to_string(r.disconnect_date)] for r in rows],
        )
        self._attach_file(f"rnd_disconnects_{self.date_to.strftime('%Y-%m')}.csv", content)
        if not rows:
            self._add_error(
                self.env._(
                    "No number was permanently disconnected in the period: confirm 'no "
                    "disconnected numbers' on the RND website instead of uploading a file."
                ),
                blocking=False,
            )
        return rows

    def _generate_nruf(self):
        self.ensure_one()
        rows = self.env["telecom.regulatory.number.row"]._telecom_build_nruf(self)
        header = ["rate_center", "state", "npa_nxx_x", *NRUF_STATUSES, "total", "utilization"]
        content = self._csv_bytes(
            header,
            [
                [
                    r.rate_center,
                    r.state_code,
                    r.thousands_block,
                    *[r[f"{status}_count"] for status in NRUF_STATUSES],
                    r.total_count,
                    f"{r.utilization:.2f}",
                ]
                for r in rows
            ],
        )
        self._attach_file(f"nruf_{fields.Date.to_string(self.date_to)}.csv", content)
        for row in rows.filtered(lambda r: not r.rate_center):
            self._add_error(
                self.env._(
                    "Block %(block)s has numbers without a rate center: set it on the numbers.",
                    block=row.thousands_block,
                ),
                blocking=False,
            )
        return rows
