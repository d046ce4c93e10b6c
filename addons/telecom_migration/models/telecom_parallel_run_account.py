from odoo import fields, models
from odoo.exceptions import UserError

from .telecom_parallel_run_line import PARALLEL_BANDS, PARALLEL_STATUSES


class TelecomParallelRunAccount(models.Model):
    _name = "telecom.parallel.run.account"
    _description = "Parallel Run: Account Comparison"
    _order = "passed, run_id, legacy_account"

    run_id = fields.Many2one("telecom.parallel.run", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="run_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="run_id.currency_id")
    legacy_account = fields.Char()
    legacy_bill = fields.Char()
    partner_id = fields.Many2one("res.partner", string="Customer")
    subscription_id = fields.Many2one("telecom.subscription", index="btree_not_null")
    legacy_total = fields.Monetary()
    our_total = fields.Monetary(string="Odoo Total")
    delta = fields.Monetary(help="Odoo minus legacy.")
    status = fields.Selection(PARALLEL_STATUSES, required=True)
    band = fields.Selection(
        PARALLEL_BANDS,
        required=True,
        default="investigate",
        help="The largest difference of the account (its total or any line): up to the match "
        "tolerance it matches, up to the review ceiling it needs a review, above it (or a bill "
        "missing on one side) it must be investigated.",
    )
    passed = fields.Boolean(help="In the match band.")
    resolved = fields.Boolean(
        readonly=True, help="A review or investigation closed with its explanation."
    )
    resolution = fields.Text(help="What explains the difference, or what was fixed.")
    line_ids = fields.One2many("telecom.parallel.run.line", "account_id", string="Lines")
    line_count = fields.Integer(compute="_compute_line_count")

    def _compute_line_count(self):
        for account in self:
            account.line_count = len(account.line_ids)

    def action_resolve(self):
        for account in self:
            if not (account.resolution or "").strip():
                raise UserError(
                    self.env._(
                        "Write what explains the difference of account %(account)s before "
                        "closing it.",
                        account=account.legacy_account,
                    )
                )
        self.resolved = True
        return True
