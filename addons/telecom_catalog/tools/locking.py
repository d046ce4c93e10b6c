"""Lock a batch of rows for one cron call or worker, like ``res.company._with_locked_records``.

Every batch job of the suite takes its rows with :func:`lock_ids`, so two workers (or two cron
calls running in parallel on several Odoo nodes) never take the same row, and a row another
transaction holds is simply left for the next call.
"""

import logging

import psycopg2.errors

from odoo.tools import SQL

_logger = logging.getLogger(__name__)


def lock_ids(env_or_cr, table, where, params=(), *, limit=None, order="id", alias=None):
    """Ids of the rows of ``table`` matching ``where``, locked for this transaction.

    Runs, in a savepoint::

        SELECT <alias>.id FROM <table> <alias> WHERE <where>
         ORDER BY <order> LIMIT <limit> FOR UPDATE OF <alias> SKIP LOCKED

    :param env_or_cr: an ``odoo.api.Environment`` or a database cursor
    :param str table: the table (``records._table``); quoted as an identifier
    :param where: the condition, an ``odoo.tools.SQL`` carrying its own parameters (preferred),
        or a constant ``str`` with ``%s`` placeholders whose values are ``params``; never
        format values into it
    :param params: values of the ``%s`` placeholders of a ``str`` ``where`` (ignored for SQL)
    :param int limit: at most this many ids (``None``: no limit)
    :param order: ``ORDER BY`` clause, a constant ``str`` or an ``SQL`` (``None``: none)
    :param str alias: name the table gets in ``where`` and ``order`` (default: the table
        name); useful for correlated sub-queries, e.g. ``alias="o"`` and
        ``NOT EXISTS (SELECT 1 FROM t earlier WHERE earlier.x = o.x ...)``
    :return: the list of locked ids, in ``order``; ``[]`` when nothing can be taken now
    :rtype: list[int]

    Rows another transaction holds are skipped (``SKIP LOCKED``). Odoo runs transactions in
    REPEATABLE READ: locking a row that another worker changed and committed after this
    transaction began raises a serialization failure. Such rows were just handled by that
    worker, so the failure is rolled back to the savepoint and the call returns ``[]``: the
    next call, in a new transaction, sees them as they are now. (:func:`fetch_locked_ids` does
    the same for a complete locking query.)

    The caller flushes what ``where`` reads first (``model.flush_model([...])``): the query
    runs on the database, not on the ORM cache. Example::

        self.flush_model(["state"])
        ids = lock_ids(self.env, self._table, SQL("state = %s", "queued"), limit=batch_size)
        records = self.browse(ids)
    """
    cr = getattr(env_or_cr, "cr", env_or_cr)
    if not isinstance(where, SQL):
        where = SQL(where, *params)
    name = SQL.identifier(alias or table)
    query = SQL(
        "SELECT %s FROM %s %s WHERE %s",
        SQL.identifier(alias or table, "id"),
        SQL.identifier(table),
        name,
        where,
    )
    if order:
        query = SQL("%s ORDER BY %s", query, order if isinstance(order, SQL) else SQL(order))
    if limit is not None:
        query = SQL("%s LIMIT %s", query, limit)
    return fetch_locked_ids(cr, SQL("%s FOR UPDATE OF %s SKIP LOCKED", query, name))


def fetch_locked_ids(env_or_cr, query):
    """The first column of ``query``, a complete ``SELECT … FOR UPDATE [OF …] SKIP LOCKED``
    given as an ``odoo.tools.SQL``, run in a savepoint; ``[]`` on a serialization failure.

    For the locking queries :func:`lock_ids` cannot build (joins, CTEs, queries assembled by
    a model); same REPEATABLE READ handling as :func:`lock_ids`.
    """
    cr = getattr(env_or_cr, "cr", env_or_cr)
    try:
        with cr.savepoint(flush=False):
            cr.execute(query, log_exceptions=False)
            return [row[0] for row in cr.fetchall()]
    except psycopg2.errors.SerializationFailure:
        _logger.info("Rows changed by a concurrent worker since this transaction began; skipped")
        return []
