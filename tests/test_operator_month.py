"""One customer's month across the suite, as an operator lives it.

Emily, a residential customer in Sacramento, signs a quotation for a mobile plan and an add-on
on 16 March 2026. The line is activated through provisioning (the REST platform on 127.0.0.1)
with a number of the inventory, she calls (rated usage, one call intrastate and one
interstate), the bill run of 1 April bills her first month prorated with her usage and the
federal USF on interstate revenue only, and autopay charges it to her saved card. In May her
card is declined: autopay retries on days 1, 3 and 7, then the overdue policy takes over:
reminder, late fee, suspension for non-payment through provisioning (911 kept); she pays on
the portal and the line is reactivated through provisioning. Her revenue shows in the 499
worksheet of the year, reconciled to the ledger.

Each later capability of the suite (bill delivery, autopay, taxes as Odoo taxes...) joins this
story.
"""

import unittest
from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged

from odoo.addons.telecom_provisioning.tests.common import ProvisioningServiceCase

CDR_HEADER = (
    "record_id,service,start_time,duration,called_number,direction,usage_type,"
    "volume_bytes,roaming,source_switch"
)


@tagged("post_install", "-at_install")
class TestOperatorMonth(ProvisioningServiceCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        company = cls.env.company
        # the operator's books for this story: its own tax table, overdue policy, rates
        cls.env["telecom.subscription"].search([]).active = False
        fees = cls.env["account.account"].create(
            {"code": "OM2519", "name": "OM USF payable", "account_type": "liability_current"}
        )
        engine = cls.env["telecom.tax.engine"].create(
            {"name": "OM tax table", "engine_type": "table"}
        )
        cls.env["telecom.tax.rate"].create(
            {
                "engine_id": engine.id,
                "kind": "federal_usf",
                "name": "Federal USF",
                "regulatory_class": "interstate",
                "rate": 36.6,
                "base_share": 100.0,
                "date_from": "2026-01-01",
                "account_id": fees.id,
            }
        )
        company.write({"telecom_tax_engine_id": engine.id, "telecom_bill_auto_post": True})
        Policy = cls.env["telecom.dunning.policy"]
        Policy.search([("company_id", "=", company.id)]).active = False
        Policy.create(
            {
                "name": "OM Residential",
                "grace_days": 5,
                "reminder_days": 1,
                "late_fee_days": 15,
                "late_fee_type": "fixed",
                "late_fee_amount": 5.0,
                "suspension_days": 30,
            }
        )
        cls.env["telecom.rate.plan"].create(
            {
                "name": "OM mobile rates",
                "product_tmpl_ids": [Command.set(cls.plan_mobile.product_tmpl_id.ids)],
                "tz": "America/Los_Angeles",
                "allowance_voice_minutes": 0,
                "rate_line_ids": [
                    Command.create(
                        {"usage_type": "voice", "prefix": "1", "price": 0.10, "first_increment": 60,
                         "next_increment": 60}
                    ),
                ],
            }
        )  # fmt: skip
        cls.addon_data = cls.env["product.product"].create(
            {
                "name": "OM Extra Data 10 GB",
                "default_code": "ADD-DATA-10",
                "type": "service",
                "list_price": 15.0,
                "telecom_service_type": "addon",
                "telecom_regulatory_class": "interstate",
                "telecom_addon_max_qty": 0,
                "taxes_id": [Command.clear()],
            }
        )
        cls.emily = cls.env["res.partner"].create(
            {
                "name": "OM Emily Nguyen",
                "email": "emily@example.com",
                "street": "1 Capitol Mall",
                "city": "Sacramento",
                "zip": "95814",
                "state_id": cls.env.ref("base.state_us_5").id,
                "country_id": cls.env.ref("base.us").id,
                "telecom_customer_type": "residential",
            }
        )
        # --- autopay (issue 17): Emily's saved card with Odoo's demo provider ---------------
        if cls.env["ir.module.module"]._get("payment_demo").state != "installed":
            raise unittest.SkipTest("payment_demo (installed by tools/suite.sh) is needed")
        cls.demo_provider = cls.env.ref("payment.payment_provider_demo")
        cls.demo_provider.state = "test"
        company.write(
            {"telecom_autopay_timing": "before_due", "telecom_autopay_retry_days": "1,3,7"}
        )
        cls.card = cls.env["payment.token"].create(
            {
                "provider_id": cls.demo_provider.id,
                "payment_method_id": cls.env.ref("payment_demo.payment_method_demo").id,
                "partner_id": cls.emily.id,
                "provider_ref": "om-emily-4242",
                "payment_details": "4242",
                "demo_simulated_state": "done",
            }
        )
        cls.emily.telecom_autopay_token_id = cls.card
        # --- end autopay ---------------------------------------------------------------------

    def _autopay(self, day):
        with freeze_time(day):
            while self.env["telecom.autopay"]._cron_telecom_autopay():
                pass

    def _dun(self, day):
        with freeze_time(day):
            self.env["telecom.subscription"]._cron_telecom_dunning()
            self._process()

    def test_one_customers_month(self):
        # 16 March: the quotation is confirmed and the line activated through the network
        with freeze_time("2026-03-16 10:00:00"):
            order = self.env["sale.order"].create(
                {
                    "partner_id": self.emily.id,
                    "order_line": [
                        Command.create({"product_id": self.plan_mobile.id}),
                        Command.create({"product_id": self.addon_data.id}),
                    ],
                }
            )
            order.action_confirm()
            service = order.order_line.telecom_service_ids
            self.assertEqual((service.state, service.product_id), ("pending", self.plan_mobile))
            self.assertEqual(service.addon_line_ids.product_id, self.addon_data)
            # her account is billed on the 1st (the operator's cycle for new accounts)
            service.subscription_id.bill_cycle_day = 1
            activation = service._telecom_request_activate()
        self.assertEqual(activation.state, "done", "the platform confirmed at once")
        self.assertEqual(service.state, "active")
        self.assertEqual(service.date_start, date(2026, 3, 16))
        self.assertEqual(self.rest.subscribers[service.name]["state"], "active")
        number = service.number_ids
        self.assertEqual(len(number), 1, "a number of the inventory, given at activation")
        self.assertEqual((number.status, number.partner_id), ("assigned", self.emily))
        subscription = service.subscription_id
        subscription.payment_term_id = self.env.ref("account.account_payment_term_immediate")

        # she calls: 10 minutes within California, 5 minutes to New York
        usage = self.env["telecom.usage.file"]._telecom_import_csv(
            "\n".join(
                [
                    CDR_HEADER,
                    f"OM-1,{number.name},2026-03-20T18:00:00Z,600,+19165550199,out,voice,0,0,SW",
                    f"OM-2,{number.name},2026-03-21T18:00:00Z,300,+12125550100,out,voice,0,0,SW",
                ]
            ).encode()
            + b"\n"
        )
        self.assertEqual(usage.rated_count, 2)

        # 1 April: the bill run bills March prorated, April in advance and March's usage
        with freeze_time("2026-04-01 02:00:00"):
            run = self.env["telecom.bill.run"].create(
                {"cycle_day": 1, "period_start": "2026-04-01"}
            )
            run.action_start()
            run._telecom_run_to_end()
        self.assertEqual(run.state, "done")
        bill = run.move_ids
        self.assertEqual((bill.state, bill.partner_id), ("posted", self.emily))
        lines = bill.invoice_line_ids.filtered(lambda line: line.display_type == "product")
        amounts = sorted(lines.filtered(lambda x: x.telecom_line_kind != "tax").mapped(
            "price_subtotal"
        ))  # fmt: skip
        # 16-31 March: 50.00 - R(50 x 15/31) = 25.81 and 15.00 - R(15 x 15/31) = 7.74; April
        # 50.00 + 15.00; usage 1.00 (intrastate) + 0.50 (interstate)
        self.assertEqual(amounts, [0.50, 1.00, 7.74, 15.00, 25.81, 50.00])
        # the USF is an Odoo tax line of the bill (its charge lines carry the tax)
        usf = bill.line_ids.filtered(
            lambda x: x.display_type == "tax" and x.telecom_tax_kind == "federal_usf"
        )
        # USF on the interstate revenue only: plan, add-on and the call to New York
        interstate = 25.81 + 7.74 + 50.00 + 15.00 + 0.50
        self.assertAlmostEqual(-sum(usf.mapped("balance")), round(interstate * 0.366, 2))
        self.assertAlmostEqual(bill.amount_tax, -sum(usf.mapped("balance")))
        self.assertEqual(len(lines.filtered(lambda x: usf.tax_line_id in x.tax_ids)), 5)
        self.assertEqual(bill.payment_state, "not_paid")

        # --- bill delivery (issue 17) -----------------------------------------------------
        # the run's delivery step emails her first bill through the mail queue: a link to the
        # bill on the portal (the operator's default), rendered when she opens it
        self.assertEqual((run.delivery_state, run.to_send_count), ("sending", 1))
        run._telecom_deliver_to_end()
        self.assertEqual((bill.telecom_send_state, run.sent_count), ("sent", 1))
        mail = self.env["mail.mail"].search(
            [("model", "=", "account.move"), ("res_id", "=", bill.id)]
        )
        self.assertEqual((mail.state, mail.recipient_ids), ("outgoing", self.emily))
        self.assertIn("access_token=%s" % bill.access_token, mail.body_html)
        self.assertFalse(mail.attachment_ids)
        # --- end of bill delivery ---------------------------------------------------------

        # --- autopay (issue 17) ------------------------------------------------------------
        self.assertIn("will be charged to Demo 4242 on Apr 1", bill._telecom_bill_payment_notice())
        self._autopay("2026-04-01")
        self.assertEqual(bill.telecom_autopay_state, "paid")
        self.assertIn(bill.payment_state, ("paid", "in_payment"), "charged and reconciled")
        self.assertEqual(bill.telecom_autopay_transaction_ids.state, "done")

        # May: her card is declined; autopay retries on days 1, 3 and 7, dunning waits
        self.card.demo_simulated_state = "cancel"
        with freeze_time("2026-05-01 02:00:00"):
            may = self.env["telecom.bill.run"].create(
                {"cycle_day": 1, "period_start": "2026-05-01"}
            )
            may.action_start()
            may._telecom_run_to_end()
        bill = may.move_ids
        for day, state in (("05-01", "retry"), ("05-02", "retry"), ("05-04", "retry")):
            self._autopay(f"2026-{day}")
            self.assertEqual(bill.telecom_autopay_state, state)
        self._dun("2026-05-07")
        self.assertFalse(subscription.dunning_log_ids, "autopay still collects: no reminder")
        self._autopay("2026-05-08")
        self.assertEqual(bill.telecom_autopay_state, "failed")
        self.assertEqual(bill.telecom_autopay_transaction_ids.mapped("state"), ["cancel"] * 4)
        declined = bill.message_ids.filtered(lambda m: "could not charge" in (m.subject or ""))
        self.assertEqual(len(declined), 4, "she was told each time")

        # the overdue policy takes over: reminder, late fee, suspension keeping 911
        self._dun("2026-05-08")
        self._dun("2026-05-21")
        self.assertEqual(
            subscription.dunning_log_ids.sorted("id").mapped("step"), ["reminder", "late_fee"]
        )
        self._dun("2026-06-05")
        # --- end autopay -------------------------------------------------------------------
        self.assertEqual(service.state, "suspended")
        self.assertEqual(service.suspension_reason, "non_payment")
        self.assertTrue(service.keep_emergency_calling, "911 stays available")
        self.assertEqual(self.rest.subscribers[service.name]["state"], "suspended")

        # she pays what she owes on the portal: the line is reactivated through the network
        owed = subscription.invoice_ids.filtered(
            lambda m: m.state == "posted" and m.payment_state == "not_paid"
        )
        self.assertEqual(owed, bill)
        with freeze_time("2026-06-06"):
            # --- autopay (issue 17): what the portal's invoice payment does on the server
            tx = self.env["payment.transaction"].create(
                {
                    "provider_id": self.demo_provider.id,
                    "payment_method_id": self.card.payment_method_id.id,
                    "operation": "online_direct",
                    "amount": bill.amount_residual,
                    "currency_id": bill.currency_id.id,
                    "partner_id": self.emily.id,
                    "invoice_ids": [Command.set(bill.ids)],
                }
            )
            tx._handle_notification_data(
                "demo", {"reference": tx.reference, "simulated_state": "done"}
            )
            tx._post_process()
            # --- end autopay
            self._process()
        self.assertTrue(set(owed.mapped("payment_state")) <= {"paid", "in_payment"})
        self.assertEqual(service.state, "active")
        self.assertEqual(self.rest.subscribers[service.name]["state"], "active")

        # the year's Form 499-A worksheet shows her revenue, reconciled to the ledger
        Election = self.env["telecom.form499.election"]
        if not Election.search(
            [
                ("category", "=", "mobile"),
                ("date_from", "<=", "2026-04-01"),
                ("date_to", ">=", "2026-04-01"),
            ]
        ):
            Election.create(
                {"category": "mobile", "date_from": "2026-01-01", "date_to": "2026-12-31"}
            )  # fmt: skip
        period = {"filing_type": "499a", "date_from": "2026-01-01", "date_to": "2026-12-31"}
        Filing = self.env["telecom.regulatory.filing"]
        filing = Filing.search([(key, "=", value) for key, value in period.items()])
        filing = filing or Filing.create(period)
        filing.state = "draft"  # the demo's filing of the year, generated again
        filing.action_generate()
        revenue = sum(
            filing.worksheet_line_ids.filtered(lambda line: line.code in ("409", "413", "404.1"))
            .mapped("total")
        )  # fmt: skip
        self.assertGreaterEqual(revenue, interstate + 1.00)
        self.assertTrue(filing.currency_id.is_zero(filing.gl_difference), "ties to the ledger")
