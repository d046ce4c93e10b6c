from odoo import fields, models


class TelecomNetworkOutageCredit(models.Model):
    """The credit one service received for one outage: at most one per outage and service
    (a database constraint), so an outage is never credited twice."""

    _name = "telecom.network.outage.credit"
    _description = "Outage Credit"
    _order = "id desc"
    _check_company_auto = True
    _sql_constraints = [
        (
            "outage_service_uniq",
            "UNIQUE(outage_id, service_id)",
            "A service is credited once per outage.",
        ),
    ]

    outage_id = fields.Many2one(
        "telecom.network.outage", required=True, ondelete="restrict", index=True
    )
    service_id = fields.Many2one(
        "telecom.service", required=True, ondelete="restrict", index=True, check_company=True
    )
    partner_id = fields.Many2one(
        related="service_id.partner_id", store=True, string="Customer", index=True
    )
    company_id = fields.Many2one(related="service_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="service_id.currency_id")
    policy_id = fields.Many2one("telecom.network.outage.policy", readonly=True)
    hours = fields.Float(string="Outage Hours", readonly=True)
    units = fields.Integer(string="Credited Units", readonly=True)
    unit = fields.Selection(related="policy_id.unit")
    monthly_amount = fields.Monetary(string="Monthly Charge", readonly=True)
    amount = fields.Monetary(string="Credit", readonly=True)
    charge_id = fields.Many2one("telecom.charge", readonly=True)
    charge_state = fields.Selection(related="charge_id.state", string="Billing")
    move_id = fields.Many2one(related="charge_id.move_id", string="Invoice")
    date_start = fields.Datetime(related="outage_id.date_start")
    date_end = fields.Datetime(related="outage_id.date_end")
