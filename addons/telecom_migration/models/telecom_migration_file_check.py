from odoo import api, fields, models

from .telecom_migration_reject import MIGRATION_FILES


class TelecomMigrationFileCheck(models.Model):
    """Validation: what a legacy file says (every row, rejects included) against what
    landed in Odoo, in rows and in amount."""

    _name = "telecom.migration.file.check"
    _description = "Legacy File Check"
    _order = "batch_id, file"

    batch_id = fields.Many2one("telecom.migration.batch", required=True, ondelete="cascade")
    company_id = fields.Many2one(related="batch_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="batch_id.currency_id")
    file = fields.Selection(MIGRATION_FILES, required=True)
    legacy_rows = fields.Integer(help="Data rows in the file.")
    landed_rows = fields.Integer(string="Rows Landed")
    skipped_rows = fields.Integer(help="Rows left out on purpose (history older than 24 months).")
    rejected_rows = fields.Integer()
    legacy_amount = fields.Monetary(help="Sum of the file's amount column over every row.")
    landed_amount = fields.Monetary(string="Amount Landed")
    difference = fields.Monetary(compute="_compute_matched", store=True)
    matched = fields.Boolean(compute="_compute_matched", store=True)

    @api.depends("legacy_rows", "landed_rows", "skipped_rows", "legacy_amount", "landed_amount")
    def _compute_matched(self):
        for check in self:
            check.difference = check.currency_id.round(check.landed_amount - check.legacy_amount)
            check.matched = check.currency_id.is_zero(check.difference) and (
                check.legacy_rows == check.landed_rows + check.skipped_rows
            )
