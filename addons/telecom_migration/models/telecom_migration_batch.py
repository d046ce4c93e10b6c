import base64
import csv
import io
from datetime import date
from decimal import Decimal, InvalidOperation

from dateutil.relativedelta import relativedelta

from odoo import Command, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.telecom_numbers.tools.e164 import normalize_e164

MIGRATION_STATES = [("draft", "Draft"), ("done", "Migrated"), ("failed", "Failed")]
HISTORY_MONTHS = 24
SUSPENSE_CODE = "999900"
OPENING_JOURNAL_CODE = "OPEN"


class RowError(ValueError):
    """A legacy row that cannot be migrated: its reason goes to the report."""


def _amount(value, what):
    try:
        return Decimal((value or "0").strip()).quantize(Decimal("0.01"))
    except InvalidOperation:
        raise RowError(f"{what} {value!r} is not an amount") from None


def _date(value, what):
    try:
        return date.fromisoformat((value or "").strip())
    except ValueError:
        raise RowError(f"{what} {value!r} is not a date (YYYY-MM-DD)") from None


class TelecomMigrationBatch(models.Model):
    """Migration of a legacy billing system from its CSV extracts; re-runnable."""

    _name = "telecom.migration.batch"
    _description = "Legacy Billing Migration"
    _inherit = ["mail.thread"]
    _order = "id desc"

    # ------------------------------------------------------------
    # FIELDS
    # ------------------------------------------------------------

    name = fields.Char(required=True, default=lambda self: self.env._("Legacy migration"))
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    date = fields.Date(
        string="Migration Date",
        required=True,
        default=fields.Date.context_today,
        help="Date of the opening entries; invoice history goes back 24 months from it.",
    )
    state = fields.Selection(MIGRATION_STATES, default="draft", required=True, tracking=True)
    customers_file = fields.Binary(attachment=True)
    customers_filename = fields.Char()
    services_file = fields.Binary(attachment=True)
    services_filename = fields.Char()
    plan_map_file = fields.Binary(string="Plan Mapping File", attachment=True)
    plan_map_filename = fields.Char()
    invoices_file = fields.Binary(string="Invoice History File", attachment=True)
    invoices_filename = fields.Char()
    journal_id = fields.Many2one(
        "account.journal",
        string="Opening Journal",
        domain="[('type', '=', 'general'), ('company_id', '=', company_id)]",
        help="Journal of the opening balances; an 'Opening Balances' journal is created "
        "when empty.",
    )
    suspense_account_id = fields.Many2one(
        "account.account",
        string="Suspense Account",
        help="Counterpart of the opening receivables, cleared when the legacy general ledger "
        "opening is booked; created (999900) when empty.",
    )
    opening_move_ids = fields.Many2many("account.move", string="Opening Entries", readonly=True)
    customer_count = fields.Integer(string="Customers Migrated", readonly=True)
    service_count = fields.Integer(string="Services Migrated", readonly=True)
    invoice_count = fields.Integer(string="Invoices Migrated", readonly=True)
    token_count = fields.Integer(string="Payment Tokens", readonly=True)
    reject_count = fields.Integer(compute="_compute_report")
    reject_ids = fields.One2many("telecom.migration.reject", "batch_id", string="Rejected Rows")
    balance_ids = fields.One2many("telecom.migration.balance", "batch_id", string="Balances")
    balance_mismatch_count = fields.Integer(compute="_compute_report")
    legacy_total = fields.Monetary(compute="_compute_report", string="Legacy Open Balance")
    odoo_total = fields.Monetary(compute="_compute_report", string="Open Balance in Odoo")
    suspense_balance = fields.Monetary(compute="_compute_report")
    report = fields.Text(readonly=True)

    # ------------------------------------------------------------
    # COMPUTE
    # ------------------------------------------------------------

    @api.depends("reject_ids", "balance_ids.matched", "opening_move_ids.state")
    def _compute_report(self):
        for batch in self:
            batch.reject_count = len(batch.reject_ids)
            batch.balance_mismatch_count = len(batch.balance_ids.filtered(lambda b: not b.matched))
            batch.legacy_total = sum(batch.balance_ids.mapped("legacy_balance"))
            batch.odoo_total = sum(batch.balance_ids.mapped("odoo_balance"))
            account = batch.suspense_account_id
            batch.suspense_balance = (
                sum(
                    self.env["account.move.line"]
                    .search([("account_id", "=", account.id), ("parent_state", "=", "posted")])
                    .mapped("balance")
                )
                if account
                else 0.0
            )

    # ------------------------------------------------------------
    # ACTION
    # ------------------------------------------------------------

    def action_run(self):
        for batch in self:
            batch.with_company(batch.company_id).with_context(
                tracking_disable=True, mail_create_nolog=True
            )._telecom_migrate()
        return True

    def action_view_history(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Legacy Invoices"),
            "res_model": "telecom.migration.invoice",
            "view_mode": "list,form",
        }

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    def _read_csv(self, field):
        content = self[field]
        if not content:
            return []
        text = base64.b64decode(content).decode("utf-8-sig")
        reader = csv.DictReader(io.StringIO(text, newline=""))
        return [
            (line_no, {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()})
            for line_no, row in enumerate(reader, start=2)
        ]

    def _map(self, kind, legacy_id):
        entry = self.env["telecom.migration.map"].search(
            [
                ("company_id", "=", self.company_id.id),
                ("kind", "=", kind),
                ("legacy_id", "=", legacy_id),
            ]
        )
        return entry, (self.env[entry.res_model].browse(entry.res_id) if entry else None)

    def _set_map(self, kind, legacy_id, record, **vals):
        entry, _record = self._map(kind, legacy_id)
        vals = {"res_model": record._name, "res_id": record.id, "batch_id": self.id, **vals}
        if entry:
            entry.write(vals)
        else:
            self.env["telecom.migration.map"].create(
                {"company_id": self.company_id.id, "kind": kind, "legacy_id": legacy_id, **vals}
            )

    def _reject(self, file, line_no, legacy_id, reason):
        self.env["telecom.migration.reject"].create(
            {
                "batch_id": self.id,
                "file": file,
                "line_no": line_no,
                "legacy_id": legacy_id,
                "reason": str(reason)[:500],
            }
        )

    def _each(self, file, rows, handler):
        """Run ``handler`` per row in a savepoint; a failing row is rejected with its reason."""
        done = 0
        for line_no, row in rows:
            try:
                with self.env.cr.savepoint():
                    if handler(row):
                        done += 1
            except (RowError, UserError, ValueError) as error:
                self._reject(file, line_no, row.get("legacy_id"), error)
        return done

    def _telecom_migrate(self):
        self.ensure_one()
        if not self.customers_file:
            raise UserError(self.env._("Attach the legacy customers file."))
        self.reject_ids.unlink()
        self.balance_ids.unlink()
        self._telecom_prepare_accounting()
        plans = self._telecom_plan_map()
        balances = {}
        self.customer_count = self._each(
            "customers",
            self._read_csv("customers_file"),
            lambda row: self._telecom_migrate_customer(row, balances),
        )
        self.token_count = len(
            self.env["telecom.migration.map"].search(
                [("batch_id", "=", self.id), ("kind", "=", "token")]
            )
        )
        self._telecom_opening_entries(balances)
        self.service_count = self._each(
            "services",
            self._read_csv("services_file"),
            lambda row: self._telecom_migrate_service(row, plans),
        )
        cutoff = self.date - relativedelta(months=HISTORY_MONTHS)
        self.invoice_count = self._each(
            "invoices",
            self._read_csv("invoices_file"),
            lambda row: self._telecom_migrate_invoice(row, cutoff),
        )
        self._telecom_check_balances(balances)
        self.state = "done"
        self.report = self._telecom_report_text()
        self.message_post(body=self.report.replace("\n", "<br/>"))
        return True

    def _telecom_prepare_accounting(self):
        company = self.company_id
        if not self.journal_id:
            journal = self.env["account.journal"].search(
                [("code", "=", OPENING_JOURNAL_CODE), ("company_id", "=", company.id)], limit=1
            )
            self.journal_id = journal or self.env["account.journal"].create(
                {
                    "name": self.env._("Opening Balances"),
                    "code": OPENING_JOURNAL_CODE,
                    "type": "general",
                    "company_id": company.id,
                }
            )
        if not self.suspense_account_id:
            account = self.env["account.account"].search(
                [("code", "=", SUSPENSE_CODE), ("company_ids", "in", company.id)], limit=1
            )
            self.suspense_account_id = account or self.env["account.account"].create(
                {
                    "name": self.env._("Legacy Migration Suspense"),
                    "code": SUSPENSE_CODE,
                    "account_type": "asset_current",
                    "company_ids": [Command.set(company.ids)],
                }
            )

    def _telecom_plan_map(self):
        plans = {}
        Product = self.env["product.product"]
        for line_no, row in self._read_csv("plan_map_file"):
            code, target = row.get("legacy_code"), row.get("plan")
            product = Product.search([("default_code", "=", target)], limit=1) or Product.search(
                [("name", "=", target)], limit=1
            )
            if not code or not product or not product.telecom_is_plan:
                self._reject(
                    "plan_map", line_no, code, f"plan {target!r} is not a plan of the catalog"
                )
                continue
            plans[code] = product
        return plans

    def _telecom_migrate_customer(self, row, balances):
        legacy_id = row.get("legacy_id")
        if not legacy_id or not row.get("name"):
            raise RowError("legacy id and name are required")
        try:
            cycle_day = int(row.get("bill_cycle_day") or 0)
        except ValueError:
            raise RowError(
                f"bill cycle day {row.get('bill_cycle_day')!r} is not a number"
            ) from None
        if not 1 <= cycle_day <= 28:
            raise RowError(f"bill cycle day {cycle_day} cannot be kept: Odoo bills on days 1-28")
        balance = _amount(row.get("balance"), "balance")
        us = self.env.ref("base.us")
        state = self.env["res.country.state"].search(
            [("country_id", "=", us.id), ("code", "=", row.get("state") or "")], limit=1
        )
        types = dict(self.env["res.partner"]._fields["telecom_customer_type"].selection)
        customer_type = row.get("customer_type") or False
        if customer_type and customer_type not in types:
            raise RowError(f"customer type {customer_type!r} is not one of {', '.join(types)}")
        partner_vals = {
            "name": row["name"],
            "is_company": True,
            "email": row.get("email") or False,
            "phone": row.get("phone") or False,
            "street": row.get("street") or False,
            "city": row.get("city") or False,
            "zip": row.get("zip") or False,
            "state_id": state.id or False,
            "country_id": us.id,
            "telecom_customer_type": customer_type,
            "ref": legacy_id,
        }
        _entry, partner = self._map("customer", legacy_id)
        if partner:
            partner.write(partner_vals)
        else:
            partner = self.env["res.partner"].create(partner_vals)
            self._set_map("customer", legacy_id, partner)
        _entry, subscription = self._map("subscription", legacy_id)
        if subscription:
            subscription.bill_cycle_day = cycle_day
        else:
            subscription = self.env["telecom.subscription"].create(
                {"partner_id": partner.id, "bill_cycle_day": cycle_day}
            )
            self._set_map("subscription", legacy_id, subscription)
        if row.get("payment_token"):
            self._telecom_migrate_token(row, partner)
        balances[legacy_id] = (partner, balance)
        return True

    def _telecom_migrate_token(self, row, partner):
        """A standard payment token where the provider exists; otherwise the reference is
        kept in the mapping (and reported) for when the provider is set up."""
        legacy_id, reference = row["legacy_id"], row["payment_token"]
        provider_name = row.get("payment_provider") or ""
        provider = self.env["payment.provider"].search(
            [
                "|",
                ("code", "=", provider_name.lower()),
                ("name", "=ilike", provider_name),
                ("company_id", "=", self.company_id.id),
            ],
            limit=1,
        )
        method = self.env.ref("payment.payment_method_card", raise_if_not_found=False)
        if provider and method and provider_name:
            token = self._map("token", legacy_id)[1]
            vals = {
                "provider_id": provider.id,
                "payment_method_id": method.id,
                "partner_id": partner.id,
                "provider_ref": reference,
                "payment_details": row.get("card_last4") or False,
            }
            if token and token._name == "payment.token":
                token.write(vals)
            else:
                token = self.env["payment.token"].create(vals)
            self._set_map("token", legacy_id, token, note=provider.name)
        else:
            self._set_map(
                "token",
                legacy_id,
                partner,
                note=self.env._(
                    "No provider %(p)s: reference %(ref)s kept", p=provider_name, ref=reference
                ),
            )

    def _telecom_opening_entries(self, balances):
        """One opening entry for the balance changes since the last run: each account's
        receivable against the suspense account (the entry balances to zero)."""
        currency = self.currency_id
        lines, total = [], Decimal(0)
        for legacy_id, (partner, balance) in balances.items():
            entry = self._map("opening", legacy_id)[0]
            previous = Decimal(str(entry.amount)).quantize(Decimal("0.01")) if entry else 0
            delta = balance - previous
            if delta:
                account = partner.with_company(self.company_id).property_account_receivable_id
                lines.append(
                    Command.create(
                        {
                            "name": self.env._("Opening balance %(ref)s", ref=legacy_id),
                            "account_id": account.id,
                            "partner_id": partner.id,
                            "debit": float(delta) if delta > 0 else 0.0,
                            "credit": float(-delta) if delta < 0 else 0.0,
                        }
                    )
                )
                total += delta
            self._set_map("opening", legacy_id, partner, amount=float(balance))
        if not lines:
            return
        lines.append(
            Command.create(
                {
                    "name": self.env._("Legacy opening balances"),
                    "account_id": self.suspense_account_id.id,
                    "debit": float(-total) if total < 0 else 0.0,
                    "credit": float(total) if total > 0 else 0.0,
                }
            )
        )
        move = self.env["account.move"].create(
            {
                "move_type": "entry",
                "journal_id": self.journal_id.id,
                "date": self.date,
                "ref": self.env._("Legacy migration: opening balances (%(name)s)", name=self.name),
                "line_ids": lines,
            }
        )
        move.action_post()
        self.opening_move_ids = [Command.link(move.id)]
        assert currency.is_zero(sum(move.line_ids.mapped("balance")))

    def _telecom_migrate_service(self, row, plans):
        legacy_id = row.get("legacy_id")
        if not legacy_id:
            raise RowError("legacy id is required")
        _entry, subscription = self._map("subscription", row.get("customer_id") or "")
        if not subscription:
            raise RowError(f"unknown customer {row.get('customer_id')!r}")
        code = row.get("plan_code")
        plan = plans.get(code)
        if not plan:
            raise RowError(f"unmapped plan code {code!r}: add it to the plan mapping")
        start = _date(row.get("start_date"), "start date")
        billed = (
            _date(row["billed_through"], "billed through") if row.get("billed_through") else None
        )
        vals = {
            "subscription_id": subscription.id,
            "product_id": plan.id,
            "service_address_id": subscription.partner_id.id,
            "circuit_id": row.get("circuit_id") or False,
        }
        _entry, service = self._map("service", legacy_id)
        if service:
            service.write(vals)
        else:
            service = self.env["telecom.service"].create(vals)
            self._set_map("service", legacy_id, service)
        # live in the legacy system: active as it is, no activation request to the network
        service.write(
            {
                "state": "active",
                "date_start": start,
                "charged_until": billed or start - relativedelta(days=1),
            }
        )
        if row.get("number"):
            self._telecom_migrate_number(row["number"], service)
        return True

    def _telecom_migrate_number(self, value, service):
        name = normalize_e164(value)
        if not name:
            raise RowError(f"number {value!r} is not a phone number")
        Number = self.env["telecom.number"]
        number = Number.search([("name", "=", name)], limit=1)
        if number.service_id and number.service_id != service and number.status == "assigned":
            raise RowError(f"number {name} is assigned to {number.service_id.display_name}")
        vals = {
            "status": "assigned",
            "partner_id": service.partner_id.id,
            "service_id": service.id,
        }
        if number:
            number.write(vals)
        else:
            state = service.partner_id.state_id.code
            Number.create({"name": name, "state_code": state or False, **vals})

    def _telecom_migrate_invoice(self, row, cutoff):
        legacy_id = row.get("legacy_id")
        if not legacy_id:
            raise RowError("legacy id is required")
        invoice_date = _date(row.get("invoice_date"), "invoice date")
        if invoice_date < cutoff:
            return False  # older than the history kept: skipped on purpose
        _entry, partner = self._map("customer", row.get("customer_id") or "")
        if not partner:
            raise RowError(f"unknown customer {row.get('customer_id')!r}")
        _entry, subscription = self._map("subscription", row["customer_id"])
        vals = {
            "company_id": self.company_id.id,
            "legacy_ref": legacy_id,
            "partner_id": partner.id,
            "subscription_id": subscription.id if subscription else False,
            "invoice_date": invoice_date,
            "date_due": _date(row["due_date"], "due date") if row.get("due_date") else False,
            "period_start": _date(row["period_start"], "period start")
            if row.get("period_start")
            else False,
            "period_end": _date(row["period_end"], "period end")
            if row.get("period_end")
            else False,
            "amount_total": float(_amount(row.get("amount_total"), "amount")),
            "amount_residual": float(_amount(row.get("amount_due"), "amount due")),
            "legacy_state": row.get("status") or False,
        }
        History = self.env["telecom.migration.invoice"].sudo()
        existing = History.search(
            [("company_id", "=", self.company_id.id), ("legacy_ref", "=", legacy_id)]
        )
        if existing:
            existing.write(vals)
        else:
            History.create(vals)
            self._set_map("invoice", legacy_id, partner)
        return True

    def _telecom_check_balances(self, balances):
        self.env.flush_all()
        vals_list = []
        for legacy_id, (partner, legacy) in balances.items():
            self.env.cr.execute(
                """SELECT COALESCE(SUM(l.balance), 0) FROM account_move_line l
                     JOIN account_account a ON a.id = l.account_id
                    WHERE l.partner_id = %s AND l.parent_state = 'posted'
                      AND l.company_id = %s AND a.account_type = 'asset_receivable'""",
                [partner.id, self.company_id.id],
            )
            vals_list.append(
                {
                    "batch_id": self.id,
                    "legacy_id": legacy_id,
                    "partner_id": partner.id,
                    "legacy_balance": float(legacy),
                    "odoo_balance": float(self.env.cr.fetchone()[0]),
                }
            )
        self.env["telecom.migration.balance"].create(vals_list)

    def _telecom_report_text(self):
        self.invalidate_recordset()
        lines = [
            self.env._(
                "Customers: %(c)s, services: %(s)s, invoices (last %(m)s months): %(i)s, "
                "payment tokens: %(t)s.",
                c=self.customer_count,
                s=self.service_count,
                i=self.invoice_count,
                m=HISTORY_MONTHS,
                t=self.token_count,
            ),
            self.env._(
                "Open balances: legacy %(legacy)s, Odoo %(odoo)s; %(n)s account(s) differ.",
                legacy=self.currency_id.format(self.legacy_total),
                odoo=self.currency_id.format(self.odoo_total),
                n=self.balance_mismatch_count,
            ),
            self.env._("Rejected rows: %(n)s.", n=self.reject_count),
        ]
        lines += [
            f"  {r.file} line {r.line_no} ({r.legacy_id or '-'}): {r.reason}"
            for r in self.reject_ids
        ]
        return "\n".join(lines)
