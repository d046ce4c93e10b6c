from odoo import models
from odoo.tools import SQL


class TelecomBillRun(models.Model):
    _inherit = "telecom.bill.run"

    def _telecom_billable_conditions(self):
        """Unbilled rated usage dated before the period is a reason to bill."""
        return [
            *super()._telecom_billable_conditions(),
            SQL(
                """EXISTS (
                    SELECT 1 FROM telecom_usage_record u
                      JOIN telecom_service uv ON uv.id = u.service_id
                     WHERE uv.subscription_id = s.id
                       AND u.state = 'rated'
                       AND u.usage_date < %s)""",
                self.period_start,
            ),
        ]
