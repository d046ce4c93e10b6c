import re

from freezegun import freeze_time
from lxml import html

from odoo import Command
from odoo.tests import tagged

from .common import TelecomBillingCase


def amount(text):
    """The number of a monetary widget's text ("$ -\ufeff20.65" -> -20.65)."""
    return float(re.sub(r"[^0-9.\-]", "", text))


@tagged("post_install", "-at_install")
class TestBillReport(TelecomBillingCase):
    """The telecom bill: a March-16 activation billed on 1 April (prorated March, April in
    advance, a promotion, federal and state fees), a payment, an upgrade on 16 April and the
    May bill that explains it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        usf = cls.env["account.account"].create(
            {"code": "T25191", "name": "Test USF payable", "account_type": "liability_current"}
        )
        common = {"engine_id": cls.tax_engine.id, "date_from": "2026-01-01", "account_id": usf.id}
        cls.env["telecom.tax.rate"].create(
            [
                dict(
                    common,
                    kind="federal_usf",
                    name="Federal USF",
                    regulatory_class="interstate",
                    rate=36.6,
                    base_share=100.0,
                ),
                dict(
                    common,
                    kind="e911",
                    name="California 911 surcharge",
                    state_id=cls.state_ca.id,
                    computation="per_line",
                    exemptible=False,
                    rate=0.30,
                    base_share=100.0,
                ),
            ]
        )
        half = cls.env["telecom.promotion"].create(
            {
                "name": "T Half price",
                "discount_type": "percent",
                "discount_value": 50.0,
                "duration_months": 3,
            }
        )
        cls.subscription = cls._subscription(cycle_day=1)
        cls.service = cls._service(
            cls.subscription, cls.plan_basic, start="2026-03-16", addons=[(cls.addon_data, 1)]
        )
        cls.env["telecom.service.promotion"].create(
            {"service_id": cls.service.id, "promotion_id": half.id}
        )
        cls.april = cls._invoice(cls._bill(cls.d(2026, 4, 1)), cls.subscription)
        with freeze_time("2026-04-10"):
            cls.env["account.payment.register"].with_context(
                active_model="account.move", active_ids=cls.april.ids
            ).create({"amount": 30.0, "payment_date": "2026-04-10"})._create_payments()
        with freeze_time("2026-04-16"):
            cls.service._telecom_request_change_plan(cls.plan_plus)
        cls.may = cls._invoice(cls._bill(cls.d(2026, 5, 1)), cls.subscription)

    def _render(self, move):
        content = self.env["ir.actions.report"]._render_qweb_html(
            "account.report_invoice", move.ids
        )[0]
        return html.fromstring(content)

    @staticmethod
    def _texts(doc, name):
        return [" ".join(node.text_content().split()) for node in doc.xpath(f'//*[@name="{name}"]')]

    def _figure(self, doc, name):
        [text] = self._texts(doc, name)
        return amount(text)

    def test_first_bill_sections_and_figures(self):
        doc = self._render(self.april)
        self.assertEqual(self._texts(doc, "account_number"), [self.subscription.name])
        self.assertIn("04/01/2026", self._texts(doc, "bill_period")[0])
        self.assertIn("04/30/2026", self._texts(doc, "bill_period")[0])
        self.assertEqual(self._figure(doc, "previous_balance"), 0.0)
        self.assertEqual(self._figure(doc, "payments_received"), 0.0)
        self.assertEqual(self._figure(doc, "new_charges"), self.april.amount_total)
        self.assertEqual(self._figure(doc, "total_due"), self.april.amount_total)
        # one section for the line: its number, plan, add-on, promotion with months left
        [number] = self.service.number_ids.mapped("name")
        self.assertEqual(self._texts(doc, "service_identifier"), [number])
        self.assertEqual(self._texts(doc, "service_plan"), ["T Mobile Basic"])
        self.assertEqual(self._texts(doc, "service_addons"), ["T Extra Data 10 GB"])
        self.assertEqual(
            self._texts(doc, "service_promotion"), ["Promotion T Half price: 2 month(s) left."]
        )
        rows = [
            (
                " ".join(row.xpath('.//*[@name="line_label"]')[0].text_content().split()),
                row.xpath('.//*[@name="line_days"]')[0].text_content().strip(),
                amount(row.xpath('.//*[@name="line_amount"]')[0].text_content()),
            )
            for row in doc.xpath('//*[@name="service_lines"]//tr[td[@name="line_label"]]')
        ]
        # 16-31 March is 16 of March's 31 days: 40.00 - R(40 x 15/31) = 20.65
        self.assertIn(("T Mobile Basic, 16–31 Mar", "16 of 31 days", 20.65), rows)
        self.assertIn(("T Extra Data 10 GB, 16–31 Mar", "16 of 31 days", 7.74), rows)
        self.assertIn(("T Mobile Basic, 1–30 Apr", "", 40.0), rows)
        self.assertIn(("T Extra Data 10 GB, 1–30 Apr", "", 15.0), rows)
        service_lines = sum(row[2] for row in rows)
        self.assertAlmostEqual(self._figure(doc, "service_total"), service_lines, places=2)
        # taxes and fees by jurisdiction, federal first; their total and the lines' add up
        self.assertEqual(self._texts(doc, "tax_jurisdiction"), ["Federal", "CA"])
        # the bill's taxes are Odoo tax lines: what Odoo's own totals say
        self.assertAlmostEqual(self._figure(doc, "tax_total"), self.april.amount_tax, places=2)
        self.assertTrue(self.april.amount_tax)
        self.assertAlmostEqual(
            service_lines + self._figure(doc, "tax_total"), self.april.amount_total, places=2
        )
        self.assertEqual(self._texts(doc, "tax_label"), ["Federal USF", "California 911 surcharge"])
        # no autopay here: payment instructions with the amount and the reference
        self.assertFalse(self._texts(doc, "payment_notice"))
        [instructions] = self._texts(doc, "payment_instructions")
        self.assertIn(self.april.payment_reference or self.april.name, instructions)
        self.assertFalse(self._texts(doc, "change"), "nothing changed before the first bill")
        self.assertFalse(self._texts(doc, "usage"), "no usage in billing alone")

    def test_next_bill_balance_and_change_summary(self):
        doc = self._render(self.may)
        # previous balance: the April bill; payments: the 30.00 of 10 April
        self.assertAlmostEqual(self._figure(doc, "previous_balance"), self.april.amount_total)
        self.assertEqual(self._figure(doc, "payments_received"), -30.0)
        self.assertAlmostEqual(self._figure(doc, "new_charges"), self.may.amount_total)
        self.assertAlmostEqual(
            self._figure(doc, "total_due"),
            self.april.amount_total - 30.0 + self.may.amount_total,
            places=2,
        )
        self.assertEqual(
            self._texts(doc, "change"),
            [f"04/16/2026, {self.service.number_ids.name}: plan T Mobile Basic → T Mobile Plus"],
        )
        labels = self._texts(doc, "line_label")
        days = self._texts(doc, "line_days")
        # the upgrade: Basic's unused days credited, Plus's days charged, 15 of April's 30
        self.assertIn("Credit: T Mobile Basic, 16–30 Apr", labels)
        self.assertEqual(days[labels.index("Credit: T Mobile Basic, 16–30 Apr")], "15 of 30 days")
        self.assertIn("T Mobile Plus, 16–30 Apr", labels)
        self.assertEqual(days[labels.index("T Mobile Plus, 16–30 Apr")], "15 of 30 days")
        self.assertEqual(self._texts(doc, "service_plan"), ["T Mobile Plus"])

    def test_payment_notice_hook_replaces_instructions(self):
        self.patch(
            type(self.env["account.move"]),
            "_telecom_bill_payment_notice",
            lambda move: "Will be charged to Visa •••• 4242 on 05/20/2026.",
        )
        doc = self._render(self.may)
        self.assertEqual(
            self._texts(doc, "payment_notice"), ["Will be charged to Visa •••• 4242 on 05/20/2026."]
        )
        self.assertFalse(self._texts(doc, "payment_instructions"))

    def test_standard_invoice_keeps_odoo_layout(self):
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.customer.id,
                "invoice_line_ids": [Command.create({"name": "Consulting", "price_unit": 100.0})],
            }
        )
        invoice.action_post()
        doc = self._render(invoice)
        self.assertFalse(doc.xpath('//*[@name="account_number"]'))
        self.assertTrue(doc.xpath('//table[@name="invoice_line_table"]'), "Odoo's own layout")
        self.assertTrue(self._render(self.april).xpath('//*[@name="account_number"]'))
