from collections import defaultdict

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
    telecom_base_price = fields.Float(
        string="Price before the First Version",
        digits="Product Price",
        help="Monthly price of the days before the first price version. Taken from the sales "
        "price when the first version is added, and kept: the daily job that copies the "
        "version in force into the sales price never changes it.",
    )
    telecom_interconnect = fields.Boolean(
        string="Interconnect Revenue",
        help="Charges billed to other carriers for carrying or terminating their traffic "
        "(access and termination charges). Their revenue goes to the interconnect accounts of "
        "the revenue rules, whoever the customer is.",
    )
    # Add-on rules
    telecom_compatible_plan_ids = fields.Many2many(
        "product.template",
        "telecom_addon_plan_rel",
        "addon_id",
        "plan_id",
        string="Allowed with Plans",
        domain="[('telecom_is_plan', '=', True)]",
        help="The plans this add-on may be sold with. Leave empty to allow it with every plan.",
    )
    telecom_addon_group_id = fields.Many2one(
        "telecom.addon.group",
        string="Exclusive Group",
        index="btree_not_null",
        help="Add-ons of the same group exclude each other: a plan can carry only one of them "
        "(e.g. one international calling pack).",
    )
    telecom_addon_max_qty = fields.Integer(
        string="Max Quantity per Plan",
        default=1,
        help="How many of this add-on one plan may carry. 0 means no limit.",
    )
    # Plan changes
    telecom_plan_change_ids = fields.Many2many(
        "product.template",
        "telecom_plan_change_rel",
        "plan_id",
        "target_plan_id",
        string="Allowed Plan Changes",
        domain="[('telecom_is_plan', '=', True), ('id', '!=', id)]",
        help="The plans a customer on this plan may move to. Leave empty to allow every plan of "
        "the same service type that is still on sale.",
    )
    telecom_broadband_label_ids = fields.One2many(
        "telecom.broadband.label", "product_tmpl_id", string="Broadband Labels"
    )
    telecom_broadband_label_count = fields.Integer(compute="_compute_telecom_broadband_label_count")

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

    def _compute_telecom_broadband_label_count(self):
        counts = dict(
            self.env["telecom.broadband.label"]
            .with_context(active_test=False)
            ._read_group([("product_tmpl_id", "in", self.ids)], ["product_tmpl_id"], ["__count"])
        )
        for product in self:
            product.telecom_broadband_label_count = counts.get(product._origin, 0)

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

    @api.constrains("telecom_addon_max_qty")
    def _check_telecom_addon_max_qty(self):
        for product in self:
            if product.telecom_addon_max_qty < 0:
                raise ValidationError(
                    self.env._(
                        "The maximum quantity of add-on %(addon)s cannot be negative; use 0 for "
                        "no limit.",
                        addon=product.name,
                    )
                )

    @api.constrains("telecom_compatible_plan_ids", "telecom_plan_change_ids")
    def _check_telecom_plan_links(self):
        for product in self:
            not_plans = product.telecom_compatible_plan_ids | product.telecom_plan_change_ids
            not_plans = not_plans.filtered(lambda p: not p.telecom_is_plan)
            if not_plans:
                raise ValidationError(
                    self.env._(
                        "%(product)s can only refer to plans in its add-on and plan-change "
                        "rules; these products are not plans: %(products)s.",
                        product=product.name,
                        products=", ".join(not_plans.mapped("name")),
                    )
                )

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    def write(self, vals):
        res = super().write(vals)
        if "telecom_grandfathered" in vals:
            # A grandfathered plan is no longer offered: its broadband label is archived (it
            # stays readable on its public page); a plan back on sale gets its label back.
            labels = (
                self.env["telecom.broadband.label"]
                .with_context(active_test=False)
                .search([("product_tmpl_id", "in", self.ids)])
            )
            for label in labels:
                wanted = not label.product_tmpl_id.telecom_grandfathered
                if label.active != wanted:
                    label.active = wanted
        return res

    # ------------------------------------------------------------
    # ACTION
    # ------------------------------------------------------------

    def action_telecom_open_broadband_labels(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "telecom_catalog.action_telecom_broadband_label"
        )
        action["domain"] = [("product_tmpl_id", "=", self.id)]
        action["context"] = {
            "default_product_tmpl_id": self.id,
            "active_test": False,
        }
        return action

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    def _telecom_is_on_sale(self):
        """True when this plan may be put on a new quotation."""
        self.ensure_one()
        return self.active and self.sale_ok and not self.telecom_grandfathered

    def _telecom_allowed_plan_changes(self):
        """Plans a customer on this plan may move to (never itself, never a plan off sale).

        The plan's own list of allowed changes if it has one; otherwise every plan of the same
        service type still on sale.
        """
        self.ensure_one()
        if self.telecom_plan_change_ids:
            targets = self.telecom_plan_change_ids
        else:
            targets = self.search(
                [
                    ("telecom_is_plan", "=", True),
                    ("telecom_service_type", "=", self.telecom_service_type),
                    ("id", "!=", self.id),
                ]
            )
        return targets.filtered(lambda p: p != self and p._telecom_is_on_sale())

    @api.model
    def _telecom_addon_errors(self, plan, addons):
        """Check add-ons against the plan they would be sold with.

        :param plan: product.template of the plan (may be empty: add-ons without a plan)
        :param addons: list of ``(addon_template, quantity)``; an add-on may appear several times
        :return: list of plain-English errors, empty when the combination is allowed
        """
        return [problem["message"] for problem in self._telecom_addon_problems(plan, addons)]

    @api.model
    def _telecom_addon_problems(self, plan, addons):
        """Like :meth:`_telecom_addon_errors`, each error with the add-ons it is about.

        :return: list of ``{"message": str, "addons": product.template recordset}``
        """
        problems = []
        quantities = defaultdict(float)
        for addon, quantity in addons:
            quantities[addon] += quantity
        for addon, quantity in quantities.items():
            if not addon.telecom_is_addon:
                problems.append(
                    {
                        "message": self.env._(
                            "%(product)s is not an add-on and cannot be attached to a plan.",
                            product=addon.name,
                        ),
                        "addons": addon,
                    }
                )
                continue
            if not plan:
                problems.append(
                    {
                        "message": self.env._(
                            "Add-on %(addon)s must be sold with a plan.", addon=addon.name
                        ),
                        "addons": addon,
                    }
                )
                continue
            allowed = addon.telecom_compatible_plan_ids
            if allowed and plan not in allowed:
                problems.append(
                    {
                        "message": self.env._(
                            "Add-on %(addon)s is not available with plan %(plan)s; it is "
                            "available with %(plans)s.",
                            addon=addon.name,
                            plan=plan.name,
                            plans=", ".join(allowed.mapped("name")),
                        ),
                        "addons": addon,
                    }
                )
            max_qty = addon.telecom_addon_max_qty
            if max_qty and quantity > max_qty:
                problems.append(
                    {
                        "message": self.env._(
                            "Add-on %(addon)s is limited to %(max)s per plan; %(qty)s are on "
                            "plan %(plan)s.",
                            addon=addon.name,
                            max=max_qty,
                            qty=f"{quantity:g}",
                            plan=plan.name,
                        ),
                        "addons": addon,
                    }
                )
        by_group = defaultdict(lambda: self.browse())
        for addon in quantities:
            if addon.telecom_is_addon and addon.telecom_addon_group_id:
                by_group[addon.telecom_addon_group_id] |= addon
        for group, members in by_group.items():
            if len(members) > 1:
                problems.append(
                    {
                        "message": self.env._(
                            "Add-ons %(addons)s exclude each other (group %(group)s): keep only "
                            "one of them on plan %(plan)s.",
                            addons=", ".join(members.mapped("name")),
                            group=group.name,
                            plan=plan.name or self.env._("(none)"),
                        ),
                        "addons": members,
                    }
                )
        return problems

    def _telecom_price_at(self, on_date):
        """Monthly recurring price of this plan or add-on in force on ``on_date``.

        The rule: the price version with the latest start date on or before ``on_date``
        applies; before the first version, the price before the first version applies; a
        plan without versions has its sales price.
        """
        self.ensure_one()
        # the price schedule is internal (customers see the price, not the coming versions)
        schedule = self.sudo().telecom_price_version_ids
        if not schedule:
            return self.list_price
        versions = schedule.filtered(lambda v: v.date_start <= on_date)
        if not versions:
            return self.telecom_base_price
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
