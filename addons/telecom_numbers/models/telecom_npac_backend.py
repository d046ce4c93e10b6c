import secrets

from odoo import api, fields, models

from ..adapters import ADAPTERS

ADAPTER_TYPES = [("rest", "REST (JSON over HTTPS)")]


class TelecomNpacBackend(models.Model):
    _name = "telecom.npac.backend"
    _description = "NPAC/SOA Vendor"
    _inherit = ["mail.thread"]
    _order = "sequence, name"

    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )

    sequence = fields.Integer(default=10)
    name = fields.Char(required=True, tracking=True)
    active = fields.Boolean(default=True)
    adapter = fields.Selection(ADAPTER_TYPES, required=True, default="rest", tracking=True)
    base_url = fields.Char(
        string="API URL", required=True, tracking=True, help="e.g. https://soa.example.com/api"
    )
    api_key = fields.Char(string="API Key", groups="base.group_system", copy=False)
    timeout = fields.Float(
        string="Timeout (s)", default=10.0, help="Seconds to wait for each vendor call."
    )
    callback_token = fields.Char(
        groups="base.group_system",
        copy=False,
        default=lambda self: secrets.token_urlsafe(24),
        help="The vendor sends it in the X-Telecom-Token header of status callbacks.",
    )
    callback_url = fields.Char(compute="_compute_callback_url")
    is_default = fields.Boolean(string="Default Vendor", help="Used for new port requests.")

    @api.depends("name")
    def _compute_callback_url(self):
        base = self.env["ir.config_parameter"].sudo().get_param("web.base.url", "")
        for backend in self:
            backend.callback_url = (
                f"{base}/telecom_numbers/npac/{backend.id}/callback" if backend.id else False
            )

    def _telecom_adapter(self):
        """The adapter object of this vendor (credentials read as superuser)."""
        self.ensure_one()
        backend = self.sudo()
        return ADAPTERS[backend.adapter](
            backend.base_url, api_key=backend.api_key, timeout=backend.timeout or 10.0
        )
