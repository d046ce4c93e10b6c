from odoo import fields, models

LINE_STATES = [("matched", "Matched"), ("rejected", "Rejected")]


class TelecomPaymentFileLine(models.Model):
    """A payment of a bank or lockbox file: matched to an open bill and paid, or rejected
    with the reason."""

    _name = "telecom.payment.file.line"
    _description = "Payment File Line"
    _order = "payment_file_id, line_no"

    payment_file_id = fields.Many2one(
        "telecom.payment.file", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="payment_file_id.company_id", store=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    line_no = fields.Integer(string="Line")
    reference = fields.Char(help="Invoice number or payment reference written by the payer.")
    amount = fields.Monetary()
    date = fields.Date()
    payer = fields.Char()
    state = fields.Selection(LINE_STATES, required=True)
    reason = fields.Char()
    move_id = fields.Many2one("account.move", string="Bill", readonly=True)
    payment_id = fields.Many2one("account.payment", readonly=True)
