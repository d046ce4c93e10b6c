from odoo import models


class TelecomPortRequest(models.Model):
    _inherit = "telecom.port.request"

    def _telecom_port_out_completed(self):
        """The numbers left for another carrier: flag their services for termination."""
        result = super()._telecom_port_out_completed()
        services = self.number_ids.service_id.filtered(
            lambda s: s.state in ("pending", "active", "suspended")
        )
        for service in services:
            service._telecom_flag_ported_out(self)
        return result
