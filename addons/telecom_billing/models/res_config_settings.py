from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    telecom_bill_auto_post = fields.Boolean(
        related="company_id.telecom_bill_auto_post", readonly=False
    )
    telecom_tax_engine_id = fields.Many2one(
        related="company_id.telecom_tax_engine_id", readonly=False
    )
