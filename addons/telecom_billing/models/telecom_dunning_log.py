from odoo import fields, models

DUNNING_STEPS = [
    ("reminder", "Reminder Sent"),
    ("late_fee", "Late Fee Charged"),
    ("suspension", "Services Suspended"),
    ("reactivation", "Services Reactivated"),
    ("error", "Error"),
]


class TelecomDunningLog(models.Model):
    _name = "telecom.dunning.log"
    _description = "Telecom Dunning Step"
    _order = "create_date desc, id desc"

    subscription_id = fields.Many2one(
        "telecom.subscription", required=True, ondelete="cascade", index=True, readonly=True
    )
    partner_id = fields.Many2one(related="subscription_id.partner_id", store=True)
    company_id = fields.Many2one(related="subscription_id.company_id", store=True)
    move_id = fields.Many2one("account.move", string="Invoice", readonly=True, index=True)
    step = fields.Selection(DUNNING_STEPS, required=True, readonly=True)
    date = fields.Date(required=True, readonly=True)
    days_overdue = fields.Integer(readonly=True)
    amount = fields.Monetary(readonly=True, help="Overdue amount, or the late fee charged.")
    currency_id = fields.Many2one(related="subscription_id.currency_id")
    message = fields.Text(readonly=True)
