from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    telecom_bill_auto_post = fields.Boolean(
        string="Post Telecom Invoices Automatically",
        help="Bill runs post their invoices at once; otherwise they stay in draft for review.",
    )
    telecom_bill_auto_send = fields.Boolean(
        string="Send Telecom Bills Automatically",
        default=True,
        help="Bill runs deliver their bills (email, portal notice or paper) as soon as they "
        "are done; otherwise staff preview them and start the delivery from the run.",
    )
    telecom_tax_engine_id = fields.Many2one(
        "telecom.tax.engine",
        string="Telecom Tax Engine",
        help="Engine computing telecom taxes and regulatory fees on bill-run invoices; the "
        "company's built-in tax tables when empty.",
    )
