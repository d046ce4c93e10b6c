from odoo import fields, models

from .telecom_migration_batch import VALIDATION_STATES


class TelecomMigrationRehearsal(models.Model):
    """One rehearsal of a migration: run in full, checked, then rolled back (nothing it
    created is kept); what it found and how long it took stay here."""

    _name = "telecom.migration.rehearsal"
    _description = "Migration Rehearsal"
    _order = "started desc, id desc"

    batch_id = fields.Many2one(
        "telecom.migration.batch", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="batch_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="batch_id.currency_id")
    started = fields.Datetime(required=True, readonly=True)
    duration = fields.Float(string="Duration (seconds)", readonly=True)
    user_id = fields.Many2one("res.users", string="Run By", readonly=True)
    validation_state = fields.Selection(VALIDATION_STATES, readonly=True)
    customer_count = fields.Integer(string="Customers", readonly=True)
    service_count = fields.Integer(string="Services", readonly=True)
    invoice_count = fields.Integer(string="Invoices", readonly=True)
    open_item_count = fields.Integer(string="Open Items", readonly=True)
    reject_count = fields.Integer(string="Rejected Rows", readonly=True)
    balance_mismatch_count = fields.Integer(string="Accounts Differing", readonly=True)
    legacy_total = fields.Monetary(readonly=True)
    odoo_total = fields.Monetary(string="Odoo Total", readonly=True)
    report = fields.Text(readonly=True)
