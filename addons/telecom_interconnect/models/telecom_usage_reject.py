from odoo import fields, models

from odoo.addons.telecom_usage.models.telecom_usage_reject import (
    TelecomUsageReject as UsageReject,
)


class TelecomUsageReject(models.Model):
    """Rejected trunk records of interconnect files share the reject list of retail usage,
    and are rated again by the interconnect pipeline."""

    _inherit = "telecom.usage.reject"
    # the calling number of a trunk record is call detail too (CPNI)
    _telecom_cpni_fields = (*UsageReject._telecom_cpni_fields, "calling_number")

    calling_number = fields.Char()
    interconnect_jurisdiction = fields.Char(string="Switch Jurisdiction")
    telecom_file_kind = fields.Selection(related="usage_file_id.telecom_file_kind")

    def _telecom_rerate(self):
        interconnect = self.filtered(lambda r: r.telecom_file_kind == "interconnect")
        counts = super(TelecomUsageReject, self - interconnect)._telecom_rerate()
        if not interconnect:
            return counts
        self.env.flush_all()
        Files = self.env["telecom.usage.file"]
        for company in interconnect.company_id:
            rejects = interconnect.filtered(lambda r, c=company: r.company_id == c)
            runner = Files.with_company(company).new(
                {"company_id": company.id, "telecom_file_kind": "interconnect"}
            )
            for key, value in runner._telecom_ic_rerate(rejects).items():
                counts[key] += value
        interconnect.invalidate_recordset()
        return counts
