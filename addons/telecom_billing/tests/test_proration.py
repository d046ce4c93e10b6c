from datetime import date
from decimal import Decimal

from odoo.tests import BaseCase, tagged

from ..tools.proration import (
    days_between,
    line_quantity_and_price,
    period_of,
    prorate,
    prorated_amount,
    split_by_period,
)


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

    def test_prorated_amount_keeps_every_period_exact(self):
        jan = (date(2026, 1, 1), date(2026, 1, 31))
        # 20 lines at 17/31 of 40.00: 438.709... -> 438.71 (rounding the unit price first
        # would give 20 x 21.94 = 438.80)
        self.assertEqual(
            prorated_amount(40, 20, date(2026, 1, 15), date(2026, 1, 31), *jan), Decimal("438.71")
        )
        self.assertEqual(
            20 * prorate(40, date(2026, 1, 15), date(2026, 1, 31), *jan), Decimal("438.80")
        )
        # three pieces of one period: 10 + 11 + 10 days of 10.00 would be 3.23 + 3.55 + 3.23
        # = 10.01 piece by piece; here they add up to the period's price
        cuts = [
            (date(2026, 1, 1), date(2026, 1, 10)),
            (date(2026, 1, 11), date(2026, 1, 21)),
            (date(2026, 1, 22), date(2026, 1, 31)),
        ]
        pieces = [prorated_amount(10, 1, start, end, *jan) for start, end in cuts]
        self.assertEqual(sum(pieces), Decimal("10.00"))
        self.assertEqual(
            sum(prorate(10, start, end, *jan) for start, end in cuts), Decimal("10.01")
        )
        # a whole period is quantity x price; a credit mirrors the charge of the same days
        self.assertEqual(prorated_amount(9.99, 3, *jan, *jan), Decimal("29.97"))
        self.assertEqual(
            prorated_amount(-40, 20, date(2026, 1, 15), date(2026, 1, 31), *jan),
            Decimal("-438.71"),
        )

    def test_line_quantity_and_price(self):
        self.assertEqual(line_quantity_and_price(Decimal("80.00"), 2), (2, Decimal("40.00")))
        self.assertEqual(
            line_quantity_and_price(Decimal("438.71"), 20), (Decimal(1), Decimal("438.71"))
        )
