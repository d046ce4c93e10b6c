import pytz

from odoo import api, fields, models
from odoo.exceptions import ValidationError


def _tz_selection(self):
    return [(tz, tz) for tz in pytz.common_timezones]


class TelecomRatePlan(models.Model):
    _name = "telecom.rate.plan"
    _description = "Telecom Usage Rate Plan"
    _inherit = ["mail.thread"]
    _order = "sequence, id"
    _check_company_auto = True

    # ------------------------------------------------------------
    # FIELDS
    # ------------------------------------------------------------

    name = fields.Char(required=True, tracking=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True, tracking=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    product_tmpl_ids = fields.Many2many(
        "product.template",
        string="Plans",
        domain="[('telecom_service_type', 'not in', (False, 'addon', 'one_time_fee'))]",
        help="Plans whose usage this rate plan rates. A plan in no rate plan is rated by the "
        "company's default rate plan.",
    )
    is_default = fields.Boolean(
        string="Default Rate Plan",
        tracking=True,
        help="Rates the usage of the plans that no other rate plan lists.",
    )
    tz = fields.Selection(
        _tz_selection,
        string="Time Zone",
        required=True,
        default="America/New_York",
        help="Local time used for the time bands and for the day a call belongs to.",
    )
    peak_hour_from = fields.Integer(
        default=7, help="Weekday hour (local time) when the peak band starts."
    )
    peak_hour_to = fields.Integer(
        default=19, help="Weekday hour (local time) when the peak band ends (off-peak after)."
    )
    allowance_voice_minutes = fields.Integer(
        string="Included Minutes",
        tracking=True,
        help="Voice minutes included per billing period, used in call order before charging.",
    )
    allowance_sms = fields.Integer(string="Included SMS", tracking=True)
    charge_inbound = fields.Boolean(
        string="Charge Incoming",
        tracking=True,
        help="Incoming calls and messages are charged and use the allowance like outgoing "
        "ones. Unticked (the usual US plan), they are listed on the call detail at no charge "
        "and leave the allowance untouched.",
    )
    charge_roaming_inbound = fields.Boolean(
        string="Charge Incoming while Roaming",
        default=True,
        tracking=True,
        help="Incoming calls and messages received while roaming are charged at the roaming "
        "rates (and use the allowance when their rate does).",
    )
    allowance_data_mb = fields.Integer(string="Included Data (MB)", tracking=True)
    rate_line_ids = fields.One2many("telecom.rate.line", "rate_plan_id", string="Rates", copy=True)
    rate_line_count = fields.Integer(compute="_compute_rate_line_count")

    # ------------------------------------------------------------
    # COMPUTE
    # ------------------------------------------------------------

    def _compute_rate_line_count(self):
        for plan in self:
            plan.rate_line_count = len(plan.rate_line_ids)

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    @api.ondelete(at_uninstall=False)
    def _unlink_except_used(self):
        self.rate_line_ids._unlink_except_used()

    # ------------------------------------------------------------
    # CONSTRAINT
    # ------------------------------------------------------------

    @api.constrains("peak_hour_from", "peak_hour_to")
    def _check_peak_hours(self):
        for plan in self:
            if not 0 <= plan.peak_hour_from <= plan.peak_hour_to <= 24:
                raise ValidationError(
                    self.env._(
                        "Rate plan %(name)s: peak hours must run forward within 0 to 24.",
                        name=plan.name,
                    )
                )

    @api.constrains("is_default", "company_id", "active")
    def _check_one_default(self):
        for plan in self.filtered(lambda p: p.is_default and p.active):
            if self.search_count(
                [
                    ("is_default", "=", True),
                    ("company_id", "=", plan.company_id.id),
                    ("id", "!=", plan.id),
                ]
            ):
                raise ValidationError(
                    self.env._(
                        "Company %(company)s already has a default rate plan.",
                        company=plan.company_id.name,
                    )
                )

    @api.constrains("product_tmpl_ids", "active")
    def _check_one_plan_per_product(self):
        for plan in self.filtered("active"):
            others = self.search(
                [
                    ("id", "!=", plan.id),
                    ("company_id", "=", plan.company_id.id),
                    ("product_tmpl_ids", "in", plan.product_tmpl_ids.ids),
                ]
            )
            if others:
                raise ValidationError(
                    self.env._(
                        "A plan is rated by one rate plan only: %(plans)s is also in %(other)s.",
                        plans=", ".join(
                            (plan.product_tmpl_ids & others.product_tmpl_ids).mapped("name")
                        ),
                        other=others[0].name,
                    )
                )
