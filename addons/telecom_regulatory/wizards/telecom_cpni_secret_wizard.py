from odoo import fields, models


class TelecomCpniSecretWizard(models.TransientModel):
    _name = "telecom.cpni.secret.wizard"
    _description = "Set CPNI Password"

    partner_id = fields.Many2one("res.partner", string="Customer", required=True)
    password = fields.Char(string="New CPNI Password")
    backup_question = fields.Char(string="Back-up Question")
    backup_answer = fields.Char(string="Back-up Answer")

    def action_set(self):
        self.ensure_one()
        self.partner_id._telecom_set_cpni_secret(
            password=self.password, question=self.backup_question, answer=self.backup_answer
        )
        # the hash is kept on the customer: the typed secrets leave the database at once
        self.write({"password": False, "backup_answer": False})
        return {"type": "ir.actions.act_window_close"}
