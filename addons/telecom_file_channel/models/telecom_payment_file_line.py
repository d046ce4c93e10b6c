from odoo import fields, models
from odoo.exceptions import UserError

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

    def action_pay_again(self):
        """Match and pay the selected rejected lines again, as corrected (reference, amount,
        date): the CDR rejects' fix-and-rate-again, for payments."""
        lines = self.filtered(lambda line: line.state == "rejected")
        if not lines:
            raise UserError(self.env._("Select rejected payments to pay again."))
        for line in lines:
            payment_file = line.payment_file_id
            row = {
                "reference": line.reference or "",
                "amount": str(line.amount) if line.amount else "",
                "date": fields.Date.to_string(line.date) if line.date else "",
                "payer": line.payer or "",
            }
            vals = payment_file._telecom_pay_row_safely(
                line.line_no, row, payment_file._telecom_journal()
            )
            vals.pop("payment_file_id")
            line.write({"move_id": False, "payment_id": False, "reason": False, **vals})
        for payment_file in lines.payment_file_id:
            payment_file._telecom_count()
        return True
