import csv
import io
from decimal import Decimal, InvalidOperation

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_compare

PAYMENT_COLUMNS = {"reference", "amount", "date"}


class TelecomPaymentFile(models.Model):
    """A bank or lockbox file of customer payments: each row is matched to the open bill
    whose number (or payment reference) it gives and registered as a standard payment that
    reconciles the bill; rows that match nothing are rejected with the reason."""

    _name = "telecom.payment.file"
    _description = "Payment File"
    _inherit = ["mail.thread"]
    _order = "id desc"

    name = fields.Char(compute="_compute_name", store=True)
    filename = fields.Char(required=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    journal_id = fields.Many2one(
        "account.journal",
        domain="[('type', '=', 'bank'), ('company_id', '=', company_id)]",
        help="Bank journal of the payments; empty: the company's first bank journal.",
    )
    line_ids = fields.One2many("telecom.payment.file.line", "payment_file_id", string="Payments")
    matched_count = fields.Integer(readonly=True)
    rejected_count = fields.Integer(readonly=True)
    amount_matched = fields.Monetary(readonly=True)

    @api.depends("filename")
    def _compute_name(self):
        for payment_file in self:
            payment_file.name = payment_file.filename

    def _telecom_import(self, content):
        """Read the rows (``reference, amount, date`` and optional ``payer``), match and pay
        them one by one."""
        self.ensure_one()
        text = io.TextIOWrapper(io.BytesIO(content), encoding="utf-8-sig", newline="")
        reader = csv.DictReader(text)
        header = {(h or "").strip().lower() for h in reader.fieldnames or []}
        if not PAYMENT_COLUMNS <= header:
            raise UserError(
                self.env._(
                    "The payment file needs the columns reference, amount and date; it has: "
                    "%(cols)s.",
                    cols=", ".join(sorted(header)) or "-",
                )
            )
        journal = self.journal_id or self.env["account.journal"].search(
            [("type", "=", "bank"), ("company_id", "=", self.company_id.id)], limit=1
        )
        if not journal:
            raise UserError(self.env._("Create a bank journal to register the payments."))
        lines = []
        for line_no, raw in enumerate(reader, start=2):
            row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items()
                   if isinstance(v, str)}  # fmt: skip
            lines.append(self._telecom_pay_row(line_no, row, journal))
        self.env["telecom.payment.file.line"].create(lines)
        matched = [line for line in lines if line["state"] == "matched"]
        self.write(
            {
                "matched_count": len(matched),
                "rejected_count": len(lines) - len(matched),
                "amount_matched": sum(line["amount"] for line in matched),
            }
        )

    def _telecom_pay_row(self, line_no, row, journal):
        """Values of the file line of one row, its payment registered when it matches."""
        vals = {"payment_file_id": self.id, "line_no": line_no, "reference": row.get("reference"),
                "payer": row.get("payer"), "state": "rejected"}  # fmt: skip
        try:
            amount = Decimal(row.get("amount") or "")
            date = fields.Date.to_date(row.get("date"))
        except (InvalidOperation, ValueError):
            date = None
        if date is None or not amount.is_finite():
            return {**vals, "reason": self.env._("amount or date is not readable")}
        vals.update(amount=float(amount), date=date)
        if amount <= 0:
            return {**vals, "reason": self.env._("the amount is not positive")}
        move = self._telecom_find_bill(vals["reference"])
        if not move:
            return {**vals, "reason": self.env._(
                "no open bill %(ref)s", ref=vals["reference"] or "-")}  # fmt: skip
        if float_compare(float(amount), move.amount_residual, 2) > 0:
            return {**vals, "move_id": move.id, "reason": self.env._(
                "%(amount)s is more than the %(due)s due on %(bill)s", amount=amount,
                due=move.amount_residual, bill=move.name)}  # fmt: skip
        payment = (
            self.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=move.ids)
            .create(
                {
                    "amount": float(amount),
                    "payment_date": date,
                    "journal_id": journal.id,
                    "communication": vals["reference"],
                }
            )
            ._create_payments()
        )
        return {**vals, "state": "matched", "move_id": move.id, "payment_id": payment.id}

    def _telecom_find_bill(self, reference):
        if not reference:
            return self.env["account.move"]
        return self.env["account.move"].search(
            [
                ("company_id", "=", self.company_id.id),
                ("move_type", "=", "out_invoice"),
                ("state", "=", "posted"),
                ("payment_state", "in", ("not_paid", "partial")),
                "|",
                ("name", "=", reference),
                ("payment_reference", "=", reference),
            ],
            limit=1,
        )
