from odoo import models


class TelecomSimSwap(models.Model):
    """A SIM swap on a line whose plan a provisioning backend serves goes to the network as a
    provisioning order; the swap completes when the order is done."""

    _inherit = "telecom.sim.swap"

    def _telecom_network_swap(self):
        self.ensure_one()
        service = self.number_id.sudo().service_id
        backend = (
            self.env["telecom.provisioning.backend"]
            .sudo()
            ._route(service.product_id.product_tmpl_id)
            if service
            else False
        )
        if not backend:
            return super()._telecom_network_swap()
        order = service._telecom_network_request(
            "sim_swap", {"swap_id": self.id, "iccid": self.new_sim_id.name}
        )
        self.message_post(
            body=self.env._("Sent to the network: provisioning order %(order)s.", order=order.name)
        )
        return order
