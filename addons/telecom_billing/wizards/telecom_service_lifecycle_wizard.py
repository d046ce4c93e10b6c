from odoo import api, fields, models
from odoo.exceptions import UserError

from ..models.telecom_service import NETWORK_ACTIONS, PLAN_CHANGE_TIMINGS, SUSPENSION_REASONS


class TelecomServiceLifecycleWizard(models.TransientModel):
    _name = "telecom.service.lifecycle.wizard"
    _description = "Change a Telecom Service"

    service_id = fields.Many2one("telecom.service", required=True, readonly=True)
    action = fields.Selection(NETWORK_ACTIONS, required=True, readonly=True)
    current_plan_id = fields.Many2one(related="service_id.product_id", string="Current Plan")
    is_voice = fields.Boolean(related="service_id.is_voice")
    plan_id = fields.Many2one(
        "product.product",
        string="New Plan",
        domain="[('telecom_is_plan', '=', True), ('telecom_grandfathered', '=', False), "
        "('id', '!=', current_plan_id)]",
    )
    timing = fields.Selection(PLAN_CHANGE_TIMINGS, default="now")
    addon_id = fields.Many2one(
        "product.product", string="Add-on", domain="[('telecom_is_addon', '=', True)]"
    )
    quantity = fields.Integer(default=1)
    reason = fields.Selection(SUSPENSION_REASONS, string="Suspension Reason", default="customer")
    keep_emergency_calling = fields.Boolean(
        default=True,
        help="Voice services keep reaching 911 while suspended. Required by law for "
        "suspensions for non-payment.",
    )
    effective_date = fields.Date(
        default=fields.Date.context_today,
        help="Day the change takes effect; today or earlier (back-dated changes are prorated).",
    )
    termination_reason = fields.Char(string="Termination Reason")

    @api.onchange("reason")
    def _onchange_reason(self):
        if self.reason == "non_payment":
            self.keep_emergency_calling = True

    def action_confirm(self):
        self.ensure_one()
        service = self.service_id
        if self.action == "change_plan":
            if not self.plan_id:
                raise UserError(self.env._("Choose the new plan."))
            service._telecom_request_change_plan(
                self.plan_id, timing=self.timing, effective_date=self.effective_date
            )
        elif self.action == "add_addon":
            if not self.addon_id:
                raise UserError(self.env._("Choose the add-on to add."))
            service._telecom_request_add_addon(
                self.addon_id, quantity=self.quantity, effective_date=self.effective_date
            )
        elif self.action == "suspend":
            service._telecom_request_suspend(
                reason=self.reason,
                keep_emergency_calling=self.keep_emergency_calling or self.reason == "non_payment",
            )
        elif self.action == "terminate":
            service._telecom_request_terminate(
                effective_date=self.effective_date, reason=self.termination_reason
            )
        else:
            raise UserError(self.env._("This action has no form; use its button."))
        return {"type": "ir.actions.act_window_close"}
