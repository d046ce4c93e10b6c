from datetime import date, timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import TelecomNumbersCase


@tagged("post_install", "-at_install")
class TestNumberTimers(TelecomNumbersCase):
    def test_reservation_at_most_180_days(self):
        number = self.make_number("available")
        with self.assertRaisesRegex(ValidationError, "at most 180 days"):
            number._telecom_reserve(self.resident, self.today + timedelta(days=181))
        with self.assertRaisesRegex(ValidationError, "today or later"):
            number._telecom_reserve(self.resident, self.today - timedelta(days=1))
        self.assertEqual(number.status, "available")
        number._telecom_reserve(self.resident, self.today + timedelta(days=180))
        self.assertEqual(number.reserved_until, self.today + timedelta(days=180))

    def test_cron_returns_expired_reservations(self):
        with freeze_time("2026-03-02"):
            expiring = self.make_number("available")
            expiring._telecom_reserve(self.resident, date(2026, 3, 10))
            later = self.make_number("available")
            later._telecom_reserve(self.business, date(2026, 4, 1))
        with freeze_time("2026-03-10"):
            self.env["telecom.number"]._cron_expire_reservations()
            self.assertEqual(expiring.status, "reserved", "reserved through its last day")
        with freeze_time("2026-03-11"):
            done = self.env["telecom.number"]._cron_expire_reservations()
        self.assertGreaterEqual(done, 1)
        self.assertEqual(expiring.status, "available")
        self.assertFalse(expiring.partner_id)
        self.assertEqual(expiring.history_ids[:1].reason, "Reservation expired")
        self.assertEqual(later.status, "reserved")

    def test_aging_period_per_customer_type(self):
        Rule = self.env["telecom.number.aging.rule"]
        self.assertEqual(Rule._telecom_aging_days(self.resident), 90)
        self.assertEqual(Rule._telecom_aging_days(self.business), 180)
        home = self.make_number("assigned", partner_id=self.resident.id)
        office = self.make_number("assigned", partner_id=self.business.id)
        (home | office)._telecom_disconnect(date(2026, 1, 1), "closed")
        self.assertEqual(home.aging_until, date(2026, 4, 1))
        self.assertEqual(office.aging_until, date(2026, 6, 30))
        business_rule = Rule.search([("customer_type", "=", "business")])
        business_rule.aging_days = 365
        office2 = self.make_number("assigned", partner_id=self.business.id)
        office2._telecom_disconnect(date(2026, 1, 1), "closed")
        self.assertEqual(office2.aging_until, date(2027, 1, 1))

    def test_aging_bounds_are_enforced(self):
        Rule = self.env["telecom.number.aging.rule"]
        residential = Rule.search([("customer_type", "=", "residential")])
        business = Rule.search([("customer_type", "=", "business")])
        cases = [
            (residential, 44, False),
            (residential, 45, True),
            (residential, 90, True),
            (residential, 91, False),
            (business, 44, False),
            (business, 365, True),
            (business, 366, False),
        ]
        for rule, days, ok in cases:
            with self.subTest(type=rule.customer_type, days=days):
                if ok:
                    rule.aging_days = days
                    self.assertEqual(rule.aging_days, days)
                else:
                    with self.assertRaisesRegex(ValidationError, "between 45 and"):
                        with self.env.cr.savepoint():
                            rule.aging_days = days
                            rule.flush_recordset()
        self.assertEqual(residential.max_days, 90)
        self.assertEqual(business.max_days, 365)
        lifeline = Rule.search([("customer_type", "=", "lifeline")])
        with self.assertRaises(ValidationError), self.env.cr.savepoint():
            lifeline.aging_days = 120
            lifeline.flush_recordset()

    def test_cron_releases_numbers_after_aging(self):
        number = self.make_number("assigned", partner_id=self.resident.id)
        number._telecom_disconnect(date(2026, 1, 1), "closed")
        with freeze_time("2026-03-31"):
            self.env["telecom.number"]._cron_release_aged_numbers()
            self.assertEqual(number.status, "aging")
        with freeze_time("2026-04-01"):
            self.env["telecom.number"]._cron_release_aged_numbers()
        self.assertEqual(number.status, "available")
        self.assertFalse(number.aging_until)
        self.assertEqual(number.history_ids.sorted("id")[-1].reason, "Aging period ended")

    def test_cron_isolates_a_bad_number(self):
        good = self.make_number("aging")
        bad = self.make_number("aging")
        model = type(self.env["telecom.number"])
        original = model._telecom_release

        def release(records, reason):
            if bad in records:
                raise ValidationError("broken row")
            return original(records, reason)

        with patch.object(model, "_telecom_release", release):
            self.env["telecom.number"]._cron_release_aged_numbers()
        self.assertEqual(good.status, "available")
        self.assertEqual(bad.status, "aging")
        self.assertIn("broken row", bad.message_ids[:1].body)
