from odoo import fields, models
from odoo.exceptions import AccessError, UserError

from ..models.telecom_cpni_access_log import CPNI_CHANNELS


class TelecomCpniViewWizard(models.TransientModel):
    """Opens a customer's CPNI for a CPNI Authorized employee once the reason is stated (and,
    on the phone or in store, the customer authenticated); the access is logged."""

    _name = "telecom.cpni.view.wizard"
    _description = "View CPNI"

    partner_id = fields.Many2one("res.partner", string="Customer", required=True)
    channel = fields.Selection(CPNI_CHANNELS, required=True, default="phone")
    reason = fields.Char(required=True, help="Why the CPNI is needed, e.g. billing dispute.")
    scope = fields.Selection(
        [("call_detail", "Call Detail (usage records)"), ("service_mix", "Services and Plans")],
        required=True,
        default="call_detail",
    )
    authentication_id = fields.Many2one(
        "telecom.cpni.authentication",
        compute="_compute_authentication_id",
        string="Authentication",
    )

    def _compute_authentication_id(self):
        Auth = self.env["telecom.cpni.authentication"]
        for wizard in self:
            wizard.authentication_id = (
                Auth._telecom_valid_for(wizard.partner_id, wizard.channel)
                if wizard.partner_id and wizard.channel in ("phone", "store")
                else Auth
            )

    def action_view(self):
        self.ensure_one()
        if not self.env.user.has_group("telecom_catalog.group_telecom_cpni"):
            raise AccessError(self.env._("Only CPNI Authorized employees may view CPNI."))
        if not (self.reason or "").strip():
            raise UserError(self.env._("State why you need the customer's CPNI."))
        auth = self.env["telecom.cpni.authentication"]
        if self.channel in ("phone", "store"):
            auth = auth._telecom_require(self.partner_id, self.channel)
        customer = self.partner_id.commercial_partner_id
        context = {
            "telecom_cpni_reason": self.reason,
            "telecom_cpni_channel": self.channel,
            "telecom_cpni_authentication_id": auth.id,
        }
        if self.scope == "call_detail":
            action = self.env["ir.actions.act_window"]._for_xml_id(
                "telecom_usage.action_telecom_usage_record"
            )
            action.update(
                {
                    "name": self.env._(
                        "Call detail of %(customer)s", customer=customer.display_name
                    ),
                    "domain": [("partner_id", "=", customer.id)],
                    "context": context,
                }
            )
            return action  # the list's read of the call-detail fields is logged
        customer.with_context(**context).read(["telecom_cpni_service_mix"])  # logs the access
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("CPNI of %(customer)s", customer=customer.display_name),
            "res_model": "res.partner",
            "res_id": customer.id,
            "view_mode": "form",
            "views": [(self.env.ref("telecom_regulatory.res_partner_view_form_cpni").id, "form")],
            "target": "new",
            "context": context,
        }
