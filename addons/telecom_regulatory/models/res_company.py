import re

from odoo import api, fields, models
from odoo.exceptions import ValidationError

PROVIDER_ID_PATTERN = re.compile(r"^\d{6}$")


class ResCompany(models.Model):
    _inherit = "res.company"

    # ------------------------------------------------------------
    # FIELDS
    # ------------------------------------------------------------

    telecom_bdc_provider_id = fields.Char(
        string="BDC Provider ID",
        size=6,
        help="The 6-digit provider ID the FCC assigned for the Broadband Data Collection "
        "(not the FRN).",
    )
    telecom_filer_499_id = fields.Char(
        string="Filer 499 ID",
        help="The Filer 499 ID USAC assigned (Form 499-A/499-Q Line 101).",
    )
    telecom_filing_lead_days = fields.Integer(
        string="Filing Reminder Lead Time (days)",
        default=30,
        help="The filing calendar creates each filing and reminds the Regulatory Officers this "
        "many days before it is due.",
    )
    telecom_uncollectible_account_id = fields.Many2one(
        "account.account",
        string="Bad Debt Account",
        check_company=True,
        help="Expense account receivables are written off to; its movements are the "
        "uncollectible revenue of the 499 worksheets.",
    )
    telecom_usf_de_minimis = fields.Monetary(
        string="USF De Minimis Threshold",
        default=10000.0,
        help="A filer whose annual USF contribution would be below this amount does not "
        "contribute directly (Form 499-A instructions).",
    )
    telecom_trs_factor = fields.Float(
        string="TRS Contribution Factor",
        digits=(12, 8),
        help="Telecommunications Relay Services fund factor applied to interstate and "
        "international end-user revenue (fraction, e.g. 0.00876).",
    )
    telecom_nanpa_factor = fields.Float(
        string="NANPA Contribution Factor",
        digits=(12, 8),
        help="Numbering administration factor applied to total end-user telecommunications "
        "revenue (fraction).",
    )
    telecom_regulatory_minimum_fee = fields.Monetary(
        string="TRS/NANPA Minimum Fee",
        default=25.0,
        help="Minimum annual TRS and NANPA contribution.",
    )

    telecom_cpni_breach_wait_days = fields.Integer(
        string="Breach: Customer Waiting Period (business days)",
        default=7,
        help="Full business days (weekends and federal holidays skipped) after notifying the "
        "USSS and FBI before customers may be told, unless law enforcement asks otherwise "
        "(47 CFR 64.2011(b)). Kept at 7 by default; set 0 only once counsel confirms the 2023 "
        "Data Breach Report and Order's removal of the wait is in force for the company.",
    )
    telecom_cpni_breach_customer_days = fields.Integer(
        string="Breach: Customer Notification Deadline (days)",
        default=30,
        help="Days after the determination of a breach by which customers are notified.",
    )
    telecom_cpni_officer_id = fields.Many2one(
        "res.users",
        string="CPNI Compliance Officer",
        help="Officer who signs the annual CPNI certification.",
    )

    # ------------------------------------------------------------
    # CONSTRAINT
    # ------------------------------------------------------------

    @api.constrains("telecom_bdc_provider_id")
    def _check_telecom_bdc_provider_id(self):
        for company in self:
            value = company.telecom_bdc_provider_id
            if value and not PROVIDER_ID_PATTERN.match(value):
                raise ValidationError(
                    self.env._(
                        "The BDC provider ID of %(company)s must be exactly 6 digits "
                        "(e.g. 131425); %(value)r is not.",
                        company=company.name,
                        value=value,
                    )
                )
