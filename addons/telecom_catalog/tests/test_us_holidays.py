from datetime import date

from odoo.tests import TransactionCase, tagged

from odoo.addons.telecom_catalog.tools.us_holidays import (
    add_business_days,
    federal_holidays,
    is_business_day,
)

# Observed federal holidays listed by hand from the OPM's published calendars
# (https://www.opm.gov/policy-data-oversight/pay-leave/federal-holidays/).
OBSERVED = {
    2025: [
        date(2025, 1, 1),  # Wed
        date(2025, 1, 20),  # MLK: 3rd Monday of January
        date(2025, 2, 17),  # Washington's Birthday: 3rd Monday of February
        date(2025, 5, 26),  # Memorial Day: last Monday of May
        date(2025, 6, 19),  # Juneteenth, Thu
        date(2025, 7, 4),  # Fri
        date(2025, 9, 1),  # Labor Day: 1st Monday of September
        date(2025, 10, 13),  # Columbus Day: 2nd Monday of October
        date(2025, 11, 11),  # Tue
        date(2025, 11, 27),  # Thanksgiving: 4th Thursday of November
        date(2025, 12, 25),  # Thu
    ],
    2026: [
        date(2026, 1, 1),
        date(2026, 1, 19),
        date(2026, 2, 16),
        date(2026, 5, 25),
        date(2026, 6, 19),
        date(2026, 7, 3),  # July 4 is a Saturday: observed Friday July 3
        date(2026, 9, 7),
        date(2026, 10, 12),
        date(2026, 11, 11),
        date(2026, 11, 26),
        date(2026, 12, 25),
    ],
    2027: [
        date(2027, 1, 1),
        date(2027, 1, 18),
        date(2027, 2, 15),
        date(2027, 5, 31),
        date(2027, 6, 18),  # June 19 is a Saturday: observed Friday June 18
        date(2027, 7, 5),  # July 4 is a Sunday: observed Monday July 5
        date(2027, 9, 6),
        date(2027, 10, 11),
        date(2027, 11, 11),
        date(2027, 11, 25),
        date(2027, 12, 24),  # December 25 is a Saturday: observed Friday December 24
        date(2027, 12, 31),  # New Year's Day 2028 is a Saturday: observed December 31, 2027
    ],
}


@tagged("post_install", "-at_install")
class TestUsHolidays(TransactionCase):
    def test_observed_holidays_2025_to_2027(self):
        for year, days in OBSERVED.items():
            with self.subTest(year=year):
                self.assertEqual(list(federal_holidays(year)), days)

    def test_business_days_skip_weekends_and_holidays(self):
        # Wed 2025-12-24 + 2 business days: Thu 25 is Christmas, Fri 26, Mon 29
        self.assertEqual(add_business_days(date(2025, 12, 24), 2), date(2025, 12, 29))
        # Thu 2026-07-02 + 1: Fri 3 is Independence Day observed, the weekend, Mon 6
        self.assertEqual(add_business_days(date(2026, 7, 2), 1), date(2026, 7, 6))
        # Mon 2025-11-24 + 7: Tue 25, Wed 26, (Thu 27 Thanksgiving), Fri 28, Mon 1, Tue 2,
        # Wed 3, Thu 4
        self.assertEqual(add_business_days(date(2025, 11, 24), 7), date(2025, 12, 4))
        self.assertEqual(add_business_days(date(2025, 11, 24), 0), date(2025, 11, 24))
        self.assertFalse(is_business_day(date(2027, 12, 31)))
        self.assertFalse(is_business_day(date(2025, 11, 29)))  # Saturday
        self.assertTrue(is_business_day(date(2025, 11, 28)))
