from datetime import date

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, tagged

from .common import TelecomCatalogCase


@tagged("post_install", "-at_install")
class TestPromotionRules(TelecomCatalogCase):
    """Each eligibility rule, eligible and not eligible, with the reason in plain words."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_addons()
        cls._setup_customers()
        # Bob has been a customer since 10 January 2025.
        cls._confirmed_order(cls.bob, [(cls.mobile_plan, 1)], date_order=date(2025, 1, 10))
        cls.day = date(2026, 3, 15)
        cls.plans = cls.fiber_plan

    def _promotion(self, name, **vals):
        return self.env["telecom.promotion"].create(
            {"name": name, "discount_type": "percent", "discount_value": 20.0, **vals}
        )

    def _errors(self, promotion, partner, plans=None, on_date=None, **kwargs):
        return promotion._telecom_eligibility_errors(
            partner, self.plans if plans is None else plans, on_date or self.day, **kwargs
        )

    def test_new_customers_only(self):
        promotion = self._promotion("Welcome", new_customers_only=True)
        self.assertEqual(self._errors(promotion, self.alice), [])
        self.assertEqual(
            self._errors(promotion, self.bob),
            [
                (
                    "Promotion Welcome is for new customers only, and Test Bob Tx has been a "
                    "customer since 01/10/2025."
                )
            ],
        )

    def test_minimum_tenure(self):
        loyal = self._promotion("Loyalty 12", min_tenure_months=12)
        self.assertEqual(self._errors(loyal, self.bob), [], "14 months is enough")
        very_loyal = self._promotion("Loyalty 24", min_tenure_months=24)
        self.assertEqual(
            self._errors(very_loyal, self.bob),
            ["Promotion Loyalty 24 needs at least 24 months as a customer; Test Bob Tx has 14."],
        )
        self.assertEqual(
            self._errors(loyal, self.alice),
            ["Promotion Loyalty 12 needs at least 12 months as a customer; Test Alice Ny has 0."],
        )

    def test_customer_types(self):
        promotion = self._promotion(
            "Business Boost",
            customer_type_ids=[
                Command.set(
                    [
                        self.env.ref("telecom_catalog.customer_type_business").id,
                        self.env.ref("telecom_catalog.customer_type_government").id,
                    ]
                )
            ],
        )
        self.assertEqual(self._errors(promotion, self.acme), [])
        self.assertEqual(
            self._errors(promotion, self.alice),
            [
                (
                    "Promotion Business Boost is only for Business, Government customers; "
                    "Test Alice Ny is a Residential customer."
                )
            ],
        )

    def test_customer_type_of_a_contact_is_its_company_type(self):
        promotion = self._promotion(
            "Business Only",
            customer_type_ids=[
                Command.set(self.env.ref("telecom_catalog.customer_type_business").ids)
            ],
        )
        employee = self.env["res.partner"].create(
            {"name": "Test Employee", "parent_id": self.acme.id}
        )
        self.assertEqual(self._errors(promotion, employee), [])

    def test_state_list(self):
        promotion = self._promotion("Empire State", state_ids=[Command.set(self.state_ny.ids)])
        self.assertEqual(self._errors(promotion, self.alice), [])
        self.assertEqual(
            self._errors(promotion, self.bob),
            [
                (
                    "Promotion Empire State is only offered in New York; the service address is in "
                    "Austin, Texas, 78701."
                )
            ],
        )

    def test_zip_list_with_exact_codes_and_prefixes(self):
        promotion = self._promotion("Local Fiber", zip_codes="787, 10001")
        self.assertEqual(self._errors(promotion, self.bob), [], "78701 starts with 787")
        self.assertEqual(self._errors(promotion, self.alice), [], "10001 is listed")
        self.assertEqual(
            self._errors(promotion, self.acme),
            [
                (
                    "Promotion Local Fiber is only offered in ZIP codes 787, 10001; the service "
                    "address is in San Jose, California, 95113."
                )
            ],
        )

    def test_state_or_zip_and_service_address(self):
        promotion = self._promotion(
            "West and Austin", state_ids=[Command.set(self.state_ca.ids)], zip_codes="787"
        )
        self.assertEqual(self._errors(promotion, self.acme), [])
        self.assertEqual(self._errors(promotion, self.bob), [])
        self.assertTrue(self._errors(promotion, self.alice))
        # The service address decides, not the billing address.
        self.assertEqual(self._errors(promotion, self.alice, address=self.bob), [])

    def test_zip_list_is_validated(self):
        with self.assertRaises(ValidationError) as error:
            self._promotion("Bad ZIP", zip_codes="10001, NYC")
        self.assertIn("NYC is not a ZIP code", str(error.exception))

    def test_required_plan(self):
        promotion = self._promotion(
            "Fiber Switch", required_plan_ids=[Command.set(self.fiber_plan.ids)]
        )
        self.assertEqual(self._errors(promotion, self.alice, plans=self.fiber_plan), [])
        self.assertEqual(
            self._errors(promotion, self.alice, plans=self.mobile_plan),
            ["Promotion Fiber Switch needs one of these plans on the order: Test Fiber 500."],
        )

    def test_required_bundle(self):
        promotion = self._promotion(
            "Home and Mobile",
            required_plan_ids=[Command.set((self.fiber_plan | self.mobile_plan).ids)],
            required_plan_match="all",
        )
        both = self.fiber_plan | self.mobile_plan
        self.assertEqual(self._errors(promotion, self.alice, plans=both), [])
        # product.product works as well as product.template
        self.assertEqual(self._errors(promotion, self.alice, plans=both.product_variant_ids), [])
        self.assertEqual(
            self._errors(promotion, self.alice, plans=self.fiber_plan),
            [
                (
                    "Promotion Home and Mobile is a bundle offer: the order also needs Test Mobile "
                    "Unlimited."
                )
            ],
        )

    def test_date_window(self):
        promotion = self._promotion(
            "Spring Sale", date_start=date(2026, 1, 1), date_end=date(2026, 3, 31)
        )
        self.assertEqual(self._errors(promotion, self.alice, on_date=date(2026, 1, 1)), [])
        self.assertEqual(self._errors(promotion, self.alice, on_date=date(2026, 3, 31)), [])
        self.assertEqual(
            self._errors(promotion, self.alice, on_date=date(2025, 12, 31)),
            ["Promotion Spring Sale starts on 01/01/2026."],
        )
        self.assertEqual(
            self._errors(promotion, self.alice, on_date=date(2026, 4, 1)),
            ["Promotion Spring Sale ended on 03/31/2026."],
        )

    def test_maximum_redemptions_count_confirmed_orders_only(self):
        promotion = self._promotion("First Hundred", max_redemptions=1)
        quotation = self._order(self.acme, [(self.fiber_plan, 1)])
        quotation.telecom_promotion_ids = promotion
        self.assertEqual(promotion.redemption_count, 0, "a quotation is not a redemption")
        self.assertEqual(self._errors(promotion, self.alice), [])
        quotation.action_confirm()
        promotion.invalidate_recordset(["redemption_count"])
        self.assertEqual(promotion.redemption_count, 1)
        self.assertEqual(
            self._errors(promotion, self.alice),
            ["Promotion First Hundred has reached its maximum of 1 redemptions."],
        )

    def test_stackable_and_exclusive(self):
        exclusive = self._promotion("Exclusive Deal")
        stack_a = self._promotion("Autopay", stackable=True)
        stack_b = self._promotion("Paperless", stackable=True)
        self.assertEqual(self._errors(stack_a, self.alice, other_promotions=stack_b), [])
        self.assertEqual(self._errors(exclusive, self.alice, other_promotions=exclusive), [])
        self.assertEqual(
            self._errors(exclusive, self.alice, other_promotions=stack_a),
            [
                (
                    "Promotion Exclusive Deal cannot be combined with other promotions, and the "
                    "order already has Autopay."
                )
            ],
        )
        self.assertEqual(
            self._errors(stack_a, self.alice, other_promotions=exclusive),
            [
                (
                    "Promotion Autopay cannot be added: Exclusive Deal on the order cannot be "
                    "combined with other promotions."
                )
            ],
        )

    def test_archived_promotion(self):
        promotion = self._promotion("Old Deal", active=False)
        self.assertEqual(
            self._errors(promotion, self.alice), ["Promotion Old Deal is no longer offered."]
        )

    def test_several_reasons_are_all_given(self):
        promotion = self._promotion(
            "Picky",
            new_customers_only=True,
            state_ids=[Command.set(self.state_ny.ids)],
        )
        errors = self._errors(promotion, self.bob)
        self.assertEqual(len(errors), 2)
        self.assertIn("for new customers only", errors[0])
        self.assertIn("only offered in New York", errors[1])

    def test_discount_amounts(self):
        percent = self._promotion("Twenty", discount_value=20.0)
        self.assertEqual(percent._telecom_discount_amount(59.99), 12.0)
        self.assertEqual(percent._telecom_discount_amount(0.0), 0.0)
        fixed = self._promotion("Ten Off", discount_type="fixed", discount_value=10.0)
        self.assertEqual(fixed._telecom_discount_amount(60.0), 10.0)
        self.assertEqual(fixed._telecom_discount_amount(7.5), 7.5, "never above the base")
        self.assertEqual(percent.summary, "20% off for 12 months")
        percent.duration_months = 0
        self.assertEqual(percent.summary, "20% off forever")

    def test_bad_promotion_data(self):
        with self.assertRaises(ValidationError):
            self._promotion("Too Much", discount_value=120.0)
        with self.assertRaises(ValidationError):
            self._promotion("Backwards", date_start=date(2026, 2, 1), date_end=date(2026, 1, 1))
        with self.assertRaises(ValidationError):
            self._promotion("Both", new_customers_only=True, min_tenure_months=6)
        with self.assertRaises(ValidationError):
            self._promotion("Not a plan", required_plan_ids=[Command.set(self.intl_300.ids)])


@tagged("post_install", "-at_install")
class TestPromotionOnQuotation(TelecomCatalogCase):
    """Applying promotions on quotations: the wizard, discount lines, confirmation."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_addons()
        cls._setup_customers()
        cls.twenty = cls.env["telecom.promotion"].create(
            {"name": "Fiber Twenty", "discount_type": "percent", "discount_value": 20.0}
        )
        cls.business_only = cls.env["telecom.promotion"].create(
            {
                "name": "Business Only",
                "discount_type": "fixed",
                "discount_value": 15.0,
                "stackable": True,
                "customer_type_ids": [
                    Command.set(cls.env.ref("telecom_catalog.customer_type_business").ids)
                ],
            }
        )

    def _wizard(self, order, promotion):
        return (
            self.env["telecom.promotion.apply"]
            .with_context(**order.action_telecom_apply_promotion()["context"])
            .create({"promotion_id": promotion.id})
        )

    def _discount_lines(self, order):
        return order.order_line.filtered("telecom_promotion_id")

    def test_apply_eligible_promotion_adds_a_discount_line(self):
        order = self._order(self.alice, [(self.fiber_plan, 1), (self.static_ip, 1)])
        wizard = self._wizard(order, self.twenty)
        self.assertTrue(wizard.eligible)
        self.assertEqual(
            wizard.eligibility_note, "Test Alice Ny is eligible: 20% off for 12 months."
        )
        wizard.action_apply()
        self.assertEqual(order.telecom_promotion_ids, self.twenty)
        line = self._discount_lines(order)
        self.assertEqual(line.name, "Promotion Fiber Twenty: 20% off for 12 months")
        self.assertEqual(line.price_unit, -12.0, "20% of the plan only, not of the add-on")
        self.assertEqual(order.amount_untaxed, 58.0)  # 60 + 10 - 12

    def test_ineligible_promotion_is_explained_and_not_applied(self):
        order = self._order(self.alice, [(self.fiber_plan, 1)])
        with Form(
            self.env["telecom.promotion.apply"].with_context(default_order_id=order.id)
        ) as form:
            form.promotion_id = self.business_only
            self.assertFalse(form.eligible)
            self.assertEqual(
                form.eligibility_note,
                "Test Alice Ny is not eligible:\n- Promotion Business Only is only for Business "
                "customers; Test Alice Ny is a Residential customer.",
            )
        wizard = self._wizard(order, self.business_only)
        with self.assertRaises(UserError) as error:
            wizard.action_apply()
        self.assertIn(
            "Test Alice Ny is not eligible for promotion Business Only:\n- Promotion Business "
            "Only is only for Business customers",
            str(error.exception),
        )
        self.assertFalse(order.telecom_promotion_ids)
        self.assertFalse(self._discount_lines(order))

    def test_direct_write_of_ineligible_promotion_is_refused(self):
        order = self._order(self.alice, [(self.fiber_plan, 1)])
        with self.assertRaises(ValidationError) as error, self.env.cr.savepoint():
            order.telecom_promotion_ids = self.business_only
        self.assertIn("is only for Business customers", str(error.exception))
        order.invalidate_recordset()
        self.assertFalse(order.telecom_promotion_ids)
        self.assertFalse(self._discount_lines(order))

    def test_fixed_discount_spread_over_tax_groups_to_the_cent(self):
        tax = self.env["account.tax"].create(
            {"name": "Test Telecom Tax 10%", "amount": 10.0, "type_tax_use": "sale"}
        )
        order = self._order(self.acme, [(self.fiber_plan, 1), (self.mobile_plan, 1)])
        order.order_line[1].tax_id = tax
        self._wizard(order, self.business_only).action_apply()
        lines = self._discount_lines(order)
        self.assertEqual(len(lines), 2)
        untaxed, taxed = lines.sorted(lambda line: bool(line.tax_id))
        self.assertEqual(untaxed.price_unit, -8.57)  # 15 x 60 / 105
        self.assertEqual(taxed.price_unit, -6.43)
        self.assertEqual(taxed.tax_id, tax)
        self.assertAlmostEqual(order.amount_untaxed, 90.0, places=2)  # 105 - 15

    def test_discount_applies_to_required_plans_only(self):
        mobile_half = self.env["telecom.promotion"].create(
            {
                "name": "Mobile Half",
                "discount_type": "percent",
                "discount_value": 50.0,
                "required_plan_ids": [Command.set(self.mobile_plan.ids)],
            }
        )
        order = self._order(self.alice, [(self.fiber_plan, 1), (self.mobile_plan, 1)])
        self._wizard(order, mobile_half).action_apply()
        self.assertEqual(self._discount_lines(order).price_unit, -22.5)

    def test_discount_lines_follow_the_plan_lines(self):
        order = self._order(self.alice, [(self.fiber_plan, 1)])
        self._wizard(order, self.twenty).action_apply()
        order.write(
            {"order_line": [Command.update(order.order_line[0].id, {"product_uom_qty": 2})]}
        )
        self.assertEqual(self._discount_lines(order).price_unit, -24.0)
        order.telecom_promotion_ids = False
        self.assertFalse(self._discount_lines(order))
        self.assertEqual(order.amount_untaxed, 120.0)

    def test_confirmed_order_keeps_its_promotions(self):
        order = self._order(self.alice, [(self.fiber_plan, 1)])
        self._wizard(order, self.twenty).action_apply()
        order.action_confirm()
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.telecom_promotion_ids, self.twenty)
        self.assertEqual(self._discount_lines(order).price_unit, -12.0)
        with self.assertRaises(UserError):
            order.telecom_promotion_ids = False
        with self.assertRaises(UserError):
            order.action_telecom_apply_promotion()

    def test_last_redemption_is_checked_again_at_confirmation(self):
        limited = self.env["telecom.promotion"].create(
            {
                "name": "Only One",
                "discount_type": "percent",
                "discount_value": 10.0,
                "max_redemptions": 1,
            }
        )
        first = self._order(self.alice, [(self.fiber_plan, 1)])
        second = self._order(self.bob, [(self.fiber_plan, 1)])
        self._wizard(first, limited).action_apply()
        self._wizard(second, limited).action_apply()
        first.action_confirm()
        with self.assertRaises(UserError) as error:
            second.action_confirm()
        self.assertIn(
            "Promotion Only One has reached its maximum of 1 redemptions.", str(error.exception)
        )
        self.assertEqual(second.state, "draft")

    def test_duplicated_order_drops_promotions(self):
        order = self._order(self.alice, [(self.fiber_plan, 1)])
        self._wizard(order, self.twenty).action_apply()
        copy = order.copy()
        self.assertFalse(copy.telecom_promotion_ids)
        self.assertFalse(self._discount_lines(copy))
        self.assertEqual(copy.amount_untaxed, 60.0)
