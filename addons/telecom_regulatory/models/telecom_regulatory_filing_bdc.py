from odoo import fields, models

from .telecom_regulatory_bdc_row import BDC_FILES, BDC_HEADERS


class TelecomRegulatoryFiling(models.Model):
    """Broadband Data Collection: subscription rows and CSV files."""

    _inherit = "telecom.regulatory.filing"

    bdc_row_ids = fields.One2many("telecom.regulatory.bdc.row", "filing_id", string="BDC Rows")
    bdc_provider_id = fields.Char(related="company_id.telecom_bdc_provider_id")

    def _generate_bdc(self):
        self.ensure_one()
        if not self.company_id.telecom_bdc_provider_id:
            self._add_error(
                self.env._(
                    "Set the company's 6-digit BDC provider ID (Telecom settings) before filing."
                )
            )
        rows = self.env["telecom.regulatory.bdc.row"]._telecom_build(self)
        provider = self.company_id.telecom_bdc_provider_id or "provider"
        for file_type, __ in BDC_FILES:
            file_rows = rows.filtered(lambda r, t=file_type: r.file_type == t)
            if not file_rows and file_type in ("mbs", "fba"):
                continue
            content = self._csv_bytes(BDC_HEADERS[file_type], [r._csv_values() for r in file_rows])
            self._attach_file(
                f"bdc_{file_type}_{provider}_{fields.Date.to_string(self.date_to)}.csv", content
            )
        return rows
