from odoo import api, fields, models
from odoo.exceptions import UserError

# keys of a platform's answer that carry its ids of the service
ANSWER_ID_KEYS = {
    "subscriber_ref": ("subscriber_id", "subscriberId"),
    "equipment_ref": ("equipment_id", "equipmentId"),
    "circuit_ref": ("circuit_id", "circuitId"),
}


class TelecomService(models.Model):
    _inherit = "telecom.service"

    # ------------------------------------------------------------
    # FIELDS
    # ------------------------------------------------------------

    network_xref_ids = fields.One2many(
        "telecom.network.xref",
        "service_id",
        string="Network IDs",
        groups="telecom_catalog.group_telecom_user",
    )
    network_subscriber_ref = fields.Char(
        string="Platform Subscriber ID",
        related="network_xref_ids.subscriber_ref",
        groups="telecom_catalog.group_telecom_user",
        help="Search services by the id a network platform knows them by.",
    )
    circuit_record_id = fields.Many2one(
        "telecom.network.circuit",
        string="Circuit",
        index="btree_not_null",
        groups="telecom_catalog.group_telecom_user",
        help="The access circuit record; the Circuit ID text follows it.",
    )
    network_equipment_ids = fields.One2many(
        "telecom.network.equipment",
        "service_id",
        string="Equipment",
        groups="telecom_catalog.group_telecom_user",
    )
    outage_credit_ids = fields.One2many(
        "telecom.network.outage.credit", "service_id", string="Outage Credits"
    )

    # ------------------------------------------------------------
    # CRUD: the free-text circuit id and the circuit record stay in step
    # ------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        services = super().create(vals_list)
        services.filtered(
            lambda s: s.circuit_id and not s.circuit_record_id
        )._telecom_link_circuits()
        return services

    def write(self, vals):
        if vals.get("circuit_record_id") and "circuit_id" not in vals:
            circuit = self.env["telecom.network.circuit"].sudo().browse(vals["circuit_record_id"])
            vals = dict(vals, circuit_id=circuit.name)
        result = super().write(vals)
        if "circuit_id" in vals and "circuit_record_id" not in vals:
            if vals["circuit_id"]:
                self._telecom_link_circuits()
            else:
                self.sudo().circuit_record_id = False
        return result

    def _telecom_link_circuits(self):
        """Each service's Circuit ID text becomes (or finds) its circuit record."""
        Circuit = self.env["telecom.network.circuit"].sudo()
        for service in self.sudo():
            circuit = Circuit.search(
                [("name", "=", service.circuit_id), ("company_id", "=", service.company_id.id)],
                limit=1,
            ) or Circuit.create(
                {
                    "name": service.circuit_id,
                    "company_id": service.company_id.id,
                    "service_id": service.id,
                }
            )
            if not circuit.service_id:
                circuit.service_id = service
            super(TelecomService, service).write({"circuit_record_id": circuit.id})

    # ------------------------------------------------------------
    # ACTION
    # ------------------------------------------------------------

    def action_fetch_network_inventory(self):
        """Read the equipment and circuit of the service from the platform's inventory."""
        for service in self:
            backend = service._telecom_network_backend()
            if not backend:
                raise UserError(
                    self.env._("No provisioning backend serves %(s)s.", s=service.display_name)
                )
            items = backend._network_read_adapter().list_inventory(service.name)
            self.env["telecom.network.equipment"].sudo()._telecom_sync_inventory(
                service, backend, items
            )
        return True

    def _telecom_after_termination(self, values):
        """Customer equipment still at the customer's is to be recovered: an activity each."""
        super()._telecom_after_termination(values)
        self.sudo().network_equipment_ids._telecom_ask_return()

    # ------------------------------------------------------------
    # BUSINESS: network identity
    # ------------------------------------------------------------

    def _telecom_network_backend(self):
        self.ensure_one()
        return (
            self.env["telecom.provisioning.backend"].sudo()._route(self.product_id.product_tmpl_id)
        )

    def _telecom_network_xref(self, backend):
        self.ensure_one()
        return self.sudo().network_xref_ids.filtered(lambda x: x.backend_id == backend)[:1]

    def _telecom_network_store_ids(self, order, data):
        """Keep the ids the platform answered ``order`` with (first ones, or changed ones)."""
        self.ensure_one()
        vals = {
            field: str(next(data[k] for k in keys if data.get(k)))
            for field, keys in ANSWER_ID_KEYS.items()
            if any(data.get(k) for k in keys)
        }
        if not vals:
            return False
        xref = self._telecom_network_xref(order.backend_id)
        vals.update(last_order_id=order.id)
        if xref:
            xref.write(vals)
        else:
            xref = (
                self.env["telecom.network.xref"]
                .sudo()
                .create(
                    dict(vals, service_id=self.id, backend_id=order.backend_id.id, source="order")
                )
            )
        return xref

    def _telecom_provisioning_payload(self, action, values):
        """Later orders carry the platform's own ids instead of deriving them again; an order
        fixing a reconciliation finding carries the whole profile billing expects."""
        payload = super()._telecom_provisioning_payload(action, values)
        backend = self._telecom_network_backend()
        xref = self._telecom_network_xref(backend) if backend else None
        if xref:
            for field, key in (
                ("subscriber_ref", "platform_subscriber_id"),
                ("equipment_ref", "platform_equipment_id"),
                ("circuit_ref", "platform_circuit_id"),
            ):
                if xref[field]:
                    payload[key] = xref[field]
        if values.get("network_fix_finding_id"):
            expected = self._telecom_network_expected()
            payload["features"] = expected["features"]
            for key in ("msisdn", "iccid"):
                if expected[key]:
                    payload[key] = expected[key]
        return payload

    # ------------------------------------------------------------
    # BUSINESS: what billing expects the network to deliver
    # ------------------------------------------------------------

    def _telecom_network_expected(self):
        """The network view billing expects: state, profile, speed, feature codes, number
        and SIM of the service."""
        self.ensure_one()
        attributes = self.product_id.product_tmpl_id._telecom_attributes()
        number = self.sudo().number_ids[:1]
        addons = self.addon_line_ids.filtered(lambda a: a.state == "active")
        return {
            "state": self.state,
            "profile": attributes.get("network_profile") or None,
            "speed_mbps": attributes.get("download_mbps") or None,
            "features": sorted(a.product_id.default_code or a.product_id.name for a in addons),
            "msisdn": number.name or None,
            "iccid": number.sim_id.name or None,
        }

    def _telecom_network_monthly_amount(self):
        """What the service bills a month at list prices: plan and active add-ons."""
        self.ensure_one()
        addons = self.addon_line_ids.filtered(lambda a: a.state == "active")
        amount = self.product_id.lst_price * self.quantity + sum(
            a.product_id.lst_price * a.quantity for a in addons
        )
        return self.currency_id.round(amount)
