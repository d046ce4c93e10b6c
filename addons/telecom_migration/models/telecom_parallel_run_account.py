from odoo import fields, models

from .telecom_parallel_run_line import PARALLEL_STATUSES


class TelecomParallelRunAccount(models.Model):
    _name = "telecom.parallel.run.account"
    _description = "Parallel Run: Account Comparison"
    _order = "passed, run_id, legacy_account"

    run_id = fields.Many2one("telecom.parallel.run", required=True, ondelete="cascade", index=True)
    currency_id = fields.Many2one(related="run_id.currency_id")
    legacy_account = fields.Char()
    legacy_bill = fields.Char()
    partner_id = fields.Many2one("res.partner", string="Customer")
    subscription_id = fields.Many2one("telecom.subscription")
    legacy_total = fields.Monetary()
    our_total = fields.Monetary(string="Odoo Total")
    delta = fields.Monetary(help="Odoo minus legacy.")
    status = fields.Selection(PARALLEL_STATUSES, required=True)
    passed = fields.Boolean(
        help="Every line within the line tolerance and the total within the account tolerance."
    )
    line_ids = fields.One2many("telecom.parallel.run.line", "account_id", string="Lines")
    line_count = fields.Integer(compute="_compute_line_count")

    def _compute_line_count(self):
        for account in self:
            account.line_count = len(account.line_ids)
