import logging
import time
from datetime import UTC, datetime

from odoo import fields, models
from odoo.tools import SQL

from odoo.addons.telecom_catalog.tools.csv_rows import CsvRows, copy_rows, to_int
from odoo.addons.telecom_catalog.tools.planner import planner_settings
from odoo.addons.telecom_usage.models.telecom_usage_file import MAX_DURATION

_logger = logging.getLogger(__name__)

FILE_KINDS = [("retail", "Retail Usage"), ("interconnect", "Interconnect Trunk Records")]
# CSV columns of an interconnect CDR file (trunk records of the switch).
INTERCONNECT_COLUMNS = [
    "record_id",
    "trunk_group",
    "start_time",
    "duration",
    "calling_number",
    "called_number",
    "direction",
    "jurisdiction",
]
REQUIRED_INTERCONNECT_COLUMNS = {"record_id", "trunk_group", "start_time", "called_number"}
SWITCH_JURISDICTIONS = {"", "local", "intrastate", "interstate", "international"}


def _digits(number):
    """E.164 digits of a number as switches write it: +E.164 as it is, otherwise 1 + ten
    digits (NANP), or ten digits of NANP without the 1."""
    number = number.strip()
    digits = number.removeprefix("+")
    if not digits.isdigit():
        return None
    return "1" + digits if len(digits) == 10 and digits == number else digits


def _parse_interconnect_row(row):
    """Normalised trunk record (list in INTERCONNECT_COLUMNS order) or ValueError."""
    record_id, trunk, start, duration, calling, called, direction, jurisdiction = row
    if not record_id.strip():
        raise ValueError("missing record id")
    if not trunk.strip():
        raise ValueError("missing trunk group")
    try:
        moment = datetime.fromisoformat(start.strip())
    except ValueError:
        raise ValueError(f"start time {start!r} is not an ISO date-time") from None
    if moment.tzinfo:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    duration = str(to_int(duration, "duration", high=MAX_DURATION, default=0))
    dest = _digits(called)
    if not dest:
        raise ValueError(f"called number {called!r} is not a phone number")
    origin = _digits(calling) if calling.strip() else ""
    if origin is None:
        raise ValueError(f"calling number {calling!r} is not a phone number")
    direction = direction.strip().lower()
    if direction not in ("in", "out"):
        raise ValueError(f"direction {direction!r} is not in or out")
    jurisdiction = jurisdiction.strip().lower()
    if jurisdiction not in SWITCH_JURISDICTIONS:
        raise ValueError(f"jurisdiction {jurisdiction!r} is not known")
    return [record_id.strip(), trunk.strip(), moment.isoformat(sep=" "), duration,
            origin, dest, direction, jurisdiction]  # fmt: skip


class TelecomUsageFile(models.Model):
    """Interconnect trunk records come in CDR files too: same file record, checksum,
    counters, queue and reject list as retail usage, rated against the carriers' decks."""

    _inherit = "telecom.usage.file"

    telecom_file_kind = fields.Selection(
        FILE_KINDS,
        string="Kind",
        default="retail",
        required=True,
        help="Retail usage of our customers, or trunk records of traffic exchanged with "
        "other carriers (rated against the interconnect agreements).",
    )
    interconnect_cdr_ids = fields.One2many(
        "telecom.interconnect.cdr", "usage_file_id", string="Interconnect Records"
    )

    # ------------------------------------------------------------
    # BUSINESS: import
    # ------------------------------------------------------------

    def _telecom_import_content(self, content):
        if self.telecom_file_kind != "interconnect":
            return super()._telecom_import_content(content)
        started = time.monotonic()
        self._telecom_ic_stage_create()
        read = self._telecom_ic_stage_csv(content)
        _logger.info("%s: %s trunk records staged in %.1f s", self.name, read,
                     time.monotonic() - started)  # fmt: skip
        return read, self._telecom_ic_process_stage()

    def _telecom_ic_stage_csv(self, content):
        """One Python pass checks each row and streams it to ``COPY``: good rows in the
        canonical form, bad rows with their reason (they become rejects)."""
        rows = CsvRows(
            self.env,
            content,
            sorted(REQUIRED_INTERCONNECT_COLUMNS),
            what=self.env._("The interconnect CDR file"),
        )
        pick = rows.picker(INTERCONNECT_COLUMNS)
        return self._telecom_ic_stage_rows(
            (row.line_no, None, pick(row), row.reason) for row in rows
        )  # fmt: skip

    def _telecom_ic_stage_rows(self, rows):
        """COPY ``rows`` — ``(line_no, reject_id, values in INTERCONNECT_COLUMNS order,
        reason)`` — into the stage, by chunks, each checked by the parser: good rows in the
        canonical form, bad ones with their reason. Returns the number of rows."""

        def staged():
            for line_no, reject_id, values, reason in rows:
                if not reason:
                    try:
                        yield [line_no, reject_id, *_parse_interconnect_row(values), ""]
                        continue
                    except ValueError as error:
                        reason = str(error)
                yield [line_no, reject_id, *(v[:200] for v in values), reason]

        return copy_rows(
            self.env.cr, "COPY telecom_ic_stage FROM STDIN WITH (FORMAT csv, NULL '')", staged()
        )

    def _telecom_ic_rerate(self, rejects):
        """Rate open rejects of interconnect files again, as they are now (fixed rows, new
        decks or trunks): the same stage and rating as a file. Returns the counts."""
        columns = ["record_ref", "service_ref", "start_time", "duration", "calling_number",
                   "called_number", "direction", "interconnect_jurisdiction"]  # fmt: skip
        self._telecom_ic_stage_create()
        # the rows' call detail is CPNI: staff rate them again without reading it
        self._telecom_ic_stage_rows(
            (r.line_no, r.id, [r[c] or "" for c in columns], None) for r in rejects.sudo()
        )
        return self._telecom_ic_process_stage()

    def _telecom_ic_stage_create(self):
        cr = self.env.cr
        self.env.flush_all()
        cr.execute("SET LOCAL work_mem = '256MB'")
        cr.execute("DROP TABLE IF EXISTS telecom_ic_stage")
        cr.execute(
            """
            CREATE TEMP TABLE telecom_ic_stage (
                line_no integer, reject_id integer, record_id text, trunk text,
                start_time text, duration text,
                calling text, dest text, direction text, jurisdiction text, reason text
            ) ON COMMIT DROP
            """
        )

    def _telecom_ic_process_stage(self):
        """Drop duplicates, find the agreement of each trunk, rate every row in one query
        (longest prefix of the deck in force on the day, per direction and jurisdiction),
        insert the rated records and list the rejects. Returns the counts."""
        cr = self.env.cr
        counts = {"duplicate": 0, "rejected": 0, "rated": 0, "amount": 0.0}
        counts["duplicate"] = self._telecom_drop_duplicates(
            "telecom_ic_stage", "telecom_interconnect_cdr"
        )
        self._telecom_ic_rate()
        Record = self.env["telecom.usage.record"]
        cr.execute(
            SQL(
                """
                WITH ins AS (
                    INSERT INTO telecom_interconnect_cdr (
                        name, usage_file_id, agreement_id, company_id, trunk_group, direction,
                        jurisdiction, start_time, usage_date, calling_number, called_number,
                        duration, billable_seconds, rate_id, charge, state)
                    SELECT q.record_id, %(file)s, q.agreement_id, q.company_id, q.trunk,
                           q.direction, q.jurisdiction, q.start_time, q.usage_date,
                           NULLIF('+' || q.calling, '+'), '+' || q.dest, q.duration,
                           q.billable, q.rate_id, %(charge)s, 'rated'
                      FROM telecom_ic_rated q
                      JOIN (SELECT id, 'voice' AS usage_type, price, minimum_charge
                              FROM telecom_interconnect_rate) l ON l.id = q.rate_id
                     WHERE q.reason IS NULL
                     ORDER BY q.agreement_id, q.start_time
                    RETURNING charge
                )
                SELECT COUNT(*), COALESCE(SUM(charge), 0) FROM ins
                """,
                file=self.id or None,
                charge=Record._telecom_charge_sql(SQL("q.billable"), "l"),
            )
        )
        rated, amount = cr.fetchone()
        counts["rated"], counts["amount"] = rated, float(amount)
        counts["rejected"] = self._telecom_ic_write_rejects()
        cr.execute("DROP TABLE telecom_ic_stage, telecom_ic_rated")
        self.env.invalidate_all()
        return counts

    def _telecom_ic_rate(self):
        """``telecom_ic_rated``: the staged rows with agreement, jurisdiction (the switch's,
        else the retail rule from the area codes of both numbers), rate and billable seconds,
        or the reason they cannot be rated."""
        cr = self.env.cr
        Rate = self.env["telecom.interconnect.rate"]
        Rate.flush_model()
        cr.execute("SELECT COALESCE(MAX(length(prefix)), 0) FROM telecom_interconnect_rate")
        maxlen = cr.fetchone()[0]
        jurisdiction = self.env["telecom.usage.record"]._telecom_jurisdiction_sql(
            SQL("s.dest"), SQL("o.state_id")
        )
        # The planner sees a thousand prefixes per number (generate_series) and would spend
        # seconds compiling the query (JIT) to save nothing; a merge join would sort the file.
        with planner_settings(cr, enable_mergejoin="off", jit="off"):
            cr.execute(
                SQL(
                    """
                    CREATE TEMP TABLE telecom_ic_rated ON COMMIT DROP AS
                    WITH s AS (
                        SELECT s.line_no, s.reject_id, s.record_id, s.trunk,
                               s.start_time::timestamp AS start_time,
                               s.start_time::timestamp::date AS usage_date,
                               s.duration::int AS duration, s.calling, s.dest, s.direction,
                               t.agreement_id, a.company_id,
                               COALESCE(NULLIF(s.jurisdiction, ''), %(jurisdiction)s)
                                   AS jurisdiction
                          FROM telecom_ic_stage s
                          LEFT JOIN telecom_interconnect_trunk t
                                 ON t.name = s.trunk AND t.company_id = %(company)s
                          LEFT JOIN telecom_interconnect_agreement a ON a.id = t.agreement_id
                          LEFT JOIN telecom_npa n
                                 ON left(s.dest, 1) = '1' AND n.code = substr(s.dest, 2, 3)
                          LEFT JOIN telecom_npa o
                                 ON left(s.calling, 1) = '1' AND o.code = substr(s.calling, 2, 3)
                         WHERE s.reason IS NULL
                    ), bounds AS MATERIALIZED (
                        -- the days the rates of a direction change (few: one per deck)
                        SELECT agreement_id, direction, date_from AS day
                          FROM telecom_interconnect_rate
                        UNION
                        SELECT agreement_id, direction, date_to + 1
                          FROM telecom_interconnect_rate WHERE date_to IS NOT NULL
                    ), days AS (
                        -- a call is rated as on the last change before it: rates are looked up
                        -- once per deck version, not once per day
                        SELECT d.*, COALESCE(v.version, d.usage_date) AS version
                          FROM (SELECT DISTINCT agreement_id, direction, usage_date
                                  FROM s WHERE agreement_id IS NOT NULL) d
                          LEFT JOIN LATERAL (
                              SELECT MAX(b.day) AS version FROM bounds b
                               WHERE b.agreement_id = d.agreement_id
                                 AND b.direction = d.direction AND b.day <= d.usage_date
                          ) v ON TRUE
                    ), sv AS (
                        SELECT s.*, d.version, left(s.dest, %(maxlen)s) AS dest_key
                          FROM s
                          LEFT JOIN days d
                            ON d.agreement_id = s.agreement_id AND d.direction = s.direction
                           AND d.usage_date = s.usage_date
                    ), keys AS (
                        SELECT DISTINCT agreement_id, direction, jurisdiction, version, dest_key
                          FROM sv WHERE agreement_id IS NOT NULL
                    ), best AS MATERIALIZED (
                        SELECT k.*, r.id AS rate_id, r.first_increment, r.next_increment
                          FROM keys k
                          LEFT JOIN LATERAL (
                              -- every prefix of the number, longest first: one index probe
                              -- each on (agreement, direction, jurisdiction, prefix)
                              SELECT r.id, r.first_increment, r.next_increment
                                FROM generate_series(length(k.dest_key), 1, -1) i
                               CROSS JOIN LATERAL (
                                   SELECT r.* FROM telecom_interconnect_rate r
                                    WHERE r.agreement_id = k.agreement_id
                                      AND r.direction = k.direction
                                      AND r.jurisdiction = k.jurisdiction
                                      AND r.prefix = left(k.dest_key, i)
                                      AND r.date_from <= k.version
                                      AND (r.date_to IS NULL OR r.date_to >= k.version)
                                    ORDER BY r.date_from DESC, r.id
                                    LIMIT 1
                               ) r
                               ORDER BY i DESC
                               LIMIT 1
                          ) r ON TRUE
                    )
                    SELECT s.line_no, s.reject_id, s.record_id, s.trunk, s.start_time, s.usage_date,
                           s.duration, s.calling, s.dest, s.direction, s.agreement_id,
                           s.company_id, s.jurisdiction, b.rate_id,
                           CASE WHEN b.rate_id IS NULL OR s.duration <= 0 THEN 0
                                WHEN s.duration <= b.first_increment THEN b.first_increment
                                ELSE b.first_increment
                                     + CEIL((s.duration - b.first_increment)::numeric
                                            / b.next_increment)::bigint * b.next_increment
                           END AS billable,
                           CASE WHEN s.agreement_id IS NULL
                                THEN 'unknown trunk group ' || s.trunk
                                WHEN b.rate_id IS NULL
                                THEN 'no ' || s.direction || ' ' || s.jurisdiction
                                     || ' rate for +' || s.dest || ' on ' || s.usage_date
                           END AS reason
                      FROM sv s
                      LEFT JOIN best b
                        ON b.agreement_id = s.agreement_id AND b.direction = s.direction
                       AND b.jurisdiction = s.jurisdiction AND b.version = s.version
                       AND b.dest_key = s.dest_key
                    """,
                    jurisdiction=jurisdiction,
                    company=self.company_id.id or self.env.company.id,
                    maxlen=maxlen,
                )
            )

    def _telecom_ic_write_rejects(self):
        """Rejects of the stage: new ones listed, re-rated ones updated (reason, or rated).
        Returns the number of rows still rejected."""
        cr = self.env.cr
        cr.execute(
            """
            CREATE TEMP TABLE telecom_ic_rejects ON COMMIT DROP AS
            SELECT line_no, reject_id, record_id, trunk, start_time, duration, calling, dest,
                   direction, jurisdiction, reason
              FROM telecom_ic_stage WHERE reason IS NOT NULL
            UNION ALL
            SELECT line_no, reject_id, record_id, trunk, start_time::text, duration::text,
                   calling, dest, direction, jurisdiction, reason
              FROM telecom_ic_rated WHERE reason IS NOT NULL
            """
        )
        rejected = cr.rowcount
        cr.execute(
            """
            UPDATE telecom_usage_reject r SET reason = j.reason, write_uid = %(uid)s,
                   write_date = now() AT TIME ZONE 'UTC'
              FROM telecom_ic_rejects j WHERE j.reject_id = r.id;
            UPDATE telecom_usage_reject r SET state = 'rerated', reason = NULL,
                   write_uid = %(uid)s, write_date = now() AT TIME ZONE 'UTC'
              FROM telecom_ic_rated q WHERE q.reject_id = r.id AND q.reason IS NULL;
            INSERT INTO telecom_usage_reject (
                usage_file_id, company_id, line_no, record_ref, service_ref, start_time,
                duration, calling_number, called_number, direction, usage_type,
                interconnect_jurisdiction, reason, state,
                create_uid, create_date, write_uid, write_date)
            SELECT %(file)s, %(company)s, line_no, NULLIF(record_id, ''), trunk, start_time,
                   duration, calling, dest, direction, 'voice', NULLIF(jurisdiction, ''),
                   reason, 'open', %(uid)s, now() AT TIME ZONE 'UTC',
                   %(uid)s, now() AT TIME ZONE 'UTC'
              FROM telecom_ic_rejects WHERE reject_id IS NULL ORDER BY line_no;
            DROP TABLE telecom_ic_rejects;
            """,
            {"file": self.id or None, "company": self.company_id.id or self.env.company.id,
             "uid": self.env.uid},
        )  # fmt: skip
        return rejected
