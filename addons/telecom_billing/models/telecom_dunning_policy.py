from odoo import api, fields, models
from odoo.exceptions import ValidationError

from odoo.addons.telecom_catalog.models.res_partner import CUSTOMER_TYPES

LATE_FEE_TYPES = [("fixed", "Fixed Amount"), ("percent", "Percentage of the Overdue Amount")]


class TelecomDunningPolicy(models.Model):
    _name = "telecom.dunning.policy"
    _description = "Telecom Overdue Policy"
    _inherit = ["mail.thread"]
    _order = "customer_type, id"
    _check_company_auto = True
    _sql_constraints = [
        (
            "days_positive",
            (
                "CHECK(grace_days >= 0 AND reminder_days >= 0 AND late_fee_days >= 0 "
                "AND suspension_days >= 0)"
            ),
            "Days cannot be negative.",
        ),
        ("fee_positive", "CHECK(late_fee_amount >= 0)", "A late fee cannot be negative."),
    ]

    # ------------------------------------------------------------
    # FIELDS
    # ------------------------------------------------------------

    name = fields.Char(required=True, translate=True)
    customer_type = fields.Selection(
        CUSTOMER_TYPES,
        tracking=True,
        help="Customers of this type follow this policy; the policy without a type applies "
        "to every other customer.",
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    active = fields.Boolean(default=True)
    grace_days = fields.Integer(
        string="Grace Period (days)",
        default=5,
        tracking=True,
        help="Days after the due date before an invoice counts as overdue. The other delays "
        "are counted from the end of the grace period.",
    )
    reminder_days = fields.Integer(
        string="Reminder After (days)",
        default=1,
        tracking=True,
        help="Overdue days before the payment reminder is emailed. 0 sends it as soon as the "
        "invoice is overdue.",
    )
    send_reminder = fields.Boolean(default=True, tracking=True)
    reminder_template_id = fields.Many2one(
        "mail.template",
        string="Reminder Email",
        domain="[('model', '=', 'account.move')]",
        default=lambda self: self.env.ref(
            "telecom_billing.mail_template_telecom_payment_reminder", raise_if_not_found=False
        ),
    )
    charge_late_fee = fields.Boolean(default=True, tracking=True)
    late_fee_days = fields.Integer(string="Late Fee After (days)", default=15, tracking=True)
    late_fee_type = fields.Selection(LATE_FEE_TYPES, default="fixed", required=True, tracking=True)
    late_fee_amount = fields.Float(
        string="Late Fee",
        default=5.0,
        digits="Product Price",
        tracking=True,
        help="Amount, or percentage of the invoice's overdue amount, added to the next invoice.",
    )
    late_fee_product_id = fields.Many2one(
        "product.product",
        string="Late Fee Product",
        default=lambda self: self.env.ref(
            "telecom_billing.product_telecom_late_fee", raise_if_not_found=False
        ),
        help="Product (and so income account) of the late fee charge.",
    )
    suspend_services = fields.Boolean(default=True, tracking=True)
    suspension_days = fields.Integer(
        string="Suspension After (days)",
        default=30,
        tracking=True,
        help="Overdue days before the services are suspended for non-payment. Voice services "
        "keep emergency calling (911).",
    )

    # ------------------------------------------------------------
    # CONSTRAINT
    # ------------------------------------------------------------

    @api.constrains("customer_type", "company_id", "active")
    def _check_one_policy_per_type(self):
        for policy in self.filtered("active"):
            duplicate = self.search_count(
                [
                    ("id", "!=", policy.id),
                    ("company_id", "=", policy.company_id.id),
                    ("customer_type", "=", policy.customer_type),
                ]
            )
            if duplicate:
                raise ValidationError(
                    self.env._(
                        "There is already an active overdue policy for %(type)s customers.",
                        type=dict(CUSTOMER_TYPES).get(policy.customer_type)
                        or self.env._("all other"),
                    )
                )

    @api.constrains(
        "reminder_days",
        "late_fee_days",
        "suspension_days",
        "send_reminder",
        "charge_late_fee",
        "suspend_services",
    )
    def _check_step_order(self):
        for policy in self:
            steps = []
            if policy.send_reminder:
                steps.append(policy.reminder_days)
            if policy.charge_late_fee:
                steps.append(policy.late_fee_days)
            if policy.suspend_services:
                steps.append(policy.suspension_days)
            if steps != sorted(steps):
                raise ValidationError(
                    self.env._(
                        "Policy %(name)s: the reminder must come before the late fee, and the "
                        "late fee before the suspension.",
                        name=policy.name,
                    )
                )

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    @api.model
    def _telecom_policy_for(self, partner, company):
        policies = self.search([("company_id", "=", company.id)])
        customer_type = partner.commercial_partner_id.telecom_customer_type
        return (
            policies.filtered(lambda p: p.customer_type == customer_type)[:1]
            or (policies.filtered(lambda p: not p.customer_type)[:1])
        )

    def _telecom_late_fee(self, overdue_amount, currency):
        self.ensure_one()
        if self.late_fee_type == "percent":
            return currency.round(overdue_amount * self.late_fee_amount / 100.0)
        return currency.round(self.late_fee_amount)
