from odoo import fields, models

BROKER_ACTION_TYPES = [
    ("court", "Proceeding instituted in court"),
    ("state_commission", "Petition filed with a state commission"),
    ("fcc", "Petition or complaint filed with the FCC"),
    ("law_enforcement", "Referral to law enforcement"),
    ("other", "Other action"),
]


class TelecomCpniBrokerAction(models.Model):
    """Register of actions the company took against data brokers (47 CFR 64.2009(e) asks the
    annual certification to explain them)."""

    _name = "telecom.cpni.broker.action"
    _description = "Action Against a Data Broker"
    _order = "date desc, id desc"

    date = fields.Date(required=True, default=fields.Date.context_today)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    broker = fields.Char(string="Data Broker", required=True)
    action_type = fields.Selection(BROKER_ACTION_TYPES, required=True)
    forum = fields.Char(help="Court, commission or agency, with the docket or case number.")
    description = fields.Text(required=True)
    status = fields.Char(help="Where the action stands (filed, pending, judgment, settled).")
