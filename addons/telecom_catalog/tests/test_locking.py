from odoo.sql_db import db_connect
from odoo.tests import TransactionCase, tagged
from odoo.tools import SQL

from ..tools.adapter_errors import AdapterError, PermanentError, RetryableError, RetryPolicy
from ..tools.locking import lock_ids

TABLE = "telecom_catalog_lock_test"


@tagged("post_install", "-at_install")
class TestLockIds(TransactionCase):
    """lock_ids between real, separately committed transactions (two workers)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.db = db_connect(cls.env.cr.dbname)
        with cls.db.cursor() as cr:
            cr.execute(
                SQL("CREATE TABLE %s (id serial PRIMARY KEY, state varchar)", SQL.identifier(TABLE))
            )
            cr.execute(
                SQL(
                    "INSERT INTO %s (state) VALUES ('queued'), ('queued'), ('queued'), ('done') "
                    "RETURNING id",
                    SQL.identifier(TABLE),
                )
            )
            cls.ids = sorted(row[0] for row in cr.fetchall())
        cls.addClassCleanup(cls._drop_table)

    @classmethod
    def _drop_table(cls):
        with cls.db.cursor() as cr:
            cr.execute(SQL("DROP TABLE IF EXISTS %s", SQL.identifier(TABLE)))

    def _cursor(self):
        cr = self.db.cursor()
        self.addCleanup(cr.close)
        self.addCleanup(cr.rollback)
        return cr

    def test_rows_locked_by_one_worker_are_skipped_by_the_other(self):
        first, second, third, done = self.ids
        worker_a, worker_b = self._cursor(), self._cursor()
        self.assertEqual(
            lock_ids(worker_a, TABLE, "state = %s", ["queued"], limit=2), [first, second]
        )
        self.assertEqual(
            lock_ids(worker_b, TABLE, SQL("state = %s", "queued"), limit=2),
            [third],
            "the rows worker A holds are skipped, not waited for",
        )
        worker_a.rollback()
        self.assertEqual(
            lock_ids(worker_b, TABLE, SQL("state = %s", "queued"), order="id DESC", alias="t"),
            [third, second, first],
            "released rows are taken again (and its own lock does not hide a row)",
        )
        self.assertEqual(
            lock_ids(worker_a, TABLE, "id = ANY(%s)", [[third, done]]),
            [done],
            "only the row no one holds",
        )

    def test_row_changed_since_the_snapshot_gives_nothing_to_take(self):
        first = self.ids[0]
        late, other = self._cursor(), self._cursor()
        late.execute(SQL("SELECT count(*) FROM %s", SQL.identifier(TABLE)))  # takes the snapshot
        other.execute(
            SQL("UPDATE %s SET state = 'running' WHERE id = %s", SQL.identifier(TABLE), first)
        )
        other.commit()
        self.assertEqual(lock_ids(late, TABLE, SQL("id = %s", first)), [])
        late.execute("SELECT 1")  # the transaction is still usable
        self.assertEqual(late.fetchone(), (1,))
        other.execute(
            SQL("UPDATE %s SET state = 'queued' WHERE id = %s", SQL.identifier(TABLE), first)
        )
        other.commit()

    def test_environment_and_orm_table(self):
        partner = self.env.user.partner_id
        self.env.flush_all()
        self.assertEqual(
            lock_ids(self.env, partner._table, SQL("id = %s", partner.id), limit=1), [partner.id]
        )


@tagged("post_install", "-at_install")
class TestAdapterErrors(TransactionCase):
    def test_vocabulary(self):
        error = RetryableError("busy", code="http_503", retry_after=7)
        self.assertEqual((str(error), error.code, error.retry_after), ("busy", "http_503", 7))
        self.assertTrue(error.transient)
        self.assertIsInstance(error, AdapterError)
        refused = PermanentError("bad plan")
        self.assertFalse(refused.transient)
        self.assertEqual((refused.code, refused.retry_after), (None, None))

    def test_retry_policy(self):
        policy = RetryPolicy(base_delay=10, max_delay=50, jitter=0.0)
        self.assertEqual([policy.delay(n) for n in (1, 2, 3, 4, 5)], [10, 20, 40, 50, 50])
        self.assertEqual(policy.delay(1, retry_after=120), 120)
        pattern = RetryPolicy(base_delay=5, max_delay=600, jitter=0.0, pattern={2: 10, 4: 60})
        self.assertEqual([pattern.delay(n) for n in (1, 2, 3, 4, 9)], [5, 10, 10, 60, 60])
        spread = RetryPolicy(base_delay=10, max_delay=600, jitter=0.5)
        delays = [spread.delay(3) for _i in range(50)]
        self.assertTrue(all(20 <= d <= 40 for d in delays))
        self.assertGreater(len(set(delays)), 1, "jitter spreads retries")
