from odoo import models


class TelecomUsageReject(models.Model):
    """Staff reads of a rejected row's call detail (CPNI, declared by telecom_usage) go to the
    CPNI access log of the customer of its service number, when the number is ours."""

    _name = "telecom.usage.reject"
    # the logged mixin first: it extends telecom.cpni.mixin, which the model already inherits
    _inherit = ["telecom.cpni.logged.mixin", "telecom.usage.reject"]

    def _telecom_cpni_customers(self):
        rejects = self.sudo()
        holders = self.env["telecom.number"]._telecom_customers_of_numbers(
            rejects.mapped("service_ref")
        )
        return holders | rejects.usage_record_id.partner_id.commercial_partner_id.sudo(False)
