from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_compare

from odoo.addons.telecom_catalog.tools.adapter_errors import RECORD_ERRORS
from odoo.addons.telecom_catalog.tools.csv_rows import CsvRows, shown, to_decimal

PAYMENT_COLUMNS = {"reference", "amount", "date"}
PAYMENT_FIELDS = ("reference", "amount", "date", "payer")


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
        rows = CsvRows(
            self.env, content, sorted(PAYMENT_COLUMNS), what=self.env._("The payment file")
        )
        journal = self._telecom_journal()
        lines = []
        for row in rows:
            values = rows.record(row, PAYMENT_FIELDS)
            if row.reason:
                lines.append(
                    {"payment_file_id": self.id, "line_no": row.line_no, "state": "rejected",
                     "reference": values["reference"], "payer": values["payer"],
                     "reason": row.reason}
                )  # fmt: skip
                continue
            lines.append(self._telecom_pay_row_safely(row.line_no, values, journal))
        self.env["telecom.payment.file.line"].create(lines)
        self._telecom_count()

    def _telecom_journal(self):
        journal = self.journal_id or self.env["account.journal"].search(
            [("type", "=", "bank"), ("company_id", "=", self.company_id.id)], limit=1
        )
        if not journal:
            raise UserError(self.env._("Create a bank journal to register the payments."))
        return journal

    def _telecom_count(self):
        matched = self.line_ids.filtered(lambda line: line.state == "matched")
        self.write(
            {
                "matched_count": len(matched),
                "rejected_count": len(self.line_ids) - len(matched),
                "amount_matched": sum(matched.mapped("amount")),
            }
        )

    def _telecom_pay_row_safely(self, line_no, row, journal):
        """``_telecom_pay_row`` in a savepoint: a payment that fails is rejected with the
        error, the others go on."""
        try:
            with self.env.cr.savepoint():
                return self._telecom_pay_row(line_no, row, journal)
        except RECORD_ERRORS as error:
            self.env.invalidate_all()
            return {"payment_file_id": self.id, "line_no": line_no, "state": "rejected",
                    "reference": row.get("reference"), "payer": row.get("payer"),
                    "reason": str(error)[:500]}  # fmt: skip

    def _telecom_pay_row(self, line_no, row, journal):
        """Values of the file line of one row, its payment registered when it matches."""
        vals = {"payment_file_id": self.id, "line_no": line_no, "reference": row.get("reference"),
                "payer": row.get("payer"), "state": "rejected"}  # fmt: skip
        try:
            amount = to_decimal(row.get("amount"), "amount", low=None)
            date = fields.Date.to_date(row.get("date"))
        except ValueError:
            date = None
        if date is None:
            return {**vals, "reason": self.env._(
                "amount %(amount)s or date %(date)s is not readable",
                amount=shown(row.get("amount")), date=shown(row.get("date")))}  # fmt: skip
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
