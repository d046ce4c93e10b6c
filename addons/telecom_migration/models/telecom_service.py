from odoo import models


class TelecomService(models.Model):
    _inherit = "telecom.service"

    def message_post(self, **kwargs):
        """In a bulk migration (context ``telecom_migration_bulk``) the services' chatter
        notes are logged in one batch by the migration (``_message_log_batch``) instead of one
        message per service: the history rows are written as usual."""
        if self.env.context.get("telecom_migration_bulk"):
            return self.env["mail.message"]
        return super().message_post(**kwargs)
