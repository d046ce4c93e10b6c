from odoo import models

from odoo.addons.telecom_provisioning.adapters import ProvisioningError


class TelecomProvisioningOrder(models.Model):
    _inherit = "telecom.provisioning.order"

    def _record_outcome(self, outcome):
        """A successful order keeps the platform's ids of the service (network identity)."""
        super()._record_outcome(outcome)
        if self.service_id and self.state == "done" and not isinstance(outcome, ProvisioningError):
            self.service_id.sudo()._telecom_network_store_ids(self, outcome.data or {})

    def _on_done(self):
        """An order sent to fix a reconciliation finding corrects the network only: billing
        already holds the truth, so the service is not changed again; the finding is resolved."""
        finding_id = (self.values or {}).get("network_fix_finding_id")
        if not finding_id:
            return super()._on_done()
        finding = self.env["telecom.ra.finding"].sudo().browse(finding_id).exists()
        finding._telecom_network_fixed(
            self.env._("Network corrected by provisioning order %(order)s.", order=self.name)
        )
        return True
