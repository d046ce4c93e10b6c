import base64
import csv
import io
import re
import time
import zipfile
from collections import defaultdict
from decimal import Decimal

from dateutil.relativedelta import relativedelta

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from odoo.addons.telecom_catalog.tools.adapter_errors import RECORD_ERRORS
from odoo.addons.telecom_catalog.tools.csv_rows import RAW_CHARS, CsvRows, printable, shown
from odoo.addons.telecom_numbers.tools.e164 import normalize_e164

from ..tools.legacy import RowError, amount, optional_date, to_date

MIGRATION_STATES = [("draft", "Draft"), ("done", "Migrated"), ("failed", "Failed")]
LONG_CYCLE_POLICIES = [
    ("day_28", "Bill on day 28 (a few days earlier)"),
    ("day_1", "Bill on day 1 (the days up to it billed once, prorated)"),
]
VALIDATION_STATES = [("passed", "Passed"), ("failed", "Failed")]
HISTORY_MONTHS = 24
SUSPENSE_CODE = "999900"
OPENING_JOURNAL_CODE = "OPEN"
LINE_END = re.compile(r"(\r\n|\r|\n)")
CHUNK = 1000  # rows created per batch; a chunk with a failing row is redone row by row
COPY_ROWS = 50_000  # rows of a staging table written per COPY (the memory of a file read)
OPEN_ITEMS_PER_ENTRY = 500
REPORT_LIST_LIMIT = 100  # accounts and rejected rows listed by name in the report text
ROW_ERRORS = (RowError, ValueError, *RECORD_ERRORS)
# the columns each extract must have (its header is refused without them)
REQUIRED_COLUMNS = {
    "customers": ["legacy_id", "name"],
    "services": ["legacy_id", "customer_id"],
    "plan_map": ["legacy_code", "plan"],
    "invoices": ["legacy_id", "customer_id"],
    "invoice_lines": ["invoice_id"],
}
# legacy customer columns owned by modules above billing (CPNI: telecom_regulatory): kept on the
# mapping and reported when no installed module takes them
KEPT_COLUMNS = ("cpni_approval", "cpni_approval_date", "cpni_optout_notice_date")
# legacy words for the bill delivery preference
BILL_DELIVERY = {
    "email": "email",
    "e-mail": "email",
    "ebill": "email",
    "portal": "portal",
    "online": "portal",
    "paper": "paper",
    "mail": "paper",
    "print": "paper",
}


class _Rehearsal(Exception):
    """Raised to roll back a rehearsal: nothing it did is kept."""


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
        help="Cut-over date: credits and deposits are booked on it; invoice history goes back "
        "24 months from it.",
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
    invoice_lines_file = fields.Binary(string="Invoice Lines File", attachment=True)
    invoice_lines_filename = fields.Char()
    pdf_archive = fields.Binary(
        string="Invoice PDFs (ZIP)",
        attachment=True,
        help="Optional ZIP of the legacy invoice PDFs, each named <legacy invoice id>.pdf.",
    )
    pdf_archive_filename = fields.Char()
    long_cycle_policy = fields.Selection(
        LONG_CYCLE_POLICIES,
        string="Bill Cycle Days 29-31",
        required=True,
        default="day_1",
        tracking=True,
        help="Odoo bills on days 1 to 28. Day 28: the account bills a few days earlier and the "
        "days between the legacy billed-through date and the new period are prorated on the "
        "first bill. Day 1: the account bills on the 1st; the bridging days (e.g. the 30th and "
        "31st) are prorated once on the first bill. No customer is rejected for its cycle day.",
    )
    duplicate_threshold = fields.Integer(
        default=50,
        help="Score (0-100) from which two customers are candidate duplicates: same email 40, "
        "same phone 35, same service address 25, same name 25.",
    )
    duplicate_ids = fields.One2many(
        "telecom.migration.duplicate", "batch_id", string="Candidate Duplicates"
    )
    duplicate_pending_count = fields.Integer(compute="_compute_duplicate_counts")
    journal_id = fields.Many2one(
        "account.journal",
        string="Opening Journal",
        domain="[('type', '=', 'general'), ('company_id', '=', company_id)]",
        help="Journal of the open items; an 'Opening Balances' journal is created when empty.",
    )
    suspense_account_id = fields.Many2one(
        "account.account",
        string="Suspense Account",
        help="Counterpart of the open items, cleared when the legacy general ledger opening "
        "is booked; created (999900) when empty.",
    )
    opening_move_ids = fields.Many2many("account.move", string="Open Item Entries", readonly=True)
    customer_count = fields.Integer(string="Customers Migrated", readonly=True)
    service_count = fields.Integer(string="Services Migrated", readonly=True)
    invoice_count = fields.Integer(string="Invoices Migrated", readonly=True)
    token_count = fields.Integer(string="Payment Tokens", readonly=True)
    open_item_count = fields.Integer(string="Open Items", readonly=True)
    reject_count = fields.Integer(compute="_compute_report")
    reject_ids = fields.One2many("telecom.migration.reject", "batch_id", string="Rejected Rows")
    balance_ids = fields.One2many("telecom.migration.balance", "batch_id", string="Balances")
    file_check_ids = fields.One2many(
        "telecom.migration.file.check", "batch_id", string="File Checks"
    )
    kept_ids = fields.One2many(
        "telecom.migration.map",
        "batch_id",
        string="Not Carried Over",
        domain=[("kind", "=", "kept")],
    )
    balance_mismatch_count = fields.Integer(compute="_compute_report")
    legacy_total = fields.Monetary(compute="_compute_report", string="Legacy Open Balance")
    odoo_total = fields.Monetary(compute="_compute_report", string="Open Balance in Odoo")
    suspense_balance = fields.Monetary(compute="_compute_report")
    validation_state = fields.Selection(
        VALIDATION_STATES,
        readonly=True,
        tracking=True,
        help="Passed when every row of every file landed (or was skipped on purpose), file "
        "totals match and every account's balance matches to the cent.",
    )
    report = fields.Text(readonly=True)
    duration = fields.Float(
        string="Last Run (seconds)", readonly=True, help="Wall-clock time of the last run."
    )
    rehearsal_ids = fields.One2many("telecom.migration.rehearsal", "batch_id", string="Rehearsals")
    # go-live checklist
    parallel_run_ids = fields.One2many("telecom.parallel.run", "batch_id", string="Parallel Runs")
    cycle_days_uncovered = fields.Char(
        compute="_compute_golive",
        help="Bill cycle days of the migrated accounts with no parallel run compared for a "
        "full cycle.",
    )
    never_compared_count = fields.Integer(
        compute="_compute_golive", help="Migrated accounts that no parallel run compared."
    )
    open_investigation_count = fields.Integer(compute="_compute_golive")
    check_coverage = fields.Boolean(string="Coverage Complete", compute="_compute_golive")
    check_investigations = fields.Boolean(
        string="No Open Investigations", compute="_compute_golive"
    )
    check_balances = fields.Boolean(string="Balances Reconciled", compute="_compute_golive")
    golive_signed_by_id = fields.Many2one(
        "res.users", string="Go-live Signed By", readonly=True, tracking=True
    )
    golive_signed_on = fields.Datetime(string="Go-live Signed On", readonly=True)

    # ------------------------------------------------------------
    # COMPUTE
    # ------------------------------------------------------------

    @api.depends("duplicate_ids.decision")
    def _compute_duplicate_counts(self):
        for batch in self:
            batch.duplicate_pending_count = len(
                batch.duplicate_ids.filtered(lambda d: d.decision == "pending")
            )

    @api.depends("reject_ids", "balance_ids.matched", "opening_move_ids.state")
    def _compute_report(self):
        # aggregated in SQL: a batch of 100,000 accounts has as many balance checks
        domain = [("batch_id", "in", self.ids)]
        Balance = self.env["telecom.migration.balance"]
        rejects = dict(
            self.env["telecom.migration.reject"]._read_group(domain, ["batch_id"], ["__count"])
        )
        totals = {
            batch: (legacy, odoo)
            for batch, legacy, odoo in Balance._read_group(
                domain, ["batch_id"], ["legacy_balance:sum", "odoo_balance:sum"]
            )
        }
        mismatches = dict(
            Balance._read_group([*domain, ("matched", "=", False)], ["batch_id"], ["__count"])
        )
        for batch in self:
            legacy, odoo = totals.get(batch, (0.0, 0.0))
            batch.reject_count = rejects.get(batch, 0)
            batch.balance_mismatch_count = mismatches.get(batch, 0)
            batch.legacy_total = legacy
            batch.odoo_total = odoo
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

    @api.depends(
        "state",
        "validation_state",
        "balance_mismatch_count",
        "parallel_run_ids.state",
        "parallel_run_ids.account_ids.band",
        "parallel_run_ids.account_ids.resolved",
    )
    def _compute_golive(self):
        for batch in self:
            runs = batch.parallel_run_ids.filtered(lambda r: r.state == "done")
            subscriptions = batch._telecom_migrated_subscriptions()
            covered = set(runs.mapped("cycle_day"))
            uncovered = sorted(set(subscriptions.mapped("bill_cycle_day")) - covered)
            compared = runs.account_ids.subscription_id
            batch.cycle_days_uncovered = ", ".join(map(str, uncovered))
            batch.never_compared_count = len(subscriptions - compared)
            batch.open_investigation_count = sum(runs.mapped("open_investigation_count"))
            batch.check_coverage = bool(runs) and not uncovered and not (subscriptions - compared)
            batch.check_investigations = bool(runs) and not batch.open_investigation_count
            batch.check_balances = batch.state == "done" and not batch.balance_mismatch_count

    # ------------------------------------------------------------
    # ACTION
    # ------------------------------------------------------------

    def action_sign_off(self):
        """Staff sign the go-live off; refused, with what is missing, until coverage is
        complete, no investigation is open and the balances are reconciled."""
        self.ensure_one()
        missing = []
        if not self.check_coverage:
            missing.append(
                self.env._(
                    "coverage: bill cycle days not compared for a full cycle: %(days)s; "
                    "accounts never compared: %(n)s",
                    days=self.cycle_days_uncovered or "-",
                    n=self.never_compared_count,
                )
            )
        if not self.check_investigations:
            missing.append(
                self.env._(
                    "%(n)s parallel-run account(s) still to investigate",
                    n=self.open_investigation_count,
                )
            )
        if not self.check_balances:
            missing.append(
                self.env._(
                    "balances: %(n)s account(s) differ from the legacy files",
                    n=self.balance_mismatch_count,
                )
            )
        if missing:
            raise UserError(
                self.env._(
                    "The go-live cannot be signed off yet:\n%(items)s",
                    items="\n".join(f"- {item}" for item in missing),
                )
            )
        self.write({"golive_signed_by_id": self.env.uid, "golive_signed_on": fields.Datetime.now()})
        self.message_post(body=self.env._("Go-live checklist signed off."))
        return True

    def action_view_never_compared(self):
        self.ensure_one()
        compared = self.parallel_run_ids.account_ids.subscription_id
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Accounts Never Compared"),
            "res_model": "telecom.subscription",
            "view_mode": "list,form",
            "domain": [("id", "in", (self._telecom_migrated_subscriptions() - compared).ids)],
        }

    def action_rehearse(self):
        """Run the migration in full, check it, record what it found and how long it took,
        then roll everything back: as many times as needed before the real run."""
        self.ensure_one()
        started, clock = fields.Datetime.now(), time.monotonic()
        try:
            with self.env.cr.savepoint():
                self.with_company(self.company_id).with_context(
                    tracking_disable=True, mail_create_nolog=True
                )._telecom_migrate()
                self.invalidate_recordset()
                values = self._telecom_rehearsal_values()
                raise _Rehearsal
        except _Rehearsal:
            pass
        self.env.invalidate_all()
        duration = time.monotonic() - clock
        return self.env["telecom.migration.rehearsal"].create(
            {
                "batch_id": self.id,
                "started": started,
                "duration": duration,
                "user_id": self.env.uid,
                **values,
            }
        )

    def action_find_duplicates(self):
        for batch in self:
            if not batch.customers_file:
                raise UserError(self.env._("Attach the legacy customers file."))
            rows = [item for item in batch._read_csv("customers_file") if "_reason" not in item[1]]
            found = self.env["telecom.migration.duplicate"]._telecom_find(batch, rows)
            batch.message_post(
                body=self.env._("%(n)s candidate duplicate(s) to review.", n=len(found.exists()))
            )
        return self.action_view_duplicates()

    def action_view_duplicates(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Candidate Duplicates"),
            "res_model": "telecom.migration.duplicate",
            "view_mode": "list,form",
            "domain": [("batch_id", "=", self.id)],
            "context": {"search_default_pending": 1},
        }

    def action_run(self):
        for batch in self:
            started = time.monotonic()
            batch.with_company(batch.company_id).with_context(
                tracking_disable=True, mail_create_nolog=True, mail_create_nosubscribe=True
            )._telecom_migrate()
            batch.duration = time.monotonic() - started
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
    # BUSINESS: files and mapping
    # ------------------------------------------------------------

    def _telecom_rehearsal_values(self):
        fields_kept = (
            "validation_state",
            "customer_count",
            "service_count",
            "invoice_count",
            "open_item_count",
            "reject_count",
            "balance_mismatch_count",
            "legacy_total",
            "odoo_total",
            "report",
        )
        return {name: self[name] for name in fields_kept}

    def _telecom_migrated_subscriptions(self):
        entries = self.env["telecom.migration.map"].search(
            [("batch_id", "=", self.id), ("kind", "=", "subscription")]
        )
        return self.env["telecom.subscription"].browse(entries.mapped("res_id")).exists()

    def _read_csv(self, field):
        """``[(line number, {column: stripped value, "_raw": the line})]`` of the file
        ``field``; a row that cannot be read (bytes that are not UTF-8, wrong column
        count...) has only ``_reason`` and ``_raw``."""
        return list(self._iter_csv(field))

    def _iter_csv(self, field):
        """The rows of ``_read_csv``, read as a stream from the file's attachment (never the
        whole file in memory)."""
        attachment = (
            self.env["ir.attachment"]
            .sudo()
            .search(
                [
                    ("res_model", "=", self._name),
                    ("res_field", "=", field),
                    ("res_id", "=", self.id),
                ],
                limit=1,
            )
        )
        if not attachment:
            return
        if attachment.store_fname:
            stream = open(attachment._full_path(attachment.store_fname), "rb")  # noqa: SIM115
        else:
            stream = io.BytesIO(attachment.raw or b"")
        with stream:
            rows = CsvRows(
                self.env,
                stream,
                REQUIRED_COLUMNS[field.removesuffix("_file")],
                what=self.env._("The file %(name)s", name=self[field.replace("_file", "_filename")]
                                or field),
            )  # fmt: skip
            header = rows.header
            for row in rows:
                if row.reason:
                    yield row.line_no, {"_reason": row.reason, "_raw": printable(row.raw)}
                else:
                    values = {h: v.strip() for h, v in zip(header, row.values, strict=True)}
                    yield row.line_no, {**values, "_raw": row.raw}

    def _telecom_reimport_rows(self, rejects):
        """Put the corrected ``rejects`` in their files, in place of the lines they were
        read from, and run the migration again (it is re-runnable: what landed is
        updated, not duplicated). Returns what it did, in a sentence."""
        for file in set(rejects.mapped("file")):
            field = f"{file}_file"
            lines = LINE_END.split(base64.b64decode(self[field]).decode(errors="surrogateescape"))
            for reject in rejects.filtered(lambda r, f=file: r.file == f):
                lines[2 * (reject.line_no - 1)] = (reject.raw or "").replace("\n", " ")
            self[field] = base64.b64encode("".join(lines).encode(errors="surrogateescape"))
        self.action_run()
        return self.env._(
            "%(name)s migrated again with the corrected rows: %(n)s rows rejected.",
            name=self.name,
            n=self.reject_count,
        )

    def _readable(self, file, rows):
        """``rows`` without the ones that cannot be read, which are rejected."""
        for line_no, row in rows:
            if "_reason" in row:
                self._reject(file, line_no, row, row["_reason"])
        return [(line_no, row) for line_no, row in rows if "_reason" not in row]

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

    def _reject(self, file, line_no, row, reason):
        """Reject ``row`` (dict of the file's row, kept to be corrected) with ``reason``."""
        self.env["telecom.migration.reject"].create(
            {
                "batch_id": self.id,
                "file": file,
                "line_no": line_no,
                "legacy_id": row.get("legacy_id") or row.get("legacy_code"),
                "reason": str(reason)[:500],
                "raw": printable(row.get("_raw") or "")[:RAW_CHARS],
            }
        )

    def _each(self, file, rows, handler):
        """Run ``handler(line_no, row)`` per row in a savepoint; a failing row is rejected with
        its reason. Returns the rows that landed."""
        done = []
        for line_no, row in rows:
            try:
                with self.env.cr.savepoint():
                    done += handler(line_no, row)
            except ROW_ERRORS as error:
                self.env.invalidate_all()
                self._reject(file, line_no, row, error)
        return done

    def _chunked(self, file, rows, handler):
        """``handler(rows)`` creates the records of a chunk of rows in batches and returns
        the rows that landed (rejecting the rows it finds invalid). When a chunk fails, it is
        rolled back and done again row by row, so only the failing row is rejected."""
        done = []
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start : start + CHUNK]
            try:
                with self.env.cr.savepoint():
                    done += handler(chunk)
            except ROW_ERRORS:
                self.env.invalidate_all()
                done += self._each(file, chunk, lambda no, row: handler([(no, row)]))
        return done

    def _maps(self, kind, legacy_ids):
        """{legacy id: mapping} of ``kind`` for ``legacy_ids``."""
        entries = self.env["telecom.migration.map"].search(
            [
                ("company_id", "=", self.company_id.id),
                ("kind", "=", kind),
                ("legacy_id", "in", list(legacy_ids)),
            ]
        )
        return {entry.legacy_id: entry for entry in entries}

    def _create_maps(self, kind, items):
        """Mappings of ``kind`` for ``items`` [(legacy id, record, extra values)]."""
        self.env["telecom.migration.map"].create(
            [
                {
                    "company_id": self.company_id.id,
                    "kind": kind,
                    "legacy_id": legacy_id,
                    "res_model": record._name,
                    "res_id": record.id,
                    "batch_id": self.id,
                    **vals,
                }
                for legacy_id, record, vals in items
            ]
        )

    # ------------------------------------------------------------
    # BUSINESS: the run
    # ------------------------------------------------------------

    def _telecom_migrate(self):
        self.ensure_one()
        if not self.customers_file:
            raise UserError(self.env._("Attach the legacy customers file."))
        if self.duplicate_pending_count:
            raise UserError(
                self.env._(
                    "%(n)s candidate duplicate(s) wait for a decision (merge or keep apart): "
                    "nothing is merged without one. Review them under Duplicates.",
                    n=self.duplicate_pending_count,
                )
            )
        self.reject_ids.unlink()
        self.balance_ids.unlink()
        self.file_check_ids.unlink()
        self._telecom_prepare_accounting()
        plans = self._telecom_plan_map()
        files = {name: self._read_csv(f"{name}_file") for name in ("customers", "services")}
        merges = self._telecom_merge_targets()
        states = {
            state.code: state.id
            for state in self.env["res.country.state"].search([("country_id.code", "=", "US")])
        }
        readable = {name: self._readable(name, rows) for name, rows in files.items()}
        customers = self._chunked(
            "customers",
            readable["customers"],
            lambda chunk: self._telecom_migrate_customers(chunk, merges, states),
        )
        services = self._chunked(
            "services",
            readable["services"],
            lambda chunk: self._telecom_migrate_services(chunk, plans),
        )
        history = self._telecom_migrate_history()
        items = self._telecom_open_items(customers)
        self.write(
            {
                "customer_count": len(customers),
                "service_count": len(services),
                "invoice_count": history,
                "open_item_count": items,
                "token_count": self.env["telecom.migration.map"].search_count(
                    [("batch_id", "=", self.id), ("kind", "=", "token")]
                ),
            }
        )
        self._telecom_check_files(files, customers, services)
        self.env.cr.execute("DROP TABLE tmp_legacy_invoice, tmp_legacy_invoice_line")
        self._telecom_check_balances(readable["customers"])
        self.invalidate_recordset()
        failed = (
            self.reject_count
            or self.balance_mismatch_count
            or not all(self.file_check_ids.mapped("matched"))
        )
        self.state = "done"
        self.validation_state = "failed" if failed else "passed"
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
        """{legacy code: product} for plans and add-ons."""
        plans = {}
        Product = self.env["product.product"]
        for line_no, row in self._readable("plan_map", self._read_csv("plan_map_file")):
            code, target = row.get("legacy_code"), row.get("plan")
            product = Product.search([("default_code", "=", target)], limit=1) or Product.search(
                [("name", "=", target)], limit=1
            )
            if not code or not product or not (product.telecom_is_plan or product.telecom_is_addon):
                self._reject(
                    "plan_map",
                    line_no,
                    row,
                    f"{shown(target or '')} is not a plan or an add-on of the catalog",
                )
                continue
            plans[code] = product
        return plans

    def _telecom_merge_targets(self):
        """{legacy id: (legacy id or None, partner or None)} of the rows decided 'merge'."""
        return {
            d.legacy_id: (d.match_legacy_id or None, d.match_partner_id or None)
            for d in self.duplicate_ids
            if d.decision == "merge"
        }

    # ------------------------------------------------------------
    # BUSINESS: customers
    # ------------------------------------------------------------

    def _telecom_cycle_day(self, row):
        """The bill cycle day in Odoo and, for days 29-31, the note of the policy applied."""
        try:
            legacy_day = int(row.get("bill_cycle_day") or 0)
        except ValueError:
            raise RowError(
                f"bill cycle day {row.get('bill_cycle_day')!r} is not a number"
            ) from None
        if not 1 <= legacy_day <= 31:
            raise RowError(f"bill cycle day {legacy_day} is not a day of the month")
        if legacy_day <= 28:
            return legacy_day, ""
        day = 28 if self.long_cycle_policy == "day_28" else 1
        return day, self.env._(
            "Legacy bill cycle day %(old)s moved to %(new)s; the days between the legacy "
            "billed-through date and the first period are prorated once on the first bill.",
            old=legacy_day,
            new=day,
        )

    def _telecom_partner_vals(self, row, states):
        types = dict(self.env["res.partner"]._fields["telecom_customer_type"].selection)
        customer_type = row.get("customer_type") or False
        if customer_type and customer_type not in types:
            raise RowError(f"customer type {customer_type!r} is not one of {', '.join(types)}")
        return {
            "name": row["name"],
            "is_company": customer_type == "business",
            "email": row.get("email") or False,
            "phone": row.get("phone") or False,
            "street": row.get("street") or False,
            "city": row.get("city") or False,
            "zip": row.get("zip") or False,
            "state_id": states.get(row.get("state") or "", False),
            "country_id": self.env.ref("base.us").id,
            "telecom_customer_type": customer_type,
            "ref": row["legacy_id"],
        }

    def _telecom_check_customer(self, row, states):
        """(partner values, cycle day, cycle note) of a customer row, or RowError."""
        if not row.get("legacy_id") or not row.get("name"):
            raise RowError("legacy id and name are required")
        cycle_day, cycle_note = self._telecom_cycle_day(row)
        for column in ("balance", "unapplied_credit", "deposit"):
            amount(row.get(column), column)
        return self._telecom_partner_vals(row, states), cycle_day, cycle_note

    def _telecom_migrate_customers(self, chunk, merges, states):
        """Customers and billing accounts of a chunk of rows, created in batches; tokens,
        tax exemptions and the extras hook row by row (few rows have them)."""
        checked = []
        for line_no, row in chunk:
            try:
                checked.append((row, *self._telecom_check_customer(row, states)))
            except RowError as error:
                self._reject("customers", line_no, row, error)
        ids = [row["legacy_id"] for row, *_rest in checked]
        known = self._maps("customer", ids)
        partners = {}
        new = [(row, vals) for row, vals, *_r in checked if row["legacy_id"] not in known | merges]
        created = self.env["res.partner"].create([vals for _row, vals in new])
        for (row, _vals), partner in zip(new, created, strict=True):
            partners[row["legacy_id"]] = partner
        self._create_maps("customer", [(ref, partner, {}) for ref, partner in partners.items()])
        for row, vals, *_rest in checked:
            ref = row["legacy_id"]
            if ref in merges:
                partners[ref] = self._telecom_merged_partner(ref, merges[ref])
            elif ref in known:
                partners[ref] = self.env["res.partner"].browse(known[ref].res_id)
                partners[ref].write(vals)
        self._telecom_billing_accounts(checked, partners)
        kept = []
        for row, *_rest in checked:
            partner = partners[row["legacy_id"]]
            if row.get("payment_token"):
                self._telecom_migrate_token(row, partner)
            values = self._telecom_migrate_customer_extras(partner, row)
            if values:
                kept.append((f"customer:{row['legacy_id']}", partner, values))
        self._telecom_keep(kept)
        return [row for row, *_rest in checked]

    def _telecom_merged_partner(self, legacy_id, target):
        """The customer a reviewer merged this legacy account into."""
        target_legacy, partner = target
        if target_legacy:
            partner = self._map("customer", target_legacy)[1]
            if not partner:
                raise RowError(f"merged into {target_legacy}, which was not migrated")
        self._set_map("customer", legacy_id, partner, note=self.env._("merged"))
        return partner

    def _telecom_billing_accounts(self, checked, partners):
        """One billing account (subscription) per legacy account, on its cycle day."""
        known = self._maps("subscription", [row["legacy_id"] for row, *_rest in checked])
        new = []
        for row, _vals, cycle_day, note in checked:
            entry = known.get(row["legacy_id"])
            if entry:
                self.env["telecom.subscription"].browse(entry.res_id).bill_cycle_day = cycle_day
                entry.write({"note": note or False, "batch_id": self.id})
            else:
                new.append((row["legacy_id"], cycle_day, note))
        created = self.env["telecom.subscription"].create(
            [{"partner_id": partners[ref].id, "bill_cycle_day": day} for ref, day, _n in new]
        )
        self._create_maps(
            "subscription",
            [
                (ref, subscription, {"note": note or False})
                for (ref, _day, note), subscription in zip(new, created, strict=True)
            ],
        )

    def _telecom_migrate_token(self, row, partner):
        """A standard payment token where the provider exists, made the customer's autopay
        payment method (legacy tokens are the cards the legacy system charged every month);
        otherwise the reference is kept in the mapping (and reported) for when the provider
        is set up."""
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
                "telecom_expiry_date": self._telecom_card_expiry(row.get("card_expiry")),
            }
            if token and token._name == "payment.token":
                token.write(vals)
            else:
                token = self.env["payment.token"].create(vals)
            partner.commercial_partner_id.telecom_autopay_token_id = token
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

    @staticmethod
    def _telecom_card_expiry(value):
        """Last day of the expiry month of a card (``MM/YY`` or ``MM/YYYY``), or False."""
        month, _sep, year = (value or "").strip().partition("/")
        if not (month.isdigit() and year.isdigit() and 1 <= int(month) <= 12):
            return False
        year = int(year) + (2000 if len(year) == 2 else 0)
        return fields.Date.to_date(f"{year:04d}-{int(month):02d}-01") + relativedelta(day=31)

    def _telecom_migrate_customer_extras(self, partner, row):
        """Everything else the customer has: tax exemptions here, then the values modules
        above billing own (``res.partner._telecom_migration_extras``). Returns the mapping
        values of what no module took (kept and reported as not carried over), or None."""
        if row.get("tax_exempt_certificate"):
            self._telecom_migrate_exemption(partner, row)
        self._telecom_migrate_bill_delivery(partner, row)
        carried = partner._telecom_migration_extras(row, self)
        kept = {col: row[col] for col in KEPT_COLUMNS if row.get(col) and col not in carried}
        if not kept:
            return None
        return {
            "legacy_values": "\n".join(f"{col}: {value}" for col, value in kept.items()),
            "note": self.env._("needs a home in Odoo: %(cols)s", cols=", ".join(kept)),
        }

    def _telecom_migrate_bill_delivery(self, partner, row):
        """The bill delivery preference (``bill_delivery``: email, portal or paper, and their
        usual legacy synonyms) and the bill email contact (``bill_email``, when the bills go
        to another address than the customer's)."""
        vals = {}
        if row.get("bill_delivery"):
            delivery = BILL_DELIVERY.get(row["bill_delivery"].strip().lower())
            if not delivery:
                raise RowError(
                    f"bill delivery {row['bill_delivery']!r} is not one of "
                    f"{', '.join(sorted(BILL_DELIVERY))}"
                )
            vals["telecom_bill_delivery"] = delivery
        email = (row.get("bill_email") or "").strip()
        if email and email != partner.email:
            contact = partner.child_ids.filtered(lambda c: c.email == email)[:1]
            if not contact:
                contact = partner.create(
                    {"parent_id": partner.id, "type": "invoice", "name": email, "email": email}
                )
            vals["telecom_bill_contact_id"] = contact.id
        if vals:
            partner.write(vals)

    def _telecom_keep(self, items):
        """Mappings of kind *Kept* for ``items`` [(legacy id, record, values)], in batch."""
        known = self._maps("kept", [legacy_id for legacy_id, _record, _vals in items])
        for legacy_id, record, vals in items:
            if legacy_id in known:
                known[legacy_id].write({"res_id": record.id, "batch_id": self.id, **vals})
        self._create_maps("kept", [item for item in items if item[0] not in known])

    def _telecom_migrate_exemption(self, partner, row):
        kinds = dict(self.env["telecom.tax.exemption"]._fields["kind"].selection)
        kind = row.get("tax_exempt_kind") or "all"
        if kind not in kinds:
            raise RowError(f"tax exemption kind {kind!r} is not one of {', '.join(kinds)}")
        state = self.env["res.country.state"].search(
            [("country_id.code", "=", "US"), ("code", "=", row.get("tax_exempt_state") or "")],
            limit=1,
        )
        vals = {
            "partner_id": partner.id,
            "name": row["tax_exempt_certificate"],
            "kind": kind,
            "state_id": state.id or False,
            "date_from": to_date(row.get("tax_exempt_from"), "exemption valid from"),
            "date_to": optional_date(row.get("tax_exempt_to"), "exemption valid to") or False,
        }
        Exemption = self.env["telecom.tax.exemption"]
        existing = Exemption.search(
            [("partner_id", "=", partner.id), ("name", "=", vals["name"])], limit=1
        )
        if existing:
            existing.write(vals)
        else:
            Exemption.create(vals)

    # ------------------------------------------------------------
    # BUSINESS: services
    # ------------------------------------------------------------

    def _telecom_check_service(self, row, plans, subscriptions):
        """(service values, number) of a service row, or RowError."""
        if not row.get("legacy_id"):
            raise RowError("legacy id is required")
        entry = subscriptions.get(row.get("customer_id") or "")
        if not entry:
            raise RowError(f"unknown customer {row.get('customer_id')!r}")
        code = row.get("plan_code")
        plan = plans.get(code)
        if not plan or not plan.telecom_is_plan:
            raise RowError(f"unmapped plan code {code!r}: add it to the plan mapping")
        start = to_date(row.get("start_date"), "start date")
        billed = optional_date(row.get("billed_through"), "billed through")
        number = normalize_e164(row["number"]) if row.get("number") else None
        if row.get("number") and not number:
            raise RowError(f"number {row['number']!r} is not a phone number")
        subscription = self.env["telecom.subscription"].browse(entry.res_id)
        vals = {
            "subscription_id": subscription.id,
            "product_id": plan.id,
            "service_address_id": subscription.partner_id.id,
            "circuit_id": row.get("circuit_id") or False,
            # live in the legacy system: active as it is, no activation request to the network
            "state": "active",
            "date_start": start,
            "charged_until": billed or start - relativedelta(days=1),
        }
        if row.get("negotiated_price"):
            vals["negotiated_price"] = float(amount(row["negotiated_price"], "negotiated price"))
        return vals, number

    def _telecom_migrate_services(self, chunk, plans):
        """Services of a chunk of rows, created in batches with their numbers and negotiated
        prices; add-ons and promotions row by row (few rows have them)."""
        subscriptions = self._maps("subscription", {row.get("customer_id") for _n, row in chunk})
        checked = []
        for line_no, row in chunk:
            try:
                checked.append((row, *self._telecom_check_service(row, plans, subscriptions)))
            except RowError as error:
                self._reject("services", line_no, row, error)
        known = self._maps("service", [row["legacy_id"] for row, *_rest in checked])
        Service = self.env["telecom.service"]
        new = [(row, vals) for row, vals, _number in checked if row["legacy_id"] not in known]
        created = Service.create([vals for _row, vals in new])
        created._message_log_batch(
            bodies={
                service.id: self.env._(
                    "Service created by the legacy migration (legacy service %(ref)s).",
                    ref=row["legacy_id"],
                )
                for (row, _vals), service in zip(new, created, strict=True)
            }
        )
        self._create_maps(
            "service",
            [
                (row["legacy_id"], service, {})
                for (row, _v), service in zip(new, created, strict=True)
            ],
        )
        services = {
            row["legacy_id"]: service for (row, _v), service in zip(new, created, strict=True)
        }
        for row, vals, _number in checked:
            if row["legacy_id"] in known:
                services[row["legacy_id"]] = Service.browse(known[row["legacy_id"]].res_id)
                services[row["legacy_id"]].write(vals)
        self._telecom_assign_numbers(
            [(services[row["legacy_id"]], number) for row, _vals, number in checked if number]
        )
        for row, vals, _number in checked:
            service = services[row["legacy_id"]]
            self._telecom_migrate_addons(row, service, plans, vals["charged_until"])
            self._telecom_migrate_promotion(row, service)
        return [row for row, *_rest in checked]

    def _telecom_assign_numbers(self, pairs):
        """Assign each (service, E.164 number): the number is created when it is not in the
        inventory; one assigned to another service is an error."""
        Number = self.env["telecom.number"]
        existing = {n.name: n for n in Number.search([("name", "in", [p[1] for p in pairs])])}
        new = []
        for service, name in pairs:
            vals = {
                "status": "assigned",
                "partner_id": service.partner_id.id,
                "service_id": service.id,
            }
            number = existing.get(name)
            if not number:
                state = service.partner_id.state_id.code
                new.append({"name": name, "state_code": state or False, **vals})
                continue
            if number.service_id and number.service_id != service and number.status == "assigned":
                raise RowError(f"number {name} is assigned to {number.service_id.display_name}")
            number.write(vals)
        Number.create(new)

    def _telecom_migrate_addons(self, row, service, plans, charged_until):
        """``addons``: legacy add-on codes with an optional quantity, 'VM;DATA5:2'. Active
        from the service start, charged through the same date as the service."""
        wanted = {}
        for item in filter(None, (row.get("addons") or "").split(";")):
            code, _sep, quantity = item.strip().partition(":")
            addon = plans.get(code)
            if not addon or not addon.telecom_is_addon:
                raise RowError(f"unmapped add-on code {code!r}: add it to the plan mapping")
            if quantity and not quantity.isdigit():
                raise RowError(f"add-on {code} quantity {quantity!r} is not a whole number")
            wanted[addon] = int(quantity or 1)
        if not wanted:
            return
        lines = service.addon_line_ids.filtered(lambda a: a.state == "active")
        for addon, quantity in wanted.items():
            vals = {"quantity": quantity, "charged_until": charged_until}
            line = lines.filtered(lambda a, addon=addon: a.product_id == addon)
            if line:
                line.write(vals)
            else:
                self.env["telecom.service.addon"].create(
                    {
                        "service_id": service.id,
                        "product_id": addon.id,
                        "state": "active",
                        "date_start": service.date_start,
                        **vals,
                    }
                )

    def _telecom_migrate_promotion(self, row, service):
        """``promotion`` (code or name) with ``promotion_months_left``: the discount runs for
        the months the legacy system still owed (0 or empty: forever)."""
        code = row.get("promotion")
        if not code:
            return
        promotion = self.env["telecom.promotion"].search(
            ["|", ("code", "=", code), ("name", "=", code)], limit=1
        )
        if not promotion:
            raise RowError(f"unknown promotion {code!r}")
        months = row.get("promotion_months_left") or "0"
        if not months.isdigit():
            raise RowError(f"promotion months left {months!r} is not a whole number")
        line = service.promotion_line_ids.filtered(lambda p: p.promotion_id == promotion)
        vals = {"months_total": int(months) + len(line.move_line_ids.move_id)}
        if line:
            line.write(vals)
        else:
            self.env["telecom.service.promotion"].create(
                {"service_id": service.id, "promotion_id": promotion.id, **vals}
            )

    # ------------------------------------------------------------
    # BUSINESS: invoice history
    # ------------------------------------------------------------

    def _telecom_map_ids(self, kind):
        """{legacy id: record id} of every mapping of ``kind`` (one query)."""
        self.env.flush_all()
        self.env.cr.execute(
            """SELECT legacy_id, res_id FROM telecom_migration_map
                WHERE company_id = %s AND kind = %s""",
            [self.company_id.id, kind],
        )
        return dict(self.env.cr.fetchall())

    def _telecom_migrate_history(self):
        """The invoice history, streamed and set-based (the largest volume of a migration,
        e.g. 2.4 million invoices and 4.8 million lines): each row of the two files is checked
        as it is read and written to a staging table (``COPY``, one slice of rows in memory);
        the checks across rows (lines adding up to their invoice, an invoice id given twice)
        run in SQL; rejects are written from the staging table with their line numbers and
        reasons; the last 24 months land with their lines by ``INSERT … ON CONFLICT`` (a re-run
        updates), PDFs are attached. Older rows are skipped on purpose (still open items when
        open). The staging tables stay for the open items and the file checks of the run.
        Returns the number of invoices of the history."""
        self._telecom_stage_invoice_lines()
        self._telecom_stage_invoices()
        self._telecom_check_invoice_lines()
        cr = self.env.cr
        cr.execute(
            """
            INSERT INTO telecom_migration_reject
                   (batch_id, company_id, file, line_no, legacy_id, reason, raw, state,
                    create_uid, write_uid, create_date, write_date)
            SELECT %(batch)s, %(company)s, 'invoices', line_no, NULLIF(legacy_ref, ''),
                   left(error, 500), raw, 'open',
                   %(uid)s, %(uid)s, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
              FROM tmp_legacy_invoice WHERE error IS NOT NULL
            """,
            {"batch": self.id, "company": self.company_id.id, "uid": self.env.uid},
        )
        self.env["telecom.migration.reject"].invalidate_model()
        self.reject_ids.invalidate_recordset()
        count = self._telecom_write_history(self.date - relativedelta(months=HISTORY_MONTHS))
        self._telecom_attach_pdfs()
        return count

    def _telecom_stage(self, table, columns, rows):
        """A temporary ``table`` of ``columns`` [(name, SQL type)] filled from the iterable
        ``rows`` by ``COPY``, ``COPY_ROWS`` rows at a time (memory holds one slice)."""
        cr = self.env.cr
        cr.execute(SQL("DROP TABLE IF EXISTS %s", SQL.identifier(table)))
        cr.execute(
            SQL(
                "CREATE TEMP TABLE %s (%s)",
                SQL.identifier(table),
                SQL(", ").join(
                    SQL("%s %s", SQL.identifier(name), SQL(kind)) for name, kind in columns
                ),
            )
        )
        copy = SQL("COPY %s FROM STDIN WITH (FORMAT csv)", SQL.identifier(table)).code
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        for count, row in enumerate(rows, start=1):
            writer.writerow(["" if value is None else value for value in row])
            if count % COPY_ROWS == 0:
                buffer.seek(0)
                cr.copy_expert(copy, buffer)
                buffer.seek(0)
                buffer.truncate()
        buffer.seek(0)
        cr.copy_expert(copy, buffer)
        cr.execute(SQL("ANALYZE %s", SQL.identifier(table)))

    def _telecom_stage_invoice_lines(self):
        """Every row of the invoice lines file in ``tmp_legacy_invoice_line``; an amount that
        is not one is kept as the line's error (it rejects its invoice)."""

        def rows():
            for line_no, row in self._iter_csv("invoice_lines_file"):
                try:
                    if "_reason" in row:
                        raise RowError(row["_reason"])
                    value, error = amount(row.get("amount"), "line amount"), None
                except RowError as exc:
                    value, error = None, str(exc)
                yield (
                    line_no,
                    row.get("invoice_id") or "",
                    row.get("line_type"),
                    row.get("description") or row.get("line_type") or "-",
                    row.get("tax_type"),
                    value,
                    error,
                )

        self._telecom_stage(
            "tmp_legacy_invoice_line",
            [
                ("line_no", "int"),
                ("legacy_ref", "text"),
                ("line_type", "text"),
                ("description", "text"),
                ("tax_type", "text"),
                ("amount", "numeric"),
                ("error", "text"),
            ],
            rows(),
        )
        self.env.cr.execute("CREATE INDEX ON tmp_legacy_invoice_line (legacy_ref, line_no)")

    def _telecom_stage_invoices(self):
        """Every row of the invoices file in ``tmp_legacy_invoice``, checked as it is read:
        its values, or its error (the reason it is rejected). ``legacy_total`` is the row's
        total as the file says it (when it is an amount), for the file totals."""
        customers = self._telecom_map_ids("customer")
        subscriptions = self._telecom_map_ids("subscription")

        def rows():
            for line_no, row in self._iter_csv("invoices_file"):
                try:
                    legacy_total = amount(row.get("amount_total"), "amount")
                except RowError:
                    legacy_total = None
                try:
                    if "_reason" in row:
                        raise RowError(row["_reason"])
                    values, error = self._telecom_check_invoice(row, customers, subscriptions), None
                except RowError as exc:
                    values, error = (None,) * 10, str(exc)
                yield (
                    line_no, row.get("legacy_id") or "", *values, legacy_total, error,
                    row.get("_raw") or "",
                )  # fmt: skip

        self._telecom_stage(
            "tmp_legacy_invoice",
            [
                ("line_no", "int"),
                ("legacy_ref", "text"),
                ("customer_ref", "text"),
                ("partner_id", "int"),
                ("subscription_id", "int"),
                ("invoice_date", "date"),
                ("date_due", "date"),
                ("period_start", "date"),
                ("period_end", "date"),
                ("amount_total", "numeric"),
                ("amount_residual", "numeric"),
                ("legacy_state", "text"),
                ("legacy_total", "numeric"),
                ("error", "text"),
                ("raw", "text"),
            ],
            rows(),
        )
        self.env.cr.execute("CREATE INDEX ON tmp_legacy_invoice (legacy_ref)")

    def _telecom_check_invoice(self, row, customers, subscriptions):
        """The values of an invoice row in the staging table's order, or RowError."""
        legacy_id = row.get("legacy_id")
        if not legacy_id:
            raise RowError("legacy id is required")
        partner_id = customers.get(row.get("customer_id") or "")
        if not partner_id:
            raise RowError(f"unknown customer {row.get('customer_id')!r}")
        return (
            row["customer_id"],
            partner_id,
            subscriptions.get(row["customer_id"]),
            to_date(row.get("invoice_date"), "invoice date"),
            optional_date(row.get("due_date"), "due date"),
            optional_date(row.get("period_start"), "period start"),
            optional_date(row.get("period_end"), "period end"),
            amount(row.get("amount_total"), "amount"),
            amount(row.get("amount_due"), "amount due"),
            row.get("status") or None,
        )

    def _telecom_check_invoice_lines(self):
        """The checks across rows, in SQL: an invoice id given twice (the later rows are
        rejected), an invoice with a line whose amount is not one or whose lines do not add
        up to its total."""
        self.env.cr.execute(
            """
            UPDATE tmp_legacy_invoice t
               SET error = format('legacy id %s is also on line %s', t.legacy_ref, f.line_no)
              FROM (SELECT legacy_ref, min(line_no) AS line_no FROM tmp_legacy_invoice
                     WHERE error IS NULL GROUP BY legacy_ref HAVING count(*) > 1) f
             WHERE t.legacy_ref = f.legacy_ref AND t.line_no > f.line_no AND t.error IS NULL;
            UPDATE tmp_legacy_invoice t
               SET error = COALESCE(
                       s.error,
                       format('its lines add up to %s, not to its total %s', s.total,
                              t.amount_total))
              FROM (SELECT legacy_ref, sum(amount) AS total,
                           (array_agg(error ORDER BY line_no)
                              FILTER (WHERE error IS NOT NULL))[1] AS error
                      FROM tmp_legacy_invoice_line GROUP BY legacy_ref) s
             WHERE s.legacy_ref = t.legacy_ref AND t.error IS NULL
               AND (s.error IS NOT NULL OR s.total <> t.amount_total)
            """
        )

    def _telecom_write_history(self, cutoff):
        """The checked invoices from ``cutoff`` on, with their lines (numbered in file order);
        a re-run updates an invoice and replaces its lines. Returns the number of invoices."""
        self.env.flush_all()
        params = {"company": self.company_id.id, "uid": self.env.uid, "cutoff": cutoff}
        self.env.cr.execute(
            """
            INSERT INTO telecom_migration_invoice
                   (legacy_ref, company_id, partner_id, subscription_id, invoice_date, date_due,
                    period_start, period_end, amount_total, amount_residual, legacy_state,
                    create_uid, write_uid, create_date, write_date)
            SELECT legacy_ref, %(company)s, partner_id, subscription_id, invoice_date, date_due,
                   period_start, period_end, amount_total, amount_residual, legacy_state,
                   %(uid)s, %(uid)s, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
              FROM tmp_legacy_invoice
             WHERE error IS NULL AND invoice_date >= %(cutoff)s
            ON CONFLICT (company_id, legacy_ref) DO UPDATE SET
                   partner_id = EXCLUDED.partner_id, subscription_id = EXCLUDED.subscription_id,
                   invoice_date = EXCLUDED.invoice_date, date_due = EXCLUDED.date_due,
                   period_start = EXCLUDED.period_start, period_end = EXCLUDED.period_end,
                   amount_total = EXCLUDED.amount_total,
                   amount_residual = EXCLUDED.amount_residual,
                   legacy_state = EXCLUDED.legacy_state, write_uid = EXCLUDED.write_uid,
                   write_date = EXCLUDED.write_date
            """,
            params,
        )
        count = self.env.cr.rowcount
        self.env.cr.execute(
            """
            DELETE FROM telecom_migration_invoice_line l
             USING telecom_migration_invoice i, tmp_legacy_invoice t
             WHERE l.invoice_id = i.id AND i.company_id = %(company)s
               AND i.legacy_ref = t.legacy_ref AND t.error IS NULL
               AND t.invoice_date >= %(cutoff)s;
            INSERT INTO telecom_migration_invoice_line
                   (invoice_id, company_id, partner_id, sequence, line_type, description,
                    tax_type, amount, create_uid, write_uid, create_date, write_date)
            SELECT i.id, i.company_id, i.partner_id,
                   row_number() OVER (PARTITION BY l.legacy_ref ORDER BY l.line_no) - 1,
                   NULLIF(l.line_type, ''), l.description, NULLIF(l.tax_type, ''), l.amount,
                   %(uid)s, %(uid)s, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
              FROM tmp_legacy_invoice_line l
              JOIN tmp_legacy_invoice t ON t.legacy_ref = l.legacy_ref
               AND t.error IS NULL AND t.invoice_date >= %(cutoff)s
              JOIN telecom_migration_invoice i
                ON i.company_id = %(company)s AND i.legacy_ref = l.legacy_ref
            """,
            params,
        )
        self.env["telecom.migration.invoice"].invalidate_model()
        self.env["telecom.migration.invoice.line"].invalidate_model()
        return count

    def _telecom_attach_pdfs(self):
        """The legacy PDFs of the ZIP (``<legacy invoice id>.pdf``) on their invoices."""
        if not self.pdf_archive:
            return
        try:
            archive = zipfile.ZipFile(io.BytesIO(base64.b64decode(self.pdf_archive)))
        except zipfile.BadZipFile:
            raise UserError(self.env._("The invoice PDF archive is not a ZIP file.")) from None
        pdfs = {
            name.rsplit("/", 1)[-1][:-4]: name
            for name in archive.namelist()
            if name.lower().endswith(".pdf")
        }
        invoices = (
            self.env["telecom.migration.invoice"]
            .sudo()
            .search([("company_id", "=", self.company_id.id), ("legacy_ref", "in", list(pdfs))])
        )
        for invoice in invoices:
            invoice.write(
                {
                    "pdf_file": base64.b64encode(archive.read(pdfs[invoice.legacy_ref])),
                    "pdf_filename": f"{invoice.legacy_ref}.pdf",
                }
            )

    # ------------------------------------------------------------
    # BUSINESS: open items
    # ------------------------------------------------------------

    def _telecom_open_items(self, customers):
        """Open items, so ageing, dunning, autopay and payment matching work on day one: each
        open legacy bill (its date, its due date, its amount due) and each customer's
        unapplied credit and deposit (on the migration date) is one receivable line, tagged
        with its legacy account and item; the counterpart is the suspense account. Items of a
        day share posted entries of up to 500 items. A re-run books only the change of an
        item (a correction line on the migration date). Returns the number of items."""
        self.env.cr.execute(  # landed invoices: open bills of every age
            """SELECT legacy_ref, customer_ref, amount_residual, invoice_date, date_due
                 FROM tmp_legacy_invoice WHERE error IS NULL AND amount_residual <> 0"""
        )
        items = [
            (
                f"{customer}/bill:{ref}",
                customer,
                Decimal(due).quantize(Decimal("0.01")),
                day,
                date_due,
                self.env._("Legacy bill %(ref)s", ref=ref),
            )
            for ref, customer, due, day, date_due in self.env.cr.fetchall()
        ]
        for row in customers:
            for column, label in (
                ("unapplied_credit", self.env._("Unapplied credit")),
                ("deposit", self.env._("Deposit held")),
            ):
                value = amount(row.get(column), column)
                if value:
                    items.append(
                        (
                            f"{row['legacy_id']}/{column}",
                            row["legacy_id"],
                            -value,
                            self.date,
                            self.date,
                            self.env._("%(label)s %(ref)s", label=label, ref=row["legacy_id"]),
                        )
                    )
        booked = self._telecom_booked_items()
        partners = self._telecom_map_ids("customer")
        by_day = defaultdict(list)
        for key, customer, value, day, due, label in items:
            delta = value - booked.get(key, Decimal(0))
            if not delta:
                continue
            if key in booked:
                day, label = self.date, self.env._("Correction: %(label)s", label=label)
            by_day[day].append((key, partners[customer], delta, due or day, label))
        vals_list = [
            self._telecom_open_items_entry(day, chunk[start : start + OPEN_ITEMS_PER_ENTRY])
            for day, chunk in sorted(by_day.items())
            for start in range(0, len(chunk), OPEN_ITEMS_PER_ENTRY)
        ]
        moves = self.env["account.move"].create(vals_list)
        moves.action_post()
        self.opening_move_ids = [Command.link(move.id) for move in moves]
        return len(items)

    def _telecom_booked_items(self):
        """{legacy item: posted receivable booked for it}."""
        self.env.flush_all()
        self.env.cr.execute(
            """SELECT l.telecom_legacy_item, SUM(l.balance) FROM account_move_line l
                 JOIN account_account a ON a.id = l.account_id
                WHERE l.telecom_legacy_item IS NOT NULL AND l.company_id = %s
                  AND l.parent_state = 'posted' AND a.account_type = 'asset_receivable'
                GROUP BY l.telecom_legacy_item""",
            [self.company_id.id],
        )
        return {
            key: Decimal(str(total)).quantize(Decimal("0.01"))
            for key, total in self.env.cr.fetchall()
        }

    def _telecom_open_items_entry(self, day, items):
        """One posted entry of ``items`` [(key, partner id, amount, due date, label)]."""
        partners = self.env["res.partner"].browse({item[1] for item in items})
        receivable = {
            partner.id: partner.property_account_receivable_id.id
            for partner in partners.with_company(self.company_id)
        }
        lines = [
            Command.create(
                {
                    "name": label,
                    "account_id": receivable[partner_id],
                    "partner_id": partner_id,
                    "debit": float(value) if value > 0 else 0.0,
                    "credit": float(-value) if value < 0 else 0.0,
                    "date_maturity": due,
                    "telecom_legacy_item": key,
                }
            )
            for key, partner_id, value, due, label in items
        ]
        total = sum((item[2] for item in items), Decimal(0))
        lines.append(
            Command.create(
                {
                    "name": self.env._("Legacy open items"),
                    "account_id": self.suspense_account_id.id,
                    "debit": float(-total) if total < 0 else 0.0,
                    "credit": float(total) if total > 0 else 0.0,
                }
            )
        )
        return {
            "move_type": "entry",
            "journal_id": self.journal_id.id,
            "date": day,
            "ref": self.env._("Legacy migration: open items of %(day)s", day=day),
            "line_ids": lines,
        }

    # ------------------------------------------------------------
    # BUSINESS: validation report
    # ------------------------------------------------------------

    def _telecom_check_files(self, files, customers, services):
        """Rows and amounts per file: what the file says (every row, rejects included)
        against what landed. The invoice files are counted in their staging tables."""

        def safe_amount(row, column):
            try:
                return amount(row.get(column), column)
            except RowError:  # rejected: counted, its amount unknown
                return Decimal(0)

        def total(rows, column):
            return sum((safe_amount(r, column) for _n, r in rows), Decimal(0))

        def landed_total(rows, column):
            return sum((amount(r.get(column), column) for r in rows), Decimal(0))

        cutoff = self.date - relativedelta(months=HISTORY_MONTHS)
        cr = self.env.cr
        cr.execute(
            """SELECT count(*), COALESCE(sum(legacy_total), 0),
                      count(*) FILTER (WHERE error IS NULL AND invoice_date >= %(cutoff)s),
                      count(*) FILTER (WHERE error IS NULL AND invoice_date < %(cutoff)s),
                      COALESCE(sum(amount_total) FILTER (WHERE error IS NULL), 0)
                 FROM tmp_legacy_invoice""",
            {"cutoff": cutoff},
        )
        invoices = cr.fetchone()
        cr.execute(
            """SELECT count(*), COALESCE(sum(l.amount), 0), count(t.legacy_ref),
                      COALESCE(sum(l.amount) FILTER (WHERE t.legacy_ref IS NOT NULL), 0)
                 FROM tmp_legacy_invoice_line l
                 LEFT JOIN tmp_legacy_invoice t ON t.legacy_ref = l.legacy_ref
                  AND t.error IS NULL AND t.invoice_date >= %(cutoff)s""",
            {"cutoff": cutoff},
        )
        lines = cr.fetchone()
        rejects = defaultdict(int)
        for reject in self.reject_ids:
            rejects[reject.file] += 1
        counts = {
            # file: (legacy rows, legacy amount, landed rows, skipped rows, landed amount)
            "customers": (
                len(files["customers"]),
                total(files["customers"], "balance"),
                len(customers),
                0,
                landed_total(customers, "balance"),
            ),
            "services": (len(files["services"]), 0, len(services), 0, 0),
            "invoices": invoices,
            "invoice_lines": (lines[0], lines[1], lines[2], 0, lines[3]),
        }
        self.env["telecom.migration.file.check"].create(
            [
                {
                    "batch_id": self.id,
                    "file": file,
                    "legacy_rows": legacy_rows,
                    "landed_rows": landed_rows,
                    "skipped_rows": skipped_rows,
                    "rejected_rows": rejects[file],
                    "legacy_amount": float(legacy_amount),
                    "landed_amount": float(landed_amount),
                }
                for file, (
                    legacy_rows,
                    legacy_amount,
                    landed_rows,
                    skipped_rows,
                    landed_amount,
                ) in counts.items()
            ]
        )

    def _telecom_check_balances(self, customer_rows):
        """Every account of the customers file, rejected ones included: the legacy balance
        (open bills less unapplied credits) less the deposit held, against the receivable of
        that legacy account's open items in Odoo. An account that did not land is a
        difference."""
        booked = defaultdict(Decimal)
        for key, total in self._telecom_booked_items().items():
            booked[key.split("/", 1)[0]] += total
        subscriptions = self._telecom_map_ids("subscription")
        customers = self._telecom_map_ids("customer")
        vals_list = []
        for _line_no, row in customer_rows:
            legacy_id = row.get("legacy_id") or ""
            try:
                legacy = amount(row.get("balance"), "balance") - amount(row.get("deposit"), "d")
            except RowError:
                legacy = Decimal(0)
            landed = legacy_id in subscriptions
            vals_list.append(
                {
                    "batch_id": self.id,
                    "legacy_id": legacy_id,
                    "partner_id": customers.get(legacy_id) if landed else False,
                    "landed": landed,
                    "legacy_balance": float(legacy),
                    "odoo_balance": float(booked[legacy_id]) if landed else 0.0,
                }
            )
        self.env["telecom.migration.balance"].create(vals_list)

    def _telecom_report_text(self):
        self.invalidate_recordset()
        money = self.currency_id.format
        lines = [
            self.env._(
                "Validation %(state)s.",
                state=dict(VALIDATION_STATES)[self.validation_state or "failed"],
            ),
            self.env._(
                "Customers: %(c)s, services: %(s)s, invoices (last %(m)s months): %(i)s, "
                "open items: %(o)s, payment tokens: %(t)s.",
                c=self.customer_count,
                s=self.service_count,
                i=self.invoice_count,
                m=HISTORY_MONTHS,
                o=self.open_item_count,
                t=self.token_count,
            ),
            self.env._(
                "Open balances: legacy %(legacy)s, Odoo %(odoo)s; %(n)s account(s) differ.",
                legacy=money(self.legacy_total),
                odoo=money(self.odoo_total),
                n=self.balance_mismatch_count,
            ),
        ]
        lines += [
            self.env._(
                "  file %(file)s: %(rows)s rows, %(landed)s landed, %(skipped)s skipped, "
                "%(rejected)s rejected; amount %(legacy)s in the file, %(odoo)s landed%(flag)s",
                file=check.file,
                rows=check.legacy_rows,
                landed=check.landed_rows,
                skipped=check.skipped_rows,
                rejected=check.rejected_rows,
                legacy=money(check.legacy_amount),
                odoo=money(check.landed_amount),
                flag="" if check.matched else " (DIFFERENCE)",
            )
            for check in self.file_check_ids
        ]
        lines += [
            self.env._(
                "  account %(ref)s: legacy %(legacy)s, Odoo %(odoo)s%(flag)s",
                ref=balance.legacy_id,
                legacy=money(balance.legacy_balance),
                odoo=money(balance.odoo_balance),
                flag=self.env._(" (not migrated)") if not balance.landed else "",
            )
            for balance in self.env["telecom.migration.balance"].search(
                [("batch_id", "=", self.id), ("matched", "=", False)],
                order="legacy_id",
                limit=REPORT_LIST_LIMIT,
            )
        ]
        lines += self._telecom_report_more(self.balance_mismatch_count)
        lines.append(self.env._("Rejected rows: %(n)s.", n=self.reject_count))
        lines += [
            f"  {r.file} line {r.line_no} ({r.legacy_id or '-'}): {r.reason}"
            for r in self.env["telecom.migration.reject"].search(
                [("batch_id", "=", self.id)], limit=REPORT_LIST_LIMIT
            )
        ]
        lines += self._telecom_report_more(self.reject_count)
        kept = self.kept_ids
        lines.append(self.env._("Kept on the mapping, not carried over: %(n)s.", n=len(kept)))
        lines += [
            "  %s: %s [%s]"
            % (entry.legacy_id, entry.note, (entry.legacy_values or "").replace("\n", "; "))
            for entry in kept
        ]
        return "\n".join(lines)

    def _telecom_report_more(self, count):
        """The line saying how many a list of the report leaves out, if any."""
        if count <= REPORT_LIST_LIMIT:
            return []
        return [
            self.env._(
                "  … and %(n)s more (see the tabs of the migration).", n=count - REPORT_LIST_LIMIT
            )
        ]
