"""A confirmed order hands its plans, add-ons and promotions to billing, not to order invoicing."""

from odoo import Command
from odoo.tests import tagged

from odoo.addons.telecom_catalog.tests.common import TelecomCatalogCase


@tagged("post_install", "-at_install")
class TestSaleToSubscription(TelecomCatalogCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.promotion = cls.env["telecom.promotion"].create(
            {
                "name": "Test Fiber Welcome",
                "discount_type": "percent",
                "discount_value": 20.0,
                "duration_months": 3,
            }
        )
        cls.customer = cls.env["res.partner"].create(
            {"name": "Test Subscriber", "telecom_customer_type": "residential"}
        )

    def test_plan_and_promotion_are_billed_by_the_bill_run(self):
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "order_line": [
                    Command.create({"product_id": self.fiber_plan.product_variant_id.id})
                ],
            }
        )
        order.telecom_promotion_ids = self.promotion
        discount = order.order_line.filtered("telecom_promotion_id")
        self.assertEqual(order.currency_id.round(discount.price_subtotal), -12.0)  # 20 % of 60
        order.action_confirm()
        self.assertEqual(order.invoice_status, "no", "nothing is invoiced from the order")
        service = order.order_line.telecom_service_ids
        self.assertEqual(service.product_id, self.fiber_plan.product_variant_id)
        self.assertEqual(service.state, "pending")
