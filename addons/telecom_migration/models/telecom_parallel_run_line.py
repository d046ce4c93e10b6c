from odoo import fields, models

PARALLEL_STATUSES = [
    ("matched", "Matched"),
    ("differing", "Differing"),
    ("missing_ours", "Missing in Odoo"),
    ("missing_legacy", "Missing in Legacy"),
]
# a difference up to the match tolerance matches; up to the review ceiling someone reviews it;
# above, it must be investigated (the ceiling bounds the review band, it is not a pass)
PARALLEL_BANDS = [
    ("match", "Match"),
    ("review", "Review"),
    ("investigate", "Investigate"),
]
LINE_TYPES = [
    ("plan", "Plan"),
    ("addon", "Add-on"),
    ("charge", "One-time Charge"),
    ("usage", "Usage"),
    ("discount", "Discount"),
    ("tax", "Tax or Fee"),
    ("other", "Other"),
]


class TelecomParallelRunLine(models.Model):
    _name = "telecom.parallel.run.line"
    _description = "Parallel Run: Bill Line Comparison"
    _order = "account_id, line_type, key"

    account_id = fields.Many2one(
        "telecom.parallel.run.account", required=True, ondelete="cascade", index=True
    )
    run_id = fields.Many2one(related="account_id.run_id", store=True, index=True)
    company_id = fields.Many2one(related="run_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="account_id.currency_id")
    key = fields.Char(string="Service / Charge", required=True)
    line_type = fields.Selection(LINE_TYPES, required=True, default="other")
    tax_type = fields.Char(help="Tax or fee kind of a tax line (e.g. federal_usf, e911).")
    description = fields.Char()
    legacy_amount = fields.Monetary(aggregator="sum")
    our_amount = fields.Monetary(string="Odoo Amount", aggregator="sum")
    delta = fields.Monetary(help="Odoo minus legacy.", aggregator="sum")
    status = fields.Selection(PARALLEL_STATUSES, required=True)
    band = fields.Selection(PARALLEL_BANDS, required=True, default="investigate")
