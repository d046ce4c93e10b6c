from odoo import api, fields, models
from odoo.exceptions import UserError

from .telecom_usage_file import CDR_COLUMNS

REJECT_STATES = [
    ("open", "To Fix"),
    ("rerated", "Rated"),
    ("duplicate", "Duplicate"),
    ("ignored", "Ignored"),
]


class TelecomUsageReject(models.Model):
    """A CDR row that could not be rated, kept with its reason. Staff fix the row (or the
    rates, the service numbers) and rate it again: good rows are never lost."""

    _name = "telecom.usage.reject"
    _inherit = ["telecom.cpni.mixin"]
    _description = "Rejected Usage Record"
    _order = "id desc"
    _rec_name = "record_ref"
    # The raw call detail of the row is CPNI: Billing fixes rates and service numbers from the
    # reason, the record and service references; CPNI Authorized staff see the call itself.
    _telecom_cpni_fields = (
        "start_time",
        "duration",
        "called_number",
        "volume_bytes",
        "roaming",
        "source_switch",
    )

    # ------------------------------------------------------------
    # FIELDS
    # ------------------------------------------------------------

    usage_file_id = fields.Many2one(
        "telecom.usage.file", readonly=True, index="btree_not_null", ondelete="cascade"
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    line_no = fields.Integer(string="Line", readonly=True)
    state = fields.Selection(REJECT_STATES, default="open", required=True, index=True)
    reason = fields.Char()
    record_ref = fields.Char(string="Record Id", index="btree_not_null")
    service_ref = fields.Char(string="Service Number")
    start_time = fields.Char(string="Start Time (UTC)")
    duration = fields.Char()
    called_number = fields.Char()
    direction = fields.Char()
    usage_type = fields.Char()
    volume_bytes = fields.Char()
    roaming = fields.Char()
    source_switch = fields.Char()
    usage_record_id = fields.Many2one("telecom.usage.record", readonly=True, ondelete="set null")

    # ------------------------------------------------------------
    # ACTION
    # ------------------------------------------------------------

    def action_rerate(self):
        """Rate the selected open rejects again, as they are now (fixed or not)."""
        rejects = self.filtered(lambda r: r.state == "open")
        if not rejects:
            raise UserError(self.env._("Select rejected rows still to fix."))
        counts = rejects._telecom_rerate()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "message": self.env._(
                    "%(rated)s rated, %(rejected)s still rejected, %(dup)s duplicates.",
                    rated=counts["rated"],
                    rejected=counts["rejected"],
                    dup=counts["duplicate"],
                ),
                "type": "success" if not counts["rejected"] else "warning",
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def action_ignore(self):
        self.filtered(lambda r: r.state == "open").state = "ignored"
        return True

    def action_reopen(self):
        self.filtered(lambda r: r.state == "ignored").state = "open"
        return True

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    @api.model
    def _telecom_columns(self):
        """The reject's fields in the order of the CDR columns they hold."""
        return ["record_ref", "service_ref", *CDR_COLUMNS[2:]]

    def _telecom_rerate(self):
        """Run the rejects through the same import pipeline; returns the counts."""
        self.env.flush_all()
        columns = self._telecom_columns()
        Files = self.env["telecom.usage.file"]
        counts = {"duplicate": 0, "rejected": 0, "rated": 0, "amount": 0.0}
        for company in self.company_id:
            rejects = self.filtered(lambda r, c=company: r.company_id == c)
            runner = Files.with_company(company).new({"company_id": company.id})
            runner._telecom_stage_create()
            # the row's call detail is CPNI: Billing rates it again without reading it
            runner._telecom_stage_rows(
                (r.line_no, r.id, [r[c] or "" for c in columns], None) for r in rejects.sudo()
            )
            for key, value in runner._telecom_process_stage().items():
                counts[key] += value
        self.invalidate_recordset()
        return counts
