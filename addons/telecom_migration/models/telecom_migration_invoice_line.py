from odoo import fields, models


class TelecomMigrationInvoiceLine(models.Model):
    """A line of a legacy invoice (history, read-only)."""

    _name = "telecom.migration.invoice.line"
    _description = "Legacy Invoice Line (History)"
    _order = "invoice_id, sequence, id"

    invoice_id = fields.Many2one(
        "telecom.migration.invoice", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="invoice_id.company_id", store=True, index=True)
    partner_id = fields.Many2one(related="invoice_id.partner_id", store=True, index=True)
    currency_id = fields.Many2one(related="invoice_id.currency_id")
    sequence = fields.Integer(default=10)
    line_type = fields.Char(help="Legacy line type: plan, addon, usage, discount, tax...")
    description = fields.Char(required=True)
    tax_type = fields.Char(help="Legacy tax type of a tax line (e.g. FUSF, E911, STATE).")
    amount = fields.Monetary()
