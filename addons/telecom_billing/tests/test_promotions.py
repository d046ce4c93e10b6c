from freezegun import freeze_time

from odoo.tests import tagged

from .common import TelecomBillingCase


@tagged("post_install", "-at_install")
class TestPromotionsOnServices(TelecomBillingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Promotion = cls.env["telecom.promotion"]
        residential = cls.env["telecom.customer.type"].search([("code", "=", "residential")])
        cls.promo_3_months = Promotion.create(
            {
                "name": "T 20% off 3 months",
                "discount_type": "percent",
                "discount_value": 20.0,
                "duration_months": 3,
                "required_plan_ids": [(6, 0, cls.plan_basic.product_tmpl_id.ids)],
                "customer_type_ids": [(6, 0, residential.ids)],
            }
        )
        cls.promo_forever = Promotion.create(
            {
                "name": "T 10 dollars off forever",
                "discount_type": "fixed",
                "discount_value": 10.0,
                "duration_months": 0,
            }
        )

    def _order(self, promotions, lines):
        with freeze_time("2026-02-20"):
            order = self.env["sale.order"].create(
                {
                    "partner_id": self.customer.id,
                    "order_line": [
                        (0, 0, {"product_id": p.id, "product_uom_qty": q}) for p, q in lines
                    ],
                }
            )
            order.telecom_promotion_ids = [(6, 0, promotions.ids)]
            order.action_confirm()
        return order

    def _activate(self, order, day="2026-03-01"):
        services = order.telecom_subscription_id.service_ids
        with freeze_time(day):
            for service in services:
                service._telecom_request_activate()
        subscription = order.telecom_subscription_id
        subscription.bill_cycle_day = 1
        return subscription, services

    def test_promotion_for_three_months_then_full_price(self):
        order = self._order(self.promo_3_months, [(self.plan_basic, 1), (self.plan_fiber, 1)])
        discount_line = order.order_line.filtered("telecom_promotion_id")
        self.assertTrue(discount_line)
        self.assertEqual(discount_line.qty_to_invoice, 0, "the bill run invoices the discount")
        subscription, services = self._activate(order)
        basic = services.filtered(lambda s: s.product_id == self.plan_basic)
        fiber = services - basic
        self.assertEqual(basic.promotion_line_ids.promotion_id, self.promo_3_months)
        self.assertEqual(basic.promotion_line_ids.months_total, 3)
        self.assertFalse(fiber.promotion_line_ids, "the promotion requires the basic plan")
        totals, discounts = [], []
        for month in (3, 4, 5, 6):
            move = self._invoice(self._bill(self.d(2026, month, 1)), subscription)
            totals.append(move.amount_total)
            discounts.append(self._lines(move, "discount").mapped("price_subtotal"))
        # 20 % of 40.00 = 8.00 on the first three bills only; fiber 55.00 never discounted
        self.assertEqual(discounts, [[-8.00], [-8.00], [-8.00], []])
        self.assertEqual(totals, [87.00, 87.00, 87.00, 95.00])
        line = basic.promotion_line_ids
        self.assertEqual((line.months_applied, line.months_remaining, line.state), (3, 0, "done"))

    def test_eligibility_is_checked_again_at_billing(self):
        order = self._order(self.promo_3_months, [(self.plan_basic, 1)])
        subscription, services = self._activate(order)
        march = self._invoice(self._bill(self.d(2026, 3, 1)), subscription)
        self.assertAmount(march.amount_total, 32.00)
        self.customer.telecom_customer_type = "business"
        april = self._invoice(self._bill(self.d(2026, 4, 1)), subscription)
        self.assertAmount(april.amount_total, 40.00, "no longer a residential customer")
        self.customer.telecom_customer_type = "residential"
        may = self._invoice(self._bill(self.d(2026, 5, 1)), subscription)
        self.assertAmount(may.amount_total, 32.00)
        self.assertEqual(services.promotion_line_ids.months_remaining, 1, "April not counted")

    def test_fixed_discount_forever_and_on_a_partial_first_period(self):
        order = self._order(self.promo_forever, [(self.plan_fiber, 1)])
        subscription, services = self._activate(order, day="2026-03-17")
        april = self._invoice(self._bill(self.d(2026, 4, 1)), subscription)
        # 17-31 Mar: 15/31 x 55.00 = 26.61, April 55.00, 10.00 off once for the invoice
        self.assertEqual(
            sorted(self._lines(april).mapped("price_subtotal")), [-10.00, 26.61, 55.00]
        )
        for month in (5, 6, 7):
            move = self._invoice(self._bill(self.d(2026, month, 1)), subscription)
            self.assertAmount(move.amount_total, 45.00)
        self.assertEqual(services.promotion_line_ids.state, "active")

    def test_deleting_a_draft_invoice_gives_the_month_back(self):
        order = self._order(self.promo_3_months, [(self.plan_basic, 1)])
        subscription, services = self._activate(order)
        run = self._bill(self.d(2026, 3, 1), auto_post=False)
        self.assertEqual(services.promotion_line_ids.months_applied, 1)
        self._invoice(run, subscription).unlink()
        self.assertEqual(services.promotion_line_ids.months_applied, 0)


@tagged("post_install", "-at_install")
class TestCreditsMirrorDiscounts(TelecomBillingCase):
    """A credit of days gives back the discount those days had: a customer on a 50 %
    promotion never gets back more than they paid."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        half = cls.env["telecom.promotion"].create(
            {"name": "T Half price", "discount_type": "percent", "discount_value": 50.0}
        )
        cls.subscription = cls._subscription(cycle_day=1)
        cls.service = cls._service(cls.subscription, cls.plan_basic, start="2026-04-01")
        cls.env["telecom.service.promotion"].create(
            {"service_id": cls.service.id, "promotion_id": half.id}
        )
        april = cls._invoice(cls._bill(cls.d(2026, 4, 1)), cls.subscription)
        cls.paid = april.amount_total

    def test_termination_credits_what_was_paid_for_the_days(self):
        self.assertAmount(self.paid, 20.00)  # April: 40.00 - 50 %
        with freeze_time("2026-04-15"):
            self.service._telecom_request_terminate()
        charges = self.subscription.charge_ids.filtered(lambda c: c.state == "pending")
        # 16-30 April credited at the plan price (-20.00), half of it was discount (+10.00)
        self.assertEqual(sorted(charges.mapped("amount")), [-20.00, 10.00])
        self.assertEqual(
            charges.filtered(lambda c: c.kind == "discount").product_id,
            self.env.ref("telecom_catalog.product_telecom_promotion_discount"),
        )
        move = self._invoice(self._bill(self.d(2026, 5, 1)), self.subscription)
        # 15 days used at half price: 10.00 kept of the 20.00 paid
        self.assertAmount(move.amount_total, 10.00)
        self.assertEqual(move.move_type, "out_refund")
        self.assertAmount(self.paid - move.amount_total, 40.00 * 15 / 30 * 0.5)

    def test_plan_change_gives_back_the_old_plans_discount(self):
        with freeze_time("2026-04-11"):
            self.service._telecom_request_change_plan(self.plan_plus)
        may = self._invoice(self._bill(self.d(2026, 5, 1)), self.subscription)
        april = self._lines(may).filtered(
            lambda line: line.telecom_date_to and line.telecom_date_to <= self.d(2026, 4, 30)
        )
        # 11-30 April: basic credited 40 - R(40 x 10/30) = -26.67; 1-10 April keep 13.33 at
        # half price, R(6.665) = 6.67, so 20.00 - (13.33 - 6.67) = 13.34 of the discount is
        # given back; at 60.00: 60 - R(60 x 10/30) = 40.00
        self.assertEqual(sorted(april.mapped("price_subtotal")), [-26.67, 13.34, 40.00])
        # April in total: 1-10 April at half of 40.00 (6.67) and 11-30 April at 60.00
        self.assertAmount(self.paid + sum(april.mapped("price_subtotal")), 6.67 + 40.00)
