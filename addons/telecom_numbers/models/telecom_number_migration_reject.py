from odoo import fields, models


class TelecomNumberMigrationReject(models.Model):
    _name = "telecom.number.migration.reject"
    _description = "Rejected Row of a Number Inventory Migration"
    _inherit = ["telecom.import.reject.mixin"]
    _telecom_reject_parent = "migration_id"
    _order = "migration_id, row_number"

    company_id = fields.Many2one(related="migration_id.company_id")

    migration_id = fields.Many2one(
        "telecom.number.migration",
        string="Migration",
        required=True,
        ondelete="cascade",
        index=True,
    )
    row_number = fields.Integer(
        string="Row", required=True, help="Line of the file (the header is line 1)."
    )
    value = fields.Char(help="The number as written in the file.")
    reason = fields.Char(required=True, index=True)
