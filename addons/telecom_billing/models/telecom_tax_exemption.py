from odoo import api, fields, models

from .telecom_tax_rate import TAX_KINDS


class TelecomTaxExemption(models.Model):
    _name = "telecom.tax.exemption"
    _description = "Customer Tax Exemption Certificate"
    _inherit = ["mail.thread"]
    _order = "partner_id, date_from desc"
    _sql_constraints = [
        (
            "dates_ordered",
            "CHECK(date_to IS NULL OR date_to >= date_from)",
            "A certificate cannot expire before it starts.",
        ),
    ]

    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, index=True, tracking=True
    )
    name = fields.Char(string="Certificate Number", required=True, tracking=True)
    kind = fields.Selection(
        [("all", "All Exemptible Taxes and Fees")] + TAX_KINDS,
        required=True,
        default="all",
        tracking=True,
    )
    state_id = fields.Many2one(
        "res.country.state",
        string="State",
        domain="[('country_id.code', '=', 'US')]",
        help="Jurisdiction of the certificate; empty for every state (federal).",
    )
    date_from = fields.Date(string="Valid From", required=True, tracking=True)
    date_to = fields.Date(string="Valid To", tracking=True)
    attachment_id = fields.Many2one("ir.attachment", string="Certificate Copy")
    note = fields.Text()
    is_valid = fields.Boolean(compute="_compute_is_valid", string="Valid Today")

    @api.depends("date_from", "date_to")
    @api.depends_context("date")
    def _compute_is_valid(self):
        today = fields.Date.context_today(self)
        for certificate in self:
            certificate.is_valid = certificate._telecom_valid_on(today)

    def _telecom_valid_on(self, on_date):
        self.ensure_one()
        return self.date_from <= on_date and (not self.date_to or self.date_to >= on_date)
