from odoo import models


class TelecomInterconnectCdr(models.Model):
    """Staff reads and exports of a trunk record's numbers (CPNI, declared by
    telecom_interconnect) go to the CPNI access log of the customers holding those numbers."""

    _name = "telecom.interconnect.cdr"
    # the logged mixin first: it extends telecom.cpni.mixin, which the model already inherits
    _inherit = ["telecom.cpni.logged.mixin", "telecom.interconnect.cdr"]

    def _telecom_cpni_customers(self):
        records = self.sudo()
        return self.env["telecom.number"]._telecom_customers_of_numbers(
            records.mapped("calling_number") + records.mapped("called_number")
        )
