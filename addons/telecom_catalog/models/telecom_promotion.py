import re

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import format_date, formatLang

DISCOUNT_TYPES = [("percent", "Percentage"), ("fixed", "Fixed Amount")]
PLAN_MATCHES = [
    ("any", "Any of these plans"),
    ("all", "All of these plans (bundle)"),
]
ZIP_ENTRY = re.compile(r"^\d{3,5}$")


class TelecomPromotion(models.Model):
    _name = "telecom.promotion"
    _description = "Telecom Promotion"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "sequence, date_start desc, id desc"
    _rec_names_search = ["name", "code"]
    _check_company_auto = True
    _sql_constraints = [
        ("code_uniq", "UNIQUE(code)", "Another promotion already uses this promotion code."),
        (
            "discount_value_positive",
            "CHECK(discount_value > 0)",
            "The discount of a promotion must be greater than zero.",
        ),
        (
            "duration_positive",
            "CHECK(duration_months >= 0)",
            "The duration of a promotion cannot be negative; use 0 for a discount that never ends.",
        ),
    ]

    # ------------------------------------------------------------
    # FIELDS
    # ------------------------------------------------------------

    name = fields.Char(required=True, tracking=True, translate=True)
    code = fields.Char(
        string="Promotion Code",
        tracking=True,
        help="The code customers quote (in adverts, mailings); optional, unique.",
    )
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True, tracking=True)
    company_id = fields.Many2one(
        "res.company",
        default=lambda self: self.env.company,
        help="Leave empty to offer the promotion in every company.",
    )
    currency_id = fields.Many2one(
        "res.currency",
        compute="_compute_currency_id",
        help="Currency of fixed discounts: the company's currency.",
    )
    description = fields.Html(
        string="Terms",
        translate=True,
        help="The offer's terms as shown to customers.",
    )
    # Discount
    discount_type = fields.Selection(
        DISCOUNT_TYPES, required=True, default="percent", tracking=True
    )
    discount_value = fields.Float(
        string="Discount",
        required=True,
        digits="Product Price",
        tracking=True,
        help="Percentage of the monthly price (e.g. 20 for 20%), or a fixed amount off each "
        "month. A fixed discount never exceeds the price it applies to.",
    )
    duration_months = fields.Integer(
        string="Billing Months",
        default=12,
        tracking=True,
        help="For how many monthly bills the discount applies. 0 means forever.",
    )
    stackable = fields.Boolean(
        tracking=True,
        help="A stackable promotion combines with other stackable promotions. An exclusive "
        "(not stackable) promotion must be the only promotion on the order.",
    )
    # Eligibility
    new_customers_only = fields.Boolean(
        tracking=True,
        help="Only customers who never had a telecom plan with us may use it.",
    )
    min_tenure_months = fields.Integer(
        string="Minimum Tenure (Months)",
        tracking=True,
        help="The customer must have been with us for at least this many whole months "
        "(since their first service). 0 means no minimum.",
    )
    customer_type_ids = fields.Many2many(
        "telecom.customer.type",
        string="Customer Types",
        help="Only customers of these types may use it. Leave empty for every type.",
    )
    state_ids = fields.Many2many(
        "res.country.state",
        string="States",
        help="The service address must be in one of these states, or in one of the ZIP codes "
        "below. Leave both empty to offer it everywhere.",
    )
    zip_codes = fields.Char(
        string="ZIP Codes",
        help="Comma-separated 5-digit ZIP codes, or 3-digit ZIP prefixes matching every ZIP "
        "code that starts with them, e.g. 10001, 10002, 945.",
    )
    required_plan_ids = fields.Many2many(
        "product.template",
        string="Required Plans",
        domain="[('telecom_is_plan', '=', True)]",
        help="The order must include these plans (one of them, or all of them for a bundle "
        "offer). The discount applies to these plans only. Leave empty for any plan.",
    )
    required_plan_match = fields.Selection(
        PLAN_MATCHES,
        string="Plans Needed",
        default="any",
        required=True,
        help="Any: one of the required plans is enough. All: a bundle offer needing every "
        "required plan on the same order.",
    )
    date_start = fields.Date(string="Valid From", tracking=True)
    date_end = fields.Date(string="Valid Until", tracking=True)
    max_redemptions = fields.Integer(
        tracking=True,
        help="How many confirmed orders may use this promotion in total. 0 means no limit.",
    )
    redemption_count = fields.Integer(
        string="Redemptions",
        compute="_compute_redemption_count",
        help="Confirmed orders that used this promotion.",
    )
    summary = fields.Char(compute="_compute_summary", help="The discount in a few words.")

    # ------------------------------------------------------------
    # COMPUTE
    # ------------------------------------------------------------

    @api.depends("company_id")
    @api.depends_context("company")
    def _compute_currency_id(self):
        for promotion in self:
            promotion.currency_id = (promotion.company_id or self.env.company).currency_id

    def _compute_redemption_count(self):
        counts = self._telecom_redemption_counts()
        for promotion in self:
            promotion.redemption_count = counts.get(promotion._origin.id, 0)

    @api.depends("discount_type", "discount_value", "duration_months", "currency_id")
    def _compute_summary(self):
        for promotion in self:
            promotion.summary = promotion._telecom_discount_label()

    # ------------------------------------------------------------
    # CONSTRAINT
    # ------------------------------------------------------------

    @api.constrains("discount_type", "discount_value")
    def _check_discount(self):
        for promotion in self:
            if promotion.discount_type == "percent" and promotion.discount_value > 100:
                raise ValidationError(
                    self.env._(
                        "Promotion %(name)s cannot take off more than 100%% of the price.",
                        name=promotion.name,
                    )
                )

    @api.constrains("date_start", "date_end")
    def _check_dates(self):
        for promotion in self:
            start, end = promotion.date_start, promotion.date_end
            if start and end and end < start:
                raise ValidationError(
                    self.env._(
                        "Promotion %(name)s ends before it starts: check its validity dates.",
                        name=promotion.name,
                    )
                )

    @api.constrains("new_customers_only", "min_tenure_months", "max_redemptions")
    def _check_customer_rules(self):
        for promotion in self:
            if promotion.min_tenure_months < 0 or promotion.max_redemptions < 0:
                raise ValidationError(
                    self.env._(
                        "Promotion %(name)s: the minimum tenure and the maximum redemptions "
                        "cannot be negative (0 means no rule).",
                        name=promotion.name,
                    )
                )
            if promotion.new_customers_only and promotion.min_tenure_months:
                raise ValidationError(
                    self.env._(
                        "Promotion %(name)s cannot be both for new customers only and for "
                        "customers of at least %(months)s months.",
                        name=promotion.name,
                        months=promotion.min_tenure_months,
                    )
                )

    @api.constrains("zip_codes")
    def _check_zip_codes(self):
        for promotion in self:
            wrong = [z for z in promotion._telecom_zip_entries() if not ZIP_ENTRY.match(z)]
            if wrong:
                raise ValidationError(
                    self.env._(
                        "Promotion %(name)s: %(wrong)s is not a ZIP code. List 5-digit ZIP "
                        "codes or 3-digit prefixes separated by commas, e.g. 10001, 945.",
                        name=promotion.name,
                        wrong=", ".join(wrong),
                    )
                )

    @api.constrains("required_plan_ids")
    def _check_required_plans(self):
        for promotion in self:
            not_plans = promotion.required_plan_ids.filtered(lambda p: not p.telecom_is_plan)
            if not_plans:
                raise ValidationError(
                    self.env._(
                        "Promotion %(name)s can only require plans; these products are not "
                        "plans: %(products)s.",
                        name=promotion.name,
                        products=", ".join(not_plans.mapped("name")),
                    )
                )

    # ------------------------------------------------------------
    # ACTION
    # ------------------------------------------------------------

    def action_view_orders(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("sale.action_orders")
        action["domain"] = [("telecom_promotion_ids", "in", self.ids)]
        action["context"] = {}
        return action

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    def _telecom_redemption_counts(self):
        """``{promotion id: number of confirmed orders using it}`` for ``self``."""
        ids = [pid for pid in self._origin.ids if pid]
        if not ids:
            return {}
        groups = (
            self.env["sale.order"]
            .sudo()
            ._read_group(
                [("telecom_promotion_ids", "in", ids), ("state", "=", "sale")],
                ["telecom_promotion_ids"],
                ["__count"],
            )
        )
        return {promotion.id: count for promotion, count in groups}

    def _telecom_zip_entries(self):
        self.ensure_one()
        return [z.strip() for z in (self.zip_codes or "").split(",") if z.strip()]

    def _telecom_discount_label(self):
        """The discount in words: "20% off for 12 months", "$10.00 off forever"."""
        self.ensure_one()
        if self.discount_type == "percent":
            amount = f"{self.discount_value:g}%"
        else:
            amount = formatLang(self.env, self.discount_value, currency_obj=self.currency_id)
        if not self.duration_months:
            return self.env._("%(amount)s off forever", amount=amount)
        if self.duration_months == 1:
            return self.env._("%(amount)s off the first month", amount=amount)
        return self.env._(
            "%(amount)s off for %(months)s months", amount=amount, months=self.duration_months
        )

    def _telecom_discount_amount(self, base_amount, currency=None, on_date=None):
        """Monthly discount on ``base_amount`` (a positive amount, never above the base).

        :param currency: currency of ``base_amount`` (default: the promotion's); a fixed
            discount is converted into it and the result is rounded in it
        """
        self.ensure_one()
        currency = currency or self.currency_id
        if currency.compare_amounts(base_amount, 0.0) <= 0:
            return 0.0
        if self.discount_type == "percent":
            amount = base_amount * self.discount_value / 100.0
        else:
            amount = self.discount_value
            if currency != self.currency_id:
                amount = self.currency_id._convert(
                    amount,
                    currency,
                    self.company_id or self.env.company,
                    on_date or fields.Date.context_today(self),
                )
        return currency.round(min(amount, base_amount))

    def _telecom_eligibility_errors(
        self, partner, plans, on_date, other_promotions=None, address=None
    ):
        """Why ``partner`` may not use this promotion, in plain words (empty list = eligible).

        :param partner: the customer (its commercial entity gives type and tenure)
        :param plans: the plans being bought (product.template or product.product)
        :param on_date: the date the promotion would be used
        :param other_promotions: promotions already on the same order (stacking rules)
        :param address: the service address (default: ``partner``) for state and ZIP rules
        """
        self.ensure_one()
        if plans and plans._name == "product.product":
            plans = plans.product_tmpl_id
        customer = partner.commercial_partner_id
        address = address or partner
        other_promotions = (other_promotions or self.browse()) - self
        errors = []
        if not self.active:
            errors.append(self.env._("Promotion %(name)s is no longer offered.", name=self.name))
        errors += self._telecom_date_errors(on_date)
        errors += self._telecom_tenure_errors(customer, on_date)
        errors += self._telecom_ongoing_errors(customer, plans, address)
        errors += self._telecom_stacking_errors(other_promotions)
        if self.max_redemptions:
            used = self._telecom_redemption_counts().get(self.id, 0)
            if used >= self.max_redemptions:
                errors.append(
                    self.env._(
                        "Promotion %(name)s has reached its maximum of %(count)s redemptions.",
                        name=self.name,
                        count=self.max_redemptions,
                    )
                )
        return errors

    def _telecom_date_errors(self, on_date):
        if self.date_start and on_date < self.date_start:
            return [
                self.env._(
                    "Promotion %(name)s starts on %(date)s.",
                    name=self.name,
                    date=format_date(self.env, self.date_start),
                )
            ]
        if self.date_end and on_date > self.date_end:
            return [
                self.env._(
                    "Promotion %(name)s ended on %(date)s.",
                    name=self.name,
                    date=format_date(self.env, self.date_end),
                )
            ]
        return []

    def _telecom_ongoing_errors(self, customer, plans, address):
        """The rules a customer must keep meeting while the discount runs (empty = still
        eligible): customer type, service address and plans. Sign-up rules (offer dates, new
        customers, tenure, stacking, redemptions) are checked once, when the order is confirmed.
        """
        self.ensure_one()
        if plans and plans._name == "product.product":
            plans = plans.product_tmpl_id
        return (
            self._telecom_customer_type_errors(customer.commercial_partner_id)
            + self._telecom_area_errors(address)
            + self._telecom_plan_errors(plans)
        )

    def _telecom_tenure_errors(self, customer, on_date):
        errors = []
        if self.new_customers_only or self.min_tenure_months:
            first_date = customer._telecom_first_service_date()
            if self.new_customers_only and first_date and first_date <= on_date:
                errors.append(
                    self.env._(
                        "Promotion %(name)s is for new customers only, and %(customer)s has "
                        "been a customer since %(date)s.",
                        name=self.name,
                        customer=customer.name,
                        date=format_date(self.env, first_date),
                    )
                )
            tenure = customer._telecom_tenure_months(on_date)
            if self.min_tenure_months and tenure < self.min_tenure_months:
                errors.append(
                    self.env._(
                        "Promotion %(name)s needs at least %(months)s months as a customer; "
                        "%(customer)s has %(tenure)s.",
                        name=self.name,
                        months=self.min_tenure_months,
                        customer=customer.name,
                        tenure=tenure,
                    )
                )
        return errors

    def _telecom_customer_type_errors(self, customer):
        errors = []
        if self.customer_type_ids and customer.telecom_customer_type not in set(
            self.customer_type_ids.mapped("code")
        ):
            type_names = dict(
                customer._fields["telecom_customer_type"]._description_selection(self.env)
            )
            errors.append(
                self.env._(
                    "Promotion %(name)s is only for %(types)s customers; %(customer)s is a "
                    "%(type)s customer.",
                    name=self.name,
                    types=", ".join(self.customer_type_ids.mapped("name")),
                    customer=customer.name,
                    type=type_names.get(customer.telecom_customer_type) or self.env._("(no type)"),
                )
            )
        return errors

    def _telecom_area_errors(self, address):
        zips = self._telecom_zip_entries()
        if not self.state_ids and not zips:
            return []
        in_state = address.state_id in self.state_ids
        zip_code = (address.zip or "").strip()[:5]
        in_zip = bool(zip_code) and any(
            zip_code == entry if len(entry) == 5 else zip_code.startswith(entry) for entry in zips
        )
        if in_state or in_zip:
            return []
        areas = self.state_ids.mapped("name")
        if zips:
            areas.append(self.env._("ZIP codes %(zips)s", zips=", ".join(zips)))
        where = ", ".join(
            part for part in (address.city, address.state_id.name, address.zip) if part
        ) or self.env._("an unknown place (no state or ZIP code on the address)")
        return [
            self.env._(
                "Promotion %(name)s is only offered in %(areas)s; the service address is in "
                "%(where)s.",
                name=self.name,
                areas=self.env._(" or ").join(areas),
                where=where,
            )
        ]

    def _telecom_plan_errors(self, plans):
        required = self.required_plan_ids
        if not required:
            return []
        plans = plans or self.env["product.template"]
        if self.required_plan_match == "all":
            missing = required - plans
            if missing:
                return [
                    self.env._(
                        "Promotion %(name)s is a bundle offer: the order also needs %(plans)s.",
                        name=self.name,
                        plans=", ".join(missing.mapped("name")),
                    )
                ]
        elif not required & plans:
            return [
                self.env._(
                    "Promotion %(name)s needs one of these plans on the order: %(plans)s.",
                    name=self.name,
                    plans=", ".join(required.mapped("name")),
                )
            ]
        return []

    def _telecom_stacking_errors(self, other_promotions):
        if not other_promotions:
            return []
        if not self.stackable:
            return [
                self.env._(
                    "Promotion %(name)s cannot be combined with other promotions, and the "
                    "order already has %(others)s.",
                    name=self.name,
                    others=", ".join(other_promotions.mapped("name")),
                )
            ]
        exclusive = other_promotions.filtered(lambda p: not p.stackable)
        if exclusive:
            return [
                self.env._(
                    "Promotion %(name)s cannot be added: %(others)s on the order cannot be "
                    "combined with other promotions.",
                    name=self.name,
                    others=", ".join(exclusive.mapped("name")),
                )
            ]
        return []
