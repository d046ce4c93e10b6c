import base64
import csv
import io
from collections import defaultdict
from decimal import Decimal, InvalidOperation

import xlsxwriter

from odoo import api, fields, models
from odoo.exceptions import UserError

PARALLEL_RUN_STATES = [("draft", "Draft"), ("done", "Compared")]
EXPORT_HEADER = [
    "legacy_account",
    "customer",
    "account_status",
    "account_passed",
    "legacy_total",
    "odoo_total",
    "account_delta",
    "line",
    "line_description",
    "legacy_amount",
    "odoo_amount",
    "line_delta",
    "line_status",
]


class _Simulation(Exception):
    """Raised to roll back the simulated bill run: nothing it did is kept."""


class TelecomParallelRun(models.Model):
    """Parallel run: the legacy system's bills of a period against what our bill run would
    invoice for the same period, computed without posting or keeping anything."""

    _name = "telecom.parallel.run"
    _description = "Parallel Run (Legacy vs Odoo Bills)"
    _inherit = ["mail.thread"]
    _order = "period_start desc, id desc"

    # ------------------------------------------------------------
    # FIELDS
    # ------------------------------------------------------------

    name = fields.Char(required=True, default=lambda self: self.env._("Parallel run"))
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    period_start = fields.Date(required=True, help="Start of the billing period compared.")
    cycle_day = fields.Integer(
        compute="_compute_cycle_day", store=True, readonly=False, required=True, precompute=True
    )
    headers_file = fields.Binary(string="Legacy Bills (headers)", attachment=True)
    headers_filename = fields.Char()
    lines_file = fields.Binary(string="Legacy Bill Lines", attachment=True)
    lines_filename = fields.Char()
    plan_map_file = fields.Binary(
        string="Charge Code Mapping",
        attachment=True,
        help="Optional CSV legacy_code,plan: legacy charge codes of plans to our plan codes.",
    )
    plan_map_filename = fields.Char()
    line_tolerance = fields.Monetary(default=0.01, help="Largest line difference accepted.")
    account_tolerance = fields.Monetary(
        default=10.0, help="Largest difference of an account's total accepted."
    )
    state = fields.Selection(PARALLEL_RUN_STATES, default="draft", required=True, tracking=True)
    account_ids = fields.One2many("telecom.parallel.run.account", "run_id", string="Accounts")
    line_ids = fields.One2many("telecom.parallel.run.line", "run_id", string="Lines")
    account_count = fields.Integer(compute="_compute_counts")
    passed_count = fields.Integer(compute="_compute_counts")
    differing_count = fields.Integer(compute="_compute_counts")
    missing_ours_count = fields.Integer(string="Missing in Odoo", compute="_compute_counts")
    missing_legacy_count = fields.Integer(string="Missing in Legacy", compute="_compute_counts")
    export_file = fields.Binary(readonly=True, attachment=True)
    export_filename = fields.Char(readonly=True)

    # ------------------------------------------------------------
    # COMPUTE
    # ------------------------------------------------------------

    @api.depends("period_start")
    def _compute_cycle_day(self):
        for run in self:
            run.cycle_day = run.period_start.day if run.period_start else 1

    @api.depends("account_ids.status", "account_ids.passed")
    def _compute_counts(self):
        for run in self:
            accounts = run.account_ids
            run.account_count = len(accounts)
            run.passed_count = len(accounts.filtered("passed"))
            run.differing_count = len(accounts.filtered(lambda a: a.status == "differing"))
            run.missing_ours_count = len(accounts.filtered(lambda a: a.status == "missing_ours"))
            run.missing_legacy_count = len(
                accounts.filtered(lambda a: a.status == "missing_legacy")
            )

    # ------------------------------------------------------------
    # ACTION
    # ------------------------------------------------------------

    def action_compare(self):
        for run in self:
            run._telecom_compare()
        return True

    def action_export_csv(self):
        self.ensure_one()
        return self._telecom_download(self._telecom_export_csv(), "csv")

    def action_export_xlsx(self):
        self.ensure_one()
        return self._telecom_download(self._telecom_export_xlsx(), "xlsx")

    def _telecom_download(self, content, extension):
        self.write(
            {
                "export_file": base64.b64encode(content),
                "export_filename": f"parallel-run-{self.period_start}.{extension}",
            }
        )
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{self._name}/{self.id}/export_file/{self.export_filename}"
            "?download=true",
            "target": "self",
        }

    # ------------------------------------------------------------
    # BUSINESS: legacy side
    # ------------------------------------------------------------

    def _read_csv(self, field):
        if not self[field]:
            return []
        text = base64.b64decode(self[field]).decode("utf-8-sig")
        return [
            {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()}
            for row in csv.DictReader(io.StringIO(text, newline=""))
        ]

    @staticmethod
    def _money(value):
        try:
            return Decimal(value or "0").quantize(Decimal("0.01"))
        except InvalidOperation:
            raise UserError(f"Amount {value!r} in the legacy bills is not a number.") from None

    def _telecom_legacy_bills(self):
        """{legacy account: {'bill', 'total', 'lines': {key: [amount, description]}}}."""
        code_map = {row["legacy_code"]: row["plan"] for row in self._read_csv("plan_map_file")}
        bills = {}
        for row in self._read_csv("headers_file"):
            if row.get("period_start") and row["period_start"] != str(self.period_start):
                continue
            bills[row["bill_id"]] = {
                "account": row["account_id"],
                "bill": row["bill_id"],
                "total": self._money(row.get("total")),
                "lines": defaultdict(lambda: [Decimal(0), ""]),
            }
        for row in self._read_csv("lines_file"):
            bill = bills.get(row.get("bill_id"))
            if not bill:
                continue
            code = code_map.get(row.get("charge_code"), row.get("charge_code") or "")
            key = f"{row.get('service') or '-'} / {code}"
            bill["lines"][key][0] += self._money(row.get("amount"))
            bill["lines"][key][1] = row.get("description") or code
        return {bill["account"]: bill for bill in bills.values()}

    def _telecom_subscription_of(self, legacy_account):
        entry = self.env["telecom.migration.map"].search(
            [
                ("company_id", "=", self.company_id.id),
                ("kind", "=", "subscription"),
                ("legacy_id", "=", legacy_account),
            ],
            limit=1,
        )
        if entry:
            return self.env["telecom.subscription"].browse(entry.res_id).exists()
        return self.env["telecom.subscription"].search(
            [
                ("partner_id.ref", "=", legacy_account),
                ("company_id", "=", self.company_id.id),
                ("bill_cycle_day", "=", self.cycle_day),
            ],
            limit=1,
        )

    # ------------------------------------------------------------
    # BUSINESS: our side (simulated bill run)
    # ------------------------------------------------------------

    @api.model
    def _telecom_line_key(self, vals):
        service = self.env["telecom.service"].browse(vals.get("telecom_service_id"))
        ident = service._telecom_identifier() if service else ""
        kind = vals.get("telecom_line_kind")
        if kind in ("recurring", "charge"):
            product = self.env["product.product"].browse(vals.get("product_id"))
            code = product.default_code or product.name or kind.upper()
        else:
            code = (kind or "other").upper()
        return f"{ident or '-'} / {code}"

    def _telecom_simulate(self, subscriptions):
        """What the bill run would invoice each subscription for the period, computed in a
        savepoint rolled back at the end: no invoice, no charged-through date, nothing kept.
        Returns {subscription id: {key: [amount, description]}}."""
        currency = self.currency_id
        results = {}
        run = self.env["telecom.bill.run"].new(
            {
                "company_id": self.company_id.id,
                "cycle_day": self.cycle_day,
                "period_start": self.period_start,
                "auto_post": False,
            }
        )
        try:
            with self.env.cr.savepoint():
                for subscription in subscriptions:
                    bill = subscription._telecom_prepare_bill(run)
                    lines = defaultdict(lambda: [Decimal(0), ""])
                    for command in (bill or {}).get("move_vals", {}).get("invoice_line_ids", []):
                        vals = command[2]
                        if vals.get("display_type", "product") != "product":
                            continue
                        amount = currency.round(vals["quantity"] * vals["price_unit"])
                        if bill["move_vals"]["move_type"] == "out_refund":
                            amount = -amount
                        key = self._telecom_line_key(vals)
                        lines[key][0] += Decimal(str(amount)).quantize(Decimal("0.01"))
                        lines[key][1] = vals.get("name") or key
                    results[subscription.id] = lines if bill else None
                raise _Simulation
        except _Simulation:
            pass
        self.env.invalidate_all()
        return results

    # ------------------------------------------------------------
    # BUSINESS: comparison
    # ------------------------------------------------------------

    def _telecom_compare(self):
        self.ensure_one()
        if not self.headers_file:
            raise UserError(self.env._("Attach the legacy bill headers to compare."))
        self.account_ids.unlink()
        legacy = self._telecom_legacy_bills()
        legacy_subscriptions = {
            account: self._telecom_subscription_of(account) for account in legacy
        }
        ours = self.env["telecom.subscription"].search(
            [
                ("company_id", "=", self.company_id.id),
                ("bill_cycle_day", "=", self.cycle_day),
                ("state", "!=", "closed"),
            ]
        )
        for subscription in legacy_subscriptions.values():
            ours |= subscription
        simulated = self._telecom_simulate(ours)
        line_tol = Decimal(str(self.line_tolerance)).quantize(Decimal("0.01"))
        account_tol = Decimal(str(self.account_tolerance)).quantize(Decimal("0.01"))
        accounts_vals = []
        seen = set()
        for account, bill in legacy.items():
            subscription = legacy_subscriptions[account]
            our_lines = simulated.get(subscription.id) if subscription else None
            if subscription:
                seen.add(subscription.id)
            accounts_vals.append(
                self._telecom_account_vals(
                    account, bill, subscription, our_lines, line_tol, account_tol
                )
            )
        for subscription in ours:
            if subscription.id in seen or not simulated.get(subscription.id):
                continue
            account = subscription.partner_id.ref or subscription.name
            accounts_vals.append(
                self._telecom_account_vals(
                    account, None, subscription, simulated[subscription.id], line_tol, account_tol
                )
            )
        self.env["telecom.parallel.run.account"].create(accounts_vals)
        self.state = "done"
        self.message_post(
            body=self.env._(
                "%(n)s accounts compared: %(ok)s passed, %(diff)s differing, %(mo)s missing in "
                "Odoo, %(ml)s missing in the legacy system.",
                n=self.account_count,
                ok=self.passed_count,
                diff=self.differing_count,
                mo=self.missing_ours_count,
                ml=self.missing_legacy_count,
            )
        )
        return True

    def _telecom_account_vals(self, account, bill, subscription, our_lines, line_tol, acc_tol):
        legacy_lines = bill["lines"] if bill else {}
        our_lines = our_lines or {}
        lines = []
        for key in sorted(set(legacy_lines) | set(our_lines)):
            legacy_amount, legacy_label = legacy_lines.get(key, (None, ""))
            our_amount, our_label = our_lines.get(key, (None, ""))
            if our_amount is None:
                status = "missing_ours"
            elif legacy_amount is None:
                status = "missing_legacy"
            else:
                delta = our_amount - legacy_amount
                status = "matched" if abs(delta) <= line_tol else "differing"
            delta = (our_amount or 0) - (legacy_amount or 0)
            lines.append(
                (
                    0,
                    0,
                    {
                        "key": key,
                        "description": our_label or legacy_label,
                        "legacy_amount": float(legacy_amount or 0),
                        "our_amount": float(our_amount or 0),
                        "delta": float(delta),
                        "status": status,
                    },
                )
            )
        legacy_total = bill["total"] if bill else Decimal(0)
        our_total = sum((amount for amount, _label in our_lines.values()), Decimal(0))
        delta = our_total - legacy_total
        if not bill:
            status = "missing_legacy"
        elif not our_lines:
            status = "missing_ours"
        else:
            lines_ok = all(
                line[2]["status"] == "matched" or abs(Decimal(str(line[2]["delta"]))) <= line_tol
                for line in lines
            )
            status = "matched" if lines_ok and abs(delta) <= acc_tol else "differing"
        return {
            "run_id": self.id,
            "legacy_account": account,
            "legacy_bill": bill["bill"] if bill else False,
            "subscription_id": subscription.id if subscription else False,
            "partner_id": subscription.partner_id.id if subscription else False,
            "legacy_total": float(legacy_total),
            "our_total": float(our_total),
            "delta": float(delta),
            "status": status,
            "passed": status == "matched",
            "line_ids": lines,
        }

    def _telecom_export_rows(self):
        for account in self.account_ids:
            head = [
                account.legacy_account,
                account.partner_id.display_name or "",
                account.status,
                "1" if account.passed else "0",
                f"{account.legacy_total:.2f}",
                f"{account.our_total:.2f}",
                f"{account.delta:.2f}",
            ]
            for line in account.line_ids or [None]:
                yield (
                    head
                    + (
                        [
                            line.key,
                            line.description or "",
                            f"{line.legacy_amount:.2f}",
                            f"{line.our_amount:.2f}",
                            f"{line.delta:.2f}",
                            line.status,
                        ]
                        if line
                        else [""] * 6
                    )
                )

    def _telecom_export_csv(self):
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(EXPORT_HEADER)
        writer.writerows(self._telecom_export_rows())
        return out.getvalue().encode()

    def _telecom_export_xlsx(self):
        """The same rows as the CSV, amounts as numbers, one sheet."""
        out = io.BytesIO()
        workbook = xlsxwriter.Workbook(out, {"in_memory": True})
        sheet = workbook.add_worksheet(self.env._("Parallel run"))
        bold = workbook.add_format({"bold": True})
        money = workbook.add_format({"num_format": "#,##0.00"})
        amounts = {4, 5, 6, 9, 10, 11}
        sheet.write_row(0, 0, EXPORT_HEADER, bold)
        for row_no, row in enumerate(self._telecom_export_rows(), start=1):
            for col, value in enumerate(row):
                if col in amounts and value != "":
                    sheet.write_number(row_no, col, float(value), money)
                else:
                    sheet.write(row_no, col, value)
        sheet.freeze_panes(1, 0)
        workbook.close()
        return out.getvalue()
