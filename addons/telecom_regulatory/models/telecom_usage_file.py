from odoo import models


class TelecomUsageFile(models.Model):
    """Staff reads and downloads of a raw CDR file (CPNI, declared by telecom_usage) go to the
    CPNI access log of every customer with a call in it."""

    _name = "telecom.usage.file"
    # the logged mixin first: it extends telecom.cpni.mixin, which the model already inherits
    _inherit = ["telecom.cpni.logged.mixin", "telecom.usage.file"]

    def _telecom_cpni_customers(self):
        Record = self.env["telecom.usage.record"].sudo()
        groups = Record._read_group([("usage_file_id", "in", self.ids)], ["partner_id"])
        partners = self.env["res.partner"].browse(partner.id for (partner,) in groups)
        rejects = self.env["telecom.usage.reject"].search([("usage_file_id", "in", self.ids)])
        return (partners.commercial_partner_id | rejects._telecom_cpni_customers()).sudo(False)
