import base64
import csv
import io
from collections import defaultdict
from decimal import Decimal

import xlsxwriter

from odoo import Command, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.telecom_catalog.tools.csv_rows import CsvRows, to_decimal

PARALLEL_RUN_STATES = [("draft", "Draft"), ("done", "Compared")]
EXPORT_HEADER = [
    "legacy_account",
    "customer",
    "account_status",
    "account_band",
    "legacy_total",
    "odoo_total",
    "account_delta",
    "line",
    "line_type",
    "tax_type",
    "line_description",
    "legacy_amount",
    "odoo_amount",
    "line_delta",
    "line_status",
    "line_band",
]
OUR_LINE_TYPES = {"charge": "charge", "discount": "discount", "usage": "usage", "tax": "tax"}


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
    batch_id = fields.Many2one(
        "telecom.migration.batch",
        string="Migration",
        index="btree_not_null",
        help="The migration whose go-live checklist counts this run in its coverage.",
    )
    match_tolerance = fields.Monetary(
        default=0.01, help="A difference up to this amount (line or account) matches."
    )
    review_ceiling = fields.Monetary(
        default=10.0,
        help="A difference above the match tolerance and up to this amount needs a review; "
        "above it, an investigation. It is a ceiling for review, not a pass.",
    )
    state = fields.Selection(PARALLEL_RUN_STATES, default="draft", required=True, tracking=True)
    account_ids = fields.One2many("telecom.parallel.run.account", "run_id", string="Accounts")
    line_ids = fields.One2many("telecom.parallel.run.line", "run_id", string="Lines")
    account_count = fields.Integer(compute="_compute_counts")
    passed_count = fields.Integer(string="Match", compute="_compute_counts")
    review_count = fields.Integer(string="Review", compute="_compute_counts")
    investigate_count = fields.Integer(string="Investigate", compute="_compute_counts")
    open_investigation_count = fields.Integer(compute="_compute_counts")
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

    @api.depends("account_ids.status", "account_ids.band", "account_ids.resolved")
    def _compute_counts(self):
        for run in self:
            accounts = run.account_ids
            run.account_count = len(accounts)
            run.passed_count = len(accounts.filtered("passed"))
            run.review_count = len(accounts.filtered(lambda a: a.band == "review"))
            run.investigate_count = len(accounts.filtered(lambda a: a.band == "investigate"))
            run.open_investigation_count = len(
                accounts.filtered(lambda a: a.band == "investigate" and not a.resolved)
            )
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
        """The rows of the legacy file ``field`` as dicts. The parallel run compares every
        row: a row that cannot be read stops it with the line and what is wrong."""
        if not self[field]:
            return []
        name = self[field.replace("_file", "_filename")] or field
        rows = CsvRows(self.env, base64.b64decode(self[field]), what=name)
        result = []
        for row in rows:
            if row.reason:
                raise UserError(
                    self.env._(
                        "%(file)s: %(reason)s The parallel run compares every row: fix the "
                        "file and run it again.",
                        file=name,
                        reason=row.reason,
                    )
                )
            result.append(dict(zip(rows.header, (v.strip() for v in row.values), strict=True)))
        return result

    def _money(self, value):
        try:
            return to_decimal(value, "amount", low=None, default="0").quantize(Decimal("0.01"))
        except ValueError as error:
            raise UserError(self.env._("The legacy bills: %(error)s.", error=error)) from None

    def _telecom_legacy_bills(self):
        """{legacy account: {'bill', 'total', 'lines': {key: line}}} (see ``_new_line``).

        A tax line (``line_type`` tax) is keyed by its tax type only, mapped through the code
        mapping (``FUSF,federal_usf``): taxes compare per tax type for the whole bill."""
        code_map = {row["legacy_code"]: row["plan"] for row in self._read_csv("plan_map_file")}
        bills = {}
        for row in self._read_csv("headers_file"):
            if row.get("period_start") and row["period_start"] != str(self.period_start):
                continue
            bills[row["bill_id"]] = {
                "account": row["account_id"],
                "bill": row["bill_id"],
                "total": self._money(row.get("total")),
                "lines": defaultdict(self._new_line),
            }
        for row in self._read_csv("lines_file"):
            bill = bills.get(row.get("bill_id"))
            if not bill:
                continue
            line_type = row.get("line_type") or "plan"
            if line_type == "tax":
                tax_type = code_map.get(row.get("tax_type"), row.get("tax_type") or "")
                key, code = f"TAX / {tax_type}", tax_type
            else:
                tax_type = ""
                code = code_map.get(row.get("charge_code"), row.get("charge_code") or "")
                key = f"{row.get('service') or '-'} / {code}"
            line = bill["lines"][key]
            line["amount"] += self._money(row.get("amount"))
            line.update(description=row.get("description") or code, type=line_type, tax=tax_type)
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

    @staticmethod
    def _new_line():
        return {"amount": Decimal(0), "description": "", "type": "other", "tax": ""}

    @api.model
    def _telecom_line_key(self, vals):
        """(key, line type, tax type) of one of our invoice lines."""
        kind = vals.get("telecom_line_kind")
        if kind == "tax":
            tax_type = vals.get("telecom_tax_kind") or ""
            return f"TAX / {tax_type}", "tax", tax_type
        service = self.env["telecom.service"].browse(vals.get("telecom_service_id"))
        ident = service._telecom_identifier() if service else ""
        product = self.env["product.product"].browse(vals.get("product_id"))
        if kind in ("recurring", "charge"):
            code = product.default_code or product.name or kind.upper()
        else:
            code = (kind or "other").upper()
        line_type = OUR_LINE_TYPES.get(kind) or (
            "addon" if product.telecom_is_addon else "plan" if product.telecom_is_plan else "other"
        )
        return f"{ident or '-'} / {code}", line_type, ""

    def _telecom_simulate(self, subscriptions):
        """What the bill run would invoice each subscription for the period, computed in a
        savepoint rolled back at the end: no invoice, no charged-through date, nothing kept.
        Returns {subscription id: {key: line}} (see ``_new_line``)."""
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
                    lines = defaultdict(self._new_line)
                    commands = (bill or {}).get("move_vals", {}).get("invoice_line_ids", [])
                    # taxes and fees are the invoice's tax lines (telecom_billing)
                    taxes = [
                        dict(tax, quantity=1, price_unit=tax["amount"], telecom_line_kind="tax")
                        for tax in (bill or {}).get("tax_lines", [])
                    ]
                    for vals in [command[2] for command in commands] + taxes:
                        if vals.get("display_type", "product") != "product":
                            continue
                        amount = currency.round(vals["quantity"] * vals["price_unit"])
                        if bill["move_vals"]["move_type"] == "out_refund":
                            amount = -amount
                        key, line_type, tax_type = self._telecom_line_key(vals)
                        line = lines[key]
                        line["amount"] += Decimal(str(amount)).quantize(Decimal("0.01"))
                        line.update(
                            description=vals.get("name") or key, type=line_type, tax=tax_type
                        )
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
        bands = (
            self._telecom_decimal(self.match_tolerance),
            self._telecom_decimal(self.review_ceiling),
        )
        accounts_vals = []
        seen = set()
        for account, bill in legacy.items():
            subscription = legacy_subscriptions[account]
            our_lines = simulated.get(subscription.id) if subscription else None
            if subscription:
                seen.add(subscription.id)
            accounts_vals.append(
                self._telecom_account_vals(account, bill, subscription, our_lines, bands)
            )
        for subscription in ours:
            if subscription.id in seen or not simulated.get(subscription.id):
                continue
            account = subscription.partner_id.ref or subscription.name
            accounts_vals.append(
                self._telecom_account_vals(
                    account, None, subscription, simulated[subscription.id], bands
                )
            )
        self.env["telecom.parallel.run.account"].create(accounts_vals)
        self.state = "done"
        self.message_post(
            body=self.env._(
                "%(n)s accounts compared: %(ok)s match, %(review)s to review, %(inv)s to "
                "investigate (%(mo)s missing in Odoo, %(ml)s missing in the legacy system).",
                n=self.account_count,
                ok=self.passed_count,
                review=self.review_count,
                inv=self.investigate_count,
                mo=self.missing_ours_count,
                ml=self.missing_legacy_count,
            )
        )
        return True

    @staticmethod
    def _telecom_decimal(value):
        return Decimal(str(value)).quantize(Decimal("0.01"))

    @staticmethod
    def _telecom_band(difference, bands):
        match_tolerance, review_ceiling = bands
        if abs(difference) <= match_tolerance:
            return "match"
        return "review" if abs(difference) <= review_ceiling else "investigate"

    def _telecom_line_vals(self, key, legacy_line, our_line, bands):
        if our_line is None:
            status = "missing_ours"
        elif legacy_line is None:
            status = "missing_legacy"
        else:
            status = None
        legacy_amount = legacy_line["amount"] if legacy_line else Decimal(0)
        our_amount = our_line["amount"] if our_line else Decimal(0)
        delta = our_amount - legacy_amount
        band = self._telecom_band(delta, bands)
        if status is None:
            status = "matched" if band == "match" else "differing"
        line = our_line or legacy_line
        return {
            "key": key,
            "line_type": line["type"],
            "tax_type": line["tax"] or False,
            "description": line["description"],
            "legacy_amount": float(legacy_amount),
            "our_amount": float(our_amount),
            "delta": float(delta),
            "status": status,
            "band": band,
        }

    def _telecom_account_vals(self, account, bill, subscription, our_lines, bands):
        legacy_lines = bill["lines"] if bill else {}
        our_lines = our_lines or {}
        lines = [
            self._telecom_line_vals(key, legacy_lines.get(key), our_lines.get(key), bands)
            for key in sorted(set(legacy_lines) | set(our_lines))
        ]
        legacy_total = bill["total"] if bill else Decimal(0)
        our_total = sum((line["amount"] for line in our_lines.values()), Decimal(0))
        delta = our_total - legacy_total
        worst = max([abs(delta)] + [abs(self._telecom_decimal(v["delta"])) for v in lines])
        band = self._telecom_band(worst, bands)
        if not bill:
            status, band = "missing_legacy", "investigate"
        elif not our_lines:
            status, band = "missing_ours", "investigate"
        else:
            status = "matched" if band == "match" else "differing"
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
            "band": band,
            "passed": band == "match",
            "line_ids": [Command.create(vals) for vals in lines],
        }

    def _telecom_export_rows(self):
        for account in self.account_ids:
            head = [
                account.legacy_account,
                account.partner_id.display_name or "",
                account.status,
                account.band,
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
                            line.line_type,
                            line.tax_type or "",
                            line.description or "",
                            f"{line.legacy_amount:.2f}",
                            f"{line.our_amount:.2f}",
                            f"{line.delta:.2f}",
                            line.status,
                            line.band,
                        ]
                        if line
                        else [""] * 9
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
        amounts = {4, 5, 6, 11, 12, 13}
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
