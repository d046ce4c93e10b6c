from odoo import fields, models

PARALLEL_STATUSES = [
    ("matched", "Matched"),
    ("differing", "Differing"),
    ("missing_ours", "Missing in Odoo"),
    ("missing_legacy", "Missing in Legacy"),
]


class TelecomParallelRunLine(models.Model):
    _name = "telecom.parallel.run.line"
    _description = "Parallel Run: Bill Line Comparison"
    _order = "account_id, key"

    account_id = fields.Many2one(
        "telecom.parallel.run.account", required=True, ondelete="cascade", index=True
    )
    run_id = fields.Many2one(related="account_id.run_id", store=True, index=True)
    currency_id = fields.Many2one(related="account_id.currency_id")
    key = fields.Char(string="Service / Charge", required=True)
    description = fields.Char()
    legacy_amount = fields.Monetary()
    our_amount = fields.Monetary(string="Odoo Amount")
    delta = fields.Monetary(help="Odoo minus legacy.")
    status = fields.Selection(PARALLEL_STATUSES, required=True)
