from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

WIZARD_ACTIONS = [
    ("reserve", "Reserve"),
    ("assign", "Assign"),
    ("disconnect", "Disconnect (start aging)"),
    ("release", "Release to Available"),
    ("administrative", "Set Administrative"),
    ("intermediate", "Set Intermediate"),
]


class TelecomNumberStatusWizard(models.TransientModel):
    _name = "telecom.number.status.wizard"
    _description = "Change the Status of Numbers"

    number_ids = fields.Many2many("telecom.number", string="Numbers", required=True)
    action = fields.Selection(WIZARD_ACTIONS, required=True, default="reserve")
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        help="Customer to reserve or assign to; for intermediate numbers, the carrier or reseller.",
    )
    reserved_until = fields.Date(
        default=lambda self: fields.Date.context_today(self) + timedelta(days=30),
        help="At most 180 days from today.",
    )
    disconnect_date = fields.Date(default=fields.Date.context_today)
    reason = fields.Char(required=True, default=lambda self: self.env._("Requested by staff"))

    @api.onchange("action")
    def _onchange_action(self):
        if self.action in ("reserve", "assign") and not self.partner_id:
            self.partner_id = self.number_ids.partner_id[:1]

    def action_apply(self):
        self.ensure_one()
        numbers = self.number_ids
        if self.action in ("reserve", "assign") and not self.partner_id:
            raise UserError(self.env._("Choose the customer."))
        if self.action == "reserve":
            numbers._telecom_reserve(self.partner_id, self.reserved_until, self.reason)
        elif self.action == "assign":
            numbers._telecom_assign(self.partner_id, self.reason)
        elif self.action == "disconnect":
            numbers._telecom_disconnect(self.disconnect_date, self.reason)
        elif self.action == "release":
            numbers._telecom_release(self.reason)
        else:
            values = {"partner_id": self.partner_id.id} if self.action == "intermediate" else {}
            numbers._telecom_set_status(self.action, self.reason, values)
        return {"type": "ir.actions.act_window_close"}
