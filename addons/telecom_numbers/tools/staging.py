"""Shared steps of the set-based CSV imports (SIM vendor files, inventory migration).

A file is read once with Python's ``csv`` module; each row is checked on its own and
streamed, normalised and with its rejection reason, to PostgreSQL ``COPY`` into a temporary
table; SQL then does what needs the whole set.
"""

import csv
import io

from odoo.exceptions import UserError
from odoo.tools import SQL


def read_rows(env, content, columns, required, aliases=None):
    """``(header positions, csv reader)`` of ``content`` (bytes); ``positions`` maps each of
    ``columns`` present in the header to its index. Raises a UserError naming what to fix."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UserError(
            env._("The file is not UTF-8 text; save it as CSV UTF-8 and import it again.")
        ) from error
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if not header:
        raise UserError(env._("The file is empty: it needs a header row and data rows."))
    names = [h.strip().lower().replace(" ", "_").replace("-", "_") for h in header]
    names = [(aliases or {}).get(n, n) for n in names]
    missing = [c for c in required if c not in names]
    if missing:
        raise UserError(
            env._(
                "The file has no %(missing)s column. Expected a header row with: %(columns)s.",
                missing=", ".join(missing),
                columns=", ".join(columns),
            )
        )
    return {c: names.index(c) for c in columns if c in names}, len(header), reader


def stage(env, table, columns, content, check, required, aliases=None):
    """Create the temporary ``table`` (row_no, ``columns``..., reason) and fill it with
    ``COPY`` from the rows of ``content``; ``check(values)`` gets ``{column: stripped text}``
    and returns ``(normalised values in ``columns`` order, reason or None)``. Returns the
    count of data rows."""
    cr = env.cr
    cr.execute(SQL("DROP TABLE IF EXISTS %s", SQL.identifier(table)))
    cr.execute(
        SQL(
            "CREATE TEMP TABLE %s (row_no integer, %s, reason text) ON COMMIT DROP",
            SQL.identifier(table),
            SQL(", ").join(SQL("%s text", SQL.identifier(c)) for c in columns),
        )
    )
    positions, width, reader = read_rows(env, content, columns, required, aliases)
    buffer = io.StringIO()
    write = csv.writer(buffer, lineterminator="\n").writerow
    blanks = ("",) * len(columns)
    count = 0
    for row in reader:
        if not row or (len(row) == 1 and not row[0].strip()):
            continue
        count += 1
        if len(row) != width:
            reason = env._(
                "The row has %(count)s columns; the header has %(width)s.",
                count=len(row),
                width=width,
            )
            write((reader.line_num, ",".join(row)[:250], *blanks[1:], reason))
            continue
        values, reason = check({c: row[i].strip() for c, i in positions.items()})
        write((reader.line_num, *values, reason))
    buffer.seek(0)
    cr.copy_expert(SQL("COPY %s FROM STDIN WITH (FORMAT csv)", SQL.identifier(table)).code, buffer)
    cr.execute(SQL("ANALYZE %s", SQL.identifier(table)))
    return count


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
