import csv
import io
from collections import defaultdict

from odoo import api, fields, models
from odoo.tools import SQL

from .telecom_rate_line import TIME_BANDS, UNIT_DIVISORS, USAGE_TYPES


class _BulkMany2one(fields.Many2one):
    """Many2one without a database foreign key.

    Usage records arrive by the million through INSERT ... SELECT joins that take every id
    from its table; a foreign-key trigger per column and row would double the cost of the
    insert. The referenced rows are protected by the application instead: started services,
    imported CDR files and used rates cannot be deleted (see their ``_unlink_except_*``).
    """

    def update_db_foreign_key(self, model, column):
        return


USAGE_STATES = [("rated", "Rated"), ("billed", "Billed")]
DIRECTIONS = [("out", "Outgoing"), ("in", "Incoming")]
JURISDICTIONS = [
    ("intrastate", "Intrastate"),
    ("interstate", "Interstate"),
    ("international", "International"),
]
CALL_DETAIL_HEADER = [
    "record_id",
    "service",
    "start_time_utc",
    "direction",
    "usage_type",
    "called_number",
    "duration_seconds",
    "volume_bytes",
    "roaming",
    "destination_group",
    "billable_units",
    "included_units",
    "charge",
]


class TelecomUsageRecord(models.Model):
    """A rated usage record (CDR). Records are written in bulk by SQL (see
    telecom.usage.file); the ORM only reads them, bills them and re-rates them."""

    _name = "telecom.usage.record"
    _inherit = ["telecom.cpni.mixin"]
    _description = "Telecom Usage Record"
    # not by start time: the time of a call is CPNI, and ordering by a field checks its access
    _order = "usage_date desc, id desc"
    _rec_name = "name"
    # Written by bulk SQL at millions of rows: no per-row user/date columns (and their
    # foreign-key checks); the usage file records who imported what and when.
    _log_access = False
    _sql_constraints = [
        ("name_uniq", "UNIQUE(name)", "A usage record id is imported once only."),
    ]
    # Call detail is CPNI: only the CPNI Authorized group reads it (record rules in
    # security/telecom_usage_rules.xml hide the records from other staff too). Amounts are not.
    _telecom_cpni_fields = (
        "start_time",
        "duration",
        "called_number",
        "volume_bytes",
        "roaming",
        "source_switch",
    )

    # ------------------------------------------------------------
    # FIELDS
    # ------------------------------------------------------------

    name = fields.Char(string="Record Id", required=True, readonly=True)
    usage_file_id = _BulkMany2one(
        "telecom.usage.file", readonly=True, index="btree_not_null", ondelete="set null"
    )
    service_id = _BulkMany2one("telecom.service", required=True, readonly=True)
    subscription_id = fields.Many2one(related="service_id.subscription_id")
    partner_id = _BulkMany2one(
        "res.partner",
        string="Customer",
        required=True,
        readonly=True,
        index=True,
        help="Commercial partner of the billing account.",
    )
    company_id = fields.Many2one(related="service_id.company_id")
    currency_id = fields.Many2one(related="company_id.currency_id")
    start_time = fields.Datetime(required=True, readonly=True, help="Start of the usage (UTC).")
    usage_date = fields.Date(readonly=True, help="Local date of the usage (rate plan time zone).")
    period_start = fields.Date(
        string="Billing Period", readonly=True, help="Start of the billing period it falls in."
    )
    duration = fields.Integer(string="Duration (s)", readonly=True)
    called_number = fields.Char(readonly=True)
    direction = fields.Selection(DIRECTIONS, readonly=True, default="out")
    jurisdiction = fields.Selection(
        JURISDICTIONS,
        readonly=True,
        help="Of a call, from the state of the service address and the area code of the "
        "other party: intrastate (same state), interstate (another state or territory, "
        "toll-free), international (outside country code 1, or Canada and the Caribbean). "
        "Messages and data are information services and have none.",
    )
    usage_type = fields.Selection(USAGE_TYPES, required=True, readonly=True)
    volume_bytes = fields.Float(digits=(20, 0), readonly=True)
    roaming = fields.Boolean(readonly=True)
    source_switch = fields.Char(readonly=True)
    time_band = fields.Selection(TIME_BANDS, readonly=True)
    rate_line_id = _BulkMany2one("telecom.rate.line", readonly=True, ondelete="restrict")
    destination_group = fields.Char(related="rate_line_id.destination_group")
    billable_units = fields.Integer(
        readonly=True, help="Seconds, messages or KB after the rounding increments."
    )
    included_units = fields.Integer(readonly=True, help="Units taken from the allowance.")
    charge = fields.Monetary(readonly=True)
    rerated_charge = fields.Monetary(
        readonly=True,
        help="Charge of billed usage after a re-rating; the difference with the billed charge "
        "is put as an adjustment on the next invoice.",
    )
    adjustment = fields.Monetary(
        readonly=True,
        help="Part of the re-rated difference already charged or credited on a later invoice.",
    )
    state = fields.Selection(USAGE_STATES, required=True, default="rated", readonly=True)
    move_id = fields.Many2one(
        "account.move",
        string="Invoice",
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
    )

    def init(self):
        # Rating reads the usage of one service's period in time order (allowances); billing
        # and revenue assurance read unbilled usage only (a small partial index, whatever the
        # history kept).
        self.env.cr.execute(
            """
            CREATE INDEX IF NOT EXISTS telecom_usage_record_unbilled_idx
                ON telecom_usage_record (service_id, usage_date) WHERE state = 'rated';
            CREATE INDEX IF NOT EXISTS telecom_usage_record_allowance_idx
                ON telecom_usage_record (service_id, period_start, usage_type, start_time);
            """
        )

    # ------------------------------------------------------------
    # BUSINESS: rating SQL
    # ------------------------------------------------------------

    @api.model
    def _telecom_rate_sql(self, source):
        """Rate the rows of ``source`` (SQL of a relation with the columns ``key``,
        ``service_id``, ``start_time``, ``dest`` (called digits), ``usage_type``, ``duration``,
        ``volume_bytes``, ``roaming``, ``direction``): returns a SELECT with the source's
        columns plus the account, rate plan, local date, billing period, time band, matched
        rate line (longest prefix, then roaming, then a specific time band) and billable units
        (none for incoming usage the rate plan does not charge: listed, free, no allowance)
        and the jurisdiction of a call.
        """
        return SQL(
            """
            WITH plan_map AS (
                SELECT DISTINCT ON (rel.product_template_id)
                       rel.product_template_id AS tmpl_id, p.id AS rate_plan_id
                  FROM product_template_telecom_rate_plan_rel rel
                  JOIN telecom_rate_plan p ON p.id = rel.telecom_rate_plan_id AND p.active
                 ORDER BY rel.product_template_id, p.sequence, p.id
            ), default_plan AS (
                SELECT DISTINCT ON (company_id) company_id, id AS rate_plan_id
                  FROM telecom_rate_plan
                 WHERE is_default AND active
                 ORDER BY company_id, sequence, id
            ), x AS (
                SELECT src.*, v.subscription_id, sub.partner_id, sub.company_id,
                       v.date_start AS service_start, v.date_end AS service_end,
                       pp.product_tmpl_id, p.id AS rate_plan_id, p.tz,
                       COALESCE(addr.state_id, cust.state_id) AS origin_state_id,
                       CASE WHEN src.direction != 'in' THEN TRUE
                            WHEN src.roaming THEN COALESCE(p.charge_roaming_inbound, TRUE)
                            ELSE COALESCE(p.charge_inbound, FALSE)
                       END AS chargeable,
                       sub.bill_cycle_day AS cycle_day,
                       p.peak_hour_from, p.peak_hour_to,
                       timezone(COALESCE(p.tz, 'UTC'), src.start_time AT TIME ZONE 'UTC')
                           AS local_ts
                  FROM (%(source)s) src
                  JOIN telecom_service v ON v.id = src.service_id
                  JOIN telecom_subscription sub ON sub.id = v.subscription_id
                  JOIN res_partner cust ON cust.id = sub.partner_id
                  LEFT JOIN res_partner addr ON addr.id = v.service_address_id
                  JOIN product_product pp ON pp.id = v.product_id
                  LEFT JOIN plan_map pm ON pm.tmpl_id = pp.product_tmpl_id
                  LEFT JOIN default_plan dp ON dp.company_id = sub.company_id
                  LEFT JOIN telecom_rate_plan p
                         ON p.id = COALESCE(pm.rate_plan_id, dp.rate_plan_id)
            ), y AS (
                SELECT x.*, x.local_ts::date AS usage_date,
                       CASE WHEN EXTRACT(DAY FROM x.local_ts) >= x.cycle_day
                            THEN make_date(EXTRACT(YEAR FROM x.local_ts)::int,
                                           EXTRACT(MONTH FROM x.local_ts)::int, x.cycle_day)
                            ELSE (make_date(EXTRACT(YEAR FROM x.local_ts)::int,
                                            EXTRACT(MONTH FROM x.local_ts)::int, x.cycle_day)
                                  - INTERVAL '1 month')::date
                       END AS period_start,
                       CASE WHEN EXTRACT(ISODOW FROM x.local_ts) >= 6 THEN 'weekend'
                            WHEN EXTRACT(HOUR FROM x.local_ts) >= x.peak_hour_from
                             AND EXTRACT(HOUR FROM x.local_ts) < x.peak_hour_to THEN 'peak'
                            ELSE 'offpeak'
                       END AS time_band,
                       CASE x.usage_type WHEN 'voice' THEN x.duration
                                         WHEN 'sms' THEN 1
                                         ELSE CEIL(x.volume_bytes / 1024.0)::bigint
                       END AS raw_units
                  FROM x
            )
            , keys AS (
                SELECT DISTINCT COALESCE(rate_plan_id, 0) AS plan, usage_type, time_band,
                       roaming, left(dest, %(maxlen)s) AS dest_key
                  FROM y
            ), best AS MATERIALIZED (
                SELECT k.*, l.id AS rate_line_id, l.first_increment, l.next_increment
                  FROM keys k
                  LEFT JOIN LATERAL (
                      SELECT l.id, l.first_increment, l.next_increment
                        FROM telecom_rate_line l
                       WHERE l.rate_plan_id = k.plan
                         AND l.usage_type = k.usage_type
                         AND l.active
                         AND starts_with(k.dest_key, COALESCE(l.prefix, ''))
                         AND l.time_band IN ('any', k.time_band)
                         AND (NOT COALESCE(l.roaming, FALSE) OR k.roaming)
                       ORDER BY length(COALESCE(l.prefix, '')) DESC,
                                COALESCE(l.roaming, FALSE) DESC,
                                l.time_band = 'any', l.sequence, l.id
                       LIMIT 1
                  ) l ON TRUE
            )
            SELECT y.*, b.rate_line_id,
                   CASE WHEN b.rate_line_id IS NULL OR y.raw_units <= 0
                             OR NOT y.chargeable THEN 0
                        WHEN y.raw_units <= b.first_increment THEN b.first_increment
                        ELSE b.first_increment
                             + CEIL((y.raw_units - b.first_increment)::numeric
                                    / b.next_increment)::bigint * b.next_increment
                   END AS billable_units,
                   CASE WHEN y.usage_type != 'voice' THEN NULL
                        ELSE %(jurisdiction)s
                   END AS jurisdiction
              FROM y
              JOIN best b
                ON b.plan = COALESCE(y.rate_plan_id, 0) AND b.usage_type = y.usage_type
               AND b.time_band = y.time_band AND b.roaming = y.roaming
               AND b.dest_key = left(y.dest, %(maxlen)s)
              LEFT JOIN telecom_npa n
                ON left(y.dest, 1) = '1' AND n.code = substr(y.dest, 2, 3)
            """,
            source=source,
            maxlen=self._telecom_prefix_length(),
            jurisdiction=self._telecom_jurisdiction_sql(SQL("y.dest"), SQL("y.origin_state_id")),
        )

    @api.model
    def _telecom_jurisdiction_sql(self, dest, origin_state, npa="n"):
        """SQL jurisdiction of a call to ``dest`` (digits with the country code) from a line
        in the state ``origin_state``, where ``npa`` is the alias of ``telecom_npa`` joined on
        the area code of ``dest`` (``LEFT JOIN telecom_npa n ON left(dest, 1) = '1' AND
        n.code = substr(dest, 2, 3)``). Shared by retail and interconnect rating."""
        npa = SQL.identifier(npa)
        return SQL(
            """CASE WHEN left(%(dest)s, 1) != '1' THEN 'international'
                    WHEN %(npa)s.id IS NULL THEN 'interstate'
                    WHEN NOT %(npa)s.is_us THEN 'international'
                    WHEN %(npa)s.state_id = %(origin)s THEN 'intrastate'
                    ELSE 'interstate'
               END""",
            dest=dest,
            npa=npa,
            origin=origin_state,
        )

    @api.model
    def _telecom_prefix_length(self):
        """Length of the longest active prefix: the digits of a number that choose its rate."""
        self.env["telecom.rate.line"].flush_model()
        self.env.cr.execute(
            "SELECT COALESCE(MAX(length(prefix)), 0) FROM telecom_rate_line WHERE active"
        )
        return self.env.cr.fetchone()[0]

    @api.model
    def _telecom_charge_sql(self, chargeable, line="l"):
        """SQL charge of ``chargeable`` units on rate line alias ``line``: the price per
        minute/message/MB, rounded to the cent, at least the minimum charge; nothing for
        usage fully inside the allowance."""
        line = SQL.identifier(line)
        return SQL(
            """CASE WHEN (%(units)s) > 0
                    THEN GREATEST(
                        ROUND((%(units)s)::numeric * %(line)s.price
                              / (CASE %(line)s.usage_type WHEN 'voice' THEN %(v)s
                                      WHEN 'sms' THEN %(s)s ELSE %(d)s END), 2),
                        COALESCE(%(line)s.minimum_charge, 0))
                    ELSE 0 END""",
            units=chargeable,
            line=line,
            v=UNIT_DIVISORS["voice"],
            s=UNIT_DIVISORS["sms"],
            d=UNIT_DIVISORS["data"],
        )

    @api.model
    def _telecom_recompute_allowances(self, partitions):
        """Recompute included units and charges of every record of ``partitions`` (SQL of a
        relation ``service_id, period_start, usage_type``) in time order. Unbilled records
        get the new charge; billed records keep what was billed and get ``rerated_charge``.
        Returns the number of records whose charge changed."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                WITH w AS (
                    SELECT r.id, r.billable_units, l.use_allowance,
                           CASE r.usage_type
                                WHEN 'voice' THEN COALESCE(p.allowance_voice_minutes, 0) * 60
                                WHEN 'sms' THEN COALESCE(p.allowance_sms, 0)
                                ELSE COALESCE(p.allowance_data_mb, 0) * 1024
                           END AS allowance,
                           SUM(CASE WHEN l.use_allowance THEN r.billable_units ELSE 0 END)
                               OVER (PARTITION BY r.service_id, r.period_start, r.usage_type
                                     ORDER BY r.start_time, r.id
                                     ROWS UNBOUNDED PRECEDING) AS used_to
                      FROM telecom_usage_record r
                      JOIN (%(partitions)s) k
                        ON k.service_id = r.service_id AND k.period_start = r.period_start
                       AND k.usage_type = r.usage_type
                      JOIN telecom_rate_line l ON l.id = r.rate_line_id
                      JOIN telecom_rate_plan p ON p.id = l.rate_plan_id
                ), inc AS (
                    SELECT w.id,
                           CASE WHEN w.use_allowance
                                THEN LEAST(w.billable_units, GREATEST(0,
                                     w.allowance - (w.used_to - w.billable_units)))
                                ELSE 0 END AS included
                      FROM w
                ), c AS (
                    SELECT inc.id, inc.included,
                           %(charge)s AS charge
                      FROM inc
                      JOIN telecom_usage_record r ON r.id = inc.id
                      JOIN telecom_rate_line l ON l.id = r.rate_line_id
                )
                UPDATE telecom_usage_record r
                   SET included_units = c.included,
                       charge = CASE WHEN r.state = 'rated' THEN c.charge ELSE r.charge END,
                       rerated_charge = CASE WHEN r.state = 'rated' THEN NULL
                                             ELSE c.charge END
                  FROM c
                 WHERE c.id = r.id
                   AND (r.included_units IS DISTINCT FROM c.included
                        OR (r.state = 'rated' AND r.charge IS DISTINCT FROM c.charge)
                        OR (r.state != 'rated'
                            AND COALESCE(r.rerated_charge, r.charge) IS DISTINCT FROM c.charge))
                """,
                partitions=partitions,
                charge=self._telecom_charge_sql(SQL("r.billable_units - inc.included"), "l"),
            )
        )
        changed = self.env.cr.rowcount
        self.env.invalidate_all()
        return changed

    @api.model
    def _telecom_rerate(self, services, date_from, date_to):
        """Rate again the usage of ``services`` between two local dates with the current
        rates, then their allowances. Billed usage keeps its billed charge; the difference
        is charged (or credited) on the next invoice. Returns the adjustment charges."""
        self.env.flush_all()
        cr = self.env.cr
        source = SQL(
            """SELECT r.id AS key, r.service_id, r.start_time,
                      ltrim(COALESCE(r.called_number, ''), '+') AS dest, r.usage_type,
                      r.duration, r.volume_bytes, COALESCE(r.roaming, FALSE) AS roaming,
                      COALESCE(r.direction, 'out') AS direction
                 FROM telecom_usage_record r
                WHERE r.service_id = ANY(%s) AND r.usage_date BETWEEN %s AND %s""",
            services.ids,
            date_from,
            date_to,
        )
        cr.execute(
            SQL(
                """
                UPDATE telecom_usage_record r
                   SET rate_line_id = q.rate_line_id, billable_units = q.billable_units,
                       time_band = q.time_band, jurisdiction = q.jurisdiction
                  FROM (%s) q
                 WHERE q.key = r.id AND q.rate_line_id IS NOT NULL
                """,
                self._telecom_rate_sql(source),
            )
        )
        self._telecom_recompute_allowances(
            SQL(
                """SELECT DISTINCT service_id, period_start, usage_type
                     FROM telecom_usage_record
                    WHERE service_id = ANY(%s) AND usage_date BETWEEN %s AND %s""",
                services.ids,
                date_from,
                date_to,
            )
        )
        return self._telecom_create_adjustments(services)

    def _telecom_create_adjustments(self, services):
        """Pending charges for the difference between re-rated and billed usage."""
        cr = self.env.cr
        cr.execute(
            """
            SELECT r.service_id, r.usage_type,
                   SUM(r.rerated_charge - r.charge - COALESCE(r.adjustment, 0)), array_agg(r.id)
              FROM telecom_usage_record r
             WHERE r.service_id = ANY(%s) AND r.state = 'billed'
               AND r.rerated_charge IS NOT NULL
               AND r.rerated_charge - r.charge - COALESCE(r.adjustment, 0) != 0
             GROUP BY r.service_id, r.usage_type
            """,
            [services.ids],
        )
        rows = cr.fetchall()
        product = self.env.ref("telecom_usage.product_telecom_usage")
        types = dict(USAGE_TYPES)
        charges = self.env["telecom.charge"]
        for service_id, usage_type, delta, ids in rows:
            service = self.env["telecom.service"].browse(service_id)
            if not service.currency_id.is_zero(delta):
                charges |= charges.create(
                    {
                        "subscription_id": service.subscription_id.id,
                        "service_id": service.id,
                        "product_id": product.id,
                        "kind": "adjustment",
                        "name": self.env._(
                            "%(type)s usage re-rated (%(n)s billed records)",
                            type=types[usage_type],
                            n=len(ids),
                        ),
                        "price_unit": float(delta),
                    }
                )
            # the invoice keeps the billed charge; the difference is now adjusted
            cr.execute(
                """UPDATE telecom_usage_record SET adjustment = rerated_charge - charge
                    WHERE id = ANY(%s)""",
                [ids],
            )
        self.env.invalidate_all()
        return charges

    # ------------------------------------------------------------
    # BUSINESS: call detail
    # ------------------------------------------------------------

    @api.model
    def _telecom_call_detail_csv(self, where):
        """CSV bytes of the usage matching ``where`` (SQL condition on alias ``r``)."""
        return self._telecom_call_detail_csvs(where, SQL("0")).get(0) or self._telecom_csv([])

    @api.model
    def _telecom_call_detail_csvs(self, where, key):
        """``{key value: CSV bytes}`` of the usage matching ``where``, one file per value of
        the SQL expression ``key`` (e.g. ``r.move_id``: one file per invoice)."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                SELECT %s, r.name, COALESCE(n.name, v.circuit_id, v.name),
                       to_char(r.start_time, 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), r.direction,
                       r.usage_type, COALESCE(r.called_number, ''), r.duration,
                       r.volume_bytes::bigint, r.roaming, COALESCE(l.destination_group, ''),
                       r.billable_units, r.included_units, r.charge
                  FROM telecom_usage_record r
                  JOIN telecom_service v ON v.id = r.service_id
                  LEFT JOIN LATERAL (
                      SELECT name FROM telecom_number WHERE service_id = v.id
                       ORDER BY id LIMIT 1) n ON TRUE
                  LEFT JOIN telecom_rate_line l ON l.id = r.rate_line_id
                 WHERE %s
                 ORDER BY 1, r.start_time, r.id
                """,
                key,
                where,
            )
        )
        rows = defaultdict(list)
        for row in self.env.cr.fetchall():
            rows[row[0]].append(row[1:])
        return {value: self._telecom_csv(value_rows) for value, value_rows in rows.items()}

    @api.model
    def _telecom_csv(self, rows):
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(CALL_DETAIL_HEADER)
        for row in rows:
            row = list(row)
            row[8] = "1" if row[8] else "0"
            row[12] = f"{row[12] or 0:.2f}"
            writer.writerow(row)
        return out.getvalue().encode()
