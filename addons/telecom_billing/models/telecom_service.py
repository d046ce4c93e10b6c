from datetime import date, timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL, format_date

from odoo.addons.telecom_catalog.models.product_template import VOICE_SERVICE_TYPES
from odoo.addons.telecom_catalog.tools.adapter_errors import RECORD_ERRORS
from odoo.addons.telecom_catalog.tools.locking import lock_ids

SERVICE_STATES = [
    ("pending", "Pending Activation"),
    ("active", "Active"),
    ("suspended", "Suspended"),
    ("terminated", "Terminated"),
]
SUSPENSION_REASONS = [
    ("customer", "Customer Request"),
    ("non_payment", "Non-payment"),
]
# Lifecycle actions sent to the network through _telecom_network_request().
NETWORK_ACTIONS = [
    ("activate", "Activate"),
    ("change_plan", "Change Plan"),
    ("add_addon", "Add Add-on"),
    ("remove_addon", "Remove Add-on"),
    ("suspend", "Suspend"),
    ("reactivate", "Reactivate"),
    ("terminate", "Terminate"),
]
PLAN_CHANGE_TIMINGS = [
    ("now", "Now (prorated)"),
    ("next_cycle", "At the next billing period"),
]
ONE_DAY = timedelta(days=1)


class TelecomService(models.Model):
    _name = "telecom.service"
    _description = "Telecom Service Line"
    _inherit = [
        "telecom.chargeable.mixin",
        "portal.mixin",
        "mail.thread",
        "mail.activity.mixin",
        "telecom.cpni.mixin",
    ]
    _order = "subscription_id, id"
    _check_company_auto = True
    # The service mix of a customer (its plans, add-ons, quantities and their history) is CPNI.
    # Billing bills it and the NOC provisions it (47 U.S.C. 222(d)(1)); customers read their
    # own on the portal; other staff and salespeople see the line (reference, state, numbers,
    # dates, service type), not what it is made of.
    _telecom_cpni_fields = (
        "product_id",
        "product_tmpl_id",
        "quantity",
        "addon_line_ids",
        "history_ids",
        "next_plan_id",
    )
    _telecom_cpni_need_groups = (
        "telecom_catalog.group_telecom_billing",
        "telecom_catalog.group_telecom_noc",
        "base.group_portal",
    )
    _sql_constraints = [
        ("quantity_positive", "CHECK(quantity > 0)", "A service quantity must be at least 1."),
        (
            "dates_ordered",
            "CHECK(date_end IS NULL OR date_start IS NULL OR date_end >= date_start)",
            "A service cannot end before it starts.",
        ),
    ]

    # ------------------------------------------------------------
    # FIELDS
    # ------------------------------------------------------------

    name = fields.Char(
        string="Reference", required=True, copy=False, readonly=True, default="New", index=True
    )
    subscription_id = fields.Many2one(
        "telecom.subscription",
        required=True,
        ondelete="restrict",
        index=True,
        check_company=True,
        tracking=True,
    )
    partner_id = fields.Many2one(
        related="subscription_id.partner_id", store=True, index=True, string="Billing Account"
    )
    company_id = fields.Many2one(related="subscription_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="subscription_id.currency_id")
    product_id = fields.Many2one(
        "product.product",
        string="Plan",
        required=True,
        tracking=True,
        domain="[('telecom_is_plan', '=', True)]",
        check_company=True,
    )
    product_tmpl_id = fields.Many2one(related="product_id.product_tmpl_id")
    service_type = fields.Selection(
        related="product_id.telecom_service_type", store=True, string="Service Type"
    )
    regulatory_class = fields.Selection(
        related="product_id.telecom_regulatory_class", string="Regulatory Class"
    )
    quantity = fields.Integer(
        default=1,
        required=True,
        help="Units billed on this line (e.g. TV outlets). Voice and mobile lines are sold one "
        "service per line, each with its own number.",
    )
    date_start = fields.Date(
        string="Start Date",
        readonly=True,
        copy=False,
        tracking=True,
        help="Day the network confirmed the activation; billing starts on it.",
    )
    date_end = fields.Date(
        string="End Date",
        readonly=True,
        copy=False,
        tracking=True,
        help="Last day of service; billing stops after it.",
    )
    state = fields.Selection(
        SERVICE_STATES,
        default="pending",
        required=True,
        readonly=True,
        copy=False,
        index=True,
        tracking=True,
    )
    suspension_reason = fields.Selection(SUSPENSION_REASONS, readonly=True, copy=False)
    keep_emergency_calling = fields.Boolean(
        string="Emergency Calling Kept",
        readonly=True,
        copy=False,
        help="Set while a suspended voice service still reaches 911.",
    )
    is_voice = fields.Boolean(compute="_compute_is_voice")
    number_ids = fields.One2many(
        "telecom.number",
        "service_id",
        string="Numbers",
        help="Telephone numbers of this service; assigned to the customer when the service "
        "is activated, disconnected (aging) when it is terminated.",
    )
    port_out_request_id = fields.Many2one(
        "telecom.port.request",
        string="Ported Out By",
        readonly=True,
        copy=False,
        help="Port-out that took a number of this service to another carrier.",
    )
    to_terminate = fields.Boolean(
        string="To Terminate",
        readonly=True,
        copy=False,
        tracking=True,
        help="Set when a number of this service was ported out: terminate the service.",
    )
    circuit_id = fields.Char(
        string="Circuit ID", tracking=True, help="Circuit or access line identifier."
    )
    service_address_id = fields.Many2one(
        "res.partner",
        string="Service Address",
        tracking=True,
        help="Where the service is delivered; drives taxes, fees and 911 records.",
    )
    addon_line_ids = fields.One2many("telecom.service.addon", "service_id", string="Add-ons")
    history_ids = fields.One2many("telecom.service.history", "service_id", string="History")
    promotion_line_ids = fields.One2many(
        "telecom.service.promotion", "service_id", string="Promotions"
    )
    charge_ids = fields.One2many("telecom.charge", "service_id", string="Charges")
    next_plan_id = fields.Many2one(
        "product.product",
        string="Scheduled Plan",
        readonly=True,
        copy=False,
        help="Plan this service moves to at the start of its next billing period.",
    )
    next_plan_date = fields.Date(string="Scheduled Plan Date", readonly=True, copy=False)
    negotiated_price = fields.Monetary(
        string="Negotiated Monthly Price",
        tracking=True,
        copy=False,
        groups="telecom_catalog.group_telecom_billing",
        help="Monthly price agreed with this customer for the plan; it replaces the plan's "
        "price and its price versions while set. Changing it credits the days already billed "
        "from today on and bills them again at the new price; a plan change ends it.",
    )
    negotiated_price_since = fields.Date(
        readonly=True,
        copy=False,
        help="Day the negotiated price last changed while days from it on were already billed. "
        "Lifecycle changes cannot take effect before it.",
    )
    sale_line_id = fields.Many2one(
        "sale.order.line",
        string="Sale Order Line",
        readonly=True,
        copy=False,
        index="btree_not_null",
    )
    sale_order_id = fields.Many2one(related="sale_line_id.order_id", string="Sale Order")
    termination_reason = fields.Char(readonly=True, copy=False)

    # ------------------------------------------------------------
    # COMPUTE
    # ------------------------------------------------------------

    @api.depends("service_type")
    def _compute_is_voice(self):
        for service in self:
            service.is_voice = service.service_type in VOICE_SERVICE_TYPES

    def _compute_access_url(self):
        super()._compute_access_url()
        for service in self:
            service.access_url = f"/my/services/{service.id}"

    @api.depends("name", "product_id", "circuit_id", "number_ids")
    def _compute_display_name(self):
        plan_readable = self._fields["product_id"].is_accessible(self.env)
        for service in self:
            # the plan is CPNI: in the name only for those who may read it
            label = service.sudo().product_id.name if plan_readable else ""
            ident = service._telecom_identifier()
            service.display_name = " - ".join(p for p in (service.name, label, ident) if p)

    # ------------------------------------------------------------
    # CONSTRAINT
    # ------------------------------------------------------------

    @api.constrains("product_id")
    def _check_product_is_plan(self):
        for service in self:
            if not service.product_id.telecom_is_plan:
                raise ValidationError(
                    self.env._(
                        "%(product)s is not a telecom plan: a service line needs a plan.",
                        product=service.product_id.display_name,
                    )
                )

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "New") == "New":
                vals["name"] = self.env["ir.sequence"].next_by_code("telecom.service") or "New"
        services = super().create(vals_list)
        services._telecom_log("created", note=self.env._("Service created."))
        return services

    def write(self, vals):
        if "negotiated_price" not in vals:
            return super().write(vals)
        today = fields.Date.context_today(self)
        new_price = vals["negotiated_price"] or 0.0
        changing = self.filtered(
            lambda s: s.currency_id.compare_amounts(s.negotiated_price or 0.0, new_price)
        )
        billed = changing._telecom_rebill_from(
            today, self.env._("Negotiated price changed to %(price)s", price=new_price or "-")
        )
        result = super().write(vals)
        if billed:
            super(TelecomService, billed).write({"negotiated_price_since": today})
        return result

    @api.ondelete(at_uninstall=False)
    def _unlink_except_started(self):
        for service in self:
            if service.state != "pending":
                raise UserError(
                    self.env._(
                        "Service %(name)s has started: terminate it instead of deleting it.",
                        name=service.display_name,
                    )
                )

    # ------------------------------------------------------------
    # ACTION
    # ------------------------------------------------------------

    def action_activate(self):
        for service in self:
            service._telecom_request_activate()
        return True

    def action_reactivate(self):
        for service in self:
            service._telecom_request_reactivate()
        return True

    def action_cancel_scheduled_plan(self):
        for service in self:
            if not service.next_plan_id:
                continue
            plan = service.next_plan_id
            service.write({"next_plan_id": False, "next_plan_date": False})
            service._telecom_log(
                "plan_change_cancelled",
                new_plan=plan,
                note=self.env._("Scheduled move to %(plan)s cancelled.", plan=plan.display_name),
            )
        return True

    def _action_open_lifecycle_wizard(self, action):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": dict(NETWORK_ACTIONS)[action],
            "res_model": "telecom.service.lifecycle.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_service_id": self.id, "default_action": action},
        }

    def action_open_change_plan(self):
        return self._action_open_lifecycle_wizard("change_plan")

    def action_open_add_addon(self):
        return self._action_open_lifecycle_wizard("add_addon")

    def action_open_suspend(self):
        return self._action_open_lifecycle_wizard("suspend")

    def action_open_terminate(self):
        return self._action_open_lifecycle_wizard("terminate")

    # ------------------------------------------------------------
    # BUSINESS: requests (validate, then ask the network)
    # ------------------------------------------------------------

    def _telecom_subscription(self):
        self.ensure_one()
        return self.subscription_id

    def _telecom_charge_link(self):
        self.ensure_one()
        return {"service_id": self.id}

    def _telecom_negotiated_price(self):
        self.ensure_one()
        return self.sudo().negotiated_price or None

    def _telecom_identifier(self):
        """Number(s) or circuit that identify this service to people."""
        self.ensure_one()
        numbers = self.sudo().number_ids.mapped("name")  # names only, for any reader
        return ", ".join(numbers) or self.circuit_id or ""

    def _telecom_today(self):
        return fields.Date.context_today(self)

    def _telecom_check_date(self, effective_date, what):
        """Validate an effective date (today when not given): not in the future, not before
        the service started, not before the last change of the account's bill cycle day."""
        self.ensure_one()
        today = self._telecom_today()
        effective_date = effective_date or today
        if effective_date > today:
            raise UserError(
                self.env._(
                    "%(what)s of %(service)s cannot take effect in the future (%(date)s): "
                    "run it on that day.",
                    what=what,
                    service=self.display_name,
                    date=effective_date,
                )
            )
        if self.date_start and effective_date < self.date_start:
            raise UserError(
                self.env._(
                    "%(what)s of %(service)s cannot take effect on %(date)s, before the service "
                    "started on %(start)s.",
                    what=what,
                    service=self.display_name,
                    date=effective_date,
                    start=self.date_start,
                )
            )
        cycle_since = max(
            self.subscription_id.bill_cycle_changed_on or date.min,
            self.negotiated_price_since or date.min,
        )
        if effective_date < cycle_since:
            raise UserError(
                self.env._(
                    "%(what)s of %(service)s cannot take effect on %(date)s, before its bill "
                    "cycle day or negotiated price changed on %(since)s: the days before were "
                    "billed in the old terms.",
                    what=what,
                    service=self.display_name,
                    date=effective_date,
                    since=cycle_since,
                )
            )
        return effective_date

    def _telecom_check_state(self, allowed, what):
        self.ensure_one()
        if self.state not in allowed:
            states = dict(SERVICE_STATES)
            raise UserError(
                self.env._(
                    "%(what)s is not possible for %(service)s while it is %(state)s; it must be "
                    "%(allowed)s.",
                    what=what,
                    service=self.display_name,
                    state=states[self.state],
                    allowed=self.env._(" or ").join(states[s] for s in allowed),
                )
            )

    def _telecom_discount_give_back(self, credits, next_date, reason):
        """Pending charges giving back the promotion discount of the credited days, so that a
        credit mirrors what was billed for those days: for each promotion line that discounted
        plan charges of these days (discount ``D`` on plan charges ``B``, of which ``C`` are
        credited), the days still billed keep the same discounted share of their price: their
        net is ``(B - C) x (B - D) / B`` rounded to the cent, and the rest of ``D`` is given
        back."""
        self.ensure_one()
        # what was billed decides, whoever asks for the change (billing staff, the customer)
        lines = (
            self.env["account.move.line"]
            .sudo()
            .search(
                [
                    ("telecom_service_id", "=", self.id),
                    ("telecom_line_kind", "=", "discount"),
                    ("parent_state", "!=", "cancel"),
                    ("telecom_date_to", ">=", next_date),
                ]
            )
        )
        currency = self.currency_id
        vals_list = []
        for line in lines.filtered("telecom_discount_base"):
            credited = sum(
                piece["amount"]
                for piece in credits
                if line.telecom_date_from <= piece["date_from"] <= line.telecom_date_to
            )
            if currency.is_zero(credited):
                continue
            sign = -1 if line.move_id.move_type == "out_refund" else 1
            discount = -sign * line.price_subtotal
            base = line.telecom_discount_base
            still_billed = base - credited
            kept = still_billed - currency.round(still_billed * (base - discount) / base)
            vals_list.append(
                {
                    "subscription_id": self.subscription_id.id,
                    "service_id": self.id,
                    "product_id": line.product_id.id,
                    "name": self.env._(
                        "%(promotion)s: discount of the credited days from %(date)s",
                        promotion=line.telecom_service_promotion_id.promotion_id.name,
                        date=format_date(self.env, next_date),
                    ),
                    "kind": "discount",
                    "date": next_date,
                    "date_from": next_date,
                    "date_to": line.telecom_date_to,
                    "quantity": 1,
                    "price_unit": currency.round(discount - kept),
                    "note": reason,
                }
            )
        return vals_list

    def _telecom_send(self, action, effective_date, **values):
        """Ask the network for lifecycle ``action`` effective on ``effective_date``."""
        return self._telecom_network_request(
            action, {**values, "effective_date": fields.Date.to_string(effective_date)}
        )

    def _telecom_request_activate(self, effective_date=None):
        self.ensure_one()
        self._telecom_check_state(("pending",), self.env._("Activation"))
        effective_date = self._telecom_check_date(effective_date, self.env._("Activation"))
        self._telecom_pick_numbers()
        return self._telecom_send("activate", effective_date)

    def _telecom_plan_change_errors(self, plan):
        """Plain-English reasons why this service may not move to ``plan`` (empty = fine)."""
        self.ensure_one()
        errors = []
        if not plan.telecom_is_plan:
            errors.append(self.env._("%(p)s is not a plan.", p=plan.display_name))
        elif plan == self.product_id:
            errors.append(self.env._("The service is already on %(p)s.", p=plan.display_name))
        elif plan.telecom_grandfathered:
            errors.append(
                self.env._("%(p)s is grandfathered and no longer sold.", p=plan.display_name)
            )
        if not errors:
            allowed = self.product_id.product_tmpl_id._telecom_allowed_plan_changes()
            if plan.product_tmpl_id not in allowed:
                errors.append(
                    self.env._(
                        "Customers on %(old)s cannot move to %(new)s (see the plan's allowed "
                        "plan changes).",
                        old=self.product_id.display_name,
                        new=plan.display_name,
                    )
                )
        return errors

    def _telecom_request_change_plan(self, plan, timing="now", effective_date=None):
        """Move this service to ``plan`` now (prorated) or at the next billing period."""
        self.ensure_one()
        self._telecom_check_state(("active", "suspended"), self.env._("A plan change"))
        errors = self._telecom_plan_change_errors(plan)
        if errors:
            raise UserError("\n".join(errors))
        if timing == "next_cycle":
            __, period_end = self.subscription_id._telecom_period_of(self._telecom_today())
            self.write({"next_plan_id": plan.id, "next_plan_date": period_end + ONE_DAY})
            self._telecom_log(
                "plan_change_scheduled",
                new_plan=plan,
                date=self.next_plan_date,
                note=self.env._(
                    "Move from %(old)s to %(new)s scheduled for %(date)s.",
                    old=self.product_id.display_name,
                    new=plan.display_name,
                    date=self.next_plan_date,
                ),
            )
            return True
        effective_date = self._telecom_check_date(effective_date, self.env._("A plan change"))
        return self._telecom_send(
            "change_plan",
            effective_date,
            plan_id=plan.id,
            old_plan_id=self.product_id.id,
            timing=timing,
        )

    def _telecom_request_add_addon(self, addon, quantity=1, effective_date=None):
        self.ensure_one()
        self._telecom_check_state(("active", "suspended"), self.env._("Adding an add-on"))
        if quantity < 1:
            raise UserError(self.env._("The add-on quantity must be at least 1."))
        self._telecom_check_addons(addon, quantity)
        effective_date = self._telecom_check_date(effective_date, self.env._("Adding an add-on"))
        return self._telecom_send("add_addon", effective_date, addon_id=addon.id, quantity=quantity)

    def _telecom_check_addons(self, addon, quantity):
        """Refuse an add-on that is not one, or that the catalog rules forbid on this plan."""
        self.ensure_one()
        if not addon.telecom_is_addon:
            raise UserError(self.env._("%(p)s is not an add-on.", p=addon.display_name))
        current = [
            (line.product_id.product_tmpl_id, line.quantity)
            for line in self.addon_line_ids.filtered(lambda a: a.state in ("pending", "active"))
        ]
        errors = self.env["product.template"]._telecom_addon_errors(
            self.product_id.product_tmpl_id, current + [(addon.product_tmpl_id, quantity)]
        )
        if errors:
            raise UserError("\n".join(errors))

    def _telecom_request_remove_addon(self, addon_line, effective_date=None):
        self.ensure_one()
        self._telecom_check_state(("active", "suspended"), self.env._("Removing an add-on"))
        if addon_line.service_id != self or addon_line.state != "active":
            raise UserError(
                self.env._(
                    "Add-on %(addon)s is not active on %(service)s.",
                    addon=addon_line.display_name,
                    service=self.display_name,
                )
            )
        effective_date = self._telecom_check_date(effective_date, self.env._("Removing an add-on"))
        if effective_date < addon_line.date_start:
            raise UserError(
                self.env._(
                    "Add-on %(addon)s started on %(start)s: it cannot end before.",
                    addon=addon_line.display_name,
                    start=addon_line.date_start,
                )
            )
        return self._telecom_send(
            "remove_addon",
            effective_date,
            addon_line_id=addon_line.id,
            addon_id=addon_line.product_id.id,
            quantity=addon_line.quantity,
        )

    def _telecom_request_suspend(self, reason="customer", keep_emergency_calling=None):
        self.ensure_one()
        self._telecom_check_state(("active",), self.env._("A suspension"))
        if reason not in dict(SUSPENSION_REASONS):
            raise UserError(self.env._("Unknown suspension reason %(r)s.", r=reason))
        if keep_emergency_calling is None:
            keep_emergency_calling = self.is_voice
        return self._telecom_send(
            "suspend",
            self._telecom_today(),
            reason=reason,
            keep_emergency_calling=bool(keep_emergency_calling and self.is_voice),
        )

    def _telecom_request_reactivate(self, reason=None):
        self.ensure_one()
        self._telecom_check_state(("suspended",), self.env._("A reactivation"))
        return self._telecom_send(
            "reactivate",
            self._telecom_today(),
            reason=reason or "",
            previous_reason=self.suspension_reason,
        )

    def _telecom_request_terminate(self, effective_date=None, reason=None):
        self.ensure_one()
        self._telecom_check_state(("pending", "active", "suspended"), self.env._("A termination"))
        effective_date = self._telecom_check_date(effective_date, self.env._("A termination"))
        if self.state == "pending":
            # Never started: nothing to switch off on the network.
            return self._telecom_network_confirmed(
                "terminate",
                {"effective_date": fields.Date.to_string(effective_date), "reason": reason or ""},
            )
        return self._telecom_send("terminate", effective_date, reason=reason or "")

    # ------------------------------------------------------------
    # BUSINESS: choices and previews (customer portal, wizards)
    # ------------------------------------------------------------

    def _telecom_available_plans(self):
        """Plans this service may move to (catalog rules), cheapest first."""
        self.ensure_one()
        templates = self.product_id.product_tmpl_id._telecom_allowed_plan_changes()
        plans = templates.product_variant_id
        plans = plans.filtered(lambda p: not self._telecom_plan_change_errors(p))
        return plans.sorted(
            lambda p: (p.product_tmpl_id._telecom_price_at(self._telecom_today()), p.id)
        )

    def _telecom_available_addons(self):
        """Add-ons on sale that the catalog rules allow on this service next to its current
        add-ons (one more unit)."""
        self.ensure_one()
        addons = self.env["product.product"].search(
            [("telecom_is_addon", "=", True), ("sale_ok", "=", True)], order="name, id"
        )
        current = [
            (line.product_id.product_tmpl_id, line.quantity)
            for line in self.addon_line_ids.filtered(lambda a: a.state in ("pending", "active"))
        ]
        Template = self.env["product.template"]
        plan = self.product_id.product_tmpl_id
        return addons.filtered(
            lambda a: not Template._telecom_addon_errors(plan, current + [(a.product_tmpl_id, 1)])
        )

    def _telecom_preview_lines(self, product, date_from, date_to, quantity, credit=False):
        """Prorated lines of ``product`` over ``[date_from, date_to]`` as the bill run and the
        settlement would compute them (tools/proration.py), as dicts for display."""
        self.ensure_one()
        currency = self.currency_id
        sign = -1 if credit else 1
        lines = []
        for piece in self.subscription_id._telecom_recurring_pieces(
            product, date_from, date_to, quantity
        ):
            period = "%s - %s" % (
                format_date(self.env, piece["date_from"]),
                format_date(self.env, piece["date_to"]),
            )
            if credit:
                name = self.env._(
                    "%(item)s: credit for unused days %(period)s",
                    item=product.display_name,
                    period=period,
                )
            elif piece["full_period"]:
                name = "%s: %s" % (product.display_name, period)
            else:
                name = self.env._(
                    "%(item)s: prorated %(period)s", item=product.display_name, period=period
                )
            lines.append(
                {
                    "name": name,
                    "date_from": piece["date_from"],
                    "date_to": piece["date_to"],
                    "quantity": quantity,
                    "price_unit": sign * currency.round(piece["amount"] / quantity),
                    "amount": sign * currency.round(piece["amount"]),
                }
            )
        return lines

    def _telecom_preview(self, lines, effective_date, errors=(), **values):
        self.ensure_one()
        period_start, period_end = self.subscription_id._telecom_period_of(effective_date)
        return {
            "errors": list(errors),
            "effective_date": effective_date,
            "period_start": period_start,
            "period_end": period_end,
            "next_period_start": period_end + ONE_DAY,
            "lines": lines,
            "total": self.currency_id.round(sum(line["amount"] for line in lines)),
            "currency": self.currency_id,
            **values,
        }

    def _telecom_plan_change_preview(self, plan, timing="now", effective_date=None):
        """What moving to ``plan`` costs, before the customer confirms.

        ``timing="now"``: the current plan is credited and the new plan charged, both prorated,
        from the effective date to the end of the current billing period (the difference is what
        the next bills show for this period; taxes and fees come on top). ``"next_cycle"``: no
        proration, the new monthly price applies from the next billing period. ``errors`` lists
        why the change is refused (nothing else is computed then).
        """
        self.ensure_one()
        today = self._telecom_today()
        effective_date = effective_date or today
        errors = []
        if self.state not in ("active", "suspended"):
            errors.append(
                self.env._(
                    "The plan of %(service)s can be changed only while it is active or suspended.",
                    service=self.display_name,
                )
            )
        errors += self._telecom_plan_change_errors(plan)
        monthly = {
            "old_monthly": self.product_id.product_tmpl_id._telecom_price_at(today) * self.quantity,
            "new_monthly": plan.product_tmpl_id._telecom_price_at(today) * self.quantity,
            "plan": plan,
            "timing": timing,
        }
        if errors or timing == "next_cycle":
            if timing == "next_cycle":
                __, period_end = self.subscription_id._telecom_period_of(today)
                effective_date = period_end + ONE_DAY
            return self._telecom_preview([], effective_date, errors, **monthly)
        __, period_end = self.subscription_id._telecom_period_of(effective_date)
        lines = self._telecom_preview_lines(
            self.product_id, effective_date, period_end, self.quantity, credit=True
        ) + self._telecom_preview_lines(plan, effective_date, period_end, self.quantity)
        return self._telecom_preview(lines, effective_date, **monthly)

    def _telecom_add_addon_preview(self, addon, quantity=1, effective_date=None):
        """Prorated charge of ``addon`` x ``quantity`` from the effective date to the end of the
        current billing period, then its monthly price; ``errors`` when it is not allowed."""
        self.ensure_one()
        effective_date = effective_date or self._telecom_today()
        errors = []
        try:
            self._telecom_check_state(("active", "suspended"), self.env._("Adding an add-on"))
            self._telecom_check_addons(addon, quantity)
        except UserError as error:
            errors = str(error).split("\n")
        monthly = addon.product_tmpl_id._telecom_price_at(effective_date) * quantity
        values = {"addon": addon, "quantity": quantity, "new_monthly": monthly}
        if errors:
            return self._telecom_preview([], effective_date, errors, **values)
        __, period_end = self.subscription_id._telecom_period_of(effective_date)
        lines = self._telecom_preview_lines(addon, effective_date, period_end, quantity)
        return self._telecom_preview(lines, effective_date, **values)

    def _telecom_remove_addon_preview(self, addon_line, effective_date=None):
        """Credit for the days already charged after the add-on's last day (the effective
        date), as the settlement of its removal computes them."""
        self.ensure_one()
        effective_date = effective_date or self._telecom_today()
        errors = []
        if addon_line.service_id != self or addon_line.state != "active":
            errors.append(
                self.env._(
                    "Add-on %(addon)s is not active on %(service)s.",
                    addon=addon_line.display_name,
                    service=self.display_name,
                )
            )
        values = {
            "addon_line": addon_line,
            "old_monthly": addon_line.monthly_price * addon_line.quantity,
        }
        through = addon_line._telecom_charged_through() if not errors else False
        lines = []
        if through and through > effective_date:
            lines = self._telecom_preview_lines(
                addon_line.product_id,
                effective_date + ONE_DAY,
                through,
                addon_line.quantity,
                credit=True,
            )
        return self._telecom_preview(lines, effective_date, errors, **values)

    # ------------------------------------------------------------
    # BUSINESS: the network hook
    # ------------------------------------------------------------

    def _telecom_network_request(self, action, values):
        """Ask the network to carry out lifecycle ``action`` on this service.

        ``action`` is one of NETWORK_ACTIONS; ``values`` is a JSON-serialisable dict (ids and
        ISO dates) holding what the network needs: ``effective_date`` always, ``plan_id`` and
        ``old_plan_id`` (change_plan), ``addon_id``, ``quantity`` and ``addon_line_id``
        (add_addon, remove_addon), ``reason`` and ``keep_emergency_calling`` (suspend), ``reason``
        (terminate, reactivate).

        Without a provisioning module the network is assumed to confirm at once.
        telecom_provisioning overrides this method to create a provisioning order and calls
        :meth:`_telecom_network_confirmed` with the same arguments when the order is done.
        """
        self.ensure_one()
        return self._telecom_network_confirmed(action, values)

    def _telecom_network_confirmed(self, action, values):
        """The network carried out ``action``: apply it to the service and its billing."""
        self.ensure_one()
        if action not in dict(NETWORK_ACTIONS):
            raise UserError(self.env._("Unknown service action %(a)s.", a=action))
        values = dict(values or {})
        values["effective_date"] = fields.Date.to_date(
            values.get("effective_date") or self._telecom_today()
        )
        getattr(self, f"_telecom_apply_{action}")(values)
        return True

    # ------------------------------------------------------------
    # BUSINESS: applying confirmed actions
    # ------------------------------------------------------------

    def _telecom_apply_activate(self, values):
        self._telecom_check_state(("pending",), self.env._("Activation"))
        start = values["effective_date"]
        self.write({"state": "active", "date_start": start, "charged_until": start - ONE_DAY})
        self.addon_line_ids.filtered(lambda a: a.state == "pending").write(
            {"state": "active", "date_start": start, "charged_until": start - ONE_DAY}
        )
        self._telecom_after_activation(values)
        self._telecom_log(
            "activate", date=start, note=self.env._("Service activated on %(d)s.", d=start)
        )

    def _telecom_after_activation(self, values):
        """Hook run once a service is active: its numbers are assigned to the customer.

        Numbers follow their service whoever changed it (a billing user, the provisioning
        job): number rights are not needed for that, hence sudo.
        """
        numbers = self.sudo().number_ids.filtered(lambda n: n.status != "assigned")
        if numbers:
            numbers._telecom_assign(
                self.partner_id,
                self.env._("Service %(service)s activated", service=self.name),
                sale_line=self.sale_line_id,
            )

    def _telecom_apply_change_plan(self, values):
        self._telecom_check_state(("active", "suspended"), self.env._("A plan change"))
        new_plan = self.env["product.product"].browse(values["plan_id"])
        old_plan = self.product_id
        effective = values["effective_date"]
        self._telecom_settle(
            effective,
            self.env._("Plan change from %(old)s to %(new)s", old=old_plan.name, new=new_plan.name),
        )
        vals = {"product_id": new_plan.id}
        if self.next_plan_id and self.next_plan_date and self.next_plan_date <= effective:
            vals.update(next_plan_id=False, next_plan_date=False)
        self.write(vals)
        if self.sudo().negotiated_price:
            # a price negotiated for the old plan ends with it
            self.sudo().negotiated_price = False
        self._telecom_log(
            "change_plan",
            date=effective,
            old_plan=old_plan,
            new_plan=new_plan,
            note=self.env._(
                "Plan changed from %(old)s to %(new)s on %(d)s.",
                old=old_plan.display_name,
                new=new_plan.display_name,
                d=effective,
            ),
        )

    def _telecom_apply_add_addon(self, values):
        self._telecom_check_state(("active", "suspended"), self.env._("Adding an add-on"))
        addon = self.env["product.product"].browse(values["addon_id"])
        start = values["effective_date"]
        line = self.env["telecom.service.addon"].create(
            {
                "service_id": self.id,
                "product_id": addon.id,
                "quantity": values.get("quantity") or 1,
                "state": "active",
                "date_start": start,
                "charged_until": start - ONE_DAY,
            }
        )
        self._telecom_log(
            "add_addon",
            date=start,
            addon=addon,
            quantity=line.quantity,
            note=self.env._(
                "Add-on %(addon)s x %(qty)s added on %(d)s.",
                addon=addon.display_name,
                qty=line.quantity,
                d=start,
            ),
        )

    def _telecom_apply_remove_addon(self, values):
        line = self.env["telecom.service.addon"].browse(values["addon_line_id"])
        if line.state != "active":
            return
        end = values["effective_date"]
        line._telecom_end(end, self.env._("Add-on removed"))
        self._telecom_log(
            "remove_addon",
            date=end,
            addon=line.product_id,
            quantity=line.quantity,
            note=self.env._(
                "Add-on %(addon)s removed; last day %(d)s.",
                addon=line.product_id.display_name,
                d=end,
            ),
        )

    def _telecom_apply_suspend(self, values):
        self._telecom_check_state(("active",), self.env._("A suspension"))
        reason = values.get("reason") or "customer"
        keep = bool(values.get("keep_emergency_calling")) and self.is_voice
        self.write(
            {"state": "suspended", "suspension_reason": reason, "keep_emergency_calling": keep}
        )
        note = self.env._(
            "Service suspended (%(reason)s).", reason=dict(SUSPENSION_REASONS)[reason]
        )
        if keep:
            note += " " + self.env._("Emergency calling (911) stays available.")
        self._telecom_log("suspend", date=values["effective_date"], reason=reason, note=note)

    def _telecom_apply_reactivate(self, values):
        self._telecom_check_state(("suspended",), self.env._("A reactivation"))
        previous = self.suspension_reason
        self.write({"state": "active", "suspension_reason": False, "keep_emergency_calling": False})
        self._telecom_log(
            "reactivate",
            date=values["effective_date"],
            reason=previous,
            note=self.env._("Service reactivated.")
            + (" %s" % values["reason"] if values.get("reason") else ""),
        )

    def _telecom_apply_terminate(self, values):
        self._telecom_check_state(("pending", "active", "suspended"), self.env._("A termination"))
        end = values["effective_date"]
        reason = values.get("reason") or ""
        if self.state == "pending":
            self.addon_line_ids.filtered(lambda a: a.state == "pending").write({"state": "removed"})
            self.write({"state": "terminated", "termination_reason": reason})
            self._telecom_log(
                "terminate", date=end, note=self.env._("Cancelled before activation.")
            )
            return
        label = self.env._("Service terminated")
        for line in self.addon_line_ids.filtered(lambda a: a.state == "active"):
            line._telecom_end(end, label)
        self._telecom_settle(end + ONE_DAY, label)
        self.write(
            {
                "state": "terminated",
                "date_end": end,
                "termination_reason": reason,
                "next_plan_id": False,
                "next_plan_date": False,
                "suspension_reason": False,
                "keep_emergency_calling": False,
            }
        )
        self._telecom_after_termination(values)
        self._telecom_log(
            "terminate",
            date=end,
            note=self.env._("Service terminated; last day %(d)s.", d=end)
            + (" %s" % reason if reason else ""),
        )

    def _telecom_after_termination(self, values):
        """Hook run once a service is terminated: its numbers still assigned are disconnected
        and age (ported-out numbers have left already)."""
        numbers = self.sudo().number_ids.filtered(lambda n: n.status == "assigned")
        if numbers:
            numbers._telecom_disconnect(
                values["effective_date"],
                self.env._("Service %(service)s terminated", service=self.name),
            )
        if self.to_terminate:
            self.to_terminate = False
            self.activity_unlink(["telecom_billing.mail_activity_telecom_terminate_service"])

    def _telecom_pick_numbers(self):
        """Give a voice service without numbers one available number per line before it is
        activated (so the network gets it): a number of the service address's state if any,
        else any available geographic or mobile number."""
        self.ensure_one()
        needed = self.quantity - len(self.number_ids) if self.is_voice else 0
        if needed <= 0:
            return self.env["telecom.number"]
        Number = self.env["telecom.number"].sudo()  # picking is part of the activation
        address = self.service_address_id or self.partner_id
        numbers = Number.browse()
        if address.state_id:
            numbers = Number._telecom_search_available(state=address.state_id, limit=needed)
            numbers = numbers.filtered(lambda n: n.number_type != "toll_free" and not n.service_id)
        if len(numbers) < needed:
            numbers |= Number.search(
                [
                    ("status", "=", "available"),
                    ("number_type", "!=", "toll_free"),
                    ("service_id", "=", False),
                    ("id", "not in", numbers.ids),
                ],
                limit=needed - len(numbers),
                order="name",
            )
        if len(numbers) < needed:
            raise UserError(
                self.env._(
                    "No telephone number is available for %(service)s: add numbers to the "
                    "inventory, or choose one on the service's Numbers tab.",
                    service=self.display_name,
                )
            )
        numbers.write({"service_id": self.id})
        self._telecom_log(
            "number",
            note=self.env._(
                "Number(s) %(numbers)s given to the service.",
                numbers=", ".join(numbers.mapped("name")),
            ),
        )
        return numbers

    def _telecom_flag_ported_out(self, port_request):
        """A number of this service was ported out: flag the service for termination and ask
        a billing user to do it (the customer left for another carrier)."""
        self.ensure_one()
        self.write({"to_terminate": True, "port_out_request_id": port_request.id})
        note = self.env._(
            "Number(s) %(numbers)s ported out by %(request)s: terminate this service.",
            numbers=", ".join((port_request.number_ids & self.number_ids).mapped("name")),
            request=port_request.name,
        )
        self._telecom_log("port_out", note=note)
        self.activity_schedule("telecom_billing.mail_activity_telecom_terminate_service", note=note)

    # ------------------------------------------------------------
    # BUSINESS: history and scheduled work
    # ------------------------------------------------------------

    def _telecom_log(self, action, note, date=None, **kwargs):
        """Write a history row and log ``note`` in the chatter of each service (one batch of
        notes, no notification: ``_message_log_batch``)."""
        History = self.env["telecom.service.history"]
        vals_list = []
        for service in self:
            vals_list.append(
                {
                    "service_id": service.id,
                    "action": action,
                    "date": date or service._telecom_today(),
                    "state": service.state,
                    "old_plan_id": kwargs.get("old_plan", self.env["product.product"]).id,
                    "new_plan_id": kwargs.get("new_plan", self.env["product.product"]).id,
                    "addon_id": kwargs.get("addon", self.env["product.product"]).id,
                    "quantity": kwargs.get("quantity", 0),
                    "reason": kwargs.get("reason") or False,
                    "note": note,
                }
            )
        if self:
            self._message_log_batch(bodies=dict.fromkeys(self.ids, note))
        return History.create(vals_list)

    @api.model
    def _cron_apply_scheduled_plan_changes(self, batch_size=500):
        """Send the plan changes scheduled for today or before to the network."""
        today = fields.Date.context_today(self)
        domain = [
            ("next_plan_id", "!=", False),
            ("next_plan_date", "<=", today),
            ("state", "in", ("active", "suspended")),
        ]
        services = self.search(domain, limit=batch_size, order="next_plan_date, id")
        services = self.browse(lock_ids(self.env, self._table, SQL("id = ANY(%s)", services.ids)))
        for service in services:
            plan, on_date = service.next_plan_id, service.next_plan_date
            try:
                with self.env.cr.savepoint():
                    # The request now carries the change (a provisioning order may hold it).
                    service.write({"next_plan_id": False, "next_plan_date": False})
                    service._telecom_network_request(
                        "change_plan",
                        {
                            "plan_id": plan.id,
                            "old_plan_id": service.product_id.id,
                            "timing": "next_cycle",
                            "effective_date": fields.Date.to_string(on_date),
                        },
                    )
            except RECORD_ERRORS as error:  # logged on the service, others go on
                service.write({"next_plan_id": False, "next_plan_date": False})
                service._telecom_log(
                    "plan_change_cancelled",
                    new_plan=plan,
                    note=self.env._(
                        "The move to %(plan)s scheduled for %(date)s failed and was cancelled: "
                        "%(error)s",
                        plan=plan.display_name,
                        date=on_date,
                        error=error,
                    ),
                )
        remaining = self.search_count(domain)
        self.env["ir.cron"]._notify_progress(done=len(services), remaining=remaining)
