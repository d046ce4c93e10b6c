"""PostgreSQL planner settings for the queries of one block.

A query whose plan PostgreSQL gets wrong on this workload (statistics older than a batch job's
writes, a cost estimate that triggers JIT compilation) runs inside
``with planner_settings(cr, jit="off"):``; what follows the block is planned as before.
"""

import contextlib


@contextlib.contextmanager
def planner_settings(cr, **settings):
    """The PostgreSQL settings ``settings`` (e.g. ``enable_sort="off"``, ``jit="off"``) for the
    queries of the block, given back after it, whatever they were.

    Local to the transaction (``set_config(..., true)``): when a query of the block fails, the
    rollback to the enclosing savepoint undoes them, and nothing is given back (a statement
    would fail again in the aborted transaction). Fetch the block's results inside it: giving
    the settings back runs a query on the same cursor.
    """
    previous = {}
    for name, value in settings.items():
        cr.execute("SELECT current_setting(%s)", [name])
        previous[name] = cr.fetchone()[0]
        cr.execute("SELECT set_config(%s, %s, true)", [name, value])
    yield
    for name, value in previous.items():
        cr.execute("SELECT set_config(%s, %s, true)", [name, value])
