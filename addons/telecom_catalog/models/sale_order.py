from collections import defaultdict

from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError

# Discount lines of promotions come after every other line of the quotation.
PROMOTION_LINE_SEQUENCE = 10000


class SaleOrder(models.Model):
    _inherit = "sale.order"

    # ------------------------------------------------------------
    # FIELDS
    # ------------------------------------------------------------

    telecom_promotion_ids = fields.Many2many(
        "telecom.promotion",
        "sale_order_telecom_promotion_rel",
        "order_id",
        "promotion_id",
        string="Promotions",
        copy=False,
        tracking=True,
        help="Promotions applied to this order (use Apply Promotion to check eligibility "
        "first). Each adds a discount line; billing carries them over to the services.",
    )

    # ------------------------------------------------------------
    # CONSTRAINT
    # ------------------------------------------------------------

    @api.constrains("telecom_promotion_ids")
    def _check_telecom_promotions(self):
        for order in self:
            if order.state not in ("draft", "sent"):
                continue
            errors = order._telecom_promotion_errors()
            if errors:
                raise ValidationError(order._telecom_promotion_error_message(errors))

    # ------------------------------------------------------------
    # ONCHANGE
    # ------------------------------------------------------------

    @api.onchange("partner_shipping_id")
    def _onchange_telecom_service_address(self):
        self.order_line._telecom_apply_state_distribution()

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        orders = super().create(vals_list)
        # A duplicated order comes without promotions: its copied discount lines go away.
        orders.filtered(
            lambda o: o.telecom_promotion_ids or o.order_line.telecom_promotion_id
        )._telecom_sync_promotion_lines()
        return orders

    def write(self, vals):
        if "telecom_promotion_ids" in vals:
            confirmed = self.filtered(lambda o: o.state not in ("draft", "sent"))
            if confirmed:
                raise UserError(
                    self.env._(
                        "The promotions of %(orders)s can no longer change: the order is "
                        "confirmed or cancelled. Set it back to quotation first.",
                        orders=", ".join(confirmed.mapped("name")),
                    )
                )
        res = super().write(vals)
        if "partner_shipping_id" in vals:
            # The telecom lines follow their service address to its state. Only they do: Odoo
            # recomputes no other line's distribution on this change.
            self.order_line._telecom_apply_state_distribution()
        if {"order_line", "telecom_promotion_ids", "pricelist_id", "currency_id"} & set(vals):
            self._telecom_sync_promotion_lines()
        return res

    # ------------------------------------------------------------
    # ACTION
    # ------------------------------------------------------------

    def action_telecom_apply_promotion(self):
        self.ensure_one()
        if self.state not in ("draft", "sent"):
            raise UserError(
                self.env._(
                    "Promotions can only be applied to quotations; %(order)s is confirmed or "
                    "cancelled.",
                    order=self.name,
                )
            )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Apply Promotion"),
            "res_model": "telecom.promotion.apply",
            "view_mode": "form",
            "target": "new",
            "context": {"default_order_id": self.id},
        }

    def action_confirm(self):
        orders = self.filtered(lambda o: o.state in ("draft", "sent"))
        orders._telecom_sync_promotion_lines()
        promotions = orders.telecom_promotion_ids.filtered("max_redemptions")
        if promotions:
            # Serialise confirmations of orders sharing a limited promotion, so two orders
            # cannot both take its last redemption.
            self.env.cr.execute(
                "SELECT id FROM telecom_promotion WHERE id = ANY(%s) ORDER BY id FOR UPDATE",
                [promotions.ids],
            )
        return super().action_confirm()

    def _confirmation_error_message(self):
        error = super()._confirmation_error_message()
        if error:
            return error
        grandfathered = self.order_line.filtered(
            lambda line: not line.display_type and line.product_id.telecom_grandfathered
        )
        if grandfathered and not self.env.context.get("telecom_allow_grandfathered"):
            return grandfathered[0]._telecom_grandfathered_message()
        errors = self._telecom_promotion_errors()
        if errors:
            return self._telecom_promotion_error_message(errors)
        return False

    def _recompute_prices(self):
        res = super()._recompute_prices()
        self._telecom_sync_promotion_lines()
        return res

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    def _telecom_plan_lines(self):
        return self.order_line.filtered(
            lambda line: (
                not line.display_type
                and line.product_id.telecom_is_plan
                and not line.telecom_promotion_id
            )
        )

    def _telecom_check_addons(self):
        """Raise a ValidationError naming the lines when add-ons do not fit their plans."""
        Template = self.env["product.template"]
        messages = []
        for order in self:
            addon_lines = order.order_line.filtered(
                lambda line: not line.display_type and line.product_id.telecom_is_addon
            )
            by_plan_line = defaultdict(lambda: self.env["sale.order.line"])
            for line in addon_lines:
                plan_line = line.telecom_plan_line_id
                if plan_line.order_id != order or not plan_line.product_id.telecom_is_plan:
                    plan_line = self.env["sale.order.line"]
                by_plan_line[plan_line] |= line
            for plan_line, lines in by_plan_line.items():
                problems = Template._telecom_addon_problems(
                    plan_line.product_id.product_tmpl_id,
                    [(line.product_id.product_tmpl_id, line.product_uom_qty) for line in lines],
                )
                for problem in problems:
                    involved = plan_line | lines.filtered(
                        lambda line, p=problem: line.product_id.product_tmpl_id in p["addons"]
                    )
                    messages.append(
                        self.env._(
                            "%(problem)s Conflicting lines: %(lines)s.",
                            problem=problem["message"],
                            lines=", ".join(line._telecom_line_label() for line in involved),
                        )
                    )
        if messages:
            raise ValidationError(
                self.env._(
                    "These add-ons cannot be sold this way; fix or remove the lines named "
                    "below (nothing was saved):\n%(errors)s",
                    errors="\n".join(f"- {message}" for message in messages),
                )
            )

    def _telecom_promotion_errors(self, on_date=None):
        """Plain-English reasons why this order's promotions cannot be used (empty if fine)."""
        self.ensure_one()
        on_date = on_date or fields.Date.context_today(self)
        plans = self._telecom_plan_lines().product_id.product_tmpl_id
        errors = []
        for promotion in self.telecom_promotion_ids:
            for error in promotion._telecom_eligibility_errors(
                self.partner_id,
                plans,
                on_date,
                other_promotions=self.telecom_promotion_ids,
                address=self.partner_shipping_id or self.partner_id,
            ):
                if error not in errors:
                    errors.append(error)
        return errors

    def _telecom_promotion_error_message(self, errors):
        self.ensure_one()
        return self.env._(
            "%(customer)s cannot use the promotions on %(order)s:\n%(errors)s",
            customer=self.partner_id.display_name,
            order=self.name,
            errors="\n".join(f"- {error}" for error in errors),
        )

    def _telecom_sync_promotion_lines(self):
        """Make the discount lines of quotations match their promotions and plan lines."""
        if self.env.context.get("telecom_promotion_sync"):
            return
        for order in self.with_context(telecom_promotion_sync=True):
            if order.state not in ("draft", "sent"):
                continue
            wanted = order._telecom_prepare_promotion_lines()
            current = order.order_line.filtered("telecom_promotion_id")

            def key(promotion_id, tax_ids, price, name, currency=order.currency_id):
                return (promotion_id, tuple(sorted(tax_ids)), currency.round(price), name)

            current_keys = sorted(
                key(line.telecom_promotion_id.id, line.tax_id.ids, line.price_unit, line.name)
                for line in current
            )
            wanted_keys = sorted(
                key(
                    vals["telecom_promotion_id"],
                    vals["tax_id"][0][2],
                    vals["price_unit"],
                    vals["name"],
                )
                for vals in wanted
            )
            if current_keys == wanted_keys:
                continue
            order.write(
                {
                    "order_line": [Command.unlink(line.id) for line in current]
                    + [Command.create(vals) for vals in wanted]
                }
            )

    def _telecom_prepare_promotion_lines(self):
        """Values of the discount lines: one per promotion and tax combination.

        A promotion discounts the monthly price of the order's plans (only its required plans
        when it names some); add-ons, equipment and fees are not discounted. Percentages apply
        to each tax group; a fixed amount is spread over the tax groups in proportion.
        """
        self.ensure_one()
        product = self.env.ref(
            "telecom_catalog.product_telecom_promotion_discount", raise_if_not_found=False
        )
        if not product or not self.telecom_promotion_ids:
            return []
        currency = self.currency_id
        plan_lines = self._telecom_plan_lines()
        vals_list = []
        for index, promotion in enumerate(self.telecom_promotion_ids):
            lines = plan_lines
            if promotion.required_plan_ids:
                lines = lines.filtered(
                    lambda line, p=promotion: line.product_id.product_tmpl_id in p.required_plan_ids
                )
            bases = defaultdict(float)
            for line in lines:
                bases[line.tax_id] += line.price_subtotal
            total = sum(bases.values())
            if currency.compare_amounts(total, 0.0) <= 0:
                continue
            on_date = fields.Date.context_today(self)
            if promotion.discount_type == "percent":
                amounts = {
                    taxes: promotion._telecom_discount_amount(base, currency, on_date)
                    for taxes, base in bases.items()
                }
            else:
                amounts = self._telecom_spread(
                    promotion._telecom_discount_amount(total, currency, on_date), bases
                )
            for taxes, amount in amounts.items():
                if currency.is_zero(amount):
                    continue
                name = self.env._(
                    "Promotion %(promotion)s: %(discount)s",
                    promotion=promotion.name,
                    discount=promotion.summary,
                )
                if len(amounts) > 1:
                    name += self.env._(
                        " (on plans taxed %(taxes)s)",
                        taxes=", ".join(taxes.mapped("name")) or self.env._("no tax"),
                    )
                vals_list.append(
                    {
                        "product_id": product.id,
                        "name": name,
                        "product_uom_qty": 1.0,
                        "price_unit": -amount,
                        "tax_id": [Command.set(taxes.ids)],
                        "sequence": PROMOTION_LINE_SEQUENCE + index,
                        "telecom_promotion_id": promotion.id,
                    }
                )
        return vals_list

    def _telecom_spread(self, amount, bases):
        """Split ``amount`` over ``bases`` ({key: base}) in proportion, to the cent."""
        currency = self.currency_id
        total = sum(bases.values())
        result = {}
        remaining = amount
        keys = list(bases)
        for key in keys[:-1]:
            share = currency.round(amount * bases[key] / total)
            result[key] = share
            remaining -= share
        result[keys[-1]] = currency.round(remaining)
        return result
