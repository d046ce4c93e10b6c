from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    telecom_frn = fields.Char(related="company_id.telecom_frn", readonly=False)
