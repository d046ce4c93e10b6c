"""PostgreSQL settings for one block of queries: in force inside, given back after, whatever
they were before."""

import psycopg2

from odoo.tests import TransactionCase, tagged

from odoo.addons.telecom_catalog.tools.planner import planner_settings


@tagged("post_install", "-at_install")
class TestPlannerSettings(TransactionCase):
    def _setting(self, name):
        self.env.cr.execute("SELECT current_setting(%s)", [name])
        return self.env.cr.fetchone()[0]

    def test_settings_in_force_inside_and_given_back_after(self):
        cr = self.env.cr
        cr.execute("SET LOCAL enable_sort = off")  # not the server's default: given back as is
        cr.execute("SET LOCAL jit = on")
        with planner_settings(cr, enable_sort="on", jit="off"):
            self.assertEqual(self._setting("enable_sort"), "on")
            self.assertEqual(self._setting("jit"), "off")
        self.assertEqual(self._setting("enable_sort"), "off")
        self.assertEqual(self._setting("jit"), "on")

    def test_failing_query_rolled_back_with_its_settings(self):
        cr = self.env.cr
        cr.execute("SET LOCAL jit = on")
        with self.assertRaises(psycopg2.errors.DivisionByZero), cr.savepoint():
            with planner_settings(cr, jit="off"):
                cr.execute("SELECT 1 / 0")
        self.assertEqual(self._setting("jit"), "on")
