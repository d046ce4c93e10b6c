from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .common import TelecomBillingCase


@tagged("post_install", "-at_install")
class TestServiceLifecycle(TelecomBillingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.subscription = cls._subscription(cycle_day=1)

    def _history(self, service):
        return service.history_ids.sorted("id").mapped("action")

    def test_activate_starts_billing_on_the_confirmed_day(self):
        service = self._service(self.subscription, self.plan_basic, addons=[(self.addon_data, 1)])
        self.assertEqual(service.state, "pending")
        self.assertEqual(self.subscription.state, "draft")
        with freeze_time("2026-03-10"):
            service.action_activate()
        self.assertEqual(service.state, "active")
        self.assertEqual(service.date_start, self.d(2026, 3, 10))
        self.assertEqual(service.charged_until, self.d(2026, 3, 9))
        self.assertEqual(service.addon_line_ids.state, "active")
        self.assertEqual(service.addon_line_ids.date_start, self.d(2026, 3, 10))
        self.assertEqual(self.subscription.state, "active")
        self.assertEqual(self._history(service), ["created", "number", "activate"])
        self.assertEqual(service.number_ids.status, "assigned", "a mobile line gets a number")
        self.assertIn("activated", service.message_ids[0].body)

    def test_upgrade_now_credits_the_prepaid_remainder(self):
        service = self._service(self.subscription, self.plan_basic, start="2026-03-01")
        service.charged_until = self.d(2026, 3, 31)  # March billed in advance
        with freeze_time("2026-03-11"):
            service._telecom_request_change_plan(self.plan_plus)
        self.assertEqual(service.product_id, self.plan_plus)
        self.assertEqual(service.charged_until, self.d(2026, 3, 10))
        credit = service.charge_ids
        self.assertEqual(len(credit), 1)
        # 21 unused days of 31 at 40.00: 27.096... -> 27.10
        self.assertAmount(credit.amount, -27.10)
        self.assertEqual(
            (credit.date_from, credit.date_to), (self.d(2026, 3, 11), self.d(2026, 3, 31))
        )
        self.assertEqual(credit.state, "pending")
        history = service.history_ids.filtered(lambda h: h.action == "change_plan")
        self.assertEqual(
            (history.old_plan_id, history.new_plan_id), (self.plan_basic, self.plan_plus)
        )

    def test_change_before_first_bill_charges_the_old_plan_days(self):
        service = self._service(self.subscription, self.plan_basic, start="2026-03-05")
        with freeze_time("2026-03-15"):
            service._telecom_request_change_plan(self.plan_plus)
        charge = service.charge_ids
        # 10 days (5-14 March) of 31 at 40.00 = 12.903... -> 12.90
        self.assertAmount(charge.amount, 12.90)
        self.assertEqual(service.charged_until, self.d(2026, 3, 14))

    def test_plan_change_at_next_cycle_is_applied_by_the_cron(self):
        service = self._service(self.subscription, self.plan_plus, start="2026-03-01")
        service.charged_until = self.d(2026, 3, 31)
        with freeze_time("2026-03-20"):
            service._telecom_request_change_plan(self.plan_basic, timing="next_cycle")
        self.assertEqual(service.product_id, self.plan_plus)
        self.assertEqual(service.next_plan_id, self.plan_basic)
        self.assertEqual(service.next_plan_date, self.d(2026, 4, 1))
        with freeze_time("2026-03-31"):
            self.env["telecom.service"]._cron_apply_scheduled_plan_changes()
        self.assertEqual(service.product_id, self.plan_plus)
        with freeze_time("2026-04-01"):
            self.env["telecom.service"]._cron_apply_scheduled_plan_changes()
        self.assertEqual(service.product_id, self.plan_basic)
        self.assertFalse(service.next_plan_id)
        self.assertFalse(service.charge_ids, "a change on the period boundary needs no proration")
        self.assertEqual(service.charged_until, self.d(2026, 3, 31))

    def test_add_and_remove_addon(self):
        service = self._service(self.subscription, self.plan_basic, start="2026-03-01")
        service.charged_until = self.d(2026, 3, 31)
        with freeze_time("2026-03-16"):
            service._telecom_request_add_addon(self.addon_data, quantity=2)
        line = service.addon_line_ids
        self.assertEqual(
            (line.state, line.date_start, line.quantity), ("active", self.d(2026, 3, 16), 2)
        )
        self.assertEqual(line.charged_until, self.d(2026, 3, 15))
        line.charged_until = self.d(2026, 4, 30)  # billed through April
        with freeze_time("2026-04-21"):
            line.action_remove()
        # the effective date of a removal is the add-on's last day
        self.assertEqual((line.state, line.date_end), ("removed", self.d(2026, 4, 21)))
        # 22 Apr - 30 Apr = 9 of 30 days at 15.00 = 4.50 per unit, 2 units
        self.assertAmount(line.service_id.charge_ids.amount, -9.00)
        self.assertEqual(self._history(service)[-2:], ["add_addon", "remove_addon"])

    def test_suspend_for_non_payment_keeps_911_and_reactivates(self):
        service = self._service(self.subscription, self.plan_basic, start="2026-03-01")
        service._telecom_request_suspend("non_payment")
        self.assertEqual(service.state, "suspended")
        self.assertEqual(service.suspension_reason, "non_payment")
        self.assertTrue(service.keep_emergency_calling)
        service.action_reactivate()
        self.assertEqual(service.state, "active")
        self.assertFalse(service.suspension_reason)
        self.assertEqual(self._history(service)[-2:], ["suspend", "reactivate"])

    def test_broadband_suspension_has_no_911_flag(self):
        service = self._service(self.subscription, self.plan_fiber, start="2026-03-01")
        service._telecom_request_suspend("customer", keep_emergency_calling=True)
        self.assertFalse(service.keep_emergency_calling)

    def test_terminate_credits_unused_days_and_ends_addons(self):
        service = self._service(
            self.subscription, self.plan_basic, start="2026-02-01", addons=[(self.addon_intl, 1)]
        )
        service.charged_until = self.d(2026, 3, 31)
        service.addon_line_ids.charged_until = self.d(2026, 3, 31)
        with freeze_time("2026-03-20"):
            service._telecom_request_terminate(reason="Moving abroad")
        self.assertEqual((service.state, service.date_end), ("terminated", self.d(2026, 3, 20)))
        self.assertEqual(service.addon_line_ids.state, "removed")
        self.assertEqual(self.subscription.state, "closed")
        # 11 days of 31: plan 40.00 -> 14.19, add-on 9.99 -> 3.54
        amounts = sorted(service.charge_ids.mapped("amount"))
        self.assertEqual(amounts, [-14.19, -3.54])

    def test_wrong_actions_are_refused(self):
        service = self._service(self.subscription, self.plan_basic)
        with self.assertRaises(UserError):
            service._telecom_request_suspend("customer")
        with self.assertRaises(UserError):
            service._telecom_request_change_plan(self.plan_plus)
        with freeze_time("2026-03-01"):
            service.action_activate()
            with self.assertRaises(UserError):
                service.action_activate()
            with self.assertRaises(UserError):
                service._telecom_request_change_plan(self.plan_basic)
            with self.assertRaises(UserError):
                service._telecom_request_add_addon(self.plan_plus)
            with self.assertRaises(UserError):
                service._telecom_request_terminate(effective_date=self.d(2026, 2, 1))

    def test_plan_changes_follow_the_catalog_rules(self):
        self.plan_basic.product_tmpl_id.telecom_plan_change_ids = self.plan_voip.product_tmpl_id
        service = self._service(self.subscription, self.plan_basic, start="2026-03-01")
        with freeze_time("2026-03-05"), self.assertRaisesRegex(UserError, "cannot move"):
            service._telecom_request_change_plan(self.plan_plus)
        self.addon_intl.telecom_addon_max_qty = 1
        with freeze_time("2026-03-05"):
            service._telecom_request_add_addon(self.addon_intl)
            with self.assertRaisesRegex(UserError, "limited to 1"):
                service._telecom_request_add_addon(self.addon_intl)

    def test_pending_service_terminates_without_charges(self):
        service = self._service(self.subscription, self.plan_basic)
        service._telecom_request_terminate(reason="Changed mind")
        self.assertEqual(service.state, "terminated")
        self.assertFalse(service.charge_ids)

    def test_wizard_changes_plan(self):
        service = self._service(self.subscription, self.plan_basic, start="2026-03-01")
        with freeze_time("2026-03-01"):
            action = service.action_open_change_plan()
            wizard = Form(self.env[action["res_model"]].with_context(**action["context"]))
            wizard.plan_id = self.plan_plus
            wizard.save().action_confirm()
        self.assertEqual(service.product_id, self.plan_plus)


@tagged("post_install", "-at_install")
class TestSaleOrderToSubscription(TelecomBillingCase):
    def _order(self, lines, partner=None):
        return self.env["sale.order"].create(
            {
                "partner_id": (partner or self.customer).id,
                "order_line": [
                    (0, 0, {"product_id": product.id, "product_uom_qty": qty})
                    for product, qty in lines
                ],
            }
        )

    def test_confirmation_creates_subscription_and_pending_services(self):
        order = self._order([(self.plan_basic, 2), (self.addon_data, 2), (self.plan_fiber, 1)])
        # the add-on has two plan lines to choose from: without the catalog link it goes to the
        # first one
        order.action_confirm()
        subscription = order.telecom_subscription_id
        self.assertTrue(subscription)
        self.assertEqual(subscription.partner_id, self.customer)
        services = subscription.service_ids
        self.assertEqual(len(services), 3, "one service per mobile line, one fiber service")
        self.assertEqual(set(services.mapped("state")), {"pending"})
        mobile = services.filtered(lambda s: s.product_id == self.plan_basic)
        self.assertEqual(len(mobile), 2)
        self.assertEqual(mobile.addon_line_ids.mapped("quantity"), [1, 1])
        self.assertEqual(order.telecom_service_count, 3)
        plan_line = order.order_line.filtered(lambda line: line.product_id == self.plan_basic)
        self.assertEqual(plan_line.qty_to_invoice, 0, "plans are invoiced by the bill run")

    def test_addon_follows_its_plan_line(self):
        order = self._order([(self.plan_fiber, 1), (self.plan_basic, 1), (self.addon_intl, 1)])
        addon_line = order.order_line.filtered(lambda line: line.product_id == self.addon_intl)
        self.assertEqual(addon_line.telecom_plan_line_id.product_id, self.plan_basic)
        order.action_confirm()
        services = order.telecom_subscription_id.service_ids
        mobile = services.filtered(lambda s: s.product_id == self.plan_basic)
        self.assertEqual(mobile.addon_line_ids.product_id, self.addon_intl)
        self.assertFalse((services - mobile).addon_line_ids)

    def test_second_order_extends_the_subscription(self):
        first = self._order([(self.plan_fiber, 1)])
        first.action_confirm()
        second = self._order([(self.plan_voip, 1)])
        second.action_confirm()
        self.assertEqual(first.telecom_subscription_id, second.telecom_subscription_id)
        self.assertEqual(len(first.telecom_subscription_id.service_ids), 2)

    def test_first_service_date_is_the_oldest_service_start(self):
        subscription = self._subscription()
        self._service(subscription, self.plan_basic, start="2025-06-15")
        self._service(subscription, self.plan_fiber, start="2026-01-10")
        self.assertEqual(self.customer._telecom_first_service_date(), self.d(2025, 6, 15))
        self.assertEqual(self.customer._telecom_tenure_months(self.d(2026, 3, 20)), 9)
