from datetime import date
from decimal import Decimal

from odoo.tests import BaseCase, tagged

from ..tools.proration import days_between, period_of, prorate, split_by_period


@tagged("post_install", "-at_install")
class TestProrationRule(BaseCase):
    def test_period_of_a_date(self):
        self.assertEqual(period_of(date(2026, 3, 20), 1), (date(2026, 3, 1), date(2026, 3, 31)))
        self.assertEqual(period_of(date(2026, 3, 10), 15), (date(2026, 2, 15), date(2026, 3, 14)))
        self.assertEqual(period_of(date(2026, 3, 15), 15), (date(2026, 3, 15), date(2026, 4, 14)))
        self.assertEqual(period_of(date(2027, 1, 5), 28), (date(2026, 12, 28), date(2027, 1, 27)))
        with self.assertRaises(ValueError):
            period_of(date(2026, 3, 1), 29)

    def test_split_by_period_and_price_change(self):
        pieces = list(
            split_by_period(date(2026, 1, 15), date(2026, 3, 31), 1, cut_dates=[date(2026, 3, 16)])
        )
        self.assertEqual(
            [(p[0], p[1]) for p in pieces],
            [
                (date(2026, 1, 15), date(2026, 1, 31)),
                (date(2026, 2, 1), date(2026, 2, 28)),
                (date(2026, 3, 1), date(2026, 3, 15)),
                (date(2026, 3, 16), date(2026, 3, 31)),
            ],
        )
        self.assertEqual(list(split_by_period(date(2026, 3, 2), date(2026, 3, 1), 1)), [])

    def test_prorate_is_exact_and_rounds_half_up(self):
        self.assertEqual(days_between(date(2026, 2, 1), date(2026, 2, 28)), 28)
        # whole period: the monthly price itself
        self.assertEqual(
            prorate(40, date(2026, 2, 1), date(2026, 2, 28), date(2026, 2, 1), date(2026, 2, 28)),
            Decimal("40.00"),
        )
        # 17 / 31 x 40 = 21.9354... -> 21.94
        self.assertEqual(
            prorate(40, date(2026, 1, 15), date(2026, 1, 31), date(2026, 1, 1), date(2026, 1, 31)),
            Decimal("21.94"),
        )
        # 1 / 8 x 0.20 = 0.025 exactly -> half up to 0.03 (float arithmetic would give 0.02)
        self.assertEqual(
            prorate(
                Decimal("0.20"),
                date(2026, 1, 1),
                date(2026, 1, 1),
                date(2026, 1, 1),
                date(2026, 1, 8),
            ),
            Decimal("0.03"),
        )
        # a credit is the exact negative of the charge for the same days
        self.assertEqual(
            prorate(-40, date(2026, 1, 15), date(2026, 1, 31), date(2026, 1, 1), date(2026, 1, 31)),
            Decimal("-21.94"),
        )
