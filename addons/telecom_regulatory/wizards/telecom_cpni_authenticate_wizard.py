from odoo import api, fields, models
from odoo.exceptions import UserError

from ..models.telecom_cpni_authentication import AUTH_METHODS


class TelecomCpniAuthenticateWizard(models.TransientModel):
    """Staff record how the customer was authenticated before CPNI is revealed."""

    _name = "telecom.cpni.authenticate.wizard"
    _description = "Authenticate Customer for CPNI"

    partner_id = fields.Many2one("res.partner", string="Customer", required=True)
    channel = fields.Selection(
        [("phone", "Inbound Call"), ("store", "Retail Store")], required=True, default="phone"
    )
    method = fields.Selection(
        [m for m in AUTH_METHODS if m[0] != "portal"], required=True, default="password"
    )
    backup_question = fields.Char(related="partner_id.telecom_cpni_backup_question")
    given_secret = fields.Char(
        string="Answer Given", help="What the customer says; compared with the stored hash."
    )
    photo_id_type = fields.Char(string="Photo ID Type")
    photo_id_last4 = fields.Char(string="Photo ID Last 4", size=4)
    photo_id_valid = fields.Boolean(string="Photo ID Valid and Matching")
    call_back_number = fields.Char(help="Telephone number of record called back.")

    @api.onchange("channel")
    def _onchange_channel(self):
        if self.channel == "store":
            self.method = "photo_id"

    def action_record(self):
        self.ensure_one()
        values = {
            "partner_id": self.partner_id.commercial_partner_id.id,
            "channel": self.channel,
            "method": self.method,
        }
        if self.method in ("password", "backup"):
            ok = self.partner_id._telecom_verify_cpni_secret(self.given_secret, self.method)
            values["result"] = "passed" if ok else "failed"
            self.given_secret = False  # compared: not kept in the database
        elif self.method == "photo_id":
            if self.channel != "store":
                raise UserError(self.env._("A photo ID is checked in store only."))
            values.update(
                result="passed" if self.photo_id_valid else "failed",
                photo_id_type=self.photo_id_type,
                photo_id_last4=self.photo_id_last4,
            )
        else:  # call back to the number of record: passes once the call back is made
            if not self.call_back_number:
                raise UserError(self.env._("Enter the number of record you called back."))
            values.update(result="call_back", call_back_number=self.call_back_number)
        auth = self.env["telecom.cpni.authentication"].sudo().create(values)
        self.partner_id.commercial_partner_id._message_log(
            body=self.env._(
                "CPNI authentication by %(method)s: %(result)s.",
                method=dict(AUTH_METHODS)[self.method],
                result=dict(auth._fields["result"].selection)[auth.result],
            )
        )
        return {"type": "ir.actions.act_window_close"}
