from odoo import api, fields, models
from odoo.exceptions import UserError

from .telecom_provisioning_order import OPEN_STATES, ORDER_ACTIONS

# Actions of which a service may have only one open order at a time (enforced by a unique
# index on telecom_provisioning_order, see TelecomProvisioningOrder.init()).
SINGLE_OPEN_ACTIONS = ("activate", "suspend", "reactivate", "terminate")


class TelecomService(models.Model):
    """Lifecycle actions go to the network as provisioning orders; the service changes only
    when the network confirms (the order is done)."""

    _inherit = "telecom.service"

    # ------------------------------------------------------------
    # FIELDS
    # ------------------------------------------------------------

    provisioning_order_ids = fields.One2many(
        "telecom.provisioning.order",
        "service_id",
        string="Provisioning Orders",
        groups="telecom_catalog.group_telecom_user",
    )
    provisioning_order_count = fields.Integer(
        compute="_compute_provisioning_orders", groups="telecom_catalog.group_telecom_user"
    )
    provisioning_open_order_id = fields.Many2one(
        "telecom.provisioning.order",
        string="Network Order Pending",
        compute="_compute_provisioning_orders",
        groups="telecom_catalog.group_telecom_user",
        help="The oldest order of this service the network has not confirmed yet (queued, "
        "retrying, or failed and waiting for the NOC).",
    )

    # ------------------------------------------------------------
    # COMPUTE
    # ------------------------------------------------------------

    @api.depends("provisioning_order_ids.state")
    def _compute_provisioning_orders(self):
        for service in self:
            orders = service.provisioning_order_ids
            service.provisioning_order_count = len(orders)
            open_orders = orders.filtered(
                lambda o: o.state in OPEN_STATES + ("failed_permanent",)
            ).sorted("id")
            service.provisioning_open_order_id = open_orders[:1]

    # ------------------------------------------------------------
    # ACTION
    # ------------------------------------------------------------

    def action_view_provisioning_orders(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "telecom_provisioning.action_telecom_provisioning_order"
        )
        action["domain"] = [("service_id", "=", self.id)]
        action["context"] = {}
        return action

    # ------------------------------------------------------------
    # BUSINESS: requests
    # ------------------------------------------------------------

    def _telecom_request_terminate(self, effective_date=None, reason=None):
        """A pending service whose activation is still queued: withdraw the activation first
        (or refuse while it may already have reached the network)."""
        self.ensure_one()
        if self.state == "pending":
            activation = self.sudo().provisioning_order_ids.filtered(
                lambda o: o.action == "activate" and o.state in OPEN_STATES
            )
            if activation.filtered("attempt_count"):
                raise UserError(
                    self.env._(
                        "The activation of %(service)s (order %(order)s) may already have "
                        "reached the network: wait until it is done, or cancel it in "
                        "Provisioning first.",
                        service=self.display_name,
                        order=activation[:1].name,
                    )
                )
            activation.action_cancel()
        return super()._telecom_request_terminate(effective_date=effective_date, reason=reason)

    def _telecom_network_request(self, action, values):
        """Send ``action`` to the backend serving the service's plan as a provisioning order.

        A single activation asked interactively runs at once (synchronously, within the
        backend's synchronous timeout) and falls back to the queue; every other request, and
        everything asked from a scheduled job (bulk work such as suspension waves), is queued.
        The service itself changes in :meth:`_telecom_network_confirmed`, called when the
        order is done. Without a backend for the plan the request is confirmed at once, as
        billing does on its own.
        """
        self.ensure_one()
        if action == "activate" and self.service_type == "mobile":
            # the line's SIM (or eSIM profile) goes to the network with its number
            self.sudo().number_ids._telecom_ensure_sims(self.partner_id)
        backend = (
            self.env["telecom.provisioning.backend"].sudo()._route(self.product_id.product_tmpl_id)
        )
        if not backend:
            self.message_post(
                body=self.env._(
                    "No provisioning backend serves plan %(plan)s: %(action)s confirmed without "
                    "a network order.",
                    plan=self.product_id.display_name,
                    action=action,
                )
            )
            return super()._telecom_network_request(action, values)
        values = self._telecom_provisioning_values(action, values)
        order = self._telecom_open_provisioning_order(action, values)
        if order:
            return order
        mode = self.env.context.get("telecom_provisioning_mode") or (
            "bulk" if self.env.context.get("cron_id") else "single"
        )
        order = (
            self.env["telecom.provisioning.order"]
            .sudo()
            .create(
                {
                    "service_id": self.id,
                    "backend_id": backend.id,
                    "action": action,
                    "mode": mode,
                    "values": values,
                    "payload": self._telecom_provisioning_payload(action, values),
                }
            )
        )
        if mode == "single":
            # bulk waves skip the note: the service's smart button and banner show the order
            self._message_log(
                body=self.env._(
                    "%(action)s sent to the network: provisioning order %(order)s on %(backend)s.",
                    action=dict(ORDER_ACTIONS)[action],
                    order=order.name,
                    backend=backend.name,
                )
            )
            if action == "activate":
                order._run_synchronously()
        return order

    def _telecom_provisioning_values(self, action, values):
        """The hook values as the network will carry them out: a voice service suspended for
        non-payment always keeps emergency calling."""
        values = dict(values or {})
        if action == "suspend":
            keep = bool(values.get("keep_emergency_calling"))
            if self.is_voice and values.get("reason") == "non_payment":
                keep = True
            values["keep_emergency_calling"] = keep and self.is_voice
        return values

    def _telecom_open_provisioning_order(self, action, values):
        """An open order for the same request (a repeated click, a re-run job): reused, so that
        the network is asked once. The same action with other values is refused."""
        orders = (
            self.env["telecom.provisioning.order"]
            .sudo()
            .search(
                [
                    ("service_id", "=", self.id),
                    ("action", "=", action),
                    ("state", "in", OPEN_STATES),
                ]
            )
        )
        same = orders.filtered(lambda o: o.values == values)
        if same:
            return same[:1]
        if orders and action in SINGLE_OPEN_ACTIONS:
            raise UserError(
                self.env._(
                    "%(service)s already has an open %(action)s order (%(order)s): wait until the "
                    "network confirms it, or cancel it in Provisioning.",
                    service=self.display_name,
                    action=action,
                    order=orders[0].name,
                )
            )
        return orders.browse()

    def _telecom_provisioning_payload(self, action, values):
        """Our canonical payload for ``action``: the plan's provisioning attributes (by code),
        overridden by the service's own keys. Backends translate it through their mapping."""
        self.ensure_one()
        plan = self.product_id
        if action == "change_plan" and values.get("plan_id"):
            plan = self.env["product.product"].browse(values["plan_id"])
        payload = dict(plan.product_tmpl_id._telecom_attributes())
        payload.update(
            {
                "service_ref": self.name,
                "account_ref": self._telecom_provisioning_account_ref(),
                "service_type": self.service_type,
                "plan_code": self.product_id.default_code or self.product_id.name,
                "quantity": self.quantity,
                "effective_date": values.get("effective_date"),
            }
        )
        numbers = self._telecom_provisioning_numbers()
        if numbers:
            payload["numbers"] = numbers
            payload["msisdn"] = numbers[0]
        payload.update(self._telecom_provisioning_sim_payload(action, values))
        if self.circuit_id:
            payload["circuit_id"] = self.circuit_id
        address = self.service_address_id
        if address and action == "activate":
            payload["service_address"] = {
                "street": address.street or "",
                "street2": address.street2 or "",
                "city": address.city or "",
                "state": address.state_id.code or "",
                "zip": address.zip or "",
                "country": address.country_id.code or "",
            }
        if action == "change_plan":
            payload["new_plan_code"] = plan.default_code or plan.name
        elif action in ("add_addon", "remove_addon"):
            addon = self.env["product.product"].browse(values.get("addon_id"))
            payload["addon_code"] = addon.default_code or addon.name
            payload["addon_quantity"] = values.get("quantity") or 1
        elif action == "suspend":
            payload["reason"] = values.get("reason") or "customer"
            payload["keep_emergency_calling"] = bool(values.get("keep_emergency_calling"))
        elif action in ("reactivate", "terminate"):
            payload["reason"] = values.get("reason") or ""
        return payload

    def _telecom_provisioning_sim_payload(self, action, values):
        """The SIM keys of the payload: on activation the SIM of the (first) number, on a SIM
        swap the new SIM and the ICCID it replaces (telecom_numbers ``telecom.sim``)."""
        if action == "sim_swap":
            swap = self.env["telecom.sim.swap"].sudo().browse(values["swap_id"])
            return {
                "sim": swap.new_sim_id._telecom_network_values(),
                "iccid": swap.new_sim_id.name,
                "old_iccid": swap.old_sim_id.name,
            }
        sim = self.sudo().number_ids[:1].sim_id
        if action != "activate" or not sim:
            return {}
        return {"sim": sim._telecom_network_values(), "iccid": sim.name, "imsi": sim.imsi}

    def _telecom_provisioning_account_ref(self):
        partner = self.partner_id
        if "telecom_account_number" in partner._fields and partner.telecom_account_number:
            return partner.telecom_account_number
        return partner.ref or self.subscription_id.name or str(partner.id)

    def _telecom_provisioning_numbers(self):
        """E.164 numbers of the service, when telecom numbers are linked to services."""
        if "number_ids" in self._fields:
            return self.number_ids.mapped("name")
        return []
