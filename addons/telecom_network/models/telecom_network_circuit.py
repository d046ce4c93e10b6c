from odoo import api, fields, models


class TelecomNetworkCircuit(models.Model):
    """An access circuit (or port) a service runs on.

    The service's free-text ``circuit_id`` (telecom_billing) is kept and follows this record:
    billing, the portal, display names and provisioning payloads keep reading the text, the
    record carries the inventory data. Existing texts become records at install (post-init
    hook); typing a circuit id on a service finds or creates its record."""

    _name = "telecom.network.circuit"
    _description = "Access Circuit"
    _inherit = ["mail.thread"]
    _order = "name"
    _check_company_auto = True
    _sql_constraints = [
        ("name_company_uniq", "UNIQUE(name, company_id)", "A circuit id is unique per company."),
        (
            "inventory_ref_uniq",
            "UNIQUE(backend_id, inventory_ref)",
            "The inventory system's id of a circuit is unique per backend.",
        ),
    ]

    name = fields.Char(string="Circuit ID", required=True, tracking=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    service_id = fields.Many2one(
        "telecom.service", index="btree_not_null", check_company=True, tracking=True
    )
    partner_id = fields.Many2one(related="service_id.partner_id", string="Customer")
    backend_id = fields.Many2one("telecom.provisioning.backend", string="Inventory System")
    inventory_ref = fields.Char(
        string="Inventory ID", help="The id of the circuit in the inventory system."
    )
    kind = fields.Selection(
        [("access", "Access circuit"), ("port", "Port"), ("trunk", "SIP trunk")],
        default="access",
        required=True,
    )
    port = fields.Char(help="Switch/OLT port the circuit ends on.")
    bandwidth_mbps = fields.Integer(string="Bandwidth (Mbps)")
    state = fields.Selection(
        [("active", "Active"), ("decommissioned", "Decommissioned")],
        default="active",
        required=True,
        tracking=True,
    )

    def write(self, vals):
        result = super().write(vals)
        if vals.get("name"):
            services = (
                self.env["telecom.service"].sudo().search([("circuit_record_id", "in", self.ids)])
            )
            for circuit in self:
                services.filtered(lambda s, c=circuit: s.circuit_record_id == c).with_context(
                    tracking_disable=True
                ).write({"circuit_id": circuit.name, "circuit_record_id": circuit.id})
        return result

    @api.ondelete(at_uninstall=False)
    def _unlink_unlink_services(self):
        self.env["telecom.service"].sudo().search([("circuit_record_id", "in", self.ids)]).write(
            {"circuit_record_id": False}
        )
