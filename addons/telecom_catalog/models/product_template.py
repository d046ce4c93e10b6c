from odoo import api, fields, models
from odoo.exceptions import ValidationError

SERVICE_TYPES = [
    ("mobile", "Mobile"),
    ("fixed_voice", "Fixed Voice"),
    ("voip", "Interconnected VoIP"),
    ("broadband", "Broadband"),
    ("tv", "TV"),
    ("equipment", "Equipment"),
    ("addon", "Add-on"),
    ("one_time_fee", "One-time Fee"),
]
# Service types sold as a plan (a recurring service with its own line and number/circuit).
PLAN_SERVICE_TYPES = ("mobile", "fixed_voice", "voip", "broadband", "tv")
VOICE_SERVICE_TYPES = ("mobile", "fixed_voice", "voip")

REGULATORY_CLASSES = [
    ("interstate", "Interstate Telecommunications"),
    ("intrastate", "Intrastate Telecommunications"),
    ("international", "International Telecommunications"),
    ("voip", "Interconnected VoIP"),
    ("info_service", "Information Service / Broadband"),
    ("equipment", "Equipment / Non-telecom"),
]


class ProductTemplate(models.Model):
    _inherit = "product.template"

    # ------------------------------------------------------------
    # FIELDS
    # ------------------------------------------------------------

    telecom_service_type = fields.Selection(
        SERVICE_TYPES,
        string="Telecom Service Type",
        help="What this product is in the telecom catalog. Mobile, fixed voice, VoIP, broadband "
        "and TV products are plans; add-ons attach to a plan; equipment and one-time fees are "
        "billed once. Leave empty for products that are not part of the telecom catalog.",
    )
    telecom_is_plan = fields.Boolean(
        string="Is a Plan", compute="_compute_telecom_kind", store=True, index=True
    )
    telecom_is_addon = fields.Boolean(
        string="Is an Add-on", compute="_compute_telecom_kind", store=True, index=True
    )
    telecom_is_recurring = fields.Boolean(
        string="Recurring",
        compute="_compute_telecom_kind",
        store=True,
        help="Plans and add-ons are billed every month; equipment and fees once.",
    )
    telecom_regulatory_class = fields.Selection(
        REGULATORY_CLASSES,
        string="Regulatory Class",
        help="How the revenue of this product is classified for telecom taxes, USF fees and the "
        "FCC Form 499 worksheets.",
    )
    telecom_grandfathered = fields.Boolean(
        string="Grandfathered",
        tracking=True,
        help="No longer sold to new customers: quotations refuse it, but existing subscriptions "
        "keep billing at its price.",
    )
    telecom_successor_id = fields.Many2one(
        "product.template",
        string="Successor Plan",
        domain="[('telecom_is_plan', '=', True), ('telecom_grandfathered', '=', False), "
        "('id', '!=', id)]",
        help="The plan offered instead of this grandfathered plan.",
    )
    telecom_attribute_value_ids = fields.One2many(
        "telecom.attribute.value", "product_tmpl_id", string="Provisioning Attributes"
    )
    telecom_price_version_ids = fields.One2many(
        "telecom.price.version", "product_tmpl_id", string="Price Versions"
    )

    # ------------------------------------------------------------
    # COMPUTE
    # ------------------------------------------------------------

    @api.depends("telecom_service_type")
    def _compute_telecom_kind(self):
        for product in self:
            service_type = product.telecom_service_type
            product.telecom_is_plan = service_type in PLAN_SERVICE_TYPES
            product.telecom_is_addon = service_type == "addon"
            product.telecom_is_recurring = product.telecom_is_plan or product.telecom_is_addon

    # ------------------------------------------------------------
    # CONSTRAINT
    # ------------------------------------------------------------

    @api.constrains("telecom_successor_id", "telecom_grandfathered")
    def _check_telecom_successor(self):
        for product in self:
            successor = product.telecom_successor_id
            if not successor:
                continue
            if successor == product:
                raise ValidationError(
                    self.env._("Plan %(plan)s cannot be its own successor.", plan=product.name)
                )
            if successor.telecom_grandfathered:
                raise ValidationError(
                    self.env._(
                        "The successor of %(plan)s must be a plan still on sale; %(successor)s "
                        "is grandfathered too.",
                        plan=product.name,
                        successor=successor.name,
                    )
                )

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    def _telecom_price_at(self, on_date):
        """Monthly recurring price of this plan or add-on in force on ``on_date``.

        The rule: the price version with the latest start date on or before ``on_date``
        applies; before the first version, the product's sales price applies.
        """
        self.ensure_one()
        versions = self.telecom_price_version_ids.filtered(lambda v: v.date_start <= on_date)
        if not versions:
            return self.list_price
        return max(versions, key=lambda v: v.date_start).price

    def _telecom_attribute(self, code, default=None):
        """Typed value of provisioning attribute ``code`` on this plan (``default`` if unset)."""
        self.ensure_one()
        value = self.telecom_attribute_value_ids.filtered(lambda v: v.attribute_id.code == code)
        return value[:1]._typed_value() if value else default

    def _telecom_attributes(self):
        """All provisioning attributes of this plan as ``{code: typed value}``."""
        self.ensure_one()
        return {v.attribute_id.code: v._typed_value() for v in self.telecom_attribute_value_ids}

    @api.model
    def _cron_sync_telecom_list_price(self, batch_size=500):
        """Keep each plan's sales price equal to the price version in force today."""
        today = fields.Date.context_today(self)
        versions = self.env["telecom.price.version"].search([("date_start", "<=", today)])
        stale = versions.product_tmpl_id.filtered(
            lambda p: p.currency_id.compare_amounts(p.list_price, p._telecom_price_at(today))
        )
        for product in stale[:batch_size]:
            product.list_price = product._telecom_price_at(today)
        self.env["ir.cron"]._notify_progress(
            done=min(len(stale), batch_size), remaining=max(len(stale) - batch_size, 0)
        )
