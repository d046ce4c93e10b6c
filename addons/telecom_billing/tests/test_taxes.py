import socket
import time
from datetime import datetime

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import TransactionCase, tagged

from .common import TelecomBillingCase
from .tax_simulator import TaxSimulator


class TelecomTaxCase(TelecomBillingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Account = cls.env["account.account"]

        def liability(code, name):
            return Account.create({"code": code, "name": name, "account_type": "liability_current"})

        cls.acc_usf = liability("T25101", "Test Federal USF payable")
        cls.acc_state_usf = liability("T25102", "Test State USF payable")
        cls.acc_911 = liability("T25103", "Test 911 fees payable")
        cls.acc_tax = liability("T25104", "Test telecom taxes payable")
        cls.state_ny.ensure_one()
        cls.state_ca.ensure_one()

    @classmethod
    def _california_rates(cls, e911=False):
        """Federal USF (36.6 % of interstate), California's communications tax (5 %) and,
        with ``e911``, its 911 fee (0.30 a line, not exemptible)."""
        common = {"engine_id": cls.tax_engine.id, "date_from": "2026-01-01"}
        rates = [
            dict(
                common,
                kind="federal_usf",
                name="Federal USF",
                regulatory_class="interstate",
                rate=36.6,
                account_id=cls.acc_usf.id,
            ),
            dict(
                common,
                kind="communications_tax",
                name="California communications tax",
                state_id=cls.state_ca.id,
                rate=5.0,
                account_id=cls.acc_tax.id,
            ),
        ]
        if e911:
            rates.append(
                dict(
                    common,
                    kind="e911",
                    name="California 911 fee",
                    state_id=cls.state_ca.id,
                    computation="per_line",
                    rate=0.30,
                    exemptible=False,
                    account_id=cls.acc_911.id,
                )
            )
        return cls.env["telecom.tax.rate"].create(rates)

    @classmethod
    def _credit_in_full(cls, move, date):
        """A posted credit note of all of ``move`` on ``date``, through Odoo's wizard."""
        wizard = (
            cls.env["account.move.reversal"]
            .with_context(active_model="account.move", active_ids=move.ids)
            .create({"journal_id": move.journal_id.id, "date": date})
        )
        refund = cls.env["account.move"].browse(wizard.refund_moves()["res_id"])
        refund.action_post()
        return refund


@tagged("post_install", "-at_install")
class TestTaxTables(TelecomTaxCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        rates = [
            # federal USF recovery: interstate/international at 100 %, VoIP at the 64.9 % safe
            # harbor; an expired factor that must not apply
            ("federal_usf", "Federal USF", {}, "interstate", 36.6, 100.0, None, cls.acc_usf),
            ("federal_usf", "Federal USF", {}, "voip", 36.6, 64.9, None, cls.acc_usf),
            (
                "federal_usf",
                "Federal USF",
                {"date_to": "2025-12-31"},
                "interstate",
                34.0,
                100.0,
                "2025-01-01",
                cls.acc_usf,
            ),
            # California
            (
                "state_usf",
                "California USF",
                {"state_id": cls.state_ca.id, "service_type": "mobile"},
                None,
                4.0,
                100.0,
                None,
                cls.acc_state_usf,
            ),
            (
                "e911",
                "California 911 fee",
                {"state_id": cls.state_ca.id, "computation": "per_line", "exemptible": False},
                None,
                0.30,
                100.0,
                None,
                cls.acc_911,
            ),
            (
                "communications_tax",
                "California communications tax",
                {"state_id": cls.state_ca.id},
                None,
                5.0,
                100.0,
                None,
                cls.acc_tax,
            ),
            (
                "communications_tax",
                "California communications tax",
                {"state_id": cls.state_ca.id, "customer_type": "residential"},
                None,
                2.5,
                100.0,
                None,
                cls.acc_tax,
            ),
            # New York, with a county 911 surcharge
            (
                "e911",
                "New York 911 fee",
                {"state_id": cls.state_ny.id, "computation": "per_line", "exemptible": False},
                None,
                1.20,
                100.0,
                None,
                cls.acc_911,
            ),
            (
                "e911",
                "Albany County 911 surcharge",
                {
                    "state_id": cls.state_ny.id,
                    "county": "Albany",
                    "computation": "per_line",
                    "exemptible": False,
                },
                None,
                0.35,
                100.0,
                None,
                cls.acc_911,
            ),
            (
                "sales_tax",
                "New York sales tax",
                {"state_id": cls.state_ny.id},
                None,
                4.0,
                100.0,
                None,
                cls.acc_tax,
            ),
            (
                "sales_tax",
                "New York sales tax",
                {"state_id": cls.state_ny.id, "customer_type": "business"},
                None,
                4.5,
                100.0,
                None,
                cls.acc_tax,
            ),
        ]
        vals_list = []
        for kind, name, extra, reg_class, rate, share, start, account in rates:
            vals = {
                "engine_id": cls.tax_engine.id,
                "kind": kind,
                "name": name,
                "regulatory_class": reg_class,
                "rate": rate,
                "base_share": share,
                "date_from": start or "2026-01-01",
                "account_id": account.id,
            }
            vals.update(extra)
            vals_list.append(vals)
        cls.env["telecom.tax.rate"].create(vals_list)
        Partner = cls.env["res.partner"]
        us = cls.env.ref("base.us").id

        def customer(name, state, customer_type, county=""):
            return Partner.create(
                {
                    "name": name,
                    "is_company": True,
                    "state_id": state.id,
                    "country_id": us,
                    "city": "Albany" if state == cls.state_ny else "Sacramento",
                    "telecom_county": county,
                    "telecom_customer_type": customer_type,
                }
            )

        cls.ca_home = customer("T CA Home", cls.state_ca, "residential")
        cls.ca_business = customer("T CA Business", cls.state_ca, "business")
        cls.ny_home = customer("T NY Home", cls.state_ny, "residential", county="Albany")
        cls.ny_business = customer("T NY Business", cls.state_ny, "business", county="Albany")
        cls.ca_agency = customer("T CA Agency", cls.state_ca, "government")

    def _billed(self, partner, plan):
        subscription = self._subscription(partner=partner, cycle_day=1)
        self._service(subscription, plan, start="2026-03-01")
        return self._invoice(self._bill(self.d(2026, 3, 1)), subscription)

    def _taxes(self, move):
        return {line.name: self._tax_amount(line) for line in self._lines(move, "tax")}

    def test_california_residential_mobile(self):
        move = self._billed(self.ca_home, self.plan_basic)
        self.assertEqual(
            self._taxes(move),
            {
                "Federal USF": 14.64,  # 36.6 % of 40.00 (the expired 34 % is ignored)
                "California USF (CA)": 1.60,  # 4 % of 40.00
                "California 911 fee (CA)": 0.30,  # one line
                "California communications tax (CA)": 1.00,  # residential 2.5 %
            },
        )
        self.assertAmount(move.amount_total, 57.54)
        usf_line = self._lines(move, "tax").filtered(lambda x: x.telecom_tax_kind == "federal_usf")
        self.assertEqual(usf_line.account_id, self.acc_usf)
        self.assertAmount(usf_line.balance, -14.64, "a liability credit, visible in the ledger")

    def test_california_business_mobile(self):
        move = self._billed(self.ca_business, self.plan_basic)
        self.assertAmount(
            self._taxes(move)["California communications tax (CA)"], 2.00, "business 5 %"
        )
        self.assertAmount(move.amount_total, 58.54)

    def test_new_york_residential_voip(self):
        move = self._billed(self.ny_home, self.plan_voip)
        self.assertEqual(
            self._taxes(move),
            {
                "Federal USF": 7.13,  # 30.00 x 64.9 % x 36.6 % = 7.126
                "New York 911 fee (NY)": 1.20,
                "Albany County 911 surcharge (NY/Albany)": 0.35,
                "New York sales tax (NY)": 1.20,  # 4 %
            },
        )
        self.assertAmount(move.amount_total, 39.88)

    def test_new_york_business_voip(self):
        move = self._billed(self.ny_business, self.plan_voip)
        self.assertAmount(self._taxes(move)["New York sales tax (NY)"], 1.35, "business 4.5 %")
        self.assertAmount(move.amount_total, 40.03)

    def test_broadband_pays_only_sales_taxes(self):
        move = self._billed(self.ca_home, self.plan_fiber)
        # information service: no USF, no 911 line; residential communications tax 2.5 %
        self.assertEqual(self._taxes(move), {"California communications tax (CA)": 1.38})

    def test_exempt_customer(self):
        self.env["telecom.tax.exemption"].create(
            {
                "partner_id": self.ca_agency.id,
                "name": "CA-GOV-0042",
                "kind": "all",
                "state_id": self.state_ca.id,
                "date_from": "2026-01-01",
            }
        )
        move = self._billed(self.ca_agency, self.plan_basic)
        # state USF and communications tax exempted; 911 cannot be; federal USF is federal
        self.assertEqual(self._taxes(move), {"Federal USF": 14.64, "California 911 fee (CA)": 0.30})
        self.assertAmount(move.amount_total, 54.94)

    def test_expired_certificate_does_not_exempt(self):
        self.env["telecom.tax.exemption"].create(
            {
                "partner_id": self.ca_agency.id,
                "name": "CA-GOV-OLD",
                "kind": "all",
                "date_from": "2024-01-01",
                "date_to": "2025-12-31",
            }
        )
        move = self._billed(self.ca_agency, self.plan_basic)
        self.assertAmount(move.amount_total, 58.54)

    def test_prorated_charges_carry_one_911_fee(self):
        subscription = self._subscription(partner=self.ny_home, cycle_day=1)
        self._service(subscription, self.plan_voip, start="2026-02-15")
        move = self._invoice(self._bill(self.d(2026, 3, 1)), subscription)
        # 15-28 Feb: 14/28 x 30.00 = 15.00, March 30.00: taxes on 45.00, 911 once
        taxes = self._taxes(move)
        self.assertAmount(taxes["New York 911 fee (NY)"], 1.20)
        self.assertAmount(taxes["New York sales tax (NY)"], 1.80)
        self.assertAmount(taxes["Federal USF"], 10.69)  # 45 x 0.649 x 0.366 = 10.689

    def test_taxes_follow_the_credit(self):
        subscription = self._subscription(partner=self.ca_home, cycle_day=1)
        service = self._service(subscription, self.plan_basic, start="2026-03-01")
        self._bill(self.d(2026, 3, 1))
        with freeze_time("2026-03-16"):
            service._telecom_request_terminate()
        refund = self._invoice(self._bill(self.d(2026, 4, 1)), subscription)
        # 17-31 Mar credited: 15/31 x 40 = 19.35; taxes credited on it, no 911 line
        self.assertEqual(refund.move_type, "out_refund")
        self.assertEqual(
            self._taxes(refund),
            {
                "Federal USF": 7.08,
                "California USF (CA)": 0.77,
                "California communications tax (CA)": 0.48,
            },
        )
        self.assertAmount(refund.amount_total, 27.68)

    # taxes as Odoo taxes ---------------------------------------------------------------------

    def assertOdooTaxes(self, move):
        """Every tax line is an Odoo tax line of its charge lines' taxes."""
        product_lines = self._lines(move)
        tax_lines = self._lines(move, "tax")
        for line in tax_lines:
            tax = line.tax_line_id
            self.assertEqual(tax.telecom_tax_kind, line.telecom_tax_kind, line.name)
            self.assertEqual(tax.telecom_jurisdiction, line.telecom_tax_jurisdiction or "US")
            self.assertEqual(line.tax_repartition_line_id.tax_id, tax)
            self.assertEqual(line.tax_repartition_line_id.account_id, line.account_id)
            self.assertEqual(line.tax_tag_ids, line.tax_repartition_line_id.tag_ids)
            self.assertTrue(line.tax_tag_ids, "a tag per tax kind and jurisdiction")
            taxed = product_lines.filtered(lambda x, tax=tax: tax in x.tax_ids)
            self.assertTrue(taxed, f"{line.name}: its charge lines carry the tax")
            self.assertTrue(line.tax_base_amount > 0, line.name)
        self.assertAmount(move.amount_untaxed, sum(product_lines.mapped("price_subtotal")))
        self.assertAmount(move.amount_tax, self._tax_amount(tax_lines))
        self.assertAmount(move.amount_total, move.amount_untaxed + move.amount_tax)
        self.assertAmount(move.tax_totals["tax_amount_currency"], move.amount_tax)

    def test_taxes_are_odoo_taxes_two_states_two_customer_types(self):
        phone = self.env["product.product"].create(
            {
                "name": "T Home Phone",
                "type": "service",
                "taxes_id": [(6, 0, [])],
                "list_price": 25.0,
                "telecom_service_type": "fixed_voice",
                "telecom_regulatory_class": "intrastate",
            }
        )
        plans = {"mobile": self.plan_basic, "voip": self.plan_voip, "broadband": self.plan_fiber}
        plans["voice"] = phone
        # taxes worked out by hand from the rates of setUpClass
        expected = {
            "ca_home": {"mobile": 17.54, "voip": 8.18, "broadband": 1.38, "voice": 0.93},
            "ca_business": {"mobile": 18.54, "voip": 8.93, "broadband": 2.75, "voice": 1.55},
            "ny_home": {"mobile": 17.79, "voip": 9.88, "broadband": 2.20, "voice": 2.55},
            "ny_business": {"mobile": 17.99, "voip": 10.03, "broadband": 2.48, "voice": 2.68},
        }
        for customer, by_plan in expected.items():
            for service, tax in by_plan.items():
                with self.subTest(customer=customer, service=service):
                    subscription = self._subscription(partner=getattr(self, customer))
                    self._service(subscription, plans[service], start="2026-03-01")
                    run = self._bill(self.d(2026, 3, 1))
                    move = self._invoice(run, subscription)
                    self.assertOdooTaxes(move)
                    self.assertAmount(move.amount_tax, tax)
                    self.assertAmount(move.amount_untaxed, plans[service].list_price)
                    move.button_draft()
                    move.unlink()  # the next plan bills the same period

    def test_engine_amounts_survive_draft_repost_and_credit_note(self):
        move = self._billed(self.ca_home, self.plan_basic)
        taxes = self._taxes(move)
        self.assertEqual(move.state, "posted")
        move.button_draft()
        move.action_post()
        self.assertEqual(self._taxes(move), taxes, "Odoo computes nothing again")
        self.assertAmount(move.amount_tax, 3.0 + 14.64 - 0.10)
        wizard = (
            self.env["account.move.reversal"]
            .with_context(active_model="account.move", active_ids=move.ids)
            .create({"journal_id": move.journal_id.id, "date": "2026-03-10"})
        )
        refund = self.env["account.move"].browse(wizard.refund_moves()["res_id"])
        refund.action_post()
        self.assertEqual(refund.move_type, "out_refund")
        self.assertEqual(self._taxes(refund), taxes, "the credit note gives back what was billed")
        self.assertOdooTaxes(refund)
        self.assertAmount(refund.amount_total, move.amount_total)
        self.assertEqual(
            refund.line_ids.filtered("tax_line_id").tax_repartition_line_id.mapped("document_type"),
            ["refund"] * 4,
        )

    def test_fixed_per_line_fee_and_cap(self):
        subscription = self._subscription(partner=self.ca_home)
        self._service(subscription, self.plan_basic, start="2026-03-01", quantity=3)
        move = self._invoice(self._bill(self.d(2026, 3, 1)), subscription)
        fee = self._lines(move, "tax").filtered(lambda x: x.telecom_tax_kind == "e911")
        self.assertAmount(self._tax_amount(fee), 0.90, "0.30 for each of 3 lines")
        self.assertAmount(fee.tax_base_amount, 120.0)
        move.button_draft()
        move.unlink()
        self.env["telecom.tax.rate"].search(
            [("engine_id", "=", self.tax_engine.id), ("name", "=", "California 911 fee")]
        ).cap = 0.75
        move = self._invoice(self._bill(self.d(2026, 3, 1)), subscription)
        fee = self._lines(move, "tax").filtered(lambda x: x.telecom_tax_kind == "e911")
        self.assertAmount(self._tax_amount(fee), 0.75, "capped per invoice")

    def test_tax_on_a_fee(self):
        Rate = self.env["telecom.tax.rate"]
        sales = Rate.search([("engine_id", "=", self.tax_engine.id), ("kind", "=", "sales_tax")])
        e911 = Rate.search(
            [
                ("engine_id", "=", self.tax_engine.id),
                ("kind", "=", "e911"),
                ("state_id", "=", self.state_ny.id),
            ]
        )
        sales.fee_ids = e911
        move = self._billed(self.ny_home, self.plan_voip)
        # 4 % of 30.00 and of the 911 fees (1.20 + 0.35): 1.20 + 0.062 = 1.26
        self.assertAmount(self._taxes(move)["New York sales tax (NY)"], 1.26)
        sales_tax = self._lines(move, "tax").filtered(lambda x: x.telecom_tax_kind == "sales_tax")
        fees = self._lines(move, "tax").filtered(lambda x: x.telecom_tax_kind == "e911")
        self.assertEqual(len(fees), 2)
        for fee in fees:
            self.assertEqual(fee.tax_ids, sales_tax.tax_line_id, "the fee is a base of the tax")
        self.assertAmount(sales_tax.tax_base_amount, 31.55)
        self.assertOdooTaxes(move)

    def test_missing_rate_holds_the_bill(self):
        self.tax_engine.require_e911 = True
        texas = self.env["res.country.state"].search(
            [("code", "=", "TX"), ("country_id.code", "=", "US")]
        )
        austin = self.env["res.partner"].create(
            {
                "name": "T Austin Home",
                "is_company": True,
                "city": "Austin",
                "state_id": texas.id,
                "telecom_county": "Travis",
                "country_id": self.env.ref("base.us").id,
            }
        )
        held = self._subscription(partner=austin)
        self._service(held, self.plan_voip, start="2026-03-01")
        billed = self._subscription(partner=self.ca_home)
        self._service(billed, self.plan_voip, start="2026-03-01")
        run = self._bill(self.d(2026, 3, 1))
        self.assertEqual(run.state, "failed")
        self.assertFalse(self._invoice(run, held), "never billed with a 0.00 fee")
        self.assertEqual(run.line_ids.subscription_id, held)
        self.assertIn("no E911 fee rate for Travis County, TX", run.line_ids.message)
        self.assertTrue(self._invoice(run, billed), "the others are billed")
        self.env["telecom.tax.rate"].create(
            {
                "engine_id": self.tax_engine.id,
                "kind": "e911",
                "name": "Texas 911 fee",
                "state_id": texas.id,
                "computation": "per_line",
                "rate": 0.50,
                "exemptible": False,
                "date_from": "2026-01-01",
                "account_id": self.acc_911.id,
            }
        )
        run = self._bill(self.d(2026, 3, 1))
        self.assertEqual(run.state, "done")
        self.assertAmount(self._taxes(self._invoice(run, held))["Texas 911 fee (TX)"], 0.50)


@tagged("post_install", "-at_install")
class TestExternalTaxEngine(TelecomTaxCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.simulator = TaxSimulator().start()
        cls.addClassCleanup(cls.simulator.stop)
        cls.rest_engine = cls.env["telecom.tax.engine"].create(
            {
                "name": "Test external engine",
                "engine_type": "rest",
                "url": cls.simulator.url,
                "api_key": "secret-key",
                "timeout": 5,
                "default_account_id": cls.acc_tax.id,
                "account_map_ids": [
                    (0, 0, {"kind": "federal_usf", "account_id": cls.acc_usf.id}),
                    (0, 0, {"kind": "e911", "account_id": cls.acc_911.id}),
                ],
            }
        )
        cls.company.telecom_tax_engine_id = cls.rest_engine
        cls.subscription = cls._subscription(cycle_day=1)
        cls._service(cls.subscription, cls.plan_basic, start="2026-03-01")

    def setUp(self):
        super().setUp()
        self.simulator.down = False
        self.simulator.requests.clear()
        self.simulator.log.clear()
        self.simulator.transactions.clear()

    def test_engine_answers(self):
        move = self._invoice(self._bill(self.d(2026, 3, 1)), self.subscription)
        taxes = self._lines(move, "tax")
        self.assertEqual(
            sorted((x.name, self._tax_amount(x), x.account_id.code) for x in taxes),
            [("911 Service Fee (CA)", 0.50, "T25103"), ("Federal USF", 4.00, "T25101")],
        )
        self.assertAmount(move.amount_total, 44.50)
        self.assertAmount(move.amount_tax, 4.50)
        self.assertEqual(set(taxes.mapped("tax_base_amount")), {40.0}, "the line it taxes")
        request = self.simulator.requests[-1]
        self.assertEqual(request["auth"], "Bearer secret-key")
        self.assertEqual(request["payload"]["customer"]["type"], "residential")
        self.assertEqual(request["payload"]["lines"][0]["amount"], "40.0")

    def test_engine_down_then_recovered(self):
        self.simulator.down = True
        with freeze_time("2026-03-01 02:00:00"):
            run = self._bill(self.d(2026, 3, 1))
        self.assertEqual(run.state, "waiting")
        self.assertEqual(run.waiting_count, 1)
        self.assertFalse(run.move_ids, "no invoice without its taxes")
        self.assertEqual(self.subscription.service_ids.charged_until, self.d(2026, 2, 28))
        self.assertEqual(run.retry_after, datetime(2026, 3, 1, 2, 30))
        # still down at the next attempt: waits again
        with freeze_time("2026-03-01 02:31:00"):
            self.env["telecom.bill.run"]._cron_bill_runs()
            self.env["telecom.bill.run"]._cron_bill_runs()
        self.assertEqual(run.state, "waiting")
        self.simulator.down = False
        with freeze_time("2026-03-01 02:45:00"):
            self.env["telecom.bill.run"]._cron_bill_runs()
        self.assertEqual(run.state, "waiting", "not before retry_after")
        with freeze_time("2026-03-01 03:02:00"):
            for __ in range(2):
                self.env["telecom.bill.run"]._cron_bill_runs()
        self.assertEqual(run.state, "done")
        move = self._invoice(run, self.subscription)
        self.assertAmount(move.amount_total, 44.50)
        self.assertEqual(len(self._lines(move, "tax")), 2)

    def test_engine_unreachable(self):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        self.rest_engine.url = f"http://127.0.0.1:{port}"
        run = self._bill(self.d(2026, 3, 1))
        self.assertEqual(run.state, "waiting")
        self.assertIn("unreachable", run.line_ids.message)
        with self.assertRaises(UserError):
            self.rest_engine.action_test_connection()

    def test_rejected_request_is_an_error_the_others_go_on(self):
        nowhere = self.env["res.partner"].create({"name": "T No State", "is_company": True})
        bad = self._subscription(partner=nowhere, cycle_day=1)
        self._service(bad, self.plan_basic, start="2026-03-01")
        run = self._bill(self.d(2026, 3, 1))
        self.assertEqual(run.state, "failed")
        self.assertEqual(run.error_count, 1)
        self.assertEqual(run.line_ids.subscription_id, bad)
        self.assertIn("no state", run.line_ids.message)
        self.assertTrue(self._invoice(run, self.subscription), "the others are billed")
        nowhere.state_id = self.state_ny
        run.action_resume()
        run._telecom_run_to_end()
        self.assertEqual(run.state, "done")
        self.assertTrue(self._invoice(run, bad))

    def test_circuit_breaker_engine_hangs(self):
        """With the engine hanging, a chunk of 12 subscriptions stops calling it after 3
        timeouts (one second each) instead of waiting twelve of them."""
        self.rest_engine.write({"timeout": 1, "breaker_threshold": 3})
        others = self.env["telecom.subscription"]
        for __ in range(11):
            others |= self._subscription(cycle_day=1)
            self._service(others[-1:], self.plan_basic, start="2026-03-01")
        self.simulator.delay = 3
        try:
            started = time.monotonic()
            run = self._bill(self.d(2026, 3, 1))
            elapsed = time.monotonic() - started
        finally:
            self.simulator.delay = 0
        self.assertEqual(run.state, "waiting")
        self.assertEqual(run.waiting_count, 12, "all wait for the next attempt")
        self.assertFalse(run.move_ids)
        self.assertEqual(len(self.simulator.requests), 3, "called 3 times, then not again")
        self.assertLess(elapsed, 9, "seconds, not twelve timeouts")
        self.assertIn("circuit breaker", run.line_ids[-1].message)

    def test_transactions_quote_commit_credit_void_reconcile(self):
        others = self._subscription(cycle_day=1) | self._subscription(cycle_day=1)
        for subscription in others:
            self._service(subscription, self.plan_basic, start="2026-03-01")
        run = self._bill(self.d(2026, 3, 1))
        credited, cancelled, kept = (
            self._invoice(run, subscription) for subscription in self.subscription | others
        )
        moves = credited | cancelled | kept
        self.assertEqual(set(moves.mapped("telecom_tax_transaction_state")), {"quoted"})
        self.assertEqual(len(set(moves.mapped("telecom_tax_transaction"))), 3)
        self.assertEqual(moves.telecom_tax_engine_id, self.rest_engine)
        Move = self.env["account.move"]
        Move._cron_telecom_tax_transactions()
        self.assertEqual(
            self.simulator.log,
            [("commit", move.telecom_tax_transaction, move.name) for move in moves.sorted("id")],
            "committed when posted, once",
        )
        self.assertEqual(set(moves.mapped("telecom_tax_transaction_state")), {"committed"})
        # a credit note credits the bill's transaction; a cancelled bill voids its own
        wizard = (
            self.env["account.move.reversal"]
            .with_context(active_model="account.move", active_ids=credited.ids)
            .create({"journal_id": credited.journal_id.id, "date": "2026-03-10"})
        )
        refund = Move.browse(wizard.refund_moves()["res_id"])
        refund.action_post()
        cancelled.button_draft()
        cancelled.button_cancel()
        self.simulator.log.clear()
        Move._cron_telecom_tax_transactions()
        Move._cron_telecom_tax_transactions()
        self.assertEqual(
            sorted(self.simulator.log),
            [
                ("credit", credited.telecom_tax_transaction, refund.name),
                ("void", cancelled.telecom_tax_transaction, ""),
            ],
        )
        self.assertEqual(refund.telecom_tax_transaction_state, "credited")
        self.assertEqual(refund.telecom_tax_transaction, credited.telecom_tax_transaction)
        self.assertEqual(cancelled.telecom_tax_transaction_state, "voided")
        # monthly reconciliation: the kept bill matches the engine
        march = (self.d(2026, 3, 1), self.d(2026, 3, 31))
        result = self.rest_engine._telecom_reconcile_transactions(*march)
        self.assertFalse(result["missing_at_engine"] or result["unknown_to_odoo"])
        self.assertFalse(result["amount_mismatch"])
        # the engine holds another amount and a transaction Odoo never posted
        self.simulator.transactions[kept.telecom_tax_transaction]["tax"] += 1
        self.simulator.transactions["TX99"] = {
            "state": "committed",
            "tax": 1,
            "document": "ELSEWHERE/1",
            "date": "2026-03-15",
        }
        result = self.rest_engine._telecom_reconcile_transactions(*march)
        self.assertEqual(result["unknown_to_odoo"], ["TX99"])
        self.assertEqual([move for move, __ in result["amount_mismatch"]], [kept])
        self.assertTrue(self.rest_engine.activity_ids, "someone looks at the differences")

    def test_engine_down_when_committing_waits(self):
        self._bill(self.d(2026, 3, 1))
        move = self.subscription.invoice_ids
        self.simulator.down = True
        self.env["account.move"]._cron_telecom_tax_transactions()
        self.assertEqual(move.telecom_tax_transaction_state, "quoted", "tried again later")
        self.simulator.down = False
        self.env["account.move"]._cron_telecom_tax_transactions()
        self.assertEqual(move.telecom_tax_transaction_state, "committed")

    def test_connection_button(self):
        result = self.rest_engine.action_test_connection()
        self.assertEqual(result["params"]["type"], "success")


@tagged("post_install", "-at_install")
class TestCreditTaxedAtOriginalRates(TelecomTaxCase):
    """The federal USF factor moves from 36.6 % (March) to 38.0 % (April): a credit of March
    days billed on the April bill gives back the USF at March's rate."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        common = {
            "engine_id": cls.tax_engine.id,
            "kind": "federal_usf",
            "name": "Federal USF",
            "regulatory_class": "interstate",
            "base_share": 100.0,
            "account_id": cls.acc_usf.id,
        }
        cls.env["telecom.tax.rate"].create(
            [
                dict(common, rate=36.6, date_from="2026-01-01", date_to="2026-03-31"),
                dict(common, rate=38.0, date_from="2026-04-01"),
            ]
        )
        cls.subscription = cls._subscription(cycle_day=1)
        cls.service = cls._service(cls.subscription, cls.plan_basic, start="2026-03-01")
        cls._bill(cls.d(2026, 3, 1))  # March: 40.00, USF 14.64

    def test_termination_credit_reverses_at_the_original_rate(self):
        with freeze_time("2026-03-15"):
            self.service._telecom_request_terminate()
        april = self._invoice(self._bill(self.d(2026, 4, 1)), self.subscription)
        # 16-31 March credited: 40.00 - R(40.00 x 15/31) = 20.65
        credit = self._lines(april, "charge")
        self.assertAmount(sum(credit.mapped("price_subtotal")), 20.65)  # a credit note
        self.assertEqual(april.move_type, "out_refund")
        usf = self._lines(april, "tax")
        # 20.65 x 36.6 % = 7.5579 -> 7.56 (at April's 38 % it would be 7.85)
        self.assertAmount(self._tax_amount(usf), 7.56)

    def test_credit_note_reverses_at_the_original_rate(self):
        """An Odoo credit note of the March bill in April gives back March's USF."""
        march = self.subscription.invoice_ids
        march.action_post() if march.state == "draft" else None
        wizard = (
            self.env["account.move.reversal"]
            .with_context(active_model="account.move", active_ids=march.ids)
            .create({"journal_id": march.journal_id.id, "date": "2026-04-05"})
        )
        refund = self.env["account.move"].browse(wizard.refund_moves()["res_id"])
        refund.action_post()
        self.assertAmount(self._tax_amount(self._lines(refund, "tax")), 14.64, "not 15.20")
        self.assertAmount(refund.amount_total, 54.64)


@tagged("post_install", "-at_install")
class TestTaxRemittance(TelecomTaxCase):
    """The remittance report from the posted journal items, against the ledger."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._california_rates(e911=True)
        cls.agency = cls.customer.copy(
            {"name": "T CA Agency", "telecom_customer_type": "government"}
        )
        cls.env["telecom.tax.exemption"].create(
            {
                "partner_id": cls.agency.id,
                "name": "CA-GOV-7",
                "kind": "communications_tax",
                "state_id": cls.state_ca.id,
                "date_from": "2026-01-01",
            }
        )
        cls.paid, cls.exempt, cls.credited = (
            cls._subscription(),
            cls._subscription(partner=cls.agency),
            cls._subscription(),
        )
        for subscription in (cls.paid, cls.exempt, cls.credited):
            cls._service(subscription, cls.plan_basic, start="2026-03-01")
        run = cls._bill(cls.d(2026, 3, 1))
        paid = cls._invoice(run, cls.paid)
        cls.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=paid.ids
        ).create({"payment_date": "2026-03-05"})._create_payments()
        credited = cls._invoice(run, cls.credited)
        cls._credit_in_full(credited, "2026-03-20")

    def _report(self):
        rows = self.env["telecom.tax.remittance"].read_group(
            [("date", ">=", "2026-03-01"), ("date", "<=", "2026-03-31")],
            ["taxable_base", "exempt_base", "tax_billed", "credits", "tax_net", "collected"],
            ["jurisdiction_level", "jurisdiction", "tax_kind"],
            lazy=False,
        )
        return {
            (row["jurisdiction_level"], row["jurisdiction"], row["tax_kind"]): tuple(
                round(row[name], 2)
                for name in (
                    "taxable_base",
                    "exempt_base",
                    "tax_billed",
                    "credits",
                    "tax_net",
                    "collected",
                )
            )
            for row in rows
        }

    def test_remittance_by_jurisdiction_and_kind(self):
        # three bills of 40.00 (one paid, one exempt from the communications tax, one
        # credited in full by a credit note)
        self.assertEqual(
            self._report(),
            {
                ("federal", "US", "federal_usf"): (80.0, 0.0, 43.92, 14.64, 29.28, 14.64),
                ("state", "CA", "communications_tax"): (40.0, 40.0, 4.0, 2.0, 2.0, 2.0),
                ("state", "CA", "e911"): (80.0, 0.0, 0.9, 0.3, 0.6, 0.3),
            },
        )
        lines = self.env["telecom.tax.remittance"].search(
            [("account_id", "=", self.acc_911.id), ("move_line_id", "!=", False)]
        )
        self.assertEqual(len(lines), 4, "drill-down to each journal item")
        self.assertEqual(lines.move_line_id.account_id, self.acc_911)

    def test_report_reconciles_with_the_liability_accounts(self):
        Check = self.env["telecom.tax.remittance.check"]
        accounts = self.acc_usf | self.acc_tax | self.acc_911
        checks = Check.search([("account_id", "in", accounts.ids)])
        self.assertEqual(
            {(c.account_id, c.report_tax, c.ledger_balance, c.difference) for c in checks},
            {
                (self.acc_usf, 29.28, 29.28, 0.0),
                (self.acc_tax, 2.0, 2.0, 0.0),
                (self.acc_911, 0.6, 0.6, 0.0),
            },
        )
        # a payment to the authority is booked to the account by another entry: shown
        journal = self.env["account.journal"].search(
            [("type", "=", "general"), ("company_id", "=", self.company.id)], limit=1
        )
        bank = self.env["account.account"].search(
            [("account_type", "=", "asset_cash"), ("company_ids", "in", self.company.id)],
            limit=1,
        )
        entry = self.env["account.move"].create(
            {
                "journal_id": journal.id,
                "date": "2026-03-31",
                "line_ids": [
                    Command.create({"account_id": self.acc_usf.id, "debit": 29.28}),
                    Command.create({"account_id": bank.id, "credit": 29.28}),
                ],
            }
        )
        entry.action_post()
        self.env.flush_all()
        self.env.invalidate_all()  # a view: nothing tells the cache it changed
        check = Check.search([("account_id", "=", self.acc_usf.id)])
        self.assertEqual(
            (check.report_tax, check.ledger_balance, check.difference), (29.28, 0.0, -29.28)
        )


@tagged("post_install", "-at_install")
class TestTaxRemittanceDemo(TransactionCase):
    """On the demo data, the report's totals equal the tax liability accounts' balances."""

    def test_demo_report_equals_the_liability_balances(self):
        accounts = self.env["account.account"]
        for xmlid in (
            "account_federal_usf_payable",
            "account_state_usf_payable",
            "account_e911_payable",
            "account_telecom_tax_payable",
        ):
            account = self.env.ref(f"telecom_billing.{xmlid}", raise_if_not_found=False)
            if not account:
                self.skipTest("no demo data")
            accounts |= account
        checks = self.env["telecom.tax.remittance.check"].search(
            [("account_id", "in", accounts.ids)]
        )
        self.assertTrue(checks, "the demo bills book taxes and fees")
        self.assertEqual(set(checks.mapped("difference")), {0.0})
        report = sum(
            self.env["telecom.tax.remittance"]
            .search([("account_id", "in", accounts.ids)])
            .mapped("tax_net")
        )
        self.env.cr.execute(
            """SELECT -SUM(balance) FROM account_move_line
                WHERE account_id = ANY(%s) AND parent_state = 'posted'""",
            [accounts.ids],
        )
        self.assertAlmostEqual(report, float(self.env.cr.fetchone()[0]), places=2)


@tagged("post_install", "-at_install")
class TestCashBasisTaxes(TelecomTaxCase):
    """The accountant made California's communications tax due on payment (cash basis): the
    bill books it on the transition account, each payment's cash basis entry moves what it
    collected to the liability account, and the remittance report follows the ledger."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._california_rates()
        cls.transition = cls.env["account.account"].create(
            {
                "code": "T25105",
                "name": "Test telecom taxes to collect",
                "account_type": "liability_current",
                "reconcile": True,
            }
        )
        cls.env.company.tax_exigibility = True
        cls.cash_tax = cls.env["account.tax"]._telecom_tax_for(
            cls.env.company, "communications_tax", "CA", cls.acc_tax
        )
        cls.cash_tax.write(
            {
                "tax_exigibility": "on_payment",
                "cash_basis_transition_account_id": cls.transition.id,
            }
        )
        cls.paid, cls.unpaid, cls.credited = (cls._subscription() for __ in range(3))
        for subscription in (cls.paid, cls.unpaid, cls.credited):
            cls._service(subscription, cls.plan_basic, start="2026-03-01")
        run = cls._bill(cls.d(2026, 3, 1))
        cls.bill = cls._invoice(run, cls.paid)
        # 40.00 + USF 14.64 + communications tax 2.00: 20.00 paid in March, the rest in April
        for amount, day in ((20.0, "2026-03-05"), (36.64, "2026-04-05")):
            cls.env["account.payment.register"].with_context(
                active_model="account.move", active_ids=cls.bill.ids
            ).create({"amount": amount, "payment_date": day})._create_payments()
        credited = cls._invoice(run, cls.credited)
        cls._credit_in_full(credited, "2026-03-20")
        cls.env.flush_all()
        cls.env.invalidate_all()

    def _balance(self, account, date_from, date_to):
        self.env.cr.execute(
            """SELECT COALESCE(-SUM(balance), 0) FROM account_move_line
                WHERE account_id = %s AND parent_state = 'posted' AND date BETWEEN %s AND %s""",
            [account.id, date_from, date_to],
        )
        return round(float(self.env.cr.fetchone()[0]), 2)

    def test_bill_waits_on_the_transition_account(self):
        tax_line = self._lines(self.bill, "tax").filtered(lambda x: x.tax_line_id == self.cash_tax)
        self.assertEqual(tax_line.account_id, self.transition)
        self.assertFalse(tax_line.tax_tag_ids, "tagged when collected, as in Odoo")
        self.assertAmount(self.bill.amount_tax, 16.64, "still a tax of the bill")
        self.assertEqual(self.bill.payment_state, "paid")

    def test_payments_collect_the_tax_on_the_liability_account(self):
        entries = self.bill.tax_cash_basis_created_move_ids
        self.assertEqual(len(entries), 2, "one cash basis entry per payment")
        collected = entries.line_ids.filtered(lambda x: x.tax_line_id == self.cash_tax)
        self.assertEqual(collected.account_id, self.acc_tax)
        self.assertEqual(collected.tax_tag_ids, self.cash_tax._telecom_repartition(False).tag_ids)
        first = round(2.00 * 20.00 / 56.64, 2)  # 0.71
        self.assertEqual(
            sorted((str(x.date), -x.balance) for x in collected),
            [("2026-03-05", first), ("2026-04-05", round(2.00 - first, 2))],
        )
        self.assertEqual(self._balance(self.transition, "2026-03-01", "2026-04-30"), 2.00)

    def test_report_collects_on_payment_and_matches_the_ledger(self):
        Report = self.env["telecom.tax.remittance"]
        rows = Report.search([("tax_id", "=", self.cash_tax.id)])
        billed = rows.filtered(lambda r: not r.is_collection)
        self.assertEqual(sum(billed.mapped("tax_net")), 4.00, "three bills less a credit note")
        self.assertEqual(set(billed.mapped("collected")), {0.0}, "collected on payment")
        for month, (date_from, date_to) in {
            "March": ("2026-03-01", "2026-03-31"),
            "April": ("2026-04-01", "2026-04-30"),
        }.items():
            collections = rows.filtered(
                lambda r, f=date_from, t=date_to: r.is_collection and f <= str(r.date) <= t
            )
            self.assertAlmostEqual(
                sum(collections.mapped("collected")),
                self._balance(self.acc_tax, date_from, date_to),
                places=2,
                msg=month,
            )
        checks = self.env["telecom.tax.remittance.check"].search(
            [("account_id", "in", (self.acc_tax | self.transition | self.acc_usf).ids)]
        )
        self.assertEqual(len(checks), 5, "USF in March; the tax and its transition: March, April")
        self.assertEqual(
            {(c.account_id, str(c.month), c.difference) for c in checks if c.difference},
            set(),
        )
        march_tax = checks.filtered(
            lambda c: c.account_id == self.acc_tax and str(c.month) == "2026-03-01"
        )
        self.assertEqual(march_tax.ledger_balance, round(2.00 * 20.00 / 56.64, 2))
