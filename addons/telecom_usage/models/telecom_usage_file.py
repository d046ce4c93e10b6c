import base64
import hashlib
import io
import logging
import random
import time
from datetime import UTC, datetime, timedelta

import psycopg2

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from odoo.addons.telecom_catalog.tools.adapter_errors import RECORD_ERRORS
from odoo.addons.telecom_catalog.tools.csv_rows import (
    BLOCK_BYTES,
    CsvRows,
    copy_rows,
    to_int,
)
from odoo.addons.telecom_catalog.tools.locking import lock_ids
from odoo.addons.telecom_catalog.tools.planner import planner_settings
from odoo.addons.telecom_numbers.tools.e164 import normalize_e164

_logger = logging.getLogger(__name__)

USAGE_FILE_STATES = [
    ("draft", "Draft"),
    ("queued", "Queued"),
    ("done", "Imported"),
    ("failed", "Failed"),
]
# CSV columns of a CDR file, in the canonical order (see README); the header names them.
CDR_COLUMNS = [
    "record_id",
    "service",
    "start_time",
    "duration",
    "called_number",
    "direction",
    "usage_type",
    "volume_bytes",
    "roaming",
    "source_switch",
]
REQUIRED_COLUMNS = {"record_id", "service", "start_time", "usage_type"}
TRUE_VALUES = {"1", "true", "t", "y", "yes"}
FALSE_VALUES = {"", "0", "false", "f", "n", "no"}
# Start times PostgreSQL normalises itself (ISO, UTC); other formats go through Python.
CANONICAL_TIME = (
    r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[T ]([01]\d|2[0-3]):[0-5]\d:[0-5]\d"
    r"Z?$"
)
# Largest duration (seconds) and data volume (bytes) of one record: rated units (seconds,
# kilobytes, rounded up to the increment) must fit the integer columns of the usage record.
MAX_DURATION = 99_999_999
MAX_VOLUME = 999_999_999_999
# Files up to this size are imported in the request; larger ones by the cron.
INLINE_IMPORT_BYTES = 2_000_000


def _parse_row(row):
    """Check one CDR row (list in CDR_COLUMNS order); returns the normalised row.

    Raises ValueError with the reason when the row is malformed.
    """
    record_id, service, start, duration, called, direction, usage_type, volume, roaming, switch = (
        row
    )
    record_id = record_id.strip()
    if not record_id:
        raise ValueError("missing record id")
    service = service.strip()
    if not service:
        raise ValueError("missing service number")
    if service[0] == "+" or service[0].isdigit():
        service = normalize_e164(service) or service
    try:
        moment = datetime.fromisoformat(start.strip())
    except ValueError:
        raise ValueError(f"start time {start!r} is not an ISO date-time") from None
    if moment.tzinfo:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    usage_type = usage_type.strip().lower()
    if usage_type not in ("voice", "sms", "data"):
        raise ValueError(f"usage type {usage_type!r} is not voice, sms or data")
    duration = to_int(duration, "duration", high=MAX_DURATION, default=0)
    volume = to_int(volume, "volume", high=MAX_VOLUME, default=0)
    direction = (direction.strip().lower() or "out")[:3]
    if direction not in ("in", "out"):
        raise ValueError(f"direction {direction!r} is not in or out")
    called = called.strip()
    dest = ""
    if called:
        e164 = normalize_e164(called)
        if not e164:
            raise ValueError(f"called number {called!r} is not a phone number")
        called, dest = e164, e164[1:]
    elif usage_type != "data":
        raise ValueError("missing called number")
    roaming = roaming.strip().lower()
    if roaming in TRUE_VALUES:
        roaming = "t"
    elif roaming in FALSE_VALUES:
        roaming = "f"
    else:
        raise ValueError(f"roaming flag {roaming!r} is not 0/1")
    return [
        record_id,
        service,
        moment.isoformat(sep=" "),
        duration,
        called,
        dest,
        direction,
        usage_type,
        volume,
        roaming,
        switch.strip(),
    ]


class TelecomUsageFile(models.Model):
    _name = "telecom.usage.file"
    _description = "Telecom Usage (CDR) File"
    _inherit = ["mail.thread", "telecom.cpni.mixin"]
    _order = "id desc"
    # The raw CDR file is call detail (CPNI): the counts and amounts are not.
    _telecom_cpni_fields = ("file",)
    _sql_constraints = [
        (
            "checksum_uniq",
            "UNIQUE(company_id, checksum)",
            "This file has already been imported.",
        ),
    ]

    # ------------------------------------------------------------
    # FIELDS
    # ------------------------------------------------------------

    name = fields.Char(required=True, default="/", readonly=True, copy=False)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    file = fields.Binary(string="CDR File", attachment=True, copy=False)
    filename = fields.Char()
    checksum = fields.Char(readonly=True, copy=False, help="SHA-1 of the file content.")
    state = fields.Selection(
        USAGE_FILE_STATES, default="draft", required=True, readonly=True, tracking=True
    )
    date_imported = fields.Datetime(readonly=True, copy=False)
    read_count = fields.Integer(string="Read", readonly=True, copy=False)
    rated_count = fields.Integer(string="Rated", readonly=True, copy=False)
    rejected_count = fields.Integer(string="Rejected", readonly=True, copy=False)
    duplicate_count = fields.Integer(
        string="Duplicates",
        readonly=True,
        copy=False,
        help="Records whose id was already imported (or repeated in this file): skipped.",
    )
    amount_rated = fields.Monetary(readonly=True, copy=False)
    currency_id = fields.Many2one(related="company_id.currency_id")
    duration = fields.Float(string="Duration (s)", readonly=True, digits=(16, 2), copy=False)
    error = fields.Text(readonly=True, copy=False)
    reject_ids = fields.One2many("telecom.usage.reject", "usage_file_id", string="Rejects")
    record_ids = fields.One2many("telecom.usage.record", "usage_file_id", string="Usage")

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].next_by_code("telecom.usage.file") or "/"
        return super().create(vals_list)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_imported(self):
        if any(record.state == "done" for record in self):
            raise UserError(self.env._("An imported CDR file cannot be deleted."))

    # ------------------------------------------------------------
    # ACTION
    # ------------------------------------------------------------

    def action_import(self):
        """Import small files at once; queue large ones for the cron."""
        for record in self:
            if not record._telecom_file_attachment():
                raise UserError(self.env._("Attach the CDR file to import."))
            if record.state == "done":
                raise UserError(self.env._("File %(name)s is already imported.", name=record.name))
            if record._telecom_file_attachment().file_size > INLINE_IMPORT_BYTES:
                record.state = "queued"
                self.env.ref("telecom_usage.ir_cron_telecom_usage_import")._trigger()
            else:
                record._telecom_import()
        return True

    def action_view_records(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "telecom_usage.action_telecom_usage_record"
        )
        action["domain"] = [("usage_file_id", "=", self.id)]
        return action

    def action_view_rejects(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "telecom_usage.action_telecom_usage_reject"
        )
        action["domain"] = [("usage_file_id", "=", self.id)]
        return action

    # ------------------------------------------------------------
    # BUSINESS: import
    # ------------------------------------------------------------

    @api.model
    def _telecom_import_csv(self, content, filename="cdr.csv", store_file=True):
        """Create a usage file for ``content`` (CSV bytes) and import it now (scripts)."""
        record = self.create(
            {
                "filename": filename,
                "file": base64.b64encode(content) if store_file else False,
            }
        )
        record._telecom_import(content)
        return record

    def _telecom_import(self, content=None):
        """Set-based import and rating of a CDR file.

        1. One Python pass over the CSV checks each row's format and streams the rows to
           ``COPY`` into a temporary table (malformed rows keep their reason);
        2. SQL drops records already imported or repeated, resolves the service of each
           distinct number, rates every row in one query (longest prefix, time band,
           rounding) and inserts the rated records with their allowances computed by a
           window (running sum in time order per service, billing period and usage type);
        3. rejected rows go to the reject list with their reason.
        """
        self.ensure_one()
        started = time.monotonic()
        with io.BytesIO(content) if content is not None else self._telecom_file_stream() as stream:
            return self._telecom_import_stream(stream, started)

    def _telecom_file_attachment(self):
        return (
            self.env["ir.attachment"]
            .sudo()
            .search(
                [
                    ("res_model", "=", self._name),
                    ("res_id", "=", self.id),
                    ("res_field", "=", "file"),
                ],
                limit=1,
            )
        )

    def _telecom_file_stream(self):
        """The attached file as a binary file object: read from the filestore as it is
        imported, never loaded whole (a file may be larger than the memory)."""
        attachment = self._telecom_file_attachment()
        if attachment.store_fname:
            return open(attachment._full_path(attachment.store_fname), "rb")
        return io.BytesIO(attachment.raw or b"")

    def _telecom_import_stream(self, stream, started):
        digest = hashlib.sha1()
        for block in iter(lambda: stream.read(BLOCK_BYTES), b""):
            digest.update(block)
        stream.seek(0)
        checksum = digest.hexdigest()
        if self.search_count(
            [("checksum", "=", checksum), ("company_id", "=", self.company_id.id)]
        ):
            raise UserError(self.env._("This file has already been imported."))
        self.checksum = checksum
        read, counts = self._telecom_import_content(stream)
        self.write(
            {
                "state": "done",
                "date_imported": fields.Datetime.now(),
                "read_count": read,
                "rated_count": counts["rated"],
                "rejected_count": counts["rejected"],
                "duplicate_count": counts["duplicate"],
                "amount_rated": counts["amount"],
                "duration": time.monotonic() - started,
                "error": False,
            }
        )
        self.message_post(
            body=self.env._(
                "%(read)s records read: %(rated)s rated (%(amount)s), %(rejected)s rejected, "
                "%(dup)s duplicates skipped.",
                read=read,
                rated=counts["rated"],
                amount=self.currency_id.format(counts["amount"]),
                rejected=counts["rejected"],
                dup=counts["duplicate"],
            )
        )
        return counts

    def _telecom_import_content(self, content):
        """Stage, rate and insert the rows of ``content`` (a binary file object); returns the
        number of rows read
        and the counts (``rated``, ``rejected``, ``duplicate``, ``amount``). The hook other
        kinds of CDR files (interconnect trunk records) override."""
        started = time.monotonic()
        self._telecom_stage_create()
        read = self._telecom_stage_csv(content)
        _logger.info("%s: %s rows staged in %.1f s", self.name, read, time.monotonic() - started)
        return read, self._telecom_process_stage()

    def _telecom_stage_create(self):
        cr = self.env.cr
        self.env.flush_all()
        cr.execute("SET LOCAL work_mem = '256MB'")
        cr.execute("DROP TABLE IF EXISTS telecom_usage_stage")
        cr.execute(
            """
            CREATE TEMP TABLE telecom_usage_stage (
                line_no integer, reject_id integer, record_id text, service_ident text,
                start_time text, duration text, called text, dest text, direction text,
                usage_type text, volume text, roaming text, switch text, reason text
            ) ON COMMIT DROP
            """
        )

    def _telecom_stage_rows(self, rows):
        """COPY ``rows`` — ``(line_no, reject_id, values in CDR_COLUMNS order, reason)`` —
        checked one by one, into the stage, by chunks. Returns the number of rows."""

        def staged():
            for line_no, reject_id, values, reason in rows:
                if not reason:
                    try:
                        yield [line_no, reject_id or "", *_parse_row(values), ""]
                        continue
                    except ValueError as error:
                        reason = str(error)
                raw = [str(v or "")[:200] for v in values]
                yield [line_no, reject_id or "", *raw[:5], "", *raw[5:], reason]

        return copy_rows(
            self.env.cr,
            "COPY telecom_usage_stage FROM STDIN WITH (FORMAT csv, NULL '')",
            staged(),
        )

    def _telecom_stage_csv(self, content):
        """Stage the rows of ``content`` (a binary file object, read as it goes)."""
        what = self.env._("The CDR file")
        rows = CsvRows(self.env, content, sorted(REQUIRED_COLUMNS), what=what)
        # PostgreSQL parses a clean file: no quotes (a stray one would join lines into one
        # row), no end-of-data marker (\.), distinct column names
        if rows.header_line == 1 and len(set(rows.header)) == len(rows.header):
            content.seek(0)
            clean = not any(b'"' in block or b"\\" in block
                            for block in iter(lambda: content.read(BLOCK_BYTES), b""))  # fmt: skip
            content.seek(0)
            try:
                if clean:
                    with self.env.cr.savepoint():
                        return self._telecom_stage_copy(content, rows.header)
            except psycopg2.DataError as error:
                # not a clean CSV (wrong column counts, bytes that are not UTF-8...): read
                # row by row
                _logger.info("%s: row by row (%s)", self.name, str(error).splitlines()[0])
            content.seek(0)
            rows = CsvRows(self.env, content, sorted(REQUIRED_COLUMNS), what=what)
        positions = [rows.positions.get(c) for c in CDR_COLUMNS]
        return self._telecom_stage_rows(
            (row.line_no, None, [row.values[p] if p is not None else "" for p in positions],
             row.reason)
            for row in rows
        )  # fmt: skip

    def _telecom_stage_copy(self, content, header):
        """Fast path for a clean CSV: PostgreSQL parses it (``COPY``) and normalises the rows
        in the canonical format (E.164 numbers, ISO UTC times, plain integers) in one
        statement; any other row is checked by the same Python parser as the slow path, so
        both paths accept and reject exactly the same rows. Returns the number of rows."""
        cr = self.env.cr
        columns = [c if c in CDR_COLUMNS else f"extra_{i}" for i, c in enumerate(header)]
        cr.execute("DROP TABLE IF EXISTS telecom_usage_raw")
        cr.execute(
            SQL(
                "CREATE TEMP TABLE telecom_usage_raw (line_no bigint GENERATED ALWAYS AS "
                "IDENTITY, %s) ON COMMIT DROP",
                SQL(", ").join(
                    SQL("%s text", SQL.identifier(c)) for c in dict.fromkeys(CDR_COLUMNS + columns)
                ),
            )
        )
        cr.copy_expert(
            SQL(
                "COPY telecom_usage_raw (%s) FROM STDIN WITH (FORMAT csv, HEADER true)",
                SQL(", ").join(SQL.identifier(c) for c in columns),
            ).code,
            content,
        )
        cr.execute(
            r"""
            WITH r AS (
                SELECT line_no + 1 AS line_no, COALESCE(record_id, '') AS rid,
                       COALESCE(service, '') AS svc, COALESCE(start_time, '') AS ts,
                       COALESCE(duration, '') AS dur, COALESCE(called_number, '') AS called,
                       COALESCE(direction, '') AS dir, COALESCE(usage_type, '') AS utype,
                       COALESCE(volume_bytes, '') AS vol, COALESCE(roaming, '') AS roam,
                       COALESCE(source_switch, '') AS sw
                  FROM telecom_usage_raw
            ), c AS (
                SELECT r.*,
                       rid ~ '^\S(.*\S)?$' AND rid !~ '[[:cntrl:]]'
                       AND (svc ~ '^\+\d+$' OR svc ~ '^[^+0-9\s](.*\S)?$')
                       AND ts ~ %s
                       AND dur ~ '^\d{0,8}$' AND vol ~ '^\d{0,12}$'
                       AND dir IN ('', 'in', 'out')
                       AND utype IN ('voice', 'sms', 'data')
                       AND (called ~ '^\+\d+$' OR (called = '' AND utype = 'data'))
                       AND roam IN ('', '0', '1') AS canonical
                  FROM r
            ), ok AS (
                SELECT c.*,
                       substr(ts, 9, 2)::int <= EXTRACT(DAY FROM (make_date(
                           substr(ts, 1, 4)::int, substr(ts, 6, 2)::int, 1)
                           + INTERVAL '1 month - 1 day'))::int AS valid_day
                  FROM c WHERE canonical
            )
            INSERT INTO telecom_usage_stage (
                line_no, reject_id, record_id, service_ident, start_time, duration, called,
                dest, direction, usage_type, volume, roaming, switch, reason)
            SELECT line_no, NULL, rid, svc, replace(replace(ts, 'T', ' '), 'Z', ''),
                   COALESCE(NULLIF(dur, ''), '0'), NULLIF(called, ''),
                   NULLIF(substr(called, 2), ''), COALESCE(NULLIF(dir, ''), 'out'), utype,
                   COALESCE(NULLIF(vol, ''), '0'),
                   CASE WHEN roam = '1' THEN 't' ELSE 'f' END, NULLIF(trim(sw), ''), NULL
              FROM ok WHERE valid_day
            """,
            [CANONICAL_TIME],
        )
        staged = cr.rowcount
        # the other rows (other formats, or bad): the Python parser decides
        cr.execute(
            """
            SELECT r.line_no + 1, COALESCE(record_id, ''), COALESCE(service, ''),
                   COALESCE(start_time, ''), COALESCE(duration, ''),
                   COALESCE(called_number, ''), COALESCE(direction, ''),
                   COALESCE(usage_type, ''), COALESCE(volume_bytes, ''),
                   COALESCE(roaming, ''), COALESCE(source_switch, '')
              FROM telecom_usage_raw r
             WHERE NOT EXISTS (SELECT 1 FROM telecom_usage_stage s
                                WHERE s.line_no = r.line_no + 1)
            """
        )
        others = cr.fetchall()
        if others:
            self._telecom_stage_rows((row[0], None, list(row[1:]), None) for row in others)
        cr.execute("DROP TABLE telecom_usage_raw")
        return staged + len(others)

    def _telecom_process_stage(self):
        """Dedupe, resolve, rate and insert the staged rows. Returns the counts."""
        cr = self.env.cr
        uid = self.env.uid
        file_id = self.id or None
        counts = {"duplicate": 0, "rejected": 0, "rated": 0, "amount": 0.0}
        t0 = time.monotonic()
        # 1. duplicates: already rated, already in the open reject list, or repeated here
        counts["duplicate"] = self._telecom_drop_duplicates(
            "telecom_usage_stage", "telecom_usage_record"
        )
        # 2. services: each distinct identifier once (numbers, then circuits)
        cr.execute(
            """
            CREATE TEMP TABLE telecom_usage_svc ON COMMIT DROP AS
            SELECT i.ident, COALESCE(n.service_id, c.id) AS service_id
              FROM (SELECT DISTINCT service_ident AS ident FROM telecom_usage_stage
                     WHERE reason IS NULL) i
              LEFT JOIN telecom_number n ON n.name = i.ident AND n.service_id IS NOT NULL
              LEFT JOIN (SELECT DISTINCT ON (circuit_id) circuit_id, id FROM telecom_service
                          WHERE circuit_id IS NOT NULL ORDER BY circuit_id, id DESC) c
                     ON c.circuit_id = i.ident AND n.id IS NULL
            """
        )
        cr.execute(
            """
            UPDATE telecom_usage_stage s SET reason = 'unknown service number ' || s.service_ident
              FROM telecom_usage_svc m
             WHERE m.ident = s.service_ident AND m.service_id IS NULL AND s.reason IS NULL
            """
        )
        _logger.info("usage import: duplicates and services in %.1f s", time.monotonic() - t0)
        # 3. rating in one query
        source = SQL(
            """SELECT s.line_no AS key, s.reject_id, s.record_id, m.service_id,
                      s.start_time::timestamp AS start_time, s.duration::int AS duration,
                      s.called, COALESCE(s.dest, '') AS dest, s.direction, s.usage_type,
                      s.volume::numeric AS volume_bytes, s.roaming::boolean AS roaming,
                      s.switch
                 FROM telecom_usage_stage s
                 JOIN telecom_usage_svc m ON m.ident = s.service_ident
                WHERE s.reason IS NULL"""
        )
        Record = self.env["telecom.usage.record"]
        # The planner cannot estimate the rate matches of a fresh stage; a merge join would
        # sort the whole file twice where a hash join reads it once.
        with planner_settings(cr, enable_mergejoin="off"):
            cr.execute(
                SQL(
                    """
                    CREATE TEMP TABLE telecom_usage_rated ON COMMIT DROP AS
                    SELECT q.key, q.reject_id, q.record_id, q.service_id, q.partner_id,
                           q.start_time, q.usage_date, q.period_start, q.duration, q.called,
                           q.dest, q.direction, q.usage_type, q.volume_bytes, q.roaming, q.switch,
                           q.time_band, q.rate_plan_id, q.rate_line_id, q.billable_units,
                           q.jurisdiction, l.use_allowance,
                           CASE WHEN q.service_start IS NULL OR q.usage_date < q.service_start
                                     OR q.usage_date > q.service_end
                                THEN 'service ' || (SELECT name FROM telecom_service
                                                     WHERE id = q.service_id)
                                     || ' was not active on ' || q.usage_date
                                WHEN q.rate_plan_id IS NULL
                                THEN 'no rate plan rates plan ' || COALESCE(
                                     (SELECT name->>'en_US' FROM product_template
                                       WHERE id = q.product_tmpl_id), '')
                                WHEN q.rate_line_id IS NULL
                                THEN 'no ' || q.usage_type || ' rate for destination +'
                                     || q.dest || ' (' || q.time_band || ')'
                           END AS reason
                      FROM (%(rate)s) q
                    LEFT JOIN telecom_rate_line l ON l.id = q.rate_line_id
                    """,
                    rate=Record._telecom_rate_sql(source),
                )
            )
        cr.execute("ANALYZE telecom_usage_rated")
        _logger.info("usage import: rated in %.1f s", time.monotonic() - t0)
        # 4. partitions with earlier-rated usage after the new one: recomputed afterwards
        cr.execute(
            """
            CREATE TEMP TABLE telecom_usage_late ON COMMIT DROP AS
            SELECT k.service_id, k.period_start, k.usage_type
              FROM (SELECT service_id, period_start, usage_type, MIN(start_time) AS first
                      FROM telecom_usage_rated WHERE reason IS NULL GROUP BY 1, 2, 3) k
             WHERE EXISTS (SELECT 1 FROM telecom_usage_record r
                            WHERE r.service_id = k.service_id
                              AND r.period_start = k.period_start
                              AND r.usage_type = k.usage_type AND r.start_time > k.first)
            """
        )
        # 5. insert the rated records, allowances used in time order
        cr.execute(
            SQL(
                """
                WITH good AS (
                    SELECT * FROM telecom_usage_rated WHERE reason IS NULL
                ), parts AS (
                    SELECT DISTINCT service_id, period_start, usage_type FROM good
                ), prior AS (
                    -- allowance used by usage rated before, one index range per partition
                    SELECT k.service_id, k.period_start, k.usage_type, u.used
                      FROM parts k
                     CROSS JOIN LATERAL (
                        SELECT SUM(CASE WHEN l.use_allowance THEN r.billable_units ELSE 0 END)
                               AS used
                          FROM telecom_usage_record r
                          JOIN telecom_rate_line l ON l.id = r.rate_line_id
                         WHERE r.service_id = k.service_id
                           AND r.period_start = k.period_start
                           AND r.usage_type = k.usage_type) u
                ), w AS (
                    SELECT g.*,
                           CASE g.usage_type
                                WHEN 'voice' THEN COALESCE(p.allowance_voice_minutes, 0) * 60
                                WHEN 'sms' THEN COALESCE(p.allowance_sms, 0)
                                ELSE COALESCE(p.allowance_data_mb, 0) * 1024
                           END AS allowance,
                           COALESCE(pr.used, 0)
                           + SUM(CASE WHEN g.use_allowance THEN g.billable_units ELSE 0 END)
                               OVER (PARTITION BY g.service_id, g.period_start, g.usage_type
                                     ORDER BY g.start_time, g.key ROWS UNBOUNDED PRECEDING)
                               AS used_to
                      FROM good g
                      JOIN telecom_rate_plan p ON p.id = g.rate_plan_id
                      LEFT JOIN prior pr ON pr.service_id = g.service_id
                       AND pr.period_start = g.period_start AND pr.usage_type = g.usage_type
                ), inc AS (
                    SELECT w.*,
                           CASE WHEN w.use_allowance
                                THEN LEAST(w.billable_units, GREATEST(0,
                                     w.allowance - (w.used_to - w.billable_units)))
                                ELSE 0 END AS included
                      FROM w
                )
                , ins AS (
                INSERT INTO telecom_usage_record (
                    name, usage_file_id, service_id, partner_id,
                    start_time, usage_date, period_start, duration, called_number, direction,
                    usage_type, volume_bytes, roaming, source_switch, time_band, rate_line_id,
                    billable_units, included_units, charge, state, jurisdiction)
                SELECT inc.record_id, %(file)s, inc.service_id,
                       inc.partner_id, inc.start_time, inc.usage_date,
                       inc.period_start, inc.duration, inc.called, inc.direction,
                       inc.usage_type, inc.volume_bytes, inc.roaming, inc.switch,
                       inc.time_band, inc.rate_line_id, inc.billable_units, inc.included,
                       %(charge)s, 'rated', inc.jurisdiction
                  FROM inc
                  JOIN telecom_rate_line l ON l.id = inc.rate_line_id
                 ORDER BY inc.service_id, inc.period_start, inc.usage_type, inc.start_time,
                          inc.key
                RETURNING charge
                )
                SELECT COUNT(*), COALESCE(SUM(charge), 0) FROM ins
                """,
                file=file_id,
                charge=Record._telecom_charge_sql(SQL("inc.billable_units - inc.included"), "l"),
            )
        )
        rated, amount = cr.fetchone()
        counts["rated"] = rated
        counts["amount"] = float(amount)
        _logger.info(
            "usage import: %s records inserted in %.1f s", counts["rated"], time.monotonic() - t0
        )
        cr.execute("SELECT COUNT(*) FROM telecom_usage_late")
        if cr.fetchone()[0]:
            Record._telecom_recompute_allowances(SQL("SELECT * FROM telecom_usage_late"))
        # 6. rejects: new ones inserted, re-rated ones updated
        counts["rejected"] = self._telecom_write_rejects()
        cr.execute("SELECT 1 FROM telecom_usage_stage WHERE reject_id IS NOT NULL LIMIT 1")
        rerating = bool(cr.fetchone())
        cr.execute(
            """
            UPDATE telecom_usage_reject j SET state = 'rerated', usage_record_id = r.id,
                   reason = NULL, write_uid = %s, write_date = now() AT TIME ZONE 'UTC'
              FROM telecom_usage_rated q
              JOIN telecom_usage_record r ON r.name = q.record_id
             WHERE q.reject_id = j.id AND q.reason IS NULL AND q.reject_id IS NOT NULL
               AND %s
            """,
            [uid, rerating],
        )
        cr.execute(
            "DROP TABLE telecom_usage_stage, telecom_usage_svc, telecom_usage_rated, "
            "telecom_usage_late"
        )
        self.env.invalidate_all()
        return counts

    def _telecom_drop_duplicates(self, stage, records):
        """Drop from the temporary table ``stage`` the rows whose record id is repeated in it
        (the first line is kept), already in the table ``records`` or in the open reject
        list (other than the reject rated again); rejects dropped are marked duplicate.
        Rows without a record id stay: they are rejects. Returns the number dropped."""
        cr = self.env.cr
        cr.execute(SQL("ANALYZE %s", SQL.identifier(stage)))
        cr.execute(
            SQL(
                """
                DELETE FROM %(stage)s s USING (
                    SELECT x.ctid AS c
                      FROM (SELECT ctid, row_number() OVER (PARTITION BY record_id
                                                            ORDER BY line_no) AS rank
                              FROM %(stage)s WHERE record_id != '') x
                     WHERE x.rank > 1
                    UNION
                    SELECT s.ctid FROM %(stage)s s
                      JOIN %(records)s r ON r.name = s.record_id
                    UNION
                    SELECT s.ctid FROM %(stage)s s
                      JOIN telecom_usage_reject j
                        ON j.state = 'open' AND j.record_ref = s.record_id
                       AND j.id IS DISTINCT FROM s.reject_id
                ) d
                WHERE s.ctid = d.c
                RETURNING s.reject_id
                """,
                stage=SQL.identifier(stage),
                records=SQL.identifier(records),
            )
        )
        dropped = [row[0] for row in cr.fetchall()]
        if any(dropped):
            cr.execute(
                """UPDATE telecom_usage_reject SET state = 'duplicate', write_date = now()
                    WHERE id = ANY(%s)""",
                [[r for r in dropped if r]],
            )
        return len(dropped)

    def _telecom_write_rejects(self):
        cr = self.env.cr
        rejects = SQL(
            """
            SELECT line_no, reject_id, record_id, service_ident, start_time, duration, called,
                   direction, usage_type, volume, roaming, switch, reason
              FROM telecom_usage_stage WHERE reason IS NOT NULL
            UNION ALL
            SELECT key, reject_id, record_id, (SELECT ident FROM telecom_usage_svc m
                                                WHERE m.service_id = q.service_id LIMIT 1),
                   start_time::text, duration::text, called, direction, usage_type,
                   volume_bytes::text, CASE WHEN roaming THEN '1' ELSE '0' END, switch, reason
              FROM telecom_usage_rated q WHERE reason IS NOT NULL
            """
        )
        cr.execute(
            SQL(
                """
                WITH j AS (%(rejects)s), upd AS (
                    UPDATE telecom_usage_reject r
                       SET reason = j.reason, write_uid = %(uid)s,
                           write_date = now() AT TIME ZONE 'UTC'
                      FROM j WHERE j.reject_id = r.id
                    RETURNING r.id
                ), ins AS (
                    INSERT INTO telecom_usage_reject (
                        usage_file_id, company_id, line_no, record_ref, service_ref,
                        start_time, duration, called_number, direction, usage_type,
                        volume_bytes, roaming, source_switch, reason, state,
                        create_uid, create_date, write_uid, write_date)
                    SELECT %(file)s, %(company)s, line_no, record_id, service_ident,
                           start_time, duration, called, direction, usage_type, volume,
                           roaming, switch, reason, 'open',
                           %(uid)s, now() AT TIME ZONE 'UTC', %(uid)s, now() AT TIME ZONE 'UTC'
                      FROM j WHERE j.reject_id IS NULL
                     ORDER BY line_no
                    RETURNING id
                )
                SELECT (SELECT COUNT(*) FROM upd) + (SELECT COUNT(*) FROM ins)
                """,
                rejects=rejects,
                uid=self.env.uid,
                file=self.id or None,
                company=self.company_id.id or self.env.company.id,
            )
        )
        return cr.fetchone()[0]

    @api.model
    def _telecom_demo_import(self, count=300):
        """Demo data: ``count`` CDRs of the last 30 days for the active voice services, plus
        one row of an unknown number (reject list)."""
        if self.env["telecom.usage.record"].search_count([("name", "=like", "DEMO-%")], limit=1):
            return False
        rng = random.Random(42)
        numbers = self.env["telecom.number"].search(
            [("service_id.state", "=", "active"), ("status", "=", "assigned")]
        )
        if not numbers:
            return False
        today = fields.Datetime.now().replace(hour=0, minute=0, second=0, microsecond=0)
        rows = [",".join(CDR_COLUMNS)]
        destinations = ["+12125550199", "+13035550142", "+14155550123", "+442071234567",
                        "+447911123456", "+5215512345678", "+19005550100"]  # fmt: skip
        for i in range(count):
            number = numbers[i % len(numbers)]
            start = max(
                today - timedelta(days=30) + timedelta(seconds=rng.randrange(30 * 86400)),
                fields.Datetime.to_datetime(number.service_id.date_start),
            )
            kind = rng.choice(["voice", "voice", "voice", "sms", "data"])
            called = "" if kind == "data" else rng.choice(destinations)
            duration = rng.randrange(5, 1200) if kind == "voice" else 0
            volume = rng.randrange(10**5, 10**8) if kind == "data" else 0
            roaming = "1" if rng.random() < 0.03 else "0"
            rows.append(
                f"DEMO-{i:05d},{number.name},{start.isoformat()}Z,{duration},{called},out,"
                f"{kind},{volume},{roaming},DEMO-SW"
            )
        rows.append(f"DEMO-BAD,+19995550000,{today.isoformat()}Z,60,+12125550199,out,voice,0,0,X")
        return self._telecom_import_csv(("\n".join(rows) + "\n").encode(), "demo-cdr.csv")

    # ------------------------------------------------------------
    # BUSINESS: cron
    # ------------------------------------------------------------

    @api.model
    def _cron_import_usage_files(self, batch_size=1):
        """Import queued CDR files, one batch per call."""
        self.flush_model(["state"])
        files = self.browse(
            lock_ids(self.env, self._table, SQL("state = 'queued'"), limit=batch_size)
        )
        for record in files:
            try:
                with self.env.cr.savepoint():
                    record._telecom_import()
            except RECORD_ERRORS as error:  # kept on the file, others go on
                record.write({"state": "failed", "error": str(error)})
                record.message_post(body=self.env._("The import failed: %(error)s", error=error))
        remaining = self.search_count([("state", "=", "queued")])
        self.env["ir.cron"]._notify_progress(done=len(files), remaining=remaining)
        return files
