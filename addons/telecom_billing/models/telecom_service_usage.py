from odoo import models
from odoo.tools import SQL


class TelecomService(models.Model):
    _inherit = "telecom.service"

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
