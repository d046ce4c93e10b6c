from odoo import api, fields, models

from odoo.addons.telecom_catalog.models.res_partner import CUSTOMER_TYPES

HOURS_PER_MONTH = 720  # 30 days of 24 hours: the credit rule's month
DAYS_PER_MONTH = 30


class TelecomNetworkOutagePolicy(models.Model):
    """How service failures are credited: outages of at least ``threshold_hours`` are
    credited by the hour (monthly charge x hours / 720) or by the started day (monthly
    charge x days / 30), never more than one month's charge. The policy of the customer's
    type applies, else the company's policy without a type."""

    _name = "telecom.network.outage.policy"
    _description = "Outage Credit Policy"
    _order = "company_id, sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    customer_type = fields.Selection(
        CUSTOMER_TYPES, help="Customers of this type; empty for every type without a policy."
    )
    threshold_hours = fields.Float(
        default=24.0, required=True, help="Outages shorter than this are not credited."
    )
    unit = fields.Selection(
        [("hour", "By the hour"), ("day", "By the started day")], required=True, default="day"
    )

    @api.model
    def _for_partner(self, partner, company):
        policies = self.search([("company_id", "=", company.id)])
        customer_type = partner.commercial_partner_id.telecom_customer_type
        return (
            policies.filtered(lambda p: p.customer_type == customer_type)[:1]
            or (policies.filtered(lambda p: not p.customer_type)[:1])
        )

    def _credit(self, monthly, hours, currency):
        """``(units, amount)`` credited for an outage of ``hours`` on a service billing
        ``monthly`` a month; ``(0, 0.0)`` under the threshold."""
        self.ensure_one()
        if hours < self.threshold_hours or hours <= 0:
            return 0, 0.0
        whole_hours = int(-(-round(hours * 3600) // 3600))  # started hours
        if self.unit == "hour":
            units, per_month = whole_hours, HOURS_PER_MONTH
        else:
            units, per_month = -(-whole_hours // 24), DAYS_PER_MONTH
        amount = currency.round(min(monthly * units / per_month, monthly))
        return units, amount
