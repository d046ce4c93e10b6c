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
    telecom_bill_attach_pdf = fields.Boolean(
        string="Attach the PDF to Bill Emails",
        help="Bill emails carry the bill as a PDF. Off (the default), they link to the bill on "
        "the customer portal, where it is rendered when the customer opens it: a PDF takes "
        "about two seconds to render, too long for 100,000 bills in a night on two cores.",
    )
    telecom_tax_engine_id = fields.Many2one(
        "telecom.tax.engine",
        string="Telecom Tax Engine",
        help="Engine computing telecom taxes and regulatory fees on bill-run invoices; the "
        "company's built-in tax tables when empty.",
    )
