from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common import TelecomCatalogCase


@tagged("post_install", "-at_install")
class TestGrandfatheredPlans(TelecomCatalogCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_addons()
        cls._setup_customers()
        cls.legacy = cls.fiber_plan.copy({"name": "Test Fiber 100 (2019)", "list_price": 40.0})
        # Bob bought the legacy plan while it was on sale.
        cls.bob_order = cls._confirmed_order(cls.bob, [(cls.legacy, 1)])
        cls.legacy.write({"telecom_grandfathered": True, "telecom_successor_id": cls.fiber_plan.id})

    def test_new_quotation_refuses_the_plan_and_names_the_successor(self):
        count = self.env["sale.order"].search_count([])
        with self.assertRaises(ValidationError) as error, self.env.cr.savepoint():
            self._order(self.alice, [(self.legacy, 1)])
        message = str(error.exception)
        self.assertIn("Test Fiber 100 (2019) is a grandfathered plan", message)
        self.assertIn("Offer its successor Test Fiber 500 instead.", message)
        self.assertEqual(self.env["sale.order"].search_count([]), count, "nothing was stored")

    def test_changing_a_line_to_the_plan_is_refused(self):
        order = self._order(self.alice, [(self.fiber_plan, 1)])
        with self.assertRaises(ValidationError), self.env.cr.savepoint():
            order.order_line.product_id = self.legacy.product_variant_id
        order.invalidate_recordset()
        self.assertEqual(order.order_line.product_id, self.fiber_plan.product_variant_id)

    def test_quotation_made_before_grandfathering_cannot_be_confirmed(self):
        plan = self.fiber_plan.copy({"name": "Test Fiber 200 (2021)"})
        quotation = self._order(self.alice, [(plan, 1)])
        plan.write({"telecom_grandfathered": True, "telecom_successor_id": self.fiber_plan.id})
        with self.assertRaises(UserError) as error:
            quotation.action_confirm()
        self.assertIn("Offer its successor Test Fiber 500 instead.", str(error.exception))
        self.assertEqual(quotation.state, "draft")

    def test_existing_confirmed_order_keeps_the_plan(self):
        order = self.bob_order
        line = order.order_line
        self.assertEqual(order.state, "sale")
        self.assertEqual(line.product_id, self.legacy.product_variant_id)
        # The customer keeps using it: quantities change, add-ons attach to it, it is priced.
        line.product_uom_qty = 2
        order.write(
            {"order_line": [Command.create({"product_id": self.intl_300.product_variant_id.id})]}
        )
        addon_line = order.order_line - line
        self.assertEqual(addon_line.telecom_plan_line_id, line)
        self.assertEqual(order.amount_untaxed, 85.0)  # 2 x 40 + 5
        # Whoever invoices it (the order, or the bill run of telecom_billing) bills the plan.
        self.assertEqual(line._prepare_invoice_line()["product_id"], line.product_id.id)
        self.assertEqual(self.legacy._telecom_price_at(order.date_order.date()), 40.0)

    def test_grandfathered_plan_is_no_plan_change_target(self):
        self.assertNotIn(self.legacy, self.fiber_plan._telecom_allowed_plan_changes())
        self.assertIn(self.fiber_plan, self.legacy._telecom_allowed_plan_changes())

    def test_successor_must_be_on_sale(self):
        other = self.fiber_plan.copy({"name": "Test Fiber 50 (2015)"})
        with self.assertRaises(ValidationError):
            other.write({"telecom_grandfathered": True, "telecom_successor_id": self.legacy.id})
