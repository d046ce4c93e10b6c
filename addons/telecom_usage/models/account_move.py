from odoo import fields, models


class AccountMove(models.Model):
    _name = "account.move"
    _inherit = ["account.move", "telecom.cpni.mixin"]
    # The itemised call detail of a bill is CPNI: billing and accounting staff read the invoice
    # and its usage lines (amounts), never the file of the calls.
    _telecom_cpni_fields = ("telecom_call_detail_file",)

    # ------------------------------------------------------------
    # FIELDS
    # ------------------------------------------------------------

    telecom_call_detail_file = fields.Binary(
        string="Call Detail",
        attachment=True,
        copy=False,
        help="Itemised usage billed on this invoice (CSV). CPNI: CPNI Authorized staff only.",
    )

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    def _telecom_unbill(self):
        """The usage billed on a deleted draft invoice is rated again, waiting for the next
        bill, like its charges and recurring days; its call-detail file goes with it."""
        result = super()._telecom_unbill()
        # whoever deletes the invoice, all its usage goes back (call detail is CPNI: sudo)
        usage = self.env["telecom.usage.record"].sudo().search([("move_id", "in", self.ids)])
        usage.write({"state": "rated", "move_id": False})
        return result
