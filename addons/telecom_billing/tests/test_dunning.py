from freezegun import freeze_time

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import TelecomBillingCase


@tagged("post_install", "-at_install")
class TestDunning(TelecomBillingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Policy = cls.env["telecom.dunning.policy"]
        Policy.search([("company_id", "=", cls.company.id)]).active = False
        cls.policy = Policy.create(
            {
                "name": "T Residential",
                "grace_days": 5,
                "reminder_days": 1,
                "late_fee_days": 15,
                "late_fee_type": "fixed",
                "late_fee_amount": 5.0,
                "suspension_days": 30,
            }
        )
        cls.business_policy = Policy.create(
            {
                "name": "T Business",
                "customer_type": "business",
                "grace_days": 10,
                "reminder_days": 5,
                "late_fee_days": 20,
                "late_fee_type": "percent",
                "late_fee_amount": 1.5,
                "suspension_days": 45,
            }
        )
        cls.immediate = cls.env.ref("account.account_payment_term_immediate")
        cls.subscription = cls._subscription(cycle_day=1)
        cls.subscription.payment_term_id = cls.immediate
        cls.voice = cls._service(cls.subscription, cls.plan_basic, start="2026-03-01")
        cls.fiber = cls._service(cls.subscription, cls.plan_fiber, start="2026-03-01")
        cls.march_run = cls._bill(cls.d(2026, 3, 1))
        cls.invoice = cls._invoice(cls.march_run, cls.subscription)

    def _dun(self, day):
        with freeze_time(day):
            self.env["telecom.subscription"]._cron_telecom_dunning()

    def _steps(self):
        return self.subscription.dunning_log_ids.sorted("id").mapped("step")

    def _pay(self, amount=None):
        wizard = (
            self.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=self.invoice.ids)
            .create({"amount": amount} if amount else {})
        )
        wizard._create_payments()

    def test_reminder_late_fee_suspension_then_reactivation_on_payment(self):
        self.assertAmount(self.invoice.amount_total, 95.00)
        self.assertEqual(self.invoice.invoice_date_due, self.d(2026, 3, 1))
        self._dun("2026-03-06")  # within the grace period
        self.assertFalse(self._steps())
        self._dun("2026-03-07")
        self.assertEqual(self._steps(), ["reminder"])
        self.assertEqual(self.invoice.telecom_dunning_level, "reminder")
        reminder = self.invoice.message_ids.filtered(lambda m: "overdue" in (m.subject or ""))
        self.assertEqual(reminder.partner_ids, self.customer, "emailed to the customer")
        self._dun("2026-03-07")
        self.assertEqual(self._steps(), ["reminder"], "once a day at most")
        self._dun("2026-03-20")
        self.assertEqual(self._steps(), ["reminder"])
        self._dun("2026-03-21")  # 15 days after the grace period
        self.assertEqual(self._steps(), ["reminder", "late_fee"])
        fee = self.subscription.charge_ids.filtered(lambda c: c.kind == "late_fee")
        self.assertAmount(fee.amount, 5.00)
        self.assertEqual(fee.state, "pending")
        self._dun("2026-04-05")  # 30 days
        self.assertEqual(self._steps(), ["reminder", "late_fee", "suspension"])
        self.assertEqual(
            (self.voice.state, self.voice.suspension_reason), ("suspended", "non_payment")
        )
        self.assertTrue(self.voice.keep_emergency_calling, "911 stays for voice")
        self.assertEqual(self.fiber.state, "suspended")
        self.assertFalse(self.fiber.keep_emergency_calling)
        self.assertEqual(self.invoice.telecom_dunning_level, "suspension")
        self.assertAmount(self.subscription.with_context(date="2026-04-05").overdue_amount, 95.00)
        with freeze_time("2026-04-06"):
            self._pay(50.0)
        self.assertEqual(self.voice.state, "suspended", "a partial payment is not enough")
        with freeze_time("2026-04-06"):
            self._pay()
        self.assertEqual(self.invoice.payment_state, "paid")
        self.assertEqual((self.voice.state, self.fiber.state), ("active", "active"))
        self.assertEqual(self._steps()[-1], "reactivation")
        self.assertEqual(
            self.voice.history_ids.sorted("id").mapped("action")[-2:], ["suspend", "reactivate"]
        )
        april = self._invoice(self._bill(self.d(2026, 4, 1)), self.subscription)
        self.assertIn(5.00, self._lines(april, "charge").mapped("price_subtotal"))

    def test_customer_suspension_is_not_lifted_by_payment(self):
        with freeze_time("2026-03-02"):
            self.fiber._telecom_request_suspend("customer")
        self._dun("2026-04-05")
        self.assertEqual(self.voice.suspension_reason, "non_payment")
        with freeze_time("2026-04-06"):
            self._pay()
        self.assertEqual(self.voice.state, "active")
        self.assertEqual(
            (self.fiber.state, self.fiber.suspension_reason), ("suspended", "customer")
        )

    def test_business_policy_percent_late_fee(self):
        self.customer.telecom_customer_type = "business"
        self._dun("2026-03-11")  # grace 10: not overdue yet
        self.assertFalse(self._steps())
        self._dun("2026-03-31")  # 20 days after grace: reminder and late fee together
        self.assertEqual(self._steps(), ["reminder", "late_fee"])
        fee = self.subscription.charge_ids.filtered(lambda c: c.kind == "late_fee")
        self.assertAmount(fee.amount, 1.43)  # 1.5 % of 95.00 = 1.425
        self._dun("2026-04-14")
        self.assertEqual(self.voice.state, "active", "business suspension after 45 days")
        self._dun("2026-04-25")
        self.assertEqual(self.voice.state, "suspended")

    def test_policy_steps_must_be_in_order(self):
        with self.assertRaises(ValidationError):
            self.policy.late_fee_days = 40

    # -- disputes (autopay's holds are in test_autopay.py) ---------------------------------

    def test_dispute_holds_dunning_for_the_disputed_amount(self):
        with self.assertRaises(ValidationError):
            self.invoice.telecom_dispute_amount = 10.0  # a reason is required
        with self.assertRaises(ValidationError):
            self.invoice.write({"telecom_dispute_amount": 95.01, "telecom_dispute_reason": "x"})
        self.invoice.with_context(tracking_disable=False).write(
            {"telecom_dispute_amount": 95.0, "telecom_dispute_reason": "Router never delivered"}
        )
        self.env.flush_all()
        self.env.cr.precommit.run()
        tracked = self.invoice.message_ids.tracking_value_ids.field_id.mapped("name")
        self.assertIn("telecom_dispute_amount", tracked, "logged in the chatter")
        self._dun("2026-04-05")
        self.assertFalse(self._steps(), "the whole bill is disputed")
        self.assertEqual(self.voice.state, "active")
        self.invoice.telecom_dispute_amount = 40.0  # partly settled
        self._dun("2026-04-06")
        self.assertEqual(self._steps(), ["reminder", "late_fee", "suspension"])
        reminder = self.subscription.dunning_log_ids.filtered(lambda x: x.step == "reminder")
        self.assertAmount(reminder.amount, 55.00, "dunning acts on the undisputed part only")
        self.assertAmount(self.subscription.with_context(date="2026-04-06").overdue_amount, 55.00)

    def test_zero_and_paid_bills_are_never_dunned(self):
        self._pay()
        self._dun("2026-04-05")
        self.assertFalse(self._steps())
        self.assertTrue(self.invoice._telecom_dunning_held())
