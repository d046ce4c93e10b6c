from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    telecom_bill_auto_post = fields.Boolean(
        related="company_id.telecom_bill_auto_post", readonly=False
    )
    telecom_bill_auto_send = fields.Boolean(
        related="company_id.telecom_bill_auto_send", readonly=False
    )
    telecom_bill_attach_pdf = fields.Boolean(
        related="company_id.telecom_bill_attach_pdf", readonly=False
    )
    telecom_tax_engine_id = fields.Many2one(
        related="company_id.telecom_tax_engine_id", readonly=False
    )
    telecom_autopay_timing = fields.Selection(
        related="company_id.telecom_autopay_timing", readonly=False
    )
    telecom_autopay_days_before_due = fields.Integer(
        related="company_id.telecom_autopay_days_before_due", readonly=False
    )
    telecom_autopay_retry_days = fields.Char(
        related="company_id.telecom_autopay_retry_days", readonly=False
    )
    telecom_proration_rounding = fields.Selection(
        [
            ("exact", "Exact: every billing period adds up to its price"),
            ("unit", "Round the prorated unit price (legacy parity)"),
        ],
        string="Proration Rounding",
        default="exact",
        config_parameter="telecom_billing.proration_rounding",
        help="Exact: the amount of a stretch of days is the difference of the rounded amounts "
        "of the period up to its last day and up to the day before it, so the pieces of a "
        "period always add up to its price. Legacy parity: the prorated unit price is rounded "
        "to the cent, then multiplied by the quantity, as some legacy billing systems do; "
        "pieces may then differ from the period's price by a cent.",
    )
