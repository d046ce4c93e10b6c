from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    telecom_bdc_provider_id = fields.Char(
        related="company_id.telecom_bdc_provider_id", readonly=False
    )
    telecom_filer_499_id = fields.Char(related="company_id.telecom_filer_499_id", readonly=False)
    telecom_filing_lead_days = fields.Integer(
        related="company_id.telecom_filing_lead_days", readonly=False
    )
    telecom_uncollectible_account_id = fields.Many2one(
        related="company_id.telecom_uncollectible_account_id", readonly=False
    )
    telecom_usf_de_minimis = fields.Monetary(
        related="company_id.telecom_usf_de_minimis", readonly=False
    )
    telecom_trs_factor = fields.Float(related="company_id.telecom_trs_factor", readonly=False)
    telecom_nanpa_factor = fields.Float(related="company_id.telecom_nanpa_factor", readonly=False)
    telecom_cpni_breach_wait_days = fields.Integer(
        related="company_id.telecom_cpni_breach_wait_days", readonly=False
    )
    telecom_cpni_breach_customer_days = fields.Integer(
        related="company_id.telecom_cpni_breach_customer_days", readonly=False
    )
    telecom_cpni_officer_id = fields.Many2one(
        related="company_id.telecom_cpni_officer_id", readonly=False
    )
