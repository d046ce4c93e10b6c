import base64
import csv
import io
import logging
import time
from operator import itemgetter

import phonenumbers

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from odoo.addons.telecom_catalog.tools.csv_rows import CsvRows, csv_line, printable
from odoo.addons.telecom_catalog.tools.locking import lock_ids

from ..tools.staging import insert_rejects
from .telecom_number import NUMBER_TYPES, TOLL_FREE_NPAS

_logger = logging.getLogger(__name__)

IMPORT_STATES = [
    ("draft", "Draft"),
    ("queued", "Queued"),
    ("done", "Done"),
    ("failed", "Failed"),
]
# CSV columns, in the order of the staging table; only "number" is required.
IMPORT_COLUMNS = ("number", "rate_center", "lata", "state", "ocn", "number_type")
COLUMN_ALIASES = {
    "tn": "number",
    "telephone_number": "number",
    "phone": "number",
    "e164": "number",
    "state_code": "state",
    "type": "number_type",
    "ratecenter": "rate_center",
}
# Files up to this size are imported at once from the wizard; larger ones by the cron.
INLINE_IMPORT_BYTES = 5_000_000
# Marker replaced in SQL by the offending value (reasons are translated in Python).
MARK = "\x01"


STRIP_PUNCTUATION = str.maketrans("", "", "+ ().-")


def _nanp_reason(raw, reasons):
    """(rejection reason or None, 10-digit national number) of one number as written."""
    digits = raw.translate(STRIP_PUNCTUATION)
    if not raw:
        return reasons["r_empty"], ""
    if not (digits.isascii() and digits.isdigit()):
        return reasons["r_chars"].replace(MARK, raw), ""
    if raw[0] == "+" and digits[0] != "1":
        return reasons["r_foreign"].replace(MARK, raw), ""
    if len(digits) == 11 and digits[0] == "1":
        digits = digits[1:]
    if len(digits) != 10:
        return reasons["r_length"].replace(MARK, raw), ""
    if digits[0] < "2" or digits[1:3] == "11":
        return reasons["r_npa"].replace(MARK, digits[:3]), ""
    if digits[3] < "2" or digits[4:6] == "11":
        return reasons["r_nxx"].replace(MARK, digits[3:6]), ""
    return None, digits


class TelecomNumberImport(models.Model):
    _name = "telecom.number.import"
    _description = "Number Block Import"
    _check_company_auto = True
    _inherit = ["mail.thread"]
    _order = "id desc"

    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )

    # ------------------------------------------------------------
    # FIELDS
    # ------------------------------------------------------------

    name = fields.Char(required=True, readonly=True, default="/", copy=False)
    file = fields.Binary(string="CSV File", attachment=True, copy=False)
    filename = fields.Char()
    block_id = fields.Many2one(
        "telecom.number.block",
        string="Target Block",
        ondelete="set null",
        help="Import into this block: every number must fall in its range and takes its rate "
        "center, LATA, state and OCN unless the file gives them.",
        check_company=True,
    )
    create_blocks = fields.Boolean(
        string="Create Thousands-Blocks",
        default=True,
        help="Without a target block, create an NPA-NXX-X thousands-block for numbers that no "
        "existing block covers.",
    )
    state = fields.Selection(IMPORT_STATES, default="draft", required=True, tracking=True)
    row_count = fields.Integer(string="Rows", readonly=True)
    created_count = fields.Integer(string="Numbers Created", readonly=True)
    existing_count = fields.Integer(
        string="Already in Inventory",
        readonly=True,
        help="Valid rows whose number was already in the inventory (left unchanged).",
    )
    rejected_count = fields.Integer(string="Rejected", readonly=True)
    block_created_count = fields.Integer(string="Blocks Created", readonly=True)
    duration = fields.Float(string="Duration (s)", readonly=True, digits=(16, 2))
    error = fields.Text(readonly=True)
    reject_ids = fields.One2many(
        "telecom.number.import.reject", "import_id", string="Rejected Rows", readonly=True
    )
    number_ids = fields.One2many("telecom.number", "import_id", string="Numbers")

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].next_by_code("telecom.number.import") or "/"
        return super().create(vals_list)

    # ------------------------------------------------------------
    # ACTION
    # ------------------------------------------------------------

    def action_import(self):
        """Import small files at once; queue large ones for the cron (and wake it)."""
        for record in self:
            if not record.file:
                raise UserError(self.env._("Attach the CSV file to import."))
            if record.state == "done":
                raise UserError(self.env._("Import %(name)s is already done.", name=record.name))
            size = len(record.file) * 3 // 4
            if size > INLINE_IMPORT_BYTES:
                record.state = "queued"
                self.env.ref("telecom_numbers.ir_cron_run_number_imports")._trigger()
            else:
                record._telecom_run_import()
        return True

    def action_view_numbers(self):
        self.ensure_one()
        return self.env["telecom.number"]._telecom_action_list(
            self.name, [("import_id", "=", self.id)]
        )

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    @api.model
    def _telecom_import_csv(self, content, filename="numbers.csv", block=False, store_file=True):
        """Create an import record for ``content`` (CSV bytes) and run it now.

        Callable from scripts (bench/number_inventory.py): ``store_file=False`` skips keeping a
        copy of the file as an attachment.
        """
        record = self.create(
            {
                "filename": filename,
                "block_id": block.id if block else False,
                "file": base64.b64encode(content) if store_file else False,
            }
        )
        record._telecom_run_import(content)
        return record

    def _telecom_run_import(self, content=None):
        """Set-based import of a block CSV.

        1. One pass over the CSV in Python (csv module) checks each row on its own (format,
           NANP rules, state, LATA, OCN, type, target block) and streams it, normalised, with
           its rejection reason if any, to PostgreSQL ``COPY`` into a temporary table;
        2. SQL checks what needs the whole set: each distinct NPA-NXX once with phonenumbers,
           numbers repeated in the file;
        3. ``INSERT ... SELECT ... ON CONFLICT (name) DO NOTHING`` creates the numbers (and the
           missing thousands-blocks); rejected rows are inserted the same way.

        Bad rows go to the reject list with their row number and reason; good rows are kept;
        numbers already in the inventory are counted and left as they are.
        """
        self.ensure_one()
        self.check_access("write")
        self.env["telecom.number"].check_access("create")
        started = time.monotonic()
        if content is None:
            content = base64.b64decode(self.file or b"")
        cr = self.env.cr
        for model in ("telecom.number", "telecom.number.block", "telecom.number.import.reject"):
            self.env[model].flush_model()
        self.flush_recordset()
        # Hashes and sorts of a million rows fit in memory instead of spilling to disk.
        cr.execute("SET LOCAL work_mem = '256MB'")
        cr.execute("DROP TABLE IF EXISTS tn_import_stage")
        cr.execute(
            """
            CREATE TEMP TABLE tn_import_stage (
                row_no integer, number text, nat text, npa text, nxx text, line text,
                rate_center text, lata text, state_code text, ocn text, number_type text,
                reason text, raw text
            ) ON COMMIT DROP
            """
        )
        row_count, buffer = self._telecom_read_rows(content)
        cr.copy_expert("COPY tn_import_stage FROM STDIN WITH (FORMAT csv)", buffer)
        del buffer
        cr.execute("ANALYZE tn_import_stage")
        self._telecom_check_ranges()
        self._telecom_flag_duplicates()
        blocks_created = (
            0 if self.block_id or not self.create_blocks else self._telecom_create_blocks()
        )
        created = self._telecom_insert_numbers()
        rejected = insert_rejects(
            self.env,
            "tn_import_stage",
            "telecom.number.import.reject",
            self,
            "number",
            [SQL("coalesce(nullif(number, ''), '+1' || nat)"), "rate_center", "lata",
             "state_code", "ocn", "number_type"],
        )  # fmt: skip
        cr.execute("DROP TABLE tn_import_stage")
        if created >= 100_000:
            cr.execute("ANALYZE telecom_number")
        self.env["telecom.number"].invalidate_model()
        self.env["telecom.number.block"].invalidate_model()
        self.invalidate_recordset(["reject_ids", "number_ids"])
        self.write(
            {
                "state": "done",
                "error": False,
                "row_count": row_count,
                "created_count": created,
                "rejected_count": rejected,
                "existing_count": row_count - rejected - created,
                "block_created_count": blocks_created,
                "duration": time.monotonic() - started,
            }
        )
        self.message_post(
            body=self.env._(
                "%(rows)s rows read: %(created)s numbers created, %(existing)s already in the "
                "inventory, %(rejected)s rejected, %(blocks)s blocks created.",
                rows=row_count,
                created=created,
                existing=self.existing_count,
                rejected=rejected,
                blocks=blocks_created,
            )
        )
        return True

    def _telecom_read_rows(self, content):
        """Read and check every row once; returns (data row count, COPY buffer).

        Each row is written normalised (national number split in NPA, NXX and line, upper-case
        rate center, state id) with the reason of its first problem, or none; a row that
        cannot be read (bytes that are not UTF-8, wrong column count...) with that reason.
        """
        rows = CsvRows(self.env, content, ["number"], COLUMN_ALIASES)
        positions = {c: i for c, i in rows.positions.items() if c in IMPORT_COLUMNS}
        check = self._telecom_row_checker(positions)
        buffer = io.StringIO()
        write = csv.writer(buffer, lineterminator="\n").writerow
        blanks = ("",) * 9
        for row in rows:
            if row.reason:
                raw = csv_line(rows.record(row, IMPORT_COLUMNS).values())
                write((row.line_no, printable(row.raw)[:250], *blanks, row.reason, raw))
                continue
            values = check(row.values)
            raw = csv_line(rows.record(row, IMPORT_COLUMNS).values()) if values[-1] else None
            write((row.line_no, *values, raw))
        buffer.seek(0)
        return rows.count, buffer

    def _telecom_reimport_rows(self, rejects):
        """A new import of the corrected ``rejects`` (same target block); returns what it
        did, in a sentence."""
        again = self.create(
            {"filename": f"{self.name}-corrected.csv", "block_id": self.block_id.id,
             "create_blocks": self.create_blocks}
        )  # fmt: skip
        again._telecom_run_import(rejects._telecom_reimport_content(IMPORT_COLUMNS))
        return self.env._(
            "%(name)s: %(rows)s rows, %(created)s numbers created, %(rejected)s rejected.",
            name=again.name,
            rows=again.row_count,
            created=again.created_count,
            rejected=again.rejected_count,
        )

    def _telecom_row_checker(self, positions):
        """A function checking one CSV row: returns the staging columns after ``row_no``."""
        reasons = self._telecom_reasons()
        states = {
            state.code.upper()
            for state in self.env["res.country.state"].search(
                [("country_id", "=", self.env.ref("base.us").id)]
            )
        }
        types = {key for key, _label in NUMBER_TYPES}
        block = self.block_id
        block_prefix = f"{block.npa}{block.nxx}" if block else None
        block_lines = (block.line_from, block.line_to) if block else None
        block_rate_center = block.rate_center if block else None

        def empty(_row):
            return ""

        get = {
            column: itemgetter(positions[column]) if column in positions else empty
            for column in IMPORT_COLUMNS
        }

        def check(row):
            raw = get["number"](row).strip()
            reason, nat = _nanp_reason(raw, reasons)
            npa, nxx, line = nat[:3], nat[3:6], nat[6:]
            rate_center = get["rate_center"](row).strip().upper()
            lata = get["lata"](row).strip()
            state = get["state"](row).strip().upper()
            ocn = get["ocn"](row).strip().upper()
            number_type = get["number_type"](row).strip().lower()
            if reason:
                pass
            elif state and state not in states:
                reason = reasons["r_state"].replace(MARK, state)
            elif lata and not (len(lata) == 3 and lata.isascii() and lata.isdigit()):
                reason = reasons["r_lata"].replace(MARK, lata)
            elif ocn and not (len(ocn) == 4 and ocn.isascii() and ocn.isalnum()):
                reason = reasons["r_ocn"].replace(MARK, ocn)
            elif number_type and number_type not in types:
                reason = reasons["r_type"].replace(MARK, number_type)
            elif block and not (
                nat[:6] == block_prefix and block_lines[0] <= line <= block_lines[1]
            ):
                reason = reasons["r_outside"].replace(MARK, f"+1{nat}")
            elif (
                not rate_center
                and not block_rate_center
                and number_type != "toll_free"
                and npa not in TOLL_FREE_NPAS
            ):
                reason = reasons["r_rate_center"]
            if reason:
                return (raw, "", "", "", "", "", "", "", "", "", reason)
            return ("", nat, npa, nxx, line, rate_center, lata, state, ocn, number_type, "")

        return check

    def _telecom_reasons(self):
        _ = self.env._
        return {
            "r_empty": _("The number is empty."),
            "r_chars": _(
                "'%(value)s' has characters other than digits, spaces, +, -, dots and parentheses.",
                value=MARK,
            ),
            "r_foreign": _(
                "'%(value)s' is not a North American (+1) number; only NANP numbers can be "
                "imported.",
                value=MARK,
            ),
            "r_length": _(
                "'%(value)s' does not have 10 digits (or 11 digits starting with 1).", value=MARK
            ),
            "r_npa": _(
                "Area code %(npa)s is not valid: it starts with 2-9 and does not end in 11.",
                npa=MARK,
            ),
            "r_nxx": _(
                "Exchange %(nxx)s is not valid: it starts with 2-9 and does not end in 11.",
                nxx=MARK,
            ),
            "r_state": _("Unknown state code '%(state)s': use the two-letter code.", state=MARK),
            "r_lata": _("LATA '%(lata)s' must be 3 digits.", lata=MARK),
            "r_ocn": _("OCN '%(ocn)s' must be 4 letters or digits.", ocn=MARK),
            "r_type": _(
                "Number type '%(type)s' is not one of: %(types)s.",
                type=MARK,
                types=", ".join(key for key, _label in NUMBER_TYPES),
            ),
            "r_outside": _(
                "%(number)s is outside block %(block)s.", number=MARK, block=self.block_id.name
            ),
            "r_rate_center": _(
                "The rate center is missing: geographic and mobile numbers need one (in the file "
                "or from the target block)."
            ),
        }

    def _telecom_check_ranges(self):
        """Check each distinct NPA-NXX once with phonenumbers (unassigned area codes...)."""
        cr = self.env.cr
        cr.execute(
            "SELECT npa, nxx, min(line) FROM tn_import_stage WHERE reason IS NULL GROUP BY npa, nxx"
        )
        bad_npa, bad_nxx = [], []
        for npa, nxx, line in cr.fetchall():
            if not phonenumbers.is_valid_number(phonenumbers.parse(f"+1{npa}{nxx}{line}")):
                bad_npa.append(npa)
                bad_nxx.append(nxx)
        if not bad_npa:
            return
        reason = self.env._(
            "%(range)s is not a valid North American number range (unassigned area code or "
            "exchange).",
            range=MARK,
        )
        cr.execute(
            """
            UPDATE tn_import_stage s
               SET reason = replace(%s, chr(1), s.npa || '-' || s.nxx)
              FROM unnest(%s::text[], %s::text[]) AS bad(npa, nxx)
             WHERE s.reason IS NULL AND s.npa = bad.npa AND s.nxx = bad.nxx
            """,
            [reason, bad_npa, bad_nxx],
        )

    def _telecom_flag_duplicates(self):
        """A number repeated in the file is kept once (its first row); later rows are rejected."""
        self.env.cr.execute(
            """
            WITH firsts AS (
                SELECT nat, min(row_no) AS first_row
                  FROM tn_import_stage
                 WHERE reason IS NULL
                 GROUP BY nat
                HAVING count(*) > 1
            )
            UPDATE tn_import_stage s
               SET reason = replace(%s, chr(1), f.first_row::text)
              FROM firsts f
             WHERE s.reason IS NULL AND s.nat = f.nat AND s.row_no <> f.first_row
            """,
            [self.env._("Duplicate of row %(row)s of this file.", row=MARK)],
        )

    def _telecom_create_blocks(self):
        """Create the NPA-NXX-X thousands-blocks of numbers no existing block covers."""
        self.env["telecom.number.block"].check_access("create")
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO telecom_number_block (
                    name, npa, nxx, line_from, line_to, block_type, size, rate_center, lata,
                    state_id, ocn, number_type, company_id, create_uid, create_date, write_uid,
                    write_date)
                SELECT g.npa || '-' || g.nxx || '-' || g.x || '000..' || g.x || '999',
                       g.npa, g.nxx, g.x || '000', g.x || '999', 'thousands', 1000,
                       g.rate_center, g.lata, st.id, g.ocn, g.number_type, %(company)s,
                       %(uid)s, now() AT TIME ZONE 'UTC', %(uid)s, now() AT TIME ZONE 'UTC'
                  FROM (SELECT npa, nxx, left(line, 1) AS x, min(rate_center) AS rate_center,
                               min(lata) AS lata, min(state_code) AS state_code,
                               min(ocn) AS ocn,
                               CASE WHEN npa = ANY(%(toll_free)s) THEN 'toll_free'
                                    ELSE coalesce(min(number_type), 'geographic')
                               END AS number_type
                          FROM tn_import_stage
                         WHERE reason IS NULL
                         GROUP BY npa, nxx, left(line, 1)) g
                  LEFT JOIN res_country_state st
                         ON st.code = g.state_code AND st.country_id = %(us)s
                 WHERE NOT EXISTS (
                       SELECT 1 FROM telecom_number_block b
                        WHERE b.npa = g.npa AND b.nxx = g.nxx
                          AND b.line_from <= g.x || '999' AND b.line_to >= g.x || '000')
                ON CONFLICT (npa, nxx, line_from) DO NOTHING
                """,
                uid=self.env.uid,
                company=self.company_id.id,
                toll_free=list(TOLL_FREE_NPAS),
                us=self.env.ref("base.us").id,
            )
        )
        return self.env.cr.rowcount

    def _telecom_insert_numbers(self):
        if self.block_id:
            join = SQL("b.id = %s", self.block_id.id)
        else:
            join = SQL(
                "b.npa = s.npa AND b.nxx = s.nxx AND s.line BETWEEN b.line_from AND b.line_to"
            )
        return self.env["telecom.number.history"]._telecom_log_inserted(
            SQL(
                """
                INSERT INTO telecom_number (
                    name, national_number, npa, nxx, line, rate_center, lata, state_code, ocn,
                    number_type, source, status, status_date, aging_required, block_id,
                    import_id, company_id, create_date, write_date)
                SELECT '+1' || s.nat, '(' || s.npa || ') ' || s.nxx || '-' || s.line,
                       s.npa, s.nxx, s.line,
                       coalesce(s.rate_center, b.rate_center), coalesce(s.lata, b.lata),
                       coalesce(s.state_code, bs.code), coalesce(s.ocn, b.ocn),
                       CASE WHEN s.npa = ANY(%(toll_free)s) THEN 'toll_free'
                            ELSE coalesce(s.number_type, b.number_type, 'geographic') END,
                       'native', 'available', now() AT TIME ZONE 'UTC', false, b.id,
                       %(import)s, %(company)s, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
                  FROM tn_import_stage s
                  LEFT JOIN telecom_number_block b ON %(join)s
                  LEFT JOIN res_country_state bs ON bs.id = b.state_id
                 WHERE s.reason IS NULL
                   -- Skip numbers already in the inventory before building their rows;
                   -- ON CONFLICT still covers a concurrent import of the same numbers.
                   AND NOT EXISTS (SELECT 1 FROM telecom_number t WHERE t.name = '+1' || s.nat)
                ON CONFLICT (name) DO NOTHING
                """,
                toll_free=list(TOLL_FREE_NPAS),
                join=join,
                company=self.company_id.id,
                **{"import": self.id},
            ),
            self.env._("Added to the inventory by block import %(name)s", name=self.name),
        )

    @api.model
    def _cron_run_number_imports(self, batch_size=1):
        """Run queued imports (large files started from the wizard), one batch per call."""
        self.flush_model(["state"])
        imports = self.browse(
            lock_ids(self.env, self._table, SQL("state = 'queued'"), limit=batch_size)
        )
        for record in imports:
            try:
                with self.env.cr.savepoint():
                    record._telecom_run_import()
            except UserError as error:
                record.write({"state": "failed", "error": str(error)})
                record.message_post(body=self.env._("The import failed: %(error)s", error=error))
            _logger.info("Number import %s: %s", record.name, record.state)
        remaining = self.search_count([("state", "=", "queued")])
        self.env["ir.cron"]._notify_progress(done=len(imports), remaining=remaining)
        return imports
