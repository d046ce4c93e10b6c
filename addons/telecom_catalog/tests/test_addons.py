from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged

from .common import TelecomCatalogCase


@tagged("post_install", "-at_install")
class TestAddonRules(TelecomCatalogCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_addons()
        cls._setup_customers()
        cls.Template = cls.env["product.template"]

    # ------------------------------------------------------------
    # product.template._telecom_addon_errors
    # ------------------------------------------------------------

    def test_compatible_addons_give_no_error(self):
        errors = self.Template._telecom_addon_errors(
            self.fiber_plan, [(self.static_ip, 1), (self.intl_300, 1)]
        )
        self.assertEqual(errors, [])

    def test_addon_not_allowed_with_plan(self):
        errors = self.Template._telecom_addon_errors(self.mobile_plan, [(self.static_ip, 1)])
        self.assertEqual(
            errors,
            [
                (
                    "Add-on Test Static IP /32 is not available with plan Test Mobile Unlimited; "
                    "it is available with Test Fiber 500."
                )
            ],
        )

    def test_mutually_exclusive_addons(self):
        errors = self.Template._telecom_addon_errors(
            self.mobile_plan, [(self.intl_300, 1), (self.intl_world, 1)]
        )
        self.assertEqual(
            errors,
            [
                (
                    "Add-ons Test International 300, Test World Unlimited exclude each other "
                    "(group Test International Calling): keep only one of them on plan "
                    "Test Mobile Unlimited."
                )
            ],
        )

    def test_max_quantity_counts_every_line_of_the_addon(self):
        ok = self.Template._telecom_addon_errors(self.mobile_plan, [(self.extra_data, 3)])
        self.assertEqual(ok, [])
        errors = self.Template._telecom_addon_errors(
            self.mobile_plan, [(self.extra_data, 2), (self.extra_data, 2)]
        )
        self.assertEqual(
            errors,
            [
                (
                    "Add-on Test Extra Data 10 GB is limited to 3 per plan; 4 are on plan "
                    "Test Mobile Unlimited."
                )
            ],
        )

    def test_zero_max_quantity_means_no_limit(self):
        self.intl_300.telecom_addon_max_qty = 0
        errors = self.Template._telecom_addon_errors(self.mobile_plan, [(self.intl_300, 50)])
        self.assertEqual(errors, [])

    def test_addon_without_plan(self):
        errors = self.Template._telecom_addon_errors(self.Template, [(self.intl_300, 1)])
        self.assertEqual(errors, ["Add-on Test International 300 must be sold with a plan."])

    # ------------------------------------------------------------
    # Sale order lines
    # ------------------------------------------------------------

    def test_addon_line_belongs_to_the_nearest_plan_line_above(self):
        order = self._order(
            self.alice,
            [
                (self.fiber_plan, 1),
                (self.static_ip, 1),
                (self.mobile_plan, 1),
                (self.extra_data, 2),
                (self.intl_300, 1),
            ],
        )
        fiber, static_ip, mobile, extra_data, intl = order.order_line
        self.assertFalse(fiber.telecom_plan_line_id)
        self.assertEqual(static_ip.telecom_plan_line_id, fiber)
        self.assertEqual(extra_data.telecom_plan_line_id, mobile)
        self.assertEqual(intl.telecom_plan_line_id, mobile)
        self.assertEqual(mobile.telecom_addon_line_ids, extra_data | intl)

    def test_quotation_form_links_new_addon_lines_to_new_plan_lines(self):
        with Form(self.env["sale.order"]) as form:
            form.partner_id = self.alice
            for product in (self.mobile_plan, self.extra_data, self.fiber_plan, self.static_ip):
                with form.order_line.new() as line:
                    line.product_id = product.product_variant_id
        order = form.record
        mobile, extra_data, fiber, static_ip = order.order_line
        self.assertEqual(extra_data.telecom_plan_line_id, mobile)
        self.assertEqual(static_ip.telecom_plan_line_id, fiber)

    def test_addon_line_can_be_moved_to_another_plan_line(self):
        order = self._order(
            self.alice, [(self.mobile_plan, 1), (self.mobile_plan, 1), (self.extra_data, 1)]
        )
        first, second, extra_data = order.order_line
        self.assertEqual(extra_data.telecom_plan_line_id, second)
        extra_data.telecom_plan_line_id = first
        self.assertEqual(extra_data.telecom_plan_line_id, first)

    def test_incompatible_addon_on_new_quotation_names_lines_and_stores_nothing(self):
        orders_before = self.env["sale.order"].search_count([("partner_id", "=", self.bob.id)])
        with self.assertRaises(ValidationError) as error, self.env.cr.savepoint():
            self._order(self.bob, [(self.mobile_plan, 1), (self.static_ip, 1)])
        message = str(error.exception)
        self.assertIn(
            "Add-on Test Static IP /32 is not available with plan Test Mobile Unlimited", message
        )
        self.assertIn("line 1 “Test Mobile Unlimited”", message)
        self.assertIn("line 2 “Test Static IP /32”", message)
        self.assertEqual(
            self.env["sale.order"].search_count([("partner_id", "=", self.bob.id)]),
            orders_before,
            "nothing was stored",
        )

    def test_exclusive_addon_added_to_a_quotation_is_refused(self):
        order = self._order(self.alice, [(self.fiber_plan, 1), (self.static_ip, 1)])
        lines_before = order.order_line
        with self.assertRaises(ValidationError) as error, self.env.cr.savepoint():
            order.write(
                {
                    "order_line": [
                        Command.create({"product_id": self.static_block.product_variant_id.id})
                    ]
                }
            )
        message = str(error.exception)
        self.assertIn("exclude each other (group Test Static IP)", message)
        self.assertIn(
            "Conflicting lines: line 1 “[TFIB500] Test Fiber 500”, line 2 “Test Static IP /32”, "
            "line 3 “Test Static IP /29”.",
            message,
        )
        order.invalidate_recordset()
        self.assertEqual(order.order_line, lines_before, "the refused line was not stored")

    def test_max_quantity_on_order_lines(self):
        order = self._order(self.alice, [(self.mobile_plan, 1), (self.extra_data, 2)])
        addon_line = order.order_line[1]
        with self.assertRaises(ValidationError) as error, self.env.cr.savepoint():
            addon_line.product_uom_qty = 4
        self.assertIn(
            "limited to 3 per plan; 4 are on plan Test Mobile Unlimited", str(error.exception)
        )
        self.assertIn("line 2 “Test Extra Data 10 GB”", str(error.exception))
        addon_line.invalidate_recordset()
        self.assertEqual(addon_line.product_uom_qty, 2)

    def test_same_addon_on_two_plans_is_fine(self):
        order = self._order(
            self.alice,
            [
                (self.mobile_plan, 1),
                (self.intl_300, 1),
                (self.mobile_plan, 1),
                (self.intl_world, 1),
            ],
        )
        self.assertEqual(len(order.order_line), 4)

    def test_addon_without_plan_line_above(self):
        with self.assertRaises(ValidationError) as error, self.env.cr.savepoint():
            self._order(self.alice, [(self.intl_300, 1), (self.mobile_plan, 1)])
        self.assertIn(
            "Add-on Test International 300 must be sold with a plan.", str(error.exception)
        )
        self.assertIn("line 1 “Test International 300”", str(error.exception))

    # ------------------------------------------------------------
    # Plan changes
    # ------------------------------------------------------------

    def test_default_plan_changes_are_same_service_type_on_sale(self):
        fiber_1g = self.fiber_plan.copy({"name": "Test Fiber 1G"})
        old_dsl = self.fiber_plan.copy({"name": "Test DSL (old)"})
        old_dsl.write({"telecom_grandfathered": True, "telecom_successor_id": fiber_1g.id})
        allowed = self.fiber_plan._telecom_allowed_plan_changes()
        self.assertIn(fiber_1g, allowed)
        self.assertNotIn(old_dsl, allowed, "grandfathered plans are not offered")
        self.assertNotIn(self.fiber_plan, allowed)
        self.assertNotIn(self.mobile_plan, allowed, "another service type")

    def test_explicit_plan_changes(self):
        fiber_1g = self.fiber_plan.copy({"name": "Test Fiber 1G"})
        self.fiber_plan.copy({"name": "Test Fiber 2G"})
        self.fiber_plan.telecom_plan_change_ids = [Command.set(fiber_1g.ids)]
        self.assertEqual(self.fiber_plan._telecom_allowed_plan_changes(), fiber_1g)

    def test_plan_rules_only_point_to_plans(self):
        with self.assertRaises(ValidationError):
            self.static_ip.telecom_compatible_plan_ids = [Command.link(self.intl_300.id)]
