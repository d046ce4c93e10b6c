from odoo import api, fields, models
from odoo.exceptions import UserError

EQUIPMENT_KINDS = [
    ("cpe", "CPE / router"),
    ("ont", "ONT"),
    ("modem", "Modem"),
    ("ip", "IP assignment"),
    ("vlan", "VLAN"),
]
EQUIPMENT_STATES = [
    ("in_stock", "In Stock"),
    ("shipped", "Shipped"),
    ("installed", "Installed"),
    ("returned", "Returned"),
    ("lost", "Not Returned"),
]
# kinds the customer has in hand and must give back when the service ends
CUSTOMER_KINDS = ("cpe", "ont", "modem")


class TelecomNetworkEquipment(models.Model):
    """A piece of equipment or a network resource a service uses: CPE/ONT (serial, MAC), IP
    assignment, VLAN; linked to the inventory system's id. Customer equipment is tracked from
    stock to installation and return."""

    _name = "telecom.network.equipment"
    _description = "Network Equipment or Resource"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "service_id, kind, id"
    _check_company_auto = True
    _sql_constraints = [
        (
            "inventory_ref_uniq",
            "UNIQUE(backend_id, inventory_ref)",
            "The inventory system's id of an item is unique per backend.",
        ),
        ("serial_uniq", "UNIQUE(kind, serial)", "A serial number is recorded once per kind."),
    ]

    # ------------------------------------------------------------
    # FIELDS
    # ------------------------------------------------------------

    name = fields.Char(compute="_compute_name", store=True)
    kind = fields.Selection(EQUIPMENT_KINDS, required=True, default="cpe")
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    service_id = fields.Many2one(
        "telecom.service", index="btree_not_null", check_company=True, tracking=True
    )
    partner_id = fields.Many2one(related="service_id.partner_id", store=True, string="Customer")
    circuit_id = fields.Many2one("telecom.network.circuit", check_company=True)
    backend_id = fields.Many2one("telecom.provisioning.backend", string="Inventory System")
    inventory_ref = fields.Char(string="Inventory ID")
    model = fields.Char()
    serial = fields.Char(string="Serial Number", tracking=True)
    mac = fields.Char(string="MAC Address")
    ip_address = fields.Char(string="IP Address")
    vlan = fields.Integer(string="VLAN")
    state = fields.Selection(EQUIPMENT_STATES, required=True, default="in_stock", tracking=True)
    date_installed = fields.Date(tracking=True)
    date_returned = fields.Date(tracking=True)

    @api.depends("kind", "serial", "mac", "ip_address", "vlan", "model")
    def _compute_name(self):
        for item in self:
            label = {
                "ip": item.ip_address,
                "vlan": item.vlan and f"VLAN {item.vlan}",
            }.get(item.kind) or " ".join(filter(None, [item.model, item.serial]))
            item.name = label or dict(EQUIPMENT_KINDS)[item.kind]

    # ------------------------------------------------------------
    # ACTION
    # ------------------------------------------------------------

    def action_install(self, date=None):
        for item in self:
            if not item.service_id or item.state not in ("in_stock", "shipped"):
                raise UserError(
                    self.env._(
                        "%(item)s can be installed only from stock and for a service.",
                        item=item.display_name,
                    )
                )
        self.write({"state": "installed", "date_installed": date or fields.Date.today()})
        return True

    def action_return(self, date=None):
        wrong = self.filtered(lambda i: i.state not in ("installed", "shipped", "lost"))
        if wrong:
            raise UserError(
                self.env._("Only equipment at a customer can be returned (%(i)s).", i=wrong[0].name)
            )
        self.write({"state": "returned", "date_returned": date or fields.Date.today()})
        self.activity_unlink(["telecom_network.mail_activity_type_equipment_return"])
        return True

    def action_mark_lost(self):
        self.filtered(lambda i: i.state in ("installed", "shipped")).write({"state": "lost"})
        return True

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    def _telecom_ask_return(self):
        """The service ended: installed customer equipment gets a recovery activity for the
        NOC (the backend's responsible, else the first NOC operator)."""
        for item in self.filtered(lambda i: i.kind in CUSTOMER_KINDS and i.state == "installed"):
            backend = item.backend_id or item.service_id._telecom_network_backend()
            user = backend._noc_responsible() if backend else self.env.user
            item.activity_schedule(
                "telecom_network.mail_activity_type_equipment_return",
                summary=self.env._("Recover %(item)s", item=item.name),
                user_id=user.id,
            )

    @api.model
    def _telecom_sync_inventory(self, service, backend, items):
        """Create or update the records of ``items`` (adapter ``list_inventory`` answer) for
        ``service``, keyed by the inventory system's id; returns equipment and circuits."""
        Circuit = self.env["telecom.network.circuit"]
        equipment = self.browse()
        circuits = Circuit.browse()
        for item in items:
            ref = str(item.get("inventory_id") or "")
            if not ref:
                continue
            if item.get("kind") == "circuit":
                vals = {
                    "name": item.get("circuit") or ref,
                    "inventory_ref": ref,
                    "backend_id": backend.id,
                    "service_id": service.id,
                    "company_id": service.company_id.id,
                    "port": item.get("port"),
                    "bandwidth_mbps": item.get("bandwidth_mbps") or 0,
                }
                circuit = Circuit.search(
                    [("backend_id", "=", backend.id), ("inventory_ref", "=", ref)]
                ) or Circuit.search(
                    [("name", "=", vals["name"]), ("company_id", "=", service.company_id.id)]
                )
                if circuit:
                    circuit.write(vals)
                else:
                    circuit = Circuit.create(vals)
                service.circuit_record_id = circuit
                circuits |= circuit
                continue
            vals = {
                "kind": item.get("kind") if item.get("kind") in dict(EQUIPMENT_KINDS) else "cpe",
                "inventory_ref": ref,
                "backend_id": backend.id,
                "service_id": service.id,
                "company_id": service.company_id.id,
                "model": item.get("model"),
                "serial": item.get("serial"),
                "mac": item.get("mac"),
                "ip_address": item.get("ip_address"),
                "vlan": item.get("vlan") or 0,
            }
            record = self.search([("backend_id", "=", backend.id), ("inventory_ref", "=", ref)])
            if record:
                record.write(vals)
            else:
                record = self.create(dict(vals, state=item.get("state") or "installed"))
            equipment |= record
        service.message_post(
            body=self.env._(
                "Network inventory read from %(backend)s: %(n)s item(s), %(c)s circuit(s).",
                backend=backend.name,
                n=len(equipment),
                c=len(circuits),
            )
        )
        return equipment, circuits
