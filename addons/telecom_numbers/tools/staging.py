"""Shared steps of the set-based CSV imports (SIM vendor files, inventory migration).

A file is read once, row by row (telecom_catalog's ``CsvRows``); each row is checked on its own and
streamed, normalised and with its rejection reason, to PostgreSQL ``COPY`` into a temporary
table; SQL then does what needs the whole set.
"""

import csv
import io

from odoo.tools import SQL

from odoo.addons.telecom_catalog.tools.csv_rows import CsvRows, csv_line, printable


def stage(env, table, columns, content, check, required, aliases=None):
    """Create the temporary ``table`` (row_no, ``columns``..., reason) and fill it with
    ``COPY`` from the rows of ``content``; ``check(values)`` gets ``{column: stripped text}``
    and returns ``(normalised values in ``columns`` order, reason or None)``. Returns the
    count of data rows."""
    cr = env.cr
    cr.execute(SQL("DROP TABLE IF EXISTS %s", SQL.identifier(table)))
    cr.execute(
        SQL(
            "CREATE TEMP TABLE %s (row_no integer, %s, reason text, raw text) ON COMMIT DROP",
            SQL.identifier(table),
            SQL(", ").join(SQL("%s text", SQL.identifier(c)) for c in columns),
        )
    )
    rows = CsvRows(env, content, required, aliases)
    buffer = io.StringIO()
    write = csv.writer(buffer, lineterminator="\n").writerow
    blanks = ("",) * len(columns)
    for row in rows:
        record = rows.record(row, columns)
        if row.reason:
            raw = csv_line(record.values())
            write((row.line_no, printable(row.raw)[:250], *blanks[1:], row.reason, raw))
            continue
        values, reason = check(record)
        write((row.line_no, *values, reason, csv_line(record.values()) if reason else None))
    buffer.seek(0)
    cr.copy_expert(SQL("COPY %s FROM STDIN WITH (FORMAT csv)", SQL.identifier(table)).code, buffer)
    cr.execute(SQL("ANALYZE %s", SQL.identifier(table)))
    return rows.count


def raw_sql(columns):
    """SQL of the CSV line of the stage's ``columns`` (quoted): the row of a reject that
    passed the row checks but not the set checks, to be corrected."""
    quoted = [
        SQL(
            """'"' || replace(coalesce(%s::text, ''), '"', '""') || '"'""",
            SQL.identifier(column) if isinstance(column, str) else column,
        )
        for column in columns
    ]
    return SQL("concat_ws(',', %s)", SQL(", ").join(quoted))


def insert_rejects(env, table, rejects, parent, value_column, columns):
    """Insert the rejected rows of the stage ``table`` (row number, ``value_column``, reason,
    the row as read, or else as ``columns`` — SQL expressions) into the reject list
    ``rejects`` (a ``telecom.import.reject.mixin`` with ``row_number``, ``value`` and
    ``reason``) of the record ``parent``. Returns their count."""
    Reject = env[rejects]
    link = next(
        name
        for name, field in Reject._fields.items()
        if field.type == "many2one" and field.comodel_name == parent._name
    )
    env.cr.execute(
        SQL(
            """
            INSERT INTO %(rejects)s (
                %(link)s, row_number, value, reason, raw, state,
                create_uid, create_date, write_uid, write_date)
            SELECT %(parent)s, row_no, left(coalesce(%(value)s, ''), 250), reason,
                   coalesce(raw, %(raw)s), 'open',
                   %(uid)s, now() AT TIME ZONE 'UTC', %(uid)s, now() AT TIME ZONE 'UTC'
              FROM %(table)s
             WHERE reason IS NOT NULL
             ORDER BY row_no
            """,
            rejects=SQL.identifier(Reject._table),
            link=SQL.identifier(link),
            parent=parent.id,
            value=SQL.identifier(value_column),
            raw=raw_sql(columns),
            uid=env.uid,
            table=SQL.identifier(table),
        )
    )
    Reject.invalidate_model()
    return env.cr.rowcount


def reject_duplicates(env, table, column, reason_template):
    """Reject rows repeating ``column`` of an earlier valid row (``%(row)s`` in the reason)."""
    env.cr.execute(
        SQL(
            """
            WITH firsts AS (
                SELECT %(column)s AS value, min(row_no) AS first_row
                  FROM %(table)s
                 WHERE reason IS NULL AND %(column)s <> ''
                 GROUP BY %(column)s
                HAVING count(*) > 1
            )
            UPDATE %(table)s s
               SET reason = replace(%(reason)s, chr(1), f.first_row::text)
              FROM firsts f
             WHERE s.reason IS NULL AND s.%(column)s = f.value AND s.row_no <> f.first_row
            """,
            table=SQL.identifier(table),
            column=SQL.identifier(column),
            reason=reason_template,
        )
    )
