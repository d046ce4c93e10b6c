from odoo import models


class AccountMove(models.Model):
    _inherit = "account.move"

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    def _telecom_unbill(self):
        """The usage billed on a deleted draft invoice is rated again, waiting for the next
        bill, like its charges and recurring days; its call-detail file goes with it."""
        result = super()._telecom_unbill()
        usage = self.env["telecom.usage.record"].search([("move_id", "in", self.ids)])
        usage.write({"state": "rated", "move_id": False})
        return result
