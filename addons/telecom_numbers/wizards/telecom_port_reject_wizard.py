from odoo import fields, models


class TelecomPortRejectWizard(models.TransientModel):
    _name = "telecom.port.reject.wizard"
    _description = "Record a Port Request Rejection"

    request_id = fields.Many2one("telecom.port.request", required=True)
    reject_code_id = fields.Many2one(
        "telecom.port.reject.code", string="Rejection Code", required=True
    )
    fix_hint = fields.Text(related="reject_code_id.fix_hint")
    message = fields.Text(string="Details", help="What the vendor or carrier said.")

    def action_reject(self):
        self.ensure_one()
        self.request_id._telecom_reject(self.reject_code_id, self.message or "")
        return {"type": "ir.actions.act_window_close"}
