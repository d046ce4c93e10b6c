from odoo import api, fields, models


class TelecomRegulatoryFilingError(models.Model):
    _name = "telecom.regulatory.filing.error"
    _description = "Regulatory Filing Error"
    _order = "blocking desc, id"

    company_id = fields.Many2one(related="filing_id.company_id")

    filing_id = fields.Many2one(
        "telecom.regulatory.filing", required=True, ondelete="cascade", index=True
    )
    blocking = fields.Boolean(
        default=True, help="A blocking error prevents the filing from being reviewed."
    )
    message = fields.Char(required=True)
    res_model = fields.Char(string="Record Model", readonly=True)
    res_id = fields.Many2oneReference(string="Record ID", model_field="res_model", readonly=True)
    record_name = fields.Char(compute="_compute_record_name")

    @api.depends("res_model", "res_id")
    def _compute_record_name(self):
        for error in self:
            record = error.res_model and self.env[error.res_model].browse(error.res_id).exists()
            error.record_name = record.display_name if record else False

    def action_open_record(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": self.res_model,
            "res_id": self.res_id,
            "view_mode": "form",
        }
