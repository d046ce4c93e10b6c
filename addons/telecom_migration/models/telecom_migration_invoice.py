from odoo import api, fields, models


class TelecomMigrationInvoice(models.Model):
    """An invoice of the legacy system (history, read-only): the last 24 months are
    migrated with their lines and PDF so that staff and customers (portal) can see them."""

    _name = "telecom.migration.invoice"
    _description = "Legacy Invoice (History)"
    _inherit = ["portal.mixin"]
    _order = "invoice_date desc, id desc"
    _rec_name = "legacy_ref"
    _sql_constraints = [
        ("legacy_uniq", "UNIQUE(company_id, legacy_ref)", "A legacy invoice is migrated once."),
    ]

    legacy_ref = fields.Char(string="Legacy Invoice", required=True, readonly=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    partner_id = fields.Many2one("res.partner", required=True, readonly=True, index=True)
    subscription_id = fields.Many2one("telecom.subscription", readonly=True, index=True)
    invoice_date = fields.Date(required=True, readonly=True)
    date_due = fields.Date(string="Due Date", readonly=True)
    period_start = fields.Date(readonly=True)
    period_end = fields.Date(readonly=True)
    amount_total = fields.Monetary(readonly=True)
    amount_residual = fields.Monetary(string="Amount Due", readonly=True)
    legacy_state = fields.Char(string="Status", readonly=True)
    line_ids = fields.One2many("telecom.migration.invoice.line", "invoice_id", string="Lines")
    pdf_file = fields.Binary(string="Legacy PDF", attachment=True, readonly=True)
    pdf_filename = fields.Char(readonly=True)

    @api.depends("legacy_ref")
    def _compute_access_url(self):
        super()._compute_access_url()
        for invoice in self:
            invoice.access_url = f"/my/legacy-invoices/{invoice.id}"
