from odoo import fields, models

CPNI_CHANNELS = [
    ("phone", "Inbound Call"),
    ("store", "Retail Store"),
    ("backend", "Back Office"),
    ("email", "Email / Written Request"),
    ("portal", "Customer Portal"),
]


class TelecomCpniAccessLog(models.Model):
    _name = "telecom.cpni.access.log"
    _description = "CPNI Access Log"
    _order = "date desc, id desc"

    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )

    date = fields.Datetime(default=fields.Datetime.now, required=True, readonly=True, index=True)
    user_id = fields.Many2one("res.users", string="Staff", required=True, readonly=True, index=True)
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, readonly=True, index=True
    )
    reason = fields.Char(required=True, readonly=True)
    channel = fields.Selection(CPNI_CHANNELS, required=True, readonly=True)
    data_viewed = fields.Char(readonly=True)
    authentication_id = fields.Many2one(
        "telecom.cpni.authentication", string="Customer Authentication", readonly=True
    )
