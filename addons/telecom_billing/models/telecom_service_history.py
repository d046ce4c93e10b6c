from odoo import fields, models

from .telecom_service import SERVICE_STATES, SUSPENSION_REASONS

HISTORY_ACTIONS = [
    ("created", "Created"),
    ("activate", "Activated"),
    ("change_plan", "Plan Changed"),
    ("plan_change_scheduled", "Plan Change Scheduled"),
    ("plan_change_cancelled", "Scheduled Plan Change Cancelled"),
    ("add_addon", "Add-on Added"),
    ("remove_addon", "Add-on Removed"),
    ("suspend", "Suspended"),
    ("reactivate", "Reactivated"),
    ("terminate", "Terminated"),
    ("number", "Number Change"),
    ("port_out", "Ported Out"),
    ("dunning", "Dunning"),
]


class TelecomServiceHistory(models.Model):
    _name = "telecom.service.history"
    _description = "Telecom Service History"
    _inherit = ["telecom.cpni.mixin"]
    _order = "create_date desc, id desc"
    # What changed in a service's mix (plans, add-ons, quantities) is CPNI: see telecom.service.
    # The steps themselves (action, date, state) are not.
    _telecom_cpni_fields = ("old_plan_id", "new_plan_id", "addon_id", "quantity", "note")
    _telecom_cpni_need_groups = (
        "telecom_catalog.group_telecom_billing",
        "telecom_catalog.group_telecom_noc",
    )

    service_id = fields.Many2one(
        "telecom.service", required=True, ondelete="cascade", index=True, readonly=True
    )
    subscription_id = fields.Many2one(related="service_id.subscription_id", store=True, index=True)
    partner_id = fields.Many2one(related="service_id.partner_id", store=True)
    company_id = fields.Many2one(related="service_id.company_id", store=True, index=True)
    action = fields.Selection(HISTORY_ACTIONS, required=True, readonly=True)
    date = fields.Date(string="Effective Date", required=True, readonly=True)
    state = fields.Selection(
        SERVICE_STATES, string="State After", readonly=True, help="Service state after the step."
    )
    old_plan_id = fields.Many2one("product.product", string="Old Plan", readonly=True)
    new_plan_id = fields.Many2one("product.product", string="New Plan", readonly=True)
    addon_id = fields.Many2one("product.product", string="Add-on", readonly=True)
    quantity = fields.Integer(readonly=True)
    reason = fields.Selection(SUSPENSION_REASONS, readonly=True)
    note = fields.Text(readonly=True)
    user_id = fields.Many2one(
        "res.users", string="Done By", default=lambda self: self.env.user, readonly=True
    )
