from odoo import api, fields, models
from odoo.exceptions import UserError


class TelecomUsageRerateWizard(models.TransientModel):
    _name = "telecom.usage.rerate.wizard"
    _description = "Re-rate Usage"

    service_ids = fields.Many2many("telecom.service", string="Services", required=True)
    date_from = fields.Date(required=True)
    date_to = fields.Date(required=True)

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if self.env.context.get("active_model") == "telecom.service":
            values["service_ids"] = [(6, 0, self.env.context.get("active_ids", []))]
        return values

    def action_rerate(self):
        self.ensure_one()
        if self.date_from > self.date_to:
            raise UserError(self.env._("The period must end after it starts."))
        charges = self.env["telecom.usage.record"]._telecom_rerate(
            self.service_ids, self.date_from, self.date_to
        )
        message = self.env._(
            "Usage from %(start)s to %(end)s rated again with the current rates.",
            start=self.date_from,
            end=self.date_to,
        )
        if charges:
            message += self.env._(
                " Billed usage changed: %(n)s adjustment(s) on the next invoice.", n=len(charges)
            )
        for service in self.service_ids:
            service.subscription_id.message_post(body=message)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "message": message,
                "type": "success",
                "sticky": False,
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
