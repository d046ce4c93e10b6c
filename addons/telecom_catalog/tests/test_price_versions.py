from datetime import date

from psycopg2 import IntegrityError

from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import TelecomCatalogCase


@tagged("post_install", "-at_install")
class TestPriceVersions(TelecomCatalogCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Version = cls.env["telecom.price.version"]
        for start, price in ((date(2025, 1, 1), 55.0), (date(2026, 3, 1), 65.0)):
            Version.create(
                {"product_tmpl_id": cls.fiber_plan.id, "date_start": start, "price": price}
            )

    def test_price_before_first_version_is_the_sales_price(self):
        self.assertEqual(self.fiber_plan._telecom_price_at(date(2024, 12, 31)), 60.0)

    def test_price_before_first_version_survives_the_daily_job(self):
        """The job copies today's version into the sales price; the days before the first
        version keep the price they had."""
        self.env["product.template"]._cron_sync_telecom_list_price()
        self.assertEqual(self.fiber_plan.list_price, 65.0)
        self.assertEqual(self.fiber_plan._telecom_price_at(date(2024, 12, 31)), 60.0)
        self.assertEqual(self.fiber_plan.telecom_base_price, 60.0)

    def test_version_in_force(self):
        plan = self.fiber_plan
        self.assertEqual(plan._telecom_price_at(date(2025, 1, 1)), 55.0)
        self.assertEqual(plan._telecom_price_at(date(2026, 2, 28)), 55.0)
        self.assertEqual(plan._telecom_price_at(date(2026, 3, 1)), 65.0)
        self.assertEqual(plan._telecom_price_at(date(2030, 1, 1)), 65.0)

    def test_plan_without_versions_uses_sales_price(self):
        self.assertEqual(self.mobile_plan._telecom_price_at(date(2026, 1, 1)), 45.0)

    def test_cron_applies_todays_price(self):
        self.env["product.template"]._cron_sync_telecom_list_price()
        self.assertEqual(
            self.fiber_plan.list_price, self.fiber_plan._telecom_price_at(date.today())
        )

    def test_two_versions_on_one_date_refused(self):
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError):
            with self.env.cr.savepoint():
                self.env["telecom.price.version"].create(
                    {
                        "product_tmpl_id": self.fiber_plan.id,
                        "date_start": date(2025, 1, 1),
                        "price": 1.0,
                    }
                )
