from odoo import fields, models

from ..adapters.e911 import RestE911Adapter


class TelecomE911Provider(models.Model):
    _name = "telecom.e911.provider"
    _description = "911 Location Provider"
    _order = "sequence, id"

    name = fields.Char(required=True)
    sequence = fields.Integer(default=10)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    provider_type = fields.Selection([("rest", "REST (JSON)")], required=True, default="rest")
    url = fields.Char(string="Endpoint URL", required=True)
    api_key = fields.Char(string="API Key", groups="base.group_system", copy=False)
    timeout = fields.Integer(default=10, help="Seconds to wait for the provider.")
    active = fields.Boolean(default=True)

    def _telecom_adapter(self):
        self.ensure_one()
        return RestE911Adapter(self.url, self.sudo().api_key, timeout=self.timeout)

    def _telecom_provider_for(self, company):
        return self.search([("company_id", "=", company.id)], limit=1)
