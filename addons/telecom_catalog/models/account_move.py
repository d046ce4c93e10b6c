from odoo import api, models


class AccountMove(models.Model):
    _inherit = "account.move"

    # ------------------------------------------------------------
    # ONCHANGE
    # ------------------------------------------------------------

    @api.onchange("partner_shipping_id")
    def _onchange_telecom_service_address(self):
        self.invoice_line_ids._telecom_apply_state_distribution()

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    def write(self, vals):
        res = super().write(vals)
        if {"partner_id", "partner_shipping_id"} & set(vals):
            # The service address of the telecom lines may have moved to another state. Only
            # they follow it: Odoo recomputes no other line's distribution on this change.
            self.invoice_line_ids._telecom_apply_state_distribution()
        return res
