from odoo import api, models


class ResUsers(models.Model):
    _inherit = "res.users"

    @api.model_create_multi
    def create(self, vals_list):
        users = super().create(vals_list)
        users.filtered("share")._telecom_cpni_online_account_notice()
        return users

    def write(self, vals):
        before = {}
        if {"password", "login"} & vals.keys():
            for user in self.filtered("share"):
                accounts = user.partner_id.commercial_partner_id._telecom_cpni_customers_of_record()
                if accounts:
                    before[user] = accounts._telecom_contact_point()
        result = super().write(vals)
        Notice = self.env["telecom.cpni.notice"]
        for user, contact_point in before.items():
            Notice._telecom_notify(user.partner_id, "online_account", contact_point)
        return result

    def _telecom_cpni_online_account_notice(self):
        Notice = self.env["telecom.cpni.notice"]
        for user in self:
            account = user.partner_id.commercial_partner_id._telecom_cpni_customers_of_record()
            if account:
                Notice._telecom_notify(account, "online_account", account._telecom_contact_point())
