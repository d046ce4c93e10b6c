import base64
import time
from datetime import date

import phonenumbers
from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..tools.staging import insert_rejects, reject_duplicates, stage
from .telecom_number import NUMBER_SOURCES, NUMBER_TYPES, TOLL_FREE_NPAS
from .telecom_number_import import MARK, _nanp_reason

# Columns of the legacy number extract; only "number" and "status" are required.
MIGRATION_COLUMNS = (
    "number",
    "status",
    "customer",
    "service_ref",
    "source",
    "number_type",
    "rate_center",
    "lata",
    "state",
    "ocn",
    "reserved_until",
    "assigned_date",
    "disconnect_date",
    "aging_until",
    "port_date",
    "port_carrier",
    "port_transaction_id",
)
MIGRATION_ALIASES = {"tn": "number", "e164": "number", "account": "customer", "type": "number_type"}
# Statuses a legacy number can arrive in (porting in/out are finished before the cut-over).
MIGRATION_STATUSES = (
    "available",
    "reserved",
    "assigned",
    "aging",
    "administrative",
    "intermediate",
)
DATE_COLUMNS = ("reserved_until", "assigned_date", "disconnect_date", "aging_until", "port_date")
STAGE = "tn_migration_stage"
# Values in reject reasons (quoted text, row numbers) elided to group the validation report.
ELIDED_VALUES = "'[^']*'|[0-9]+"
MIGRATION_STATES = [("draft", "Draft"), ("done", "Done")]


def _parse_dates(row):
    """``({column: date}, name of a column that is not a date or None)`` of a legacy row."""
    parsed, bad = {}, None
    for column in DATE_COLUMNS:
        text = row.get(column)
        if text:
            try:
                parsed[column] = date.fromisoformat(text[:10])
            except ValueError:
                bad = column
    return parsed, bad


class TelecomNumberMigration(models.Model):
    """Cut-over of the legacy number inventory (and its SIMs): numbers in any status with
    their customer, service, timers and porting history, set-based, with a validation report
    and the rejects with their reason; nothing is dropped silently."""

    _name = "telecom.number.migration"
    _description = "Number Inventory Migration"
    _inherit = ["mail.thread"]
    _order = "id desc"

    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )

    # ------------------------------------------------------------
    # FIELDS
    # ------------------------------------------------------------

    name = fields.Char(required=True, readonly=True, default="/", copy=False)
    file = fields.Binary(string="Numbers CSV", attachment=True, copy=False)
    filename = fields.Char()
    sim_file = fields.Binary(string="SIMs CSV", attachment=True, copy=False)
    sim_filename = fields.Char()
    state = fields.Selection(MIGRATION_STATES, default="draft", required=True, tracking=True)
    row_count = fields.Integer(string="Rows", readonly=True)
    created_count = fields.Integer(string="Numbers Created", readonly=True)
    rejected_count = fields.Integer(string="Rejected", readonly=True)
    history_count = fields.Integer(string="History Rows Written", readonly=True)
    duration = fields.Float(string="Duration (s)", readonly=True, digits=(16, 2))
    report = fields.Html(string="Validation Report", readonly=True, sanitize=True)
    reject_ids = fields.One2many(
        "telecom.number.migration.reject", "migration_id", string="Rejected Rows", readonly=True
    )
    sim_import_id = fields.Many2one("telecom.sim.import", string="SIM Import", readonly=True)

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = (
                    self.env["ir.sequence"].next_by_code("telecom.number.migration") or "/"
                )
        return super().create(vals_list)

    # ------------------------------------------------------------
    # ACTION
    # ------------------------------------------------------------

    def action_migrate(self):
        self.ensure_one()
        if not self.file:
            raise UserError(self.env._("Attach the legacy numbers CSV file to migrate."))
        if self.state == "done":
            raise UserError(self.env._("Migration %(name)s is already done.", name=self.name))
        sims = base64.b64decode(self.sim_file) if self.sim_file else None
        self._telecom_run(base64.b64decode(self.file), sims)
        return True

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    @api.model
    def _telecom_migrate_csv(self, numbers, sims=None, filename="numbers.csv"):
        """Create a migration for the CSV bytes ``numbers`` (and ``sims``) and run it."""
        record = self.create({"filename": filename})
        record._telecom_run(numbers, sims)
        return record

    def _telecom_run(self, numbers, sims=None):
        """1. every row checked on its own and streamed to ``COPY``; 2. SQL: repeated numbers,
        unassigned NPA-NXX, unknown customers, numbers already in the inventory; 3. one
        ``INSERT ... SELECT`` creates the numbers with a history row each, a second one adds
        the port-in of each ported-in number (date, carrier, transaction id) to its history;
        4. the rejects and the validation report. Then the SIMs (telecom.sim.import)."""
        self.ensure_one()
        self.check_access("write")
        self.env["telecom.number"].check_access("create")
        started = time.monotonic()
        for model in ("telecom.number", "telecom.number.history", "res.partner"):
            self.env[model].flush_model()
        cr = self.env.cr
        cr.execute("SET LOCAL work_mem = '256MB'")
        rows = stage(
            self.env,
            STAGE,
            MIGRATION_COLUMNS,
            numbers,
            self._telecom_row_checker(),
            ["number", "status"],
            MIGRATION_ALIASES,
        )
        self._telecom_check_set()
        by_status = self._telecom_status_counts()
        created = self._telecom_insert_numbers()
        ports = self._telecom_insert_port_history()
        rejected = insert_rejects(
            self.env, STAGE, "telecom.number.migration.reject", self, "number", MIGRATION_COLUMNS
        )
        cr.execute("DROP TABLE tn_migration_stage")
        if created >= 100_000:
            cr.execute("ANALYZE telecom_number")
            cr.execute("ANALYZE telecom_number_history")
        self.env["telecom.number"].invalidate_model()
        self.env["telecom.number.history"].invalidate_model()
        sim_import = (
            self.env["telecom.sim.import"]._telecom_import_csv(sims, "sims.csv", migration=True)
            if sims
            else self.env["telecom.sim.import"]
        )
        self.invalidate_recordset(["reject_ids"])
        self.write(
            {
                "state": "done",
                "row_count": rows,
                "created_count": created,
                "rejected_count": rejected,
                "history_count": created + ports,
                "duration": time.monotonic() - started,
                "sim_import_id": sim_import.id,
            }
        )
        self.report = self._telecom_report(by_status, ports, sim_import)
        self.message_post(body=self.report)
        return True

    def _telecom_reimport_rows(self, rejects):
        """A new migration of the corrected ``rejects``; returns what it did, in a sentence."""
        again = self._telecom_migrate_csv(
            rejects._telecom_reimport_content(MIGRATION_COLUMNS),
            filename=f"{self.name}-corrected.csv",
        )
        return self.env._(
            "%(name)s: %(rows)s rows, %(created)s numbers created, %(rejected)s rejected.",
            name=again.name,
            rows=again.row_count,
            created=again.created_count,
            rejected=again.rejected_count,
        )

    def _telecom_row_checker(self):
        """A function checking one legacy row on its own: ``(values, reason)``."""
        _ = self.env._
        reasons = self.env["telecom.number.import"]._telecom_reasons()
        states = {
            state.code.upper()
            for state in self.env["res.country.state"].search(
                [("country_id", "=", self.env.ref("base.us").id)]
            )
        }
        sources = {key for key, _label in NUMBER_SOURCES}
        types = {key for key, _label in NUMBER_TYPES}
        statuses = set(MIGRATION_STATUSES)
        blank = ("",) * (len(MIGRATION_COLUMNS) - 1)

        def row_reason(row, status, source, dates):
            needs = {
                "reserved": ("customer", "reserved_until"),
                "assigned": ("customer",),
                "aging": ("disconnect_date", "aging_until"),
            }.get(status, ())
            missing = [column for column in needs if not row.get(column)]
            if status not in statuses:
                return _(
                    "Status '%(status)s' is not one of: %(statuses)s.",
                    status=status,
                    statuses=", ".join(MIGRATION_STATUSES),
                )
            if source not in sources:
                return _("Source '%(value)s' is not native or ported_in.", value=source)
            if missing:
                return _(
                    "A %(status)s number needs: %(columns)s.",
                    status=status,
                    columns=", ".join(missing),
                )
            if source == "ported_in" and status != "assigned":
                return _(
                    "A ported-in number is migrated assigned (one not in service went back "
                    "to its carrier)."
                )
            if source == "ported_in" and not (row.get("port_date") and row.get("port_carrier")):
                return _("A ported-in number needs its port date and losing carrier.")
            if status == "aging" and dates["aging_until"] < dates["disconnect_date"]:
                return _("The aging end is before the disconnect date.")
            state = row.get("state", "").upper()
            if state and state not in states:
                return reasons["r_state"].replace(MARK, state)
            number_type = row.get("number_type", "").lower()
            if number_type and number_type not in types:
                return reasons["r_type"].replace(MARK, number_type)
            return None

        def check(row):
            raw = row.get("number", "")
            reason, nat = _nanp_reason(raw, reasons)
            if reason:
                return (raw, *blank), reason
            status = row.get("status", "").lower()
            source = (row.get("source") or "native").lower()
            dates, bad_date = _parse_dates(row)
            if bad_date:
                reason = _(
                    "%(column)s '%(value)s' is not a date (YYYY-MM-DD).",
                    column=bad_date,
                    value=row[bad_date],
                )
            else:
                reason = row_reason(row, status, source, dates)
            values = (
                nat,
                status,
                row.get("customer", ""),
                row.get("service_ref", ""),
                source,
                row.get("number_type", "").lower(),
                row.get("rate_center", "").upper(),
                row.get("lata", ""),
                row.get("state", "").upper(),
                row.get("ocn", "").upper(),
                *(dates.get(column, "") for column in DATE_COLUMNS[:4]),
                dates.get("port_date", ""),
                row.get("port_carrier", ""),
                row.get("port_transaction_id", ""),
            )
            return values, reason

        return check

    def _telecom_check_set(self):
        """Checks that need the whole file, the numbering plan or the inventory."""
        _ = self.env._
        cr = self.env.cr
        reject_duplicates(
            self.env, STAGE, "number", _("Number repeated: see row %(row)s.", row=MARK)
        )
        cr.execute("SELECT DISTINCT left(number, 6) FROM tn_migration_stage WHERE reason IS NULL")
        bad = [
            prefix
            for (prefix,) in cr.fetchall()
            if not phonenumbers.is_valid_number(phonenumbers.parse(f"+1{prefix}0000"))
            and not phonenumbers.is_valid_number(phonenumbers.parse(f"+1{prefix}5555"))
        ]
        if bad:
            cr.execute(
                """
                UPDATE tn_migration_stage SET reason = %s
                 WHERE reason IS NULL AND left(number, 6) = ANY(%s)
                """,
                [_("Not a valid North American number range (unassigned NPA-NXX)."), bad],
            )
        cr.execute("ALTER TABLE tn_migration_stage ADD COLUMN partner_id integer")
        cr.execute(
            """
            UPDATE tn_migration_stage s SET partner_id = p.id
              FROM res_partner p
             WHERE s.customer IS NOT NULL AND p.telecom_account_number = s.customer
               AND p.active
            """
        )
        cr.execute(
            """
            UPDATE tn_migration_stage SET reason = replace(%s, chr(1), customer)
             WHERE reason IS NULL AND customer IS NOT NULL AND partner_id IS NULL
            """,
            [
                _(
                    "No customer has the account number '%(account)s': migrate the accounts first.",
                    account=MARK,
                )
            ],
        )
        cr.execute(
            """
            UPDATE tn_migration_stage s SET reason = replace(%s, chr(1), n.status)
              FROM telecom_number n
             WHERE s.reason IS NULL AND n.name = '+1' || s.number
            """,
            [_("Already in the inventory (%(status)s): left unchanged.", status=MARK)],
        )

    def _telecom_status_counts(self):
        self.env.cr.execute(
            """
            SELECT status || CASE WHEN source = 'ported_in' THEN ' (ported in)' ELSE '' END,
                   count(*)
              FROM tn_migration_stage WHERE reason IS NULL GROUP BY 1 ORDER BY 1
            """
        )
        return self.env.cr.fetchall()

    def _telecom_insert_numbers(self):
        """Create the valid numbers with their history row (one statement)."""
        insert = SQL(
            """
            INSERT INTO telecom_number (
                name, national_number, npa, nxx, line, rate_center, lata, state_code, ocn,
                number_type, source, status, status_date, partner_id, service_reference,
                reserved_until, assigned_date, disconnect_date, aging_until, aging_required,
                block_id, company_id, create_uid, create_date, write_uid, write_date)
            SELECT '+1' || s.number,
                   '(' || left(s.number, 3) || ') ' || substr(s.number, 4, 3) || '-'
                       || right(s.number, 4),
                   left(s.number, 3), substr(s.number, 4, 3), right(s.number, 4),
                   coalesce(s.rate_center, b.rate_center), coalesce(s.lata, b.lata),
                   coalesce(s.state, bs.code), coalesce(s.ocn, b.ocn),
                   CASE WHEN left(s.number, 3) = ANY(%(toll_free)s) THEN 'toll_free'
                        ELSE coalesce(s.number_type, b.number_type, 'geographic') END,
                   s.source, s.status, now() AT TIME ZONE 'UTC', s.partner_id, s.service_ref,
                   s.reserved_until::date, s.assigned_date::date, s.disconnect_date::date,
                   s.aging_until::date, s.status IN ('assigned', 'aging'),
                   b.id, %(company)s, %(uid)s, now() AT TIME ZONE 'UTC', %(uid)s,
                   now() AT TIME ZONE 'UTC'
              FROM tn_migration_stage s
              LEFT JOIN telecom_number_block b
                     ON b.npa = left(s.number, 3) AND b.nxx = substr(s.number, 4, 3)
                    AND right(s.number, 4) BETWEEN b.line_from AND b.line_to
              LEFT JOIN res_country_state bs ON bs.id = b.state_id
             WHERE s.reason IS NULL
            ON CONFLICT (name) DO NOTHING
            """,
            toll_free=list(TOLL_FREE_NPAS),
            uid=self.env.uid,
            company=self.company_id.id,
        )
        return self.env["telecom.number.history"]._telecom_log_inserted(
            insert, self.env._("Migrated from the legacy system (%(name)s)", name=self.name)
        )

    def _telecom_insert_port_history(self):
        """The port-in of each migrated ported-in number, dated, in its history."""
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO telecom_number_history (
                    number_id, date, user_id, from_status, to_status, partner_id, reason,
                    carrier, transaction_ref, create_date, write_date)
                SELECT n.id, s.port_date::timestamp, %(uid)s, 'porting_in', 'assigned',
                       s.partner_id, %(reason)s, s.port_carrier, s.port_transaction_id,
                       now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
                  FROM tn_migration_stage s
                  JOIN telecom_number n ON n.name = '+1' || s.number
                 WHERE s.reason IS NULL AND s.source = 'ported_in'
                """,
                uid=self.env.uid,
                reason=self.env._("Ported in (legacy system)"),
            )
        )
        return self.env.cr.rowcount

    def _telecom_report(self, by_status, ports, sim_import):
        """The validation report: what was created by status, what was rejected and why."""
        _ = self.env._
        self.env.cr.execute(
            """
            SELECT regexp_replace(reason, %s, '…', 'g'), count(*)
              FROM telecom_number_migration_reject
             WHERE migration_id = %s GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 20
            """,
            [ELIDED_VALUES, self.id],
        )
        rejects = self.env.cr.fetchall()
        lines = [
            Markup("<p>%s</p>")
            % _(
                "%(rows)s rows read = %(created)s numbers created + %(rejected)s rejected; "
                "%(ports)s port-ins added to the history.",
                rows=self.row_count,
                created=self.created_count,
                rejected=self.rejected_count,
                ports=ports,
            ),
            Markup("<ul>%s</ul>")
            % Markup().join(
                Markup("<li>%s: %s</li>") % (label, count) for label, count in by_status
            ),
        ]
        if rejects:
            lines.append(
                Markup("<p>%s</p>")
                % _("Rejected rows by reason (values elided, first 20 reasons):")
            )
            lines.append(
                Markup("<ul>%s</ul>")
                % Markup().join(
                    Markup("<li>%s: %s</li>") % (escape(reason), count) for reason, count in rejects
                )
            )
        if sim_import:
            lines.append(
                Markup("<p>%s</p>")
                % _(
                    "SIMs: %(rows)s rows = %(created)s created + %(existing)s already there + "
                    "%(rejected)s rejected (%(name)s).",
                    rows=sim_import.row_count,
                    created=sim_import.created_count,
                    existing=sim_import.existing_count,
                    rejected=sim_import.rejected_count,
                    name=sim_import.name,
                )
            )
        return Markup().join(lines)
