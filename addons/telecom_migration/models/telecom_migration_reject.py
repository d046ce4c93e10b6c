from odoo import fields, models

MIGRATION_FILES = [
    ("customers", "Customers"),
    ("services", "Services"),
    ("invoices", "Invoice History"),
    ("invoice_lines", "Invoice Lines"),
    ("plan_map", "Plan Mapping"),
]


class TelecomMigrationReject(models.Model):
    _name = "telecom.migration.reject"
    _description = "Rejected Legacy Row"
    _inherit = ["telecom.import.reject.mixin"]
    _telecom_reject_parent = "batch_id"
    _order = "batch_id, file, line_no"

    batch_id = fields.Many2one("telecom.migration.batch", required=True, ondelete="cascade")
    company_id = fields.Many2one(related="batch_id.company_id", store=True, index=True)
    file = fields.Selection(MIGRATION_FILES, required=True)
    line_no = fields.Integer(string="Line")
    legacy_id = fields.Char()
    reason = fields.Char(required=True)
