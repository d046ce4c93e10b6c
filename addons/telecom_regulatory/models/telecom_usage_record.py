from odoo import models


class TelecomUsageRecord(models.Model):
    """Every staff read or export of call detail (the CPNI fields declared by telecom_usage)
    is written to the CPNI access log."""

    _name = "telecom.usage.record"
    # the logged mixin first: it extends telecom.cpni.mixin, which the model already inherits
    _inherit = ["telecom.cpni.logged.mixin", "telecom.usage.record"]

    def _telecom_cpni_customers(self):
        return self.sudo().mapped("partner_id").sudo(False)
