from odoo import models
from odoo.tools import SQL


class TelecomService(models.Model):
    _inherit = "telecom.service"

    # ------------------------------------------------------------
    # BUSINESS: call detail
    # ------------------------------------------------------------

    def _telecom_portal_usage_access(self, kind, date_from, date_to):
        """Hook called when the customer views usage (``kind="usage"``) or downloads the call
        detail (``"call_detail"``) of this service on the portal, after the ownership and
        password checks. Nothing here; a CPNI module logs the access."""
        self.ensure_one()
        return True

    def _telecom_call_detail_csv(self, date_from, date_to):
        """Itemised usage of this service between two local dates (included) as CSV bytes;
        columns in README (call detail)."""
        self.ensure_one()
        return self.env["telecom.usage.record"]._telecom_call_detail_csv(
            SQL(
                "r.service_id = %s AND r.usage_date BETWEEN %s AND %s",
                self.id,
                date_from,
                date_to,
            )
        )
