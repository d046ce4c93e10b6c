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
    active = fields.Boolean(
        default=True,
        help="While the company has an active 911 provider, interconnected VoIP lines go live "
        "only after the provider validated their registered locations.",
    )
    # E911 sync health, next to provisioning on the NOC dashboard (computed on read)
    synced_count = fields.Integer(string="Registered", compute="_compute_sync_health")
    pending_count = fields.Integer(string="To Send", compute="_compute_sync_health")
    error_count = fields.Integer(string="Refused", compute="_compute_sync_health")
    alert_count = fields.Integer(string="Open Alerts", compute="_compute_sync_health")
    waiting_activation_count = fields.Integer(
        string="Activations Waiting", compute="_compute_sync_health"
    )

    def _compute_sync_health(self):
        Location = self.env["telecom.e911.location"].sudo()
        activity_type = self.env.ref(
            "telecom_regulatory.mail_activity_e911_sync_failed", raise_if_not_found=False
        )
        for provider in self:
            company = [("company_id", "=", provider.company_id.id)]
            counts = dict(
                Location._read_group(
                    [*company, ("sync_state", "in", ("synced", "pending", "to_remove", "error"))],
                    ["sync_state"],
                    ["__count"],
                )
            )
            provider.synced_count = counts.get("synced", 0)
            provider.pending_count = counts.get("pending", 0) + counts.get("to_remove", 0)
            provider.error_count = counts.get("error", 0)
            provider.alert_count = (
                self.env["mail.activity"]
                .sudo()
                .search_count(
                    [
                        ("res_model", "=", "telecom.e911.location"),
                        ("activity_type_id", "=", activity_type.id if activity_type else 0),
                    ]
                )
            )
            provider.waiting_activation_count = (
                self.env["telecom.service"]
                .sudo()
                .search_count([*company, ("e911_activation_waiting", "=", True)])
            )

    def _telecom_adapter(self):
        self.ensure_one()
        return RestE911Adapter(self.url, self.sudo().api_key, timeout=self.timeout)

    def _telecom_provider_for(self, company):
        return self.search([("company_id", "=", company.id)], limit=1)

    def action_view_locations(self):
        self.ensure_one()
        states = self.env.context.get("sync_states") or ["pending", "to_remove", "error"]
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("E911 Locations"),
            "res_model": "telecom.e911.location",
            "view_mode": "list,form",
            "domain": [("company_id", "=", self.company_id.id), ("sync_state", "in", states)],
        }

    def action_view_waiting_services(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Activations Waiting for E911"),
            "res_model": "telecom.service",
            "view_mode": "list,form",
            "domain": [
                ("company_id", "=", self.company_id.id),
                ("e911_activation_waiting", "=", True),
            ],
        }
