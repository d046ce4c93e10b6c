from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from freezegun import freeze_time
from hypothesis import given, settings
from hypothesis import strategies as st

from odoo.tests import TransactionCase, tagged

from odoo.addons.telecom_billing.tests.common import TelecomBillingCase


@tagged("post_install", "-at_install")
class TestOutageCredits(TelecomBillingCase):
    """Services hit beyond the policy's threshold get a prorated credit on their next bill,
    once. Policies of the data file: residential 24 h+ by the started day (monthly / 30 a
    day), business 4 h+ by the started hour (monthly / 720 an hour)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # no network platform in these tests: billing confirms at once
        cls.env["telecom.provisioning.backend"].search([]).active = False
        cls.business = cls.customer.copy(
            {"name": "T Business", "telecom_customer_type": "business", "zip": "95816"}
        )
        cls.home_sub = cls._subscription()
        cls.business_sub = cls._subscription(cls.business)
        cls.fiber = cls._service(cls.home_sub, cls.plan_fiber, start=date(2026, 1, 1))
        cls.voip = cls._service(cls.business_sub, cls.plan_plus, start=date(2026, 1, 1))
        cls.far = cls._service(cls._subscription(), cls.plan_fiber, start=date(2026, 1, 1))
        cls.far.service_address_id = cls.customer.copy({"zip": "10001"})

    def _outage(self, start, end, **values):
        return self.env["telecom.network.outage"].create(
            dict(
                {"name": "Fiber cut", "date_start": start, "date_end": end,
                 "area_zips": "95814, 95816"},
                **values,
            )
        )  # fmt: skip

    def test_outage_credit_on_the_next_bill(self):
        # 26 h 30 min: 27 started hours, 2 started days
        outage = self._outage(datetime(2026, 1, 10, 8, 0), datetime(2026, 1, 11, 10, 30))
        outage.action_close()
        self.env["telecom.network.outage"]._cron_credit_outages()
        self.assertEqual(outage.state, "credited")
        credits = {c.service_id: c for c in outage.credit_ids}
        self.assertEqual(set(credits), {self.fiber, self.voip}, "the area's services only")
        # residential fiber 55.00 a month, 2 days: 55 x 2 / 30 = 3.666… -> 3.67
        self.assertEqual((credits[self.fiber].units, credits[self.fiber].amount), (2, 3.67))
        # business line 60.00 a month, 27 hours: 60 x 27 / 720 = 2.25
        self.assertEqual((credits[self.voip].units, credits[self.voip].amount), (27, 2.25))
        # never twice for one outage
        outage.state = "closed"
        outage.action_credit_now()
        self.assertEqual(len(outage.credit_ids), 2)
        self.assertEqual(len(self.fiber.charge_ids.filtered(lambda c: c.price_unit < 0)), 1)
        # on the next bill
        run = self._bill(date(2026, 2, 1))
        move = self._invoice(run, self.home_sub)
        line = move.invoice_line_ids.filtered(
            lambda x: x.telecom_charge_id == credits[self.fiber].charge_id
        )
        self.assertAmount(line.price_subtotal, -3.67)
        self.assertIn(outage.reference, line.name)
        self.assertEqual(credits[self.fiber].charge_state, "invoiced")
        self.assertIn("credit of", self.fiber.message_ids[0].body)

    def test_short_outage_not_credited(self):
        # 23 h: under the residential threshold, over the business one (4 h)
        outage = self._outage(datetime(2026, 1, 10, 0, 0), datetime(2026, 1, 10, 23, 0))
        outage.action_close()
        outage.action_credit_now()
        self.assertEqual(outage.credit_ids.service_id, self.voip)
        self.assertEqual(outage.credit_ids.amount, 1.92)  # 60 x 23 / 720 = 1.9166…

    def test_services_started_after_the_outage_are_not_credited(self):
        with freeze_time("2026-01-05"):
            outage = self._outage(datetime(2025, 12, 1), datetime(2025, 12, 5))
            outage.action_close()
            outage.action_credit_now()
        self.assertFalse(outage.credit_ids)


@tagged("post_install", "-at_install")
class TestOutageCreditRule(TransactionCase):
    """The credit rule against an independent Decimal reference: started hours or days of the
    monthly charge (720 hours, 30 days a month), half-up to the cent, at most one month, nothing
    under the threshold."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.currency = cls.env.ref("base.USD")
        cls.policy = cls.env["telecom.network.outage.policy"].create(
            {"name": "Rule", "threshold_hours": 4.0, "unit": "hour"}
        )

    @staticmethod
    def _reference(monthly, seconds, threshold_hours, unit):
        hours = Decimal(seconds) / 3600
        if hours < Decimal(str(threshold_hours)) or seconds <= 0:
            return 0, Decimal("0.00")
        started_hours = -(-seconds // 3600)
        units, per_month = (started_hours, 720) if unit == "hour" else (-(-started_hours // 24), 30)
        amount = min(monthly * units / per_month, monthly)
        return units, amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

    @settings(max_examples=300, deadline=None, derandomize=True)
    @given(
        cents=st.integers(min_value=1, max_value=100_000),
        seconds=st.integers(min_value=0, max_value=45 * 24 * 3600),
        threshold=st.sampled_from([0.0, 4.0, 24.0, 48.0]),
        unit=st.sampled_from(["hour", "day"]),
    )
    def test_credit_matches_the_reference(self, cents, seconds, threshold, unit):
        self.policy.write({"threshold_hours": threshold, "unit": unit})
        monthly = Decimal(cents) / 100
        units, amount = self.policy._credit(float(monthly), seconds / 3600.0, self.currency)
        ref_units, ref_amount = self._reference(monthly, seconds, threshold, unit)
        self.assertEqual(units, ref_units)
        self.assertEqual(Decimal(str(amount)).quantize(Decimal("0.01")), ref_amount)


@tagged("post_install", "-at_install")
class TestOutageImport(TelecomBillingCase):
    def test_monitoring_file_imported_once(self):
        Outage = self.env["telecom.network.outage"]
        fields_ = ["name", "external_ref", "date_start", "date_end", "area_zips", "source"]
        row = ["Site down", "MON-1", "2026-01-10 08:00:00", "2026-01-11 09:00:00", "95814", "file"]
        result = Outage.load(fields_, [row])
        self.assertFalse(result["messages"])
        outage = Outage.browse(result["ids"])
        self.assertEqual((outage.duration_hours, outage.state), (25.0, "open"))
        again = Outage.load(fields_, [row])
        self.assertTrue(again["messages"], "the same monitoring id is refused")
