from odoo import api, fields, models
from odoo.exceptions import ValidationError

from odoo.addons.telecom_catalog.models.res_partner import CUSTOMER_TYPES, SEGMENT_OF_TYPE

# Aging bounds (47 CFR 52.15(f)(1)(ii)): at least 45 days; at most 90 days for residential
# numbers and 365 days for business numbers. Wholesale numbers follow the business bound.
AGING_MIN_DAYS = 45
AGING_MAX_DAYS = {"residential": 90, "business": 365, "wholesale": 365}
# Used when no rule exists for a customer type; valid for every type.
AGING_DEFAULT_DAYS = 90


class TelecomNumberAgingRule(models.Model):
    _name = "telecom.number.aging.rule"
    _description = "Number Aging Period per Customer Type"
    _order = "customer_type"
    _sql_constraints = [
        (
            "customer_type_uniq",
            "UNIQUE(customer_type)",
            "There is already an aging period for this customer type.",
        ),
    ]

    customer_type = fields.Selection(CUSTOMER_TYPES, required=True)
    aging_days = fields.Integer(
        string="Aging Days",
        required=True,
        default=AGING_DEFAULT_DAYS,
        help="Days a disconnected number of this customer type ages before it can be given to "
        "another customer: 45 to 90 days for residential types, 45 to 365 for business types.",
    )
    max_days = fields.Integer(string="Maximum Allowed", compute="_compute_max_days")

    # ------------------------------------------------------------
    # COMPUTE
    # ------------------------------------------------------------

    @api.depends("customer_type")
    def _compute_max_days(self):
        for rule in self:
            rule.max_days = self._telecom_max_days(rule.customer_type)

    # ------------------------------------------------------------
    # CONSTRAINT
    # ------------------------------------------------------------

    @api.constrains("customer_type", "aging_days")
    def _check_aging_days(self):
        labels = dict(CUSTOMER_TYPES)
        for rule in self:
            maximum = self._telecom_max_days(rule.customer_type)
            if not AGING_MIN_DAYS <= rule.aging_days <= maximum:
                raise ValidationError(
                    self.env._(
                        "The aging period of %(type)s numbers must be between %(min)s and "
                        "%(max)s days (it is %(days)s).",
                        type=labels[rule.customer_type].lower(),
                        min=AGING_MIN_DAYS,
                        max=maximum,
                        days=rule.aging_days,
                    )
                )

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    @api.model
    def _telecom_max_days(self, customer_type):
        segment = SEGMENT_OF_TYPE.get(customer_type or "residential", "residential")
        return AGING_MAX_DAYS[segment]

    @api.model
    def _telecom_aging_days(self, partner):
        """Aging period in days for a number last used by ``partner`` (residential if none)."""
        customer_type = partner.commercial_partner_id.telecom_customer_type or "residential"
        rule = self.sudo().search([("customer_type", "=", customer_type)], limit=1)
        return rule.aging_days if rule else AGING_DEFAULT_DAYS
