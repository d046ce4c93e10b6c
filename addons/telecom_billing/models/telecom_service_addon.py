from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError

ADDON_STATES = [
    ("pending", "Pending Activation"),
    ("active", "Active"),
    ("removed", "Removed"),
]
ONE_DAY = timedelta(days=1)


class TelecomServiceAddon(models.Model):
    _name = "telecom.service.addon"
    _description = "Add-on on a Telecom Service"
    _inherit = ["telecom.chargeable.mixin", "telecom.cpni.mixin"]
    _order = "service_id, date_start, id"
    _sql_constraints = [
        ("quantity_positive", "CHECK(quantity > 0)", "An add-on quantity must be at least 1."),
        (
            "dates_ordered",
            "CHECK(date_end IS NULL OR date_start IS NULL OR date_end >= date_start)",
            "An add-on cannot end before it starts.",
        ),
    ]
    # The add-ons of a service are its service mix (CPNI): see telecom.service.
    _telecom_cpni_fields = ("product_id", "quantity", "monthly_price")
    _telecom_cpni_need_groups = (
        "telecom_catalog.group_telecom_billing",
        "telecom_catalog.group_telecom_noc",
        "base.group_portal",
    )

    # ------------------------------------------------------------
    # FIELDS
    # ------------------------------------------------------------

    service_id = fields.Many2one("telecom.service", required=True, ondelete="cascade", index=True)
    subscription_id = fields.Many2one(related="service_id.subscription_id", store=True, index=True)
    partner_id = fields.Many2one(related="service_id.partner_id", store=True)
    company_id = fields.Many2one(related="service_id.company_id", store=True)
    currency_id = fields.Many2one(related="service_id.currency_id")
    product_id = fields.Many2one(
        "product.product",
        string="Add-on",
        required=True,
        domain="[('telecom_is_addon', '=', True)]",
    )
    quantity = fields.Integer(default=1, required=True)
    state = fields.Selection(ADDON_STATES, default="pending", required=True, readonly=True)
    date_start = fields.Date(string="Start Date", readonly=True)
    date_end = fields.Date(string="End Date", readonly=True)
    sale_line_id = fields.Many2one(
        "sale.order.line", string="Sale Order Line", readonly=True, index="btree_not_null"
    )
    monthly_price = fields.Monetary(
        compute="_compute_monthly_price", help="Monthly price in force today, per unit."
    )

    # ------------------------------------------------------------
    # COMPUTE
    # ------------------------------------------------------------

    @api.depends("product_id", "quantity")
    @api.depends_context("date")
    def _compute_monthly_price(self):
        today = fields.Date.context_today(self)
        for line in self:
            line.monthly_price = (
                line.product_id.product_tmpl_id._telecom_price_at(today) if line.product_id else 0
            )

    @api.depends("product_id", "quantity")
    def _compute_display_name(self):
        if not self._fields["product_id"].is_accessible(self.env):
            # the add-on is CPNI: its line is named by its service only
            for line in self:
                line.display_name = line.service_id.name
            return
        for line in self:
            name = line.product_id.display_name or ""
            line.display_name = f"{name} x {line.quantity}" if line.quantity != 1 else name

    # ------------------------------------------------------------
    # CONSTRAINT
    # ------------------------------------------------------------

    @api.constrains("product_id")
    def _check_product_is_addon(self):
        for line in self:
            if not line.product_id.telecom_is_addon:
                raise ValidationError(
                    self.env._(
                        "%(product)s is not an add-on.", product=line.product_id.display_name
                    )
                )

    # ------------------------------------------------------------
    # ACTION
    # ------------------------------------------------------------

    def action_remove(self):
        for line in self:
            line.service_id._telecom_request_remove_addon(line)
        return True

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    def _telecom_subscription(self):
        self.ensure_one()
        return self.subscription_id

    def _telecom_charge_link(self):
        self.ensure_one()
        return {"service_id": self.service_id.id, "addon_line_id": self.id}

    def _telecom_end(self, last_day, reason):
        """End this add-on after ``last_day``: settle its billing and mark it removed."""
        for line in self:
            line._telecom_settle(last_day + ONE_DAY, reason)
            line.write({"state": "removed", "date_end": last_day})
