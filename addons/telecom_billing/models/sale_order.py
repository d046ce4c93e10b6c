from odoo import fields, models

from odoo.addons.telecom_catalog.models.product_template import VOICE_SERVICE_TYPES


class SaleOrder(models.Model):
    _inherit = "sale.order"

    # ------------------------------------------------------------
    # FIELDS
    # ------------------------------------------------------------

    telecom_subscription_id = fields.Many2one(
        "telecom.subscription",
        string="Telecom Subscription",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="Subscription created or extended when this order was confirmed.",
    )
    telecom_service_count = fields.Integer(compute="_compute_telecom_service_count")

    # ------------------------------------------------------------
    # COMPUTE
    # ------------------------------------------------------------

    def _compute_telecom_service_count(self):
        for order in self:
            order.telecom_service_count = len(order.order_line.telecom_service_ids)

    # ------------------------------------------------------------
    # ACTION
    # ------------------------------------------------------------

    def _action_confirm(self):
        result = super()._action_confirm()
        self.filtered(lambda o: o._telecom_plan_lines())._telecom_create_services()
        return result

    def action_view_telecom_services(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "telecom_billing.action_telecom_service"
        )
        action["domain"] = [("id", "in", self.order_line.telecom_service_ids.ids)]
        return action

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    def _telecom_plan_lines(self):
        self.ensure_one()
        return self.order_line.filtered(
            lambda line: not line.display_type and line.product_id.telecom_is_plan
        )

    def _telecom_addon_lines(self):
        self.ensure_one()
        return self.order_line.filtered(
            lambda line: not line.display_type and line.product_id.telecom_is_addon
        )

    def _telecom_find_subscription(self):
        """The open subscription this order extends, or an empty recordset."""
        self.ensure_one()
        return self.env["telecom.subscription"].search(
            [
                ("partner_id", "=", self.partner_id.commercial_partner_id.id),
                ("company_id", "=", self.company_id.id),
                ("currency_id", "=", self.currency_id.id),
                ("state", "!=", "closed"),
            ],
            order="id",
            limit=1,
        )

    def _telecom_prepare_subscription_vals(self):
        self.ensure_one()
        order_date = fields.Date.context_today(self, self.date_order)
        return {
            "partner_id": self.partner_id.commercial_partner_id.id,
            "partner_invoice_id": self.partner_invoice_id.id,
            "company_id": self.company_id.id,
            "currency_id": self.currency_id.id,
            "payment_term_id": self.payment_term_id.id,
            "bill_cycle_day": min(order_date.day, 28),
        }

    def _telecom_prepare_service_vals(self, subscription, plan_line):
        """Service values for one plan line: one service per unit for voice and mobile lines
        (each gets its own number), one service with the line quantity otherwise."""
        self.ensure_one()
        base = {
            "subscription_id": subscription.id,
            "product_id": plan_line.product_id.id,
            "sale_line_id": plan_line.id,
            "service_address_id": self.partner_shipping_id.id,
        }
        units = int(plan_line.product_uom_qty) or 1
        if plan_line.product_id.telecom_service_type in VOICE_SERVICE_TYPES:
            return [dict(base, quantity=1) for __ in range(units)]
        return [dict(base, quantity=units)]

    def _telecom_addon_plan_line(self, addon_line, plan_lines):
        """Plan line an add-on line belongs to (its catalog link, else the first plan line)."""
        return addon_line.telecom_plan_line_id or plan_lines[:1]

    def _telecom_create_services(self):
        """Create or extend each order's subscription with pending services and add-ons."""
        Subscription = self.env["telecom.subscription"].sudo()
        Service = self.env["telecom.service"].sudo()
        Addon = self.env["telecom.service.addon"].sudo()
        for order in self.sudo():
            subscription = order._telecom_find_subscription()
            if not subscription:
                subscription = Subscription.create(order._telecom_prepare_subscription_vals())
            order.telecom_subscription_id = subscription
            plan_lines = order._telecom_plan_lines()
            services_by_line = {}
            for plan_line in plan_lines:
                services_by_line[plan_line] = Service.create(
                    order._telecom_prepare_service_vals(subscription, plan_line)
                )
            addon_vals = []
            for addon_line in order._telecom_addon_lines():
                plan_line = order._telecom_addon_plan_line(addon_line, plan_lines)
                services = services_by_line.get(plan_line)
                if not services:
                    continue
                quantity = int(addon_line.product_uom_qty) or 1
                # As many add-on units as services: one each; otherwise all on the first.
                targets = services if quantity == len(services) else services[:1]
                per_service = 1 if quantity == len(services) else quantity
                for service in targets:
                    addon_vals.append(
                        {
                            "service_id": service.id,
                            "product_id": addon_line.product_id.id,
                            "quantity": per_service,
                            "sale_line_id": addon_line.id,
                        }
                    )
            Addon.create(addon_vals)
            order._telecom_after_services_created(subscription)
            subscription.message_post(
                body=self.env._(
                    "Order %(order)s confirmed: %(count)s service(s) waiting for activation.",
                    order=order.name,
                    count=sum(len(s) for s in services_by_line.values()),
                )
            )

    def _telecom_after_services_created(self, subscription):
        """Copy the order's promotions onto the services they discount: the promotion's
        required plans, or every plan of the order."""
        self.ensure_one()
        services = self.order_line.telecom_service_ids
        vals_list = []
        for promotion in self.telecom_promotion_ids:
            targets = services
            if promotion.required_plan_ids:
                targets = services.filtered(
                    lambda s, p=promotion: s.product_id.product_tmpl_id in p.required_plan_ids
                )
            vals_list += [
                {
                    "service_id": service.id,
                    "promotion_id": promotion.id,
                    "sale_order_id": self.id,
                    "months_total": promotion.duration_months,
                }
                for service in targets
            ]
        self.env["telecom.service.promotion"].sudo().create(vals_list)
