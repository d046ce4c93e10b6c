import re
from datetime import datetime, time, timedelta

from odoo import api, fields, models

# NRUF (Form 502) categories, in the order of the form.
NRUF_STATUSES = ("assigned", "intermediate", "reserved", "aging", "administrative", "available")
# Our statuses counted in an NRUF category; porting in/ported out numbers are not ours.
NRUF_CATEGORY = {
    "assigned": "assigned",
    "porting_out": "assigned",
    "intermediate": "intermediate",
    "reserved": "reserved",
    "aging": "aging",
    "administrative": "administrative",
    "available": "available",
}


class TelecomRegulatoryNumberRow(models.Model):
    """Rows of the number reports: RND (one per permanently disconnected number) and NRUF
    (one per rate center and thousands block)."""

    _name = "telecom.regulatory.number.row"
    _description = "Number Report Row"
    _order = "report, rate_center, thousands_block, disconnect_date, telephone_number, id"

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
        string="Utilization %", digits=(5, 2), help="Assigned numbers / total numbers x 100."
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
    def _telecom_nruf_statuses(self, as_of):
        """``{number id: status on as_of}`` from the number history (numbers with no history
        row on or before ``as_of`` did not exist yet)."""
        self.env["telecom.number.history"].flush_model()
        self.env["telecom.number"].flush_model()
        self.env.cr.execute(
            """
            SELECT DISTINCT ON (h.number_id) h.number_id, h.to_status
              FROM telecom_number_history h
              JOIN telecom_number n ON n.id = h.number_id
             WHERE h.date < %s AND n.number_type = 'geographic'
             ORDER BY h.number_id, h.date DESC, h.id DESC
            """,
            [datetime.combine(as_of + timedelta(days=1), time.min)],
        )
        return dict(self.env.cr.fetchall())

    @api.model
    def _telecom_build_nruf(self, filing):
        filing.number_row_ids.unlink()
        statuses = self._telecom_nruf_statuses(filing.date_to)
        numbers = self.env["telecom.number"].sudo().browse(list(statuses))
        groups = {}
        for number in numbers:
            category = NRUF_CATEGORY.get(statuses[number.id])
            if not category:
                continue
            key = (
                number.rate_center or "",
                number.state_code or "",
                f"{number.npa}-{number.nxx}-{(number.line or '0')[:1]}",
            )
            counts = groups.setdefault(key, dict.fromkeys(NRUF_STATUSES, 0))
            counts[category] += 1
        vals_list = []
        for (rate_center, state_code, block), counts in sorted(groups.items()):
            total = sum(counts.values())
            vals_list.append(
                {
                    "filing_id": filing.id,
                    "report": "nruf",
                    "rate_center": rate_center,
                    "state_code": state_code,
                    "thousands_block": block,
                    **{f"{status}_count": counts[status] for status in NRUF_STATUSES},
                    "total_count": total,
                    "utilization": round(100.0 * counts["assigned"] / total, 2) if total else 0.0,
                }
            )
        return self.create(vals_list)
