from odoo import fields, models

from .res_partner import CPNI_GROUP


class TelecomUsageRecord(models.Model):
    """Usage records are call detail: CPNI. Only the CPNI Authorized group reads them (record
    rules in security/telecom_regulatory_rules.xml and the call-detail fields' groups), and
    every staff read or export of call detail is written to the CPNI access log."""

    _name = "telecom.usage.record"
    _inherit = ["telecom.usage.record", "telecom.cpni.logged.mixin"]
    _telecom_cpni_fields = (
        "called_number",
        "duration",
        "volume_bytes",
        "roaming",
        "source_switch",
    )

    called_number = fields.Char(groups=CPNI_GROUP)
    duration = fields.Integer(groups=CPNI_GROUP)
    volume_bytes = fields.Float(groups=CPNI_GROUP)
    roaming = fields.Boolean(groups=CPNI_GROUP)
    source_switch = fields.Char(groups=CPNI_GROUP)

    def _telecom_cpni_customers(self):
        return self.sudo().mapped("partner_id").sudo(False)
