from odoo import api, fields, models


class TelecomMigrationBalance(models.Model):
    """Validation: the open balance of every account of the legacy file, rejected ones
    included, against the receivable in Odoo."""

    _name = "telecom.migration.balance"
    _description = "Legacy Balance Check"
    _order = "matched, batch_id, legacy_id"

    batch_id = fields.Many2one("telecom.migration.batch", required=True, ondelete="cascade")
    company_id = fields.Many2one(related="batch_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="batch_id.currency_id")
    legacy_id = fields.Char(string="Legacy Account")
    partner_id = fields.Many2one("res.partner", string="Customer")
    landed = fields.Boolean(help="The account exists in Odoo (not rejected, not dropped).")
    legacy_balance = fields.Monetary()
    odoo_balance = fields.Monetary(string="Balance in Odoo")
    difference = fields.Monetary(compute="_compute_difference", store=True)
    matched = fields.Boolean(compute="_compute_difference", store=True)

    @api.depends("legacy_balance", "odoo_balance", "landed")
    def _compute_difference(self):
        for line in self:
            line.difference = line.currency_id.round(line.odoo_balance - line.legacy_balance)
            line.matched = line.landed and line.currency_id.is_zero(line.difference)
