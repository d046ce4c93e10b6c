import re
from datetime import datetime, time, timedelta

from odoo import api, fields, models

from odoo.addons.telecom_numbers.models.telecom_number import NRUF_CATEGORIES, utilization

# NRUF (Form 502) categories, in the order of the form, and the utilization rule: both are
# telecom_numbers' (one definition for the report and the number blocks).
NRUF_STATUSES = NRUF_CATEGORIES


class TelecomRegulatoryNumberRow(models.Model):
    """Rows of the number reports: RND (one per permanently disconnected number) and NRUF
    (one per rate center and thousands block)."""

    _name = "telecom.regulatory.number.row"
    _description = "Number Report Row"
    _order = "report, rate_center, thousands_block, disconnect_date, telephone_number, id"

    company_id = fields.Many2one(related="filing_id.company_id")

    filing_id = fields.Many2one(
        "telecom.regulatory.filing", required=True, ondelete="cascade", index=True
    )
    report = fields.Selection([("rnd", "RND"), ("nruf", "NRUF")], required=True)
    # RND
    number_id = fields.Many2one("telecom.number", string="Number")
    telephone_number = fields.Char()
    disconnect_date = fields.Date()
    # NRUF
    rate_center = fields.Char()
    state_code = fields.Char(string="State")
    thousands_block = fields.Char(string="NPA-NXX-X")
    assigned_count = fields.Integer(string="Assigned")
    intermediate_count = fields.Integer(string="Intermediate")
    reserved_count = fields.Integer(string="Reserved")
    aging_count = fields.Integer(string="Aging")
    administrative_count = fields.Integer(string="Administrative")
    available_count = fields.Integer(string="Available")
    total_count = fields.Integer(string="Total")
    utilization = fields.Float(
        string="Utilization %",
        digits=(5, 2),
        help="Assigned numbers (porting out included) / total numbers x 100.",
    )

    # ------------------------------------------------------------
    # RND
    # ------------------------------------------------------------

    @api.model
    def _telecom_build_rnd(self, filing):
        """Geographic numbers permanently disconnected in the period, with the date."""
        filing.number_row_ids.unlink()
        History = self.env["telecom.number.history"].sudo()
        start = datetime.combine(filing.date_from, time.min)
        end = datetime.combine(filing.date_to + timedelta(days=1), time.min)
        # a disconnection logged a few days late may still carry a date in the period
        rows = History.search(
            [
                ("to_status", "=", "aging"),
                ("date", ">=", start - timedelta(days=31)),
                ("date", "<", end + timedelta(days=31)),
                ("number_id.number_type", "!=", "toll_free"),
            ],
            order="date, id",
        )
        latest = {}
        for row in rows:
            number = row.number_id
            disconnected = (
                number.disconnect_date
                if number.status == "aging" and number.disconnect_date
                else fields.Datetime.context_timestamp(self, row.date).date()
            )
            if filing.date_from <= disconnected <= filing.date_to:
                latest[number.id] = (number, disconnected)  # most recent disconnection wins
        return self.create(
            [
                {
                    "filing_id": filing.id,
                    "report": "rnd",
                    "number_id": number.id,
                    "telephone_number": re.sub(r"\D", "", number.name)[-10:],
                    "disconnect_date": disconnected,
                }
                for number, disconnected in sorted(latest.values(), key=lambda v: v[0].name)
            ]
        )

    # ------------------------------------------------------------
    # NRUF
    # ------------------------------------------------------------

    @api.model
    def _telecom_build_nruf(self, filing):
        """One row per rate center and thousands-block, counted from the number inventory
        (telecom_numbers ``_telecom_nruf_counts``) with its utilization rule."""
        filing.number_row_ids.unlink()
        counts = self.env["telecom.number"].sudo()._telecom_nruf_counts(filing.date_to)
        return self.create(
            [
                {
                    "filing_id": filing.id,
                    "report": "nruf",
                    "rate_center": rate_center,
                    "state_code": state_code,
                    "thousands_block": block,
                    **{f"{status}_count": by_status.get(status, 0) for status in NRUF_STATUSES},
                    "total_count": sum(by_status.values()),
                    "utilization": utilization(by_status),
                }
                for rate_center, state_code, block, by_status in counts
            ]
        )
