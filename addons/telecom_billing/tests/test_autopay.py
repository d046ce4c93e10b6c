"""Autopay through Odoo's demo payment provider (``payment_demo``, installed with the suite by
``tools/suite.sh``): its tokens make every charge end as their ``demo_simulated_state`` says
(done, cancel = declined, error, pending)."""

import unittest
from unittest.mock import patch

import psycopg2
from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import TelecomBillingCase
from .test_portal import TelecomPortalCase

AUTOPAY_LOGGER = "odoo.addons.telecom_billing.models.telecom_autopay"


class Killed(Exception):
    """The worker died (not an error a batch job catches)."""


class AutopayMixin:
    @classmethod
    def _setup_autopay(cls):
        if cls.env["ir.module.module"]._get("payment_demo").state != "installed":
            raise unittest.SkipTest("payment_demo (installed by tools/suite.sh) is needed")
        cls.provider = cls.env.ref("payment.payment_provider_demo")
        cls.provider.state = "test"
        cls.company.write(
            {
                "telecom_autopay_timing": "before_due",
                "telecom_autopay_days_before_due": 3,
                "telecom_autopay_retry_days": "1,3,7",
            }
        )

    @classmethod
    def _token(cls, partner, state="done", last4="4242"):
        return cls.env["payment.token"].create(
            {
                "provider_id": cls.provider.id,
                "payment_method_id": cls.env.ref("payment_demo.payment_method_demo").id,
                "partner_id": partner.id,
                "provider_ref": f"demo-{partner.id}-{last4}",
                "payment_details": last4,
                "demo_simulated_state": state,
            }
        )

    def _autopay(self, day, batch_size=200):
        """Run the autopay job on ``day`` as the cron runner does: calls until no work."""
        with freeze_time(day):
            while self.env["telecom.autopay"]._cron_telecom_autopay(batch_size=batch_size):
                pass


@tagged("post_install", "-at_install")
class TestAutopay(AutopayMixin, TelecomBillingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_autopay()
        Policy = cls.env["telecom.dunning.policy"]
        Policy.search([("company_id", "=", cls.company.id)]).active = False
        Policy.create(
            {
                "name": "T Autopay Residential",
                "grace_days": 5,
                "reminder_days": 1,
                "late_fee_days": 15,
                "late_fee_amount": 5.0,
                "suspension_days": 30,
            }
        )
        cls.term_30 = cls.env.ref("account.account_payment_term_30days")
        cls.immediate = cls.env.ref("account.account_payment_term_immediate")
        cls.token = cls._token(cls.customer)
        cls.customer.telecom_autopay_token_id = cls.token
        cls.subscription = cls._subscription(cycle_day=1)
        cls.subscription.payment_term_id = cls.term_30
        cls.voice = cls._service(cls.subscription, cls.plan_basic, start="2026-03-01")
        cls.fiber = cls._service(cls.subscription, cls.plan_fiber, start="2026-03-01")
        cls.bill = cls._invoice(cls._bill(cls.d(2026, 3, 1)), cls.subscription)

    def _transactions(self, move=None):
        return (move or self.bill).telecom_autopay_transaction_ids.sorted("id")

    def _dunning_steps(self):
        return self.subscription.dunning_log_ids.sorted("id").mapped("step")

    def _dun(self, day):
        with freeze_time(day):
            self.env["telecom.subscription"]._cron_telecom_dunning()

    def _failure_emails(self, move=None):
        return (move or self.bill).message_ids.filtered(
            lambda m: "could not charge" in (m.subject or "")
        )

    def test_charged_on_the_autopay_date_and_reconciled(self):
        self.assertAmount(self.bill.amount_total, 95.00)
        self.assertEqual(str(self.bill.invoice_date_due), "2026-03-31")
        notice = self.bill._telecom_bill_payment_notice()
        self.assertEqual(notice, "Autopay: $\xa095.00 will be charged to Demo 4242 on Mar 28")
        self._autopay("2026-03-27")
        self.assertFalse(self._transactions(), "3 days before the due date, not earlier")
        self._autopay("2026-03-28")
        tx = self._transactions()
        self.assertEqual((tx.state, tx.operation, tx.token_id), ("done", "offline", self.token))
        self.assertEqual(tx.invoice_ids, self.bill, "a standard transaction of the bill")
        self.assertAmount(tx.amount, 95.00)
        self.assertEqual(self.bill.telecom_autopay_state, "paid")
        self.assertIn(self.bill.payment_state, ("paid", "in_payment"))
        self.assertIn(tx.payment_id.state, ("in_process", "paid"), "a posted payment")
        receivable = self.bill.line_ids.filtered(lambda x: x.account_type == "asset_receivable")
        self.assertTrue(receivable.reconciled, "the payment is matched with the bill")
        self.assertFalse(self.bill._telecom_bill_payment_notice())
        self._autopay("2026-03-29")
        self._autopay("2026-04-30")
        self.assertEqual(len(self._transactions()), 1, "charged once")

    def test_declined_retried_on_schedule_then_dunning(self):
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=self.bill.ids
        ).create({})._create_payments()  # March is paid: April's bill is this story
        self.token.demo_simulated_state = "cancel"
        self.subscription.payment_term_id = self.immediate
        bill = self._invoice(self._bill(self.d(2026, 4, 1)), self.subscription)
        self._autopay("2026-04-01")
        self.assertEqual(bill.telecom_autopay_state, "retry")
        self.assertEqual(str(bill.telecom_autopay_next_date), "2026-04-02")
        self.assertEqual(len(self._failure_emails(bill)), 1, "the customer is told")
        self.assertEqual(self._failure_emails(bill).partner_ids, self.customer)
        self._autopay("2026-04-02")
        self.assertEqual(str(bill.telecom_autopay_next_date), "2026-04-04")
        self._autopay("2026-04-03")
        self.assertEqual(len(self._transactions(bill)), 2, "nothing between retries")
        self._autopay("2026-04-04")
        self.assertEqual(str(bill.telecom_autopay_next_date), "2026-04-08")
        self._dun("2026-04-07")  # past grace + 1 day, but autopay still collects
        self.assertFalse(self._dunning_steps())
        self._autopay("2026-04-08")
        self.assertEqual(bill.telecom_autopay_state, "failed")
        self.assertEqual(bill.telecom_autopay_attempt_count, 4)
        self.assertEqual(self._transactions(bill).mapped("state"), ["cancel"] * 4)
        self.assertEqual(len(self._failure_emails(bill)), 4)
        self._autopay("2026-04-15")
        self.assertEqual(len(self._transactions(bill)), 4, "no retry after the last one")
        self._dun("2026-04-08")
        self.assertEqual(self._dunning_steps(), ["reminder"], "dunning takes over")

    def test_provider_error_is_recorded_and_retried(self):
        self.token.demo_simulated_state = "error"
        self._autopay("2026-03-28")
        tx = self._transactions()
        self.assertEqual(tx.state, "error")
        self.assertEqual(self.bill.telecom_autopay_state, "retry")
        self.assertIn("demo payment status: error", self.bill.telecom_autopay_message)
        self.token.demo_simulated_state = "done"
        self._autopay("2026-03-29")
        self.assertEqual(self._transactions().mapped("state"), ["error", "done"])
        self.assertEqual(self.bill.telecom_autopay_state, "paid")

    def test_pending_charge_holds_dunning_until_the_provider_answers(self):
        self.token.demo_simulated_state = "pending"
        self._autopay("2026-03-28")
        tx = self._transactions()
        self.assertEqual((tx.state, self.bill.telecom_autopay_state), ("pending", "pending"))
        self._dun("2026-05-10")
        self.assertFalse(self._dunning_steps(), "a charge in progress holds dunning")
        self._autopay("2026-05-10")
        self.assertEqual(len(self._transactions()), 1, "never a second charge meanwhile")
        tx._set_done()  # the provider's webhook; Odoo's job post-processes it
        tx._post_process()
        self.assertEqual(self.bill.telecom_autopay_state, "paid")
        self.assertIn(self.bill.payment_state, ("paid", "in_payment"))

    def test_expired_token_is_not_charged_and_the_customer_is_told(self):
        self.token.telecom_expiry_date = "2026-02-28"
        self.assertIn("expired", self.token._telecom_autopay_problem(self.d(2026, 3, 28)))
        self._autopay("2026-03-28")
        self.assertFalse(self._transactions(), "no charge attempt on an expired card")
        self.assertEqual(self.bill.telecom_autopay_state, "retry")
        self.assertIn("expired", self.bill.telecom_autopay_message)
        self.assertIn("on the portal", self.bill.telecom_autopay_message)
        self.assertIn("/my/autopay", self._failure_emails().body)
        # she saves a new card as autopay: the retry charges it
        new_card = self._token(self.customer, last4="1111")
        self.customer.telecom_autopay_token_id = new_card
        self._autopay("2026-03-29")
        self.assertEqual(self._transactions().token_id, new_card)
        self.assertEqual(self.bill.telecom_autopay_state, "paid")

    def test_revoked_token_is_not_charged(self):
        self.token.active = False
        self._autopay("2026-03-28")
        self.assertFalse(self._transactions())
        self.assertIn("was removed", self.bill.telecom_autopay_message)
        # autopay turned off before the retry: dunning takes over at once
        self.customer.telecom_autopay_token_id = False
        self._autopay("2026-03-29")
        self.assertEqual(self.bill.telecom_autopay_state, "failed")
        self.assertFalse(self.bill._telecom_dunning_held())

    def test_card_of_another_company_is_not_charged(self):
        other = self.env["res.company"].create({"name": "T Other Operator"})
        provider = self.provider.copy({"company_id": other.id, "state": "test"})
        self.token.provider_id = provider
        self._autopay("2026-03-28")
        self.assertFalse(self._transactions())
        self.assertIn("another company", self.bill.telecom_autopay_message)

    def test_disputed_part_is_not_charged(self):
        self.bill.write({"telecom_dispute_amount": 20.0, "telecom_dispute_reason": "Roaming"})
        self._autopay("2026-03-28")
        self.assertAmount(self._transactions().amount, 75.00)
        self.assertAmount(self.bill.amount_residual, 20.00)
        self.assertEqual(self.bill.telecom_autopay_state, "paid")
        self.assertTrue(self.bill._telecom_dunning_held(), "the rest is disputed")

    def test_bill_paid_before_its_autopay_date_is_not_charged(self):
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=self.bill.ids
        ).create({})._create_payments()
        self._autopay("2026-03-28")
        self.assertFalse(self._transactions())
        self.assertFalse(self.bill._telecom_bill_payment_notice())

    def test_zero_bill_untouched(self):
        free = self.env["product.product"].create(
            {
                "name": "T Free Line",
                "type": "service",
                "list_price": 0.0,
                "telecom_service_type": "mobile",
                "telecom_regulatory_class": "interstate",
                "taxes_id": [(6, 0, [])],
            }
        )
        account = self._subscription(cycle_day=2)
        self._service(account, free, start="2026-03-02")
        zero = self._invoice(self._bill(self.d(2026, 3, 2)), account)
        self.assertTrue(zero.currency_id.is_zero(zero.amount_total))
        self._autopay("2026-05-01")
        self.assertFalse(zero.telecom_autopay_transaction_ids)
        self.assertFalse(zero.telecom_autopay_state)
        self.assertTrue(zero._telecom_dunning_held())
        self.assertFalse(zero._telecom_bill_payment_notice())

    def _more_bills(self, count):
        """The bill and ``count`` bills of other autopay customers, all charged on Mar 29."""
        accounts = self.env["telecom.subscription"]
        for index in range(count):
            partner = self.customer.copy({"name": f"T Autopay {index}"})
            partner.telecom_autopay_token_id = self._token(partner, last4=f"000{index}")
            account = self._subscription(partner, cycle_day=2)
            account.payment_term_id = self.term_30
            self._service(account, self.plan_basic, start="2026-03-02")
            accounts |= account
        run = self._bill(self.d(2026, 3, 2))
        return self.bill | run.move_ids.filtered(lambda m: m.telecom_subscription_id in accounts)

    def _assert_charged(self, bills):
        for bill in bills:
            txs = bill.telecom_autopay_transaction_ids
            self.assertEqual(txs.mapped("state"), ["done"], bill.name)
            self.assertEqual(len(txs.payment_id), 1)
            self.assertEqual(bill.telecom_autopay_state, "paid")
            self.assertTrue(bill.currency_id.is_zero(bill.amount_residual), bill.name)

    def test_kill_and_resume_never_charges_a_bill_twice(self):
        bills = self._more_bills(4)
        self.assertEqual(len(bills), 5)
        Transaction = type(self.env["payment.transaction"])
        send = Transaction._send_payment_request
        sent = []

        def send_then_die(tx):
            sent.append(tx.reference)
            send(tx)
            if len(sent) == 2:
                raise Killed()

        Autopay = self.env["telecom.autopay"]
        with (
            freeze_time("2026-03-29"),
            patch.object(Transaction, "_send_payment_request", send_then_die),
        ):
            Autopay._cron_telecom_autopay(batch_size=3)  # prepares 3 charges
            with self.assertRaises(Killed), self.env.cr.savepoint():
                Autopay._cron_telecom_autopay(batch_size=3)  # dies after 2 sends
            self.env.invalidate_all()
            while Autopay._cron_telecom_autopay(batch_size=3):
                pass
        self._assert_charged(bills)
        self.assertEqual(len(set(sent)), 5, "one transaction (one reference) per bill")
        self.assertEqual(len(sent), 7, "the 2 sends of the killed call sent again, same refs")

    def test_a_bill_that_cannot_be_prepared_holds_no_other(self):
        bills = self._more_bills(3)
        blocked = bills[2]
        # another transaction already has the reference of the bill's first charge
        self.env["payment.transaction"].create(
            {
                "provider_id": self.provider.id,
                "payment_method_id": self.env.ref("payment_demo.payment_method_demo").id,
                "reference": f"{blocked.name}-AP1",
                "amount": 1.0,
                "currency_id": blocked.currency_id.id,
                "partner_id": blocked.commercial_partner_id.id,
            }
        )
        with mute_logger("odoo.sql_db", AUTOPAY_LOGGER):
            self._autopay("2026-03-29")
        self._assert_charged(bills - blocked)
        self.assertFalse(blocked.telecom_autopay_transaction_ids)
        self.assertEqual(blocked.telecom_autopay_state, "retry")
        self.assertEqual(str(blocked.telecom_autopay_next_date), "2026-03-30")
        self.assertIn("reference", blocked.telecom_autopay_message)

    def test_a_charge_that_cannot_be_post_processed_holds_no_other(self):
        bills = self._more_bills(3)
        stuck = bills[1]
        Transaction = type(self.env["payment.transaction"])
        create_payment = Transaction._create_payment

        def create_payment_unless_stuck(tx, **values):
            if tx.telecom_autopay_move_id == stuck:
                raise UserError("The bank journal is locked.")
            return create_payment(tx, **values)

        with (
            patch.object(Transaction, "_create_payment", create_payment_unless_stuck),
            mute_logger(AUTOPAY_LOGGER),
        ):
            self._autopay("2026-03-29")
        self._assert_charged(bills - stuck)
        tx = stuck.telecom_autopay_transaction_ids
        self.assertEqual(tx.state, "done")
        self.assertFalse(tx.is_post_processed, "left to Odoo's post-processing job")
        self.assertFalse(tx.payment_id)
        self.assertEqual(stuck.telecom_autopay_state, "pending")
        self.assertTrue(stuck._telecom_dunning_held())
        tx._post_process()  # what Odoo's post-processing job does next
        self._assert_charged(stuck)

    def test_status_writes_leave_the_journal_items_alone(self):
        with self.assertRaises(ValueError):
            self.bill._telecom_write_status({"ref": "changed"})
        lines = self.bill.line_ids.read(["account_id", "balance", "tax_ids"])
        self._autopay("2026-03-28")
        self._assert_charged(self.bill)
        self.assertEqual(self.bill.line_ids.read(["account_id", "balance", "tax_ids"]), lines)

    def test_database_refuses_a_second_live_charge(self):
        self._autopay("2026-03-28")
        tx = self._transactions()
        values = self.env["telecom.autopay"]._telecom_transaction_values(
            self.bill, self.token, 1.0, 9
        )
        with mute_logger("odoo.sql_db"), self.assertRaises(psycopg2.IntegrityError):
            with self.env.cr.savepoint():
                self.env["payment.transaction"].create(values)
        self.assertEqual(tx.state, "done")


@tagged("post_install", "-at_install")
class TestAutopayPortal(AutopayMixin, TelecomPortalCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_autopay()
        cls.card_a = cls._token(cls.portal_a.partner_id, last4="4242")
        cls.card_a2 = cls._token(cls.customer, last4="5555")
        cls.card_b = cls._token(cls.customer_b, last4="9999")

    def test_enrol_change_and_disable(self):
        self.authenticate("t_portal_alice", "t_portal_alice")
        page = self._get("/my/autopay").text
        self.assertIn("Autopay is <strong>off</strong>", page)
        self.assertIn("Demo 4242", page)
        self.assertIn("Demo 5555", page)
        self.assertNotIn("9999", page, "another customer's card is never offered")
        response = self._post("/my/autopay", {"token_id": self.card_a.id}, status=303)
        self.assertIn("/my/autopay?message=on", response.headers["Location"])
        self.assertEqual(self.customer.telecom_autopay_token_id, self.card_a)
        self.assertTrue(self.customer.message_ids.filtered(lambda m: "Autopay turned on" in m.body))
        self.assertIn("Autopay is <strong>on</strong>", self._get("/my/autopay").text)
        self._post("/my/autopay", {"token_id": self.card_a2.id}, status=303)
        self.assertEqual(self.customer.telecom_autopay_token_id, self.card_a2)
        self._post("/my/autopay", {"token_id": "0"}, status=303)
        self.assertFalse(self.customer.telecom_autopay_token_id)

    def test_cannot_enrol_someone_elses_card(self):
        self.authenticate("t_portal_alice", "t_portal_alice")
        self._post("/my/autopay", {"token_id": self.card_b.id}, status=404)
        self.assertFalse(self.customer.telecom_autopay_token_id)
        self.card_a.active = False  # a removed card cannot be chosen either
        self._post("/my/autopay", {"token_id": self.card_a.id}, status=404)
        self.assertFalse(self.customer.telecom_autopay_token_id)

    def test_expired_card_prompts_an_update(self):
        self.customer.telecom_autopay_token_id = self.card_a
        self.card_a.telecom_expiry_date = "2020-01-31"
        self.authenticate("t_portal_alice", "t_portal_alice")
        page = self._get("/my/autopay").text
        self.assertIn("expired", page)
        self.assertIn("Choose another payment method", page)

    def test_backend_rejects_a_card_of_another_customer(self):
        from odoo.exceptions import ValidationError

        with self.assertRaises(ValidationError):
            self.customer.telecom_autopay_token_id = self.card_b
        self.customer_b.write({"telecom_autopay_token_id": self.card_b.id})
        self.assertEqual(self.customer_b.telecom_autopay_token_id, self.card_b)
