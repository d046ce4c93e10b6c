from freezegun import freeze_time
from psycopg2 import IntegrityError

from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import TelecomBillingCase


@tagged("post_install", "-at_install")
class TestBillRunAmounts(TelecomBillingCase):
    """Exact amounts of the acceptance list (no taxes: the test tax table is empty)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.subscription = cls._subscription(cycle_day=1)

    def test_full_period_bill(self):
        self._service(self.subscription, self.plan_basic, start="2026-02-01")
        run = self._bill(self.d(2026, 2, 1))
        move = self._invoice(run, self.subscription)
        self.assertEqual(move.move_type, "out_invoice")
        self.assertEqual(move.state, "posted")
        self.assertAmount(move.amount_total, 40.00)
        line = self._lines(move)
        self.assertEqual(len(line), 1)
        self.assertEqual(
            (line.telecom_date_from, line.telecom_date_to),
            (self.d(2026, 2, 1), self.d(2026, 2, 28)),
        )
        self.assertEqual(move.invoice_date, self.d(2026, 2, 1))
        self.assertEqual(move.telecom_period_end, self.d(2026, 2, 28))
        self.assertEqual(run.state, "done")
        self.assertEqual(
            (run.invoice_count, run.subscription_count, run.processed_count), (1, 1, 1)
        )
        self.assertAmount(run.amount_total, 40.00)
        self.assertEqual(run.progress, 100.0)

    def test_activation_mid_period(self):
        service = self._service(self.subscription, self.plan_basic, start="2026-01-15")
        run = self._bill(self.d(2026, 2, 1))
        move = self._invoice(run, self.subscription)
        # 15-31 Jan: 17/31 x 40.00 = 21.94, then February in advance: 40.00
        self.assertEqual(sorted(self._lines(move).mapped("price_subtotal")), [21.94, 40.00])
        self.assertAmount(move.amount_total, 61.94)
        self.assertEqual(service.charged_until, self.d(2026, 2, 28))

    def test_termination_mid_period_gives_a_credit_note(self):
        service = self._service(self.subscription, self.plan_basic, start="2026-01-01")
        january = self._invoice(self._bill(self.d(2026, 1, 1)), self.subscription)
        self.assertAmount(january.amount_total, 40.00)
        with freeze_time("2026-01-20"):
            service._telecom_request_terminate()
        move = self._invoice(self._bill(self.d(2026, 2, 1)), self.subscription)
        # 21-31 Jan unused: 11/31 x 40.00 = 14.19 credited, nothing for February
        self.assertEqual(move.move_type, "out_refund")
        self.assertAmount(move.amount_total, 14.19)
        self.assertAmount(move.amount_total_signed, -14.19)
        self.assertEqual(service.charge_ids.state, "invoiced")
        self.assertFalse(self._invoice(self._bill(self.d(2026, 3, 1)), self.subscription))

    def test_upgrade_mid_period(self):
        service = self._service(self.subscription, self.plan_basic, start="2026-03-01")
        self._bill(self.d(2026, 3, 1))
        with freeze_time("2026-03-11"):
            service._telecom_request_change_plan(self.plan_plus)
        move = self._invoice(self._bill(self.d(2026, 4, 1)), self.subscription)
        # credit 11-31 Mar on 40.00: -27.10; 60.00 for 11-31 Mar: 40.65; April: 60.00
        self.assertEqual(sorted(self._lines(move).mapped("price_subtotal")), [-27.10, 40.65, 60.00])
        self.assertAmount(move.amount_total, 73.55)

    def test_downgrade_mid_period(self):
        service = self._service(self.subscription, self.plan_plus, start="2026-03-01")
        self._bill(self.d(2026, 3, 1))
        with freeze_time("2026-03-21"):
            service._telecom_request_change_plan(self.plan_basic)
        move = self._invoice(self._bill(self.d(2026, 4, 1)), self.subscription)
        # credit 21-31 Mar on 60.00: -21.29; 40.00 for 21-31 Mar: 14.19; April: 40.00
        self.assertEqual(sorted(self._lines(move).mapped("price_subtotal")), [-21.29, 14.19, 40.00])
        self.assertAmount(move.amount_total, 32.90)

    def test_downgrade_at_next_cycle_bills_the_new_plan_in_full(self):
        service = self._service(self.subscription, self.plan_plus, start="2026-03-01")
        self._bill(self.d(2026, 3, 1))
        with freeze_time("2026-03-21"):
            service._telecom_request_change_plan(self.plan_basic, timing="next_cycle")
        with freeze_time("2026-04-01"):
            self.env["telecom.service"]._cron_apply_scheduled_plan_changes()
        move = self._invoice(self._bill(self.d(2026, 4, 1)), self.subscription)
        self.assertEqual(self._lines(move).mapped("price_subtotal"), [40.00])

    def test_addon_added_mid_period(self):
        service = self._service(self.subscription, self.plan_basic, start="2026-03-01")
        self._bill(self.d(2026, 3, 1))
        with freeze_time("2026-03-16"):
            service._telecom_request_add_addon(self.addon_data)
        move = self._invoice(self._bill(self.d(2026, 4, 1)), self.subscription)
        # add-on 16-31 Mar: 16/31 x 15.00 = 7.74; April: plan 40.00 + add-on 15.00
        self.assertEqual(sorted(self._lines(move).mapped("price_subtotal")), [7.74, 15.00, 40.00])
        self.assertAmount(move.amount_total, 62.74)

    def test_addon_removed_mid_period(self):
        service = self._service(
            self.subscription, self.plan_basic, start="2026-03-01", addons=[(self.addon_data, 1)]
        )
        self._bill(self.d(2026, 3, 1))
        with freeze_time("2026-03-10"):
            service.addon_line_ids.action_remove()
        move = self._invoice(self._bill(self.d(2026, 4, 1)), self.subscription)
        # add-on kept through 10 Mar: 11-31 Mar credited, 21/31 x 15.00 = 10.16
        self.assertEqual(sorted(self._lines(move).mapped("price_subtotal")), [-10.16, 40.00])

    def test_bill_cycle_day_change_bills_the_bridging_period(self):
        self._service(self.subscription, self.plan_basic, start="2026-03-01")
        self._bill(self.d(2026, 3, 1))
        self.subscription.bill_cycle_day = 15
        self.assertFalse(
            self._invoice(self._bill(self.d(2026, 4, 1)), self.subscription),
            "the old cycle day no longer bills the account",
        )
        move = self._invoice(self._bill(self.d(2026, 3, 15)), self.subscription)
        # bridge 1-14 Apr inside the new period 15 Mar - 14 Apr (31 days): 14/31 x 40 = 18.06
        line = self._lines(move)
        self.assertEqual(
            (line.telecom_date_from, line.telecom_date_to),
            (self.d(2026, 4, 1), self.d(2026, 4, 14)),
        )
        self.assertAmount(move.amount_total, 18.06)
        after = self._invoice(self._bill(self.d(2026, 4, 15)), self.subscription)
        self.assertAmount(after.amount_total, 40.00)
        self.assertEqual(self._lines(after).telecom_date_to, self.d(2026, 5, 14))

    def test_bill_cycle_day_change_credits_in_the_periods_billed(self):
        """Days billed from the change on are credited in the old cycle's periods and billed
        again in the new ones: a later credit of a day always mirrors its charge."""
        service = self._service(self.subscription, self.plan_basic, start="2026-03-01")
        self._bill(self.d(2026, 3, 1))  # 1-31 Mar: 40.00
        with freeze_time("2026-03-10"):
            self.subscription.bill_cycle_day = 28
        self.assertEqual(self.subscription.bill_cycle_changed_on, self.d(2026, 3, 10))
        credit = self.subscription.charge_ids.filtered(lambda c: c.state == "pending")
        # 10-31 Mar of a 31-day period: 40.00 - round(40 x 9/31) = 28.39
        self.assertEqual(
            (credit.date_from, credit.date_to), (self.d(2026, 3, 10), self.d(2026, 3, 31))
        )
        self.assertAmount(credit.price_unit * credit.quantity, -28.39)
        self.assertEqual(service.charged_until, self.d(2026, 3, 9))
        with freeze_time("2026-03-20"), self.assertRaisesRegex(UserError, "bill cycle day or"):
            service._telecom_request_terminate(effective_date=self.d(2026, 3, 9))

    def test_due_date_is_the_bill_date_without_payment_terms(self):
        self.customer.property_payment_term_id = False
        self._service(self.subscription, self.plan_basic, start="2026-03-01")
        for writer in ("sql", "orm"):
            with self.subTest(writer=writer):
                self.env["ir.config_parameter"].set_param("telecom_billing.bill_run_writer", writer)
                day = self.d(2026, 3, 1) if writer == "sql" else self.d(2026, 4, 1)
                move = self._invoice(self._bill(day), self.subscription)
                self.assertEqual((move.state, move.invoice_date_due), ("posted", day))

    def test_negotiated_price_replaces_the_plan_price(self):
        service = self._service(self.subscription, self.plan_basic, start="2026-03-01")
        service.negotiated_price = 30.0
        self.assertFalse(service.negotiated_price_since, "nothing billed yet: nothing to redo")
        self.assertAmount(
            self._invoice(self._bill(self.d(2026, 3, 1)), self.subscription).amount_total, 30.00
        )
        with freeze_time("2026-03-11"):
            service.negotiated_price = 20.0
        self.assertEqual(service.negotiated_price_since, self.d(2026, 3, 11))
        move = self._invoice(self._bill(self.d(2026, 4, 1)), self.subscription)
        # 11-31 Mar billed at 30.00 credited: 30.00 - round(30 x 10/31) = 20.32; billed again
        # at 20.00: 20.00 - round(20 x 10/31) = 13.55; April at 20.00
        self.assertEqual(sorted(self._lines(move).mapped("price_subtotal")), [-20.32, 13.55, 20.00])
        with freeze_time("2026-04-20"), self.assertRaisesRegex(UserError, "negotiated price"):
            service._telecom_request_terminate(effective_date=self.d(2026, 3, 10))
        with freeze_time("2026-04-15"):
            service._telecom_request_change_plan(self.plan_plus, effective_date=self.d(2026, 4, 15))
        self.assertFalse(service.negotiated_price, "the price was agreed for the old plan")
        move = self._invoice(self._bill(self.d(2026, 5, 1)), self.subscription)
        # 15-30 Apr at 20.00 credited (20.00 - round(20 x 14/30) = 10.67), 15-30 Apr and May at
        # the new plan's list price: 60.00 - 28.00 = 32.00 and 60.00
        self.assertEqual(sorted(self._lines(move).mapped("price_subtotal")), [-10.67, 32.00, 60.00])

    def test_grandfathered_plan_keeps_billing(self):
        legacy = self.env["product.product"].create(
            {
                "name": "T Legacy Unlimited",
                "type": "service",
                "list_price": 35.0,
                "telecom_service_type": "mobile",
                "telecom_regulatory_class": "interstate",
            }
        )
        service = self._service(self.subscription, legacy, start="2026-03-01")
        legacy.product_tmpl_id.write(
            {
                "telecom_grandfathered": True,
                "telecom_successor_id": self.plan_plus.product_tmpl_id.id,
            }
        )
        move = self._invoice(self._bill(self.d(2026, 4, 1)), self.subscription)
        # March (arrears from activation) and April, both at the grandfathered 35.00
        self.assertEqual(self._lines(move).mapped("price_subtotal"), [35.00, 35.00])
        other = self._service(self.subscription, self.plan_basic, start="2026-03-01")
        with freeze_time("2026-04-02"), self.assertRaises(UserError):
            other._telecom_request_change_plan(legacy)
        self.assertEqual(service.state, "active")

    def test_scheduled_price_change(self):
        Version = self.env["telecom.price.version"]
        template = self.plan_fiber.product_tmpl_id
        Version.create({"product_tmpl_id": template.id, "date_start": "2026-04-01", "price": 65.0})
        Version.create({"product_tmpl_id": template.id, "date_start": "2026-05-16", "price": 70.0})
        self._service(self.subscription, self.plan_fiber, start="2026-03-01")
        march = self._invoice(self._bill(self.d(2026, 3, 1)), self.subscription)
        self.assertAmount(march.amount_total, 55.00)
        april = self._invoice(self._bill(self.d(2026, 4, 1)), self.subscription)
        self.assertAmount(april.amount_total, 65.00)
        may = self._invoice(self._bill(self.d(2026, 5, 1)), self.subscription)
        # 1-15 May at 65.00: 15/31 = 31.45; 16-31 May at 70.00: 16/31 = 36.13
        self.assertEqual(sorted(self._lines(may).mapped("price_subtotal")), [31.45, 36.13])
        self.assertAmount(may.amount_total, 67.58)

    def test_quantity_and_suspended_service_are_billed(self):
        service = self._service(self.subscription, self.plan_fiber, start="2026-03-01", quantity=2)
        service._telecom_request_suspend("customer")
        move = self._invoice(self._bill(self.d(2026, 3, 1)), self.subscription)
        self.assertAmount(move.amount_total, 110.00)


@tagged("post_install", "-at_install")
class TestBillRunRobustness(TelecomBillingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        cls.subscriptions = cls.env["telecom.subscription"]
        for index in range(5):
            partner = Partner.create(
                {
                    "name": f"T Batch Customer {index}",
                    "is_company": True,
                    "state_id": cls.state_ca.id,
                }
            )
            subscription = cls._subscription(partner=partner, cycle_day=7)
            cls._service(subscription, cls.plan_basic, start="2026-03-07")
            cls.subscriptions |= subscription

    def _invoices(self):
        return self.env["account.move"].search(
            [("telecom_subscription_id", "in", self.subscriptions.ids)]
        )

    def test_charged_through_date_is_not_tracked_nor_followed_by_a_tracked_field(self):
        """The bill run moves the charged-through dates without the chatter's tracking
        (``mail_notrack``): no tracking message can be lost while this holds."""
        registry = self.env.registry
        models = self.env["telecom.chargeable.mixin"]._inherit_children
        self.assertIn("telecom.service", models)
        for name in models:
            field = self.env[name]._fields["charged_until"]
            for follower in [field, *registry.get_dependent_fields(field)]:
                Model = self.env[follower.model_name]
                tracked = Model._track_get_fields() if "_track_get_fields" in dir(Model) else ()
                self.assertNotIn(follower.name, tracked, f"{name}: {follower}")

    def test_killed_run_resumes_without_duplicates_or_gaps(self):
        Run = self.env["telecom.bill.run"]
        run = Run.create({"cycle_day": 7, "period_start": "2026-03-07", "auto_post": True})
        run.action_start()
        self.assertEqual(run._telecom_process_chunk(batch_size=2), 2)
        self.assertEqual(len(self._invoices()), 2)
        self.assertEqual((run.processed_count, run.subscription_count), (2, 5))
        self.assertAlmostEqual(run.progress, 40.0)
        # the worker dies in the middle of the second chunk: its transaction never commits
        with self.assertRaises(InterruptedError), self.env.cr.savepoint():
            run._telecom_process_chunk(batch_size=2)
            self.assertEqual(len(self._invoices()), 4)
            raise InterruptedError("worker killed")
        self.env.invalidate_all()
        self.assertEqual(len(self._invoices()), 2)
        self.assertEqual(run.state, "running")
        # the cron picks the run up again and finishes it
        run._telecom_run_to_end(batch_size=2)
        invoices = self._invoices()
        self.assertEqual(len(invoices), 5)
        self.assertEqual(invoices.telecom_subscription_id, self.subscriptions, "none missed")
        self.assertEqual(run.state, "done")
        self.assertEqual(run.invoice_count, 5)
        self.assertAmount(run.amount_total, 5 * 40.00)
        # running it again adds nothing
        run.action_resume()
        run._telecom_run_to_end(batch_size=2)
        self.assertEqual(len(self._invoices()), 5)

    def test_next_chunk_starts_after_the_last_locked_and_comes_back_for_the_rest(self):
        Run = self.env["telecom.bill.run"]
        run = Run.create({"cycle_day": 7, "period_start": "2026-03-07", "auto_post": True})
        run.action_start()
        first, second = self.subscriptions[:2], self.subscriptions[2:4]
        self.assertEqual(run._telecom_lock_next_subscriptions(2), first.ids)
        # another worker held the first two and released them unbilled (it died)
        self.assertEqual(run._telecom_lock_next_subscriptions(2), second.ids, "after the last")
        self.assertEqual(run._telecom_lock_next_subscriptions(2), self.subscriptions[4:].ids)
        # nothing left after the last one locked: the search starts from the first again
        self.assertEqual(run._telecom_process_chunk(batch_size=2), 2)
        self.assertEqual(self._invoices().telecom_subscription_id, first)

    def test_database_refuses_a_second_invoice_for_a_period(self):
        run = self._bill(self.d(2026, 3, 7))
        move = self._invoice(run, self.subscriptions[0])
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError):
            with self.env.cr.savepoint():
                self.env["account.move"].create(
                    {
                        "move_type": "out_invoice",
                        "partner_id": move.partner_id.id,
                        "telecom_subscription_id": move.telecom_subscription_id.id,
                        "telecom_period_start": move.telecom_period_start,
                    }
                )

    def test_invoice_totals_equal_receivable_postings(self):
        service = self.subscriptions[0].service_ids
        self._bill(self.d(2026, 3, 7))
        with freeze_time("2026-03-20"):
            service._telecom_request_terminate()
        self._bill(self.d(2026, 4, 7))
        moves = self._invoices().filtered(lambda m: m.state == "posted")
        self.assertIn("out_refund", moves.mapped("move_type"))
        receivable = moves.line_ids.filtered(
            lambda x: x.account_id.account_type == "asset_receivable"
        )
        self.assertAmount(
            sum(moves.mapped("amount_total_signed")), sum(receivable.mapped("balance"))
        )
        # 5 x 40.00 in March, 4 x 40.00 in April, 21 Mar - 6 Apr credited: 17/31 x 40.00 = 21.94
        self.assertAmount(sum(moves.mapped("amount_total_signed")), 200.00 + 160.00 - 21.94)

    def test_cron_starts_due_runs_and_works_in_chunks(self):
        Run = self.env["telecom.bill.run"]
        with freeze_time("2026-03-08"):
            runs = Run._telecom_create_due_runs()
            self.assertEqual(runs.mapped("period_start"), [self.d(2026, 3, 7)], "missed yesterday")
            self.assertEqual(runs.state, "running")
            self.assertFalse(Run._telecom_create_due_runs(), "created once")
            for __ in range(4):
                Run._cron_bill_runs(batch_size=2)
        self.assertEqual(runs.state, "done")
        self.assertEqual(len(self._invoices()), 5)

    def test_draft_review_and_deleting_a_draft_unbills_it(self):
        run = self._bill(self.d(2026, 3, 7), auto_post=False)
        moves = run.move_ids
        self.assertEqual(set(moves.mapped("state")), {"draft"})
        subscription = self.subscriptions[0]
        service = subscription.service_ids
        with freeze_time("2026-03-10"):
            service._telecom_request_add_addon(self.addon_intl)
        self.assertEqual(service.charged_until, self.d(2026, 4, 6))
        move = self._invoice(run, subscription)
        move.unlink()
        self.assertEqual(service.charged_until, self.d(2026, 3, 6))
        run.action_resume()
        run._telecom_run_to_end()
        again = self._invoice(run, subscription)
        # the plan again, plus the add-on from 10 Mar: 28/31 x 9.99 = 9.02
        self.assertEqual(sorted(self._lines(again).mapped("price_subtotal")), [9.02, 40.00])
        later = self._bill(self.d(2026, 4, 7), auto_post=False)
        with self.assertRaises(UserError):
            again.unlink()
        self.assertTrue(self._invoice(later, subscription))


@tagged("post_install", "-at_install")
class TestReadmeWorkedExample(TelecomBillingCase):
    def test_worked_example_of_the_readme(self):
        subscription = self._subscription(cycle_day=1)
        service = self._service(subscription, self.plan_basic, start="2026-01-15")
        february = self._invoice(self._bill(self.d(2026, 2, 1)), subscription)
        self.assertEqual(sorted(self._lines(february).mapped("price_subtotal")), [21.94, 40.00])
        march = self._invoice(self._bill(self.d(2026, 3, 1)), subscription)
        self.assertEqual(self._lines(march).mapped("price_subtotal"), [40.00])
        with freeze_time("2026-03-11"):
            service._telecom_request_change_plan(self.plan_plus)
        with freeze_time("2026-03-16"):
            service._telecom_request_add_addon(self.addon_data)
        april = self._invoice(self._bill(self.d(2026, 4, 1)), subscription)
        self.assertEqual(
            sorted(self._lines(april).mapped("price_subtotal")),
            [-27.10, 7.74, 15.00, 40.65, 60.00],
        )
        self.assertAmount(april.amount_total, 96.29)


@tagged("post_install", "-at_install")
class TestProrationRounding(TelecomBillingCase):
    """20 lines activated on 15 January (17 of 31 days at 40.00): exact by default, the legacy
    rounding of the unit price on request."""

    def _first_bill(self):
        subscription = self._subscription(cycle_day=1)
        self._service(subscription, self.plan_basic, start="2026-01-15", quantity=20)
        move = self._invoice(self._bill(self.d(2026, 2, 1)), subscription)
        return move, self._lines(move, "recurring")

    def test_exact_by_default(self):
        move, lines = self._first_bill()
        january, february = lines.sorted("telecom_date_from")
        # 20 x 40.00 x 17/31 = 438.709... -> 438.71, in one line that says how many
        self.assertAmount(january.price_subtotal, 438.71)
        self.assertEqual(january.quantity, 1)
        self.assertTrue(january.name.startswith("20 × "), january.name)
        self.assertEqual((february.quantity, february.price_unit), (20, 40.00))
        self.assertAmount(move.amount_untaxed, 1238.71)

    def test_legacy_unit_rounding(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "telecom_billing.proration_rounding", "unit"
        )
        __, lines = self._first_bill()
        january = lines.sorted("telecom_date_from")[0]
        # 17/31 x 40.00 = 21.94 per line, x 20
        self.assertEqual((january.quantity, january.price_unit), (20, 21.94))
        self.assertAmount(january.price_subtotal, 438.80)
