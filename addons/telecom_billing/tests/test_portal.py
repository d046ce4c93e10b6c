import re
from datetime import timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged

from .common import TelecomBillingCase


class TelecomPortalCase(TelecomBillingCase, HttpCase):
    """Two customers with a portal user each: Alice (the customer of common.py) and Bob."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.context_today(cls.env["telecom.service"])
        start = fields.Date.to_string(cls.today - timedelta(days=10))
        cls.customer_b = cls.env["res.partner"].create(
            {
                "name": "T Other Customer",
                "is_company": True,
                "zip": "95815",
                "state_id": cls.state_ca.id,
                "country_id": cls.env.ref("base.us").id,
            }
        )
        cls.portal_a = new_test_user(
            cls.env, login="t_portal_alice", groups="base.group_portal", name="Alice Portal"
        )
        cls.portal_a.partner_id.parent_id = cls.customer
        cls.portal_b = new_test_user(
            cls.env, login="t_portal_bob", groups="base.group_portal", name="Bob Portal"
        )
        cls.portal_b.partner_id.parent_id = cls.customer_b
        # "today" is the same day for the customers and for the test (near midnight UTC the
        # demo administrator's time zone is already on the next day)
        (cls.portal_a | cls.portal_b).tz = cls.env.user.tz
        cls.subscription_a = cls._subscription(cycle_day=1)
        cls.service_a = cls._service(
            cls.subscription_a, cls.plan_basic, start=start, addons=[(cls.addon_intl, 1)]
        )
        cls.subscription_b = cls._subscription(cls.customer_b, cycle_day=1)
        cls.service_b = cls._service(cls.subscription_b, cls.plan_voip, start=start)

    def _get(self, url, status=200):
        response = self.url_open(url, allow_redirects=False)
        self.assertEqual(response.status_code, status, f"{url}: {response.status_code}")
        return response

    def _post(self, url, data, status=200, token_url=None):
        """POST ``data`` to ``url`` with the CSRF token of the form served at ``url`` (or at
        ``token_url``)."""
        page = self._get(token_url or url)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        response = self.url_open(url, data={**data, "csrf_token": token}, allow_redirects=False)
        self.assertEqual(response.status_code, status, response.text[:2000])
        return response


@tagged("post_install", "-at_install")
class TestPortalServices(TelecomPortalCase):
    def test_services_list_and_detail(self):
        self.authenticate("t_portal_alice", "t_portal_alice")
        page = self._get("/my/services").text
        self.assertIn(self.service_a.name, page)
        self.assertNotIn(self.service_b.name, page)
        page = self._get(f"/my/services/{self.service_a.id}").text
        self.assertIn("T Mobile Basic", page)
        self.assertIn(self.service_a.number_ids.name, page)
        self.assertIn("T International Calling", page)
        self.assertIn("Next Bill Date", page)
        # the home page offers the services card with its counter
        counters = self.make_jsonrpc_request(
            "/my/counters", {"counters": ["telecom_service_count"]}
        )
        self.assertEqual(counters["telecom_service_count"], 1)

    def test_plan_change_preview_then_confirm(self):
        self.authenticate("t_portal_alice", "t_portal_alice")
        url = f"/my/services/{self.service_a.id}/plan"
        page = self._get(url).text
        self.assertIn("T Mobile Plus", page, "a plan of the same type on sale is offered")
        self.assertNotIn("T Fiber 300", page, "a plan of another type is not offered")
        expected = self.service_a._telecom_plan_change_preview(self.plan_plus)
        self.assertFalse(expected["errors"])
        page = self._post(url, {"plan_id": self.plan_plus.id, "timing": "now"}).text
        self.assertIn("Prorated total on your next bill", page)
        self.assertIn(f"{expected['total']:,.2f}", page)
        self.assertIn("Confirm Plan Change", page)
        self.assertEqual(self.service_a.product_id, self.plan_basic, "nothing changes on preview")
        response = self._post(
            url, {"plan_id": self.plan_plus.id, "timing": "now", "confirm": "1"}, status=303
        )
        self.assertIn(f"/my/services/{self.service_a.id}?message=", response.headers["Location"])
        self.service_a.invalidate_recordset()
        self.assertEqual(self.service_a.product_id, self.plan_plus)
        history = self.service_a.history_ids.filtered(lambda h: h.action == "change_plan")
        self.assertEqual(history.user_id, self.portal_a, "the change is the customer's")

    def test_plan_change_at_next_period_then_cancelled(self):
        self.authenticate("t_portal_alice", "t_portal_alice")
        url = f"/my/services/{self.service_a.id}/plan"
        page = self._post(url, {"plan_id": self.plan_plus.id, "timing": "next_cycle"}).text
        self.assertIn("No prorated charge", page)
        response = self._post(
            url, {"plan_id": self.plan_plus.id, "timing": "next_cycle", "confirm": "1"}, 303
        )
        self.assertTrue(response.headers["Location"].endswith("?message=plan_scheduled"))
        period_end = self.subscription_a._telecom_period_of(self.today)[1]
        self.assertEqual(self.service_a.product_id, self.plan_basic)
        self.assertEqual(self.service_a.next_plan_id, self.plan_plus)
        self.assertEqual(self.service_a.next_plan_date, period_end + timedelta(days=1))
        page = self._get(self.service_a.access_url).text
        self.assertIn("Cancel this change", page)
        self._post(
            f"/my/services/{self.service_a.id}/plan/cancel-scheduled",
            {},
            status=303,
            token_url=self.service_a.access_url,
        )
        self.assertFalse(self.service_a.next_plan_id)

    def test_plan_change_refuses_a_plan_not_offered(self):
        self.authenticate("t_portal_alice", "t_portal_alice")
        url = f"/my/services/{self.service_a.id}/plan"
        page = self._post(url, {"plan_id": self.plan_fiber.id, "confirm": "1"}).text
        self.assertIn("Choose one of the plans offered below.", page)
        self.assertEqual(self.service_a.product_id, self.plan_basic)

    def test_add_and_remove_addon_with_preview(self):
        self.authenticate("t_portal_alice", "t_portal_alice")
        url = f"/my/services/{self.service_a.id}/addons/add"
        page = self._get(url).text
        self.assertIn("T Extra Data 10 GB", page)
        expected = self.service_a._telecom_add_addon_preview(self.addon_data, 2)
        page = self._post(url, {"addon_id": self.addon_data.id, "quantity": "2"}).text
        self.assertIn(f"{expected['total']:,.2f}", page)
        self.assertFalse(
            self.service_a.addon_line_ids.filtered(lambda a: a.product_id == self.addon_data)
        )
        self._post(url, {"addon_id": self.addon_data.id, "quantity": "2", "confirm": "1"}, 303)
        line = self.service_a.addon_line_ids.filtered(lambda a: a.product_id == self.addon_data)
        self.assertEqual((line.state, line.quantity), ("active", 2))

        intl = self.service_a.addon_line_ids.filtered(lambda a: a.product_id == self.addon_intl)
        url = f"/my/services/{self.service_a.id}/addons/{intl.id}/remove"
        page = self._get(url).text
        self.assertIn("Confirm Removal", page)
        self._post(url, {"confirm": "1"}, 303)
        self.assertEqual(intl.state, "removed")
        self.assertEqual(intl.date_end, self.today)


@tagged("post_install", "-at_install")
class TestPortalPreviewMatchesBill(TelecomBillingCase):
    """The preview shows what the bills will show for the rest of the period, to the cent."""

    def test_plan_change_preview_equals_billed_difference(self):
        subscription = self._subscription(cycle_day=1)
        service = self._service(subscription, self.plan_basic, start="2026-03-01")
        self._bill(self.d(2026, 3, 1))  # March charged in advance: 40.00
        with freeze_time("2026-03-11"):
            preview = service._telecom_plan_change_preview(self.plan_plus)
            self.assertFalse(preview["errors"])
            # 21 days of 31: credit 40 x 21/31 = 27.10, charge 60 x 21/31 = 40.65
            self.assertEqual([line["amount"] for line in preview["lines"]], [-27.10, 40.65])
            self.assertAmount(preview["total"], 13.55)
            self.assertAmount(preview["new_monthly"], 60.0)
            service._telecom_request_change_plan(self.plan_plus)
        move = self._invoice(self._bill(self.d(2026, 4, 1)), subscription)
        march = self._lines(move).filtered(
            lambda line: line.telecom_date_to and line.telecom_date_to <= self.d(2026, 3, 31)
        )
        self.assertAmount(sum(march.mapped("price_subtotal")), preview["total"])

    def test_addon_previews(self):
        subscription = self._subscription(cycle_day=15)
        service = self._service(subscription, self.plan_basic, start="2026-03-15")
        self._bill(self.d(2026, 3, 15))
        with freeze_time("2026-04-04"):
            # period 15 March - 14 April (31 days); 4-14 April = days 21 to 31 of it:
            # 2 x 15.00 = 30.00 - 30.00 x 20/31 (19.35) = 10.65 (tools/proration.py)
            preview = service._telecom_add_addon_preview(self.addon_data, 2)
            self.assertAmount(preview["total"], 10.65)
            service._telecom_request_add_addon(self.addon_data, 2)
            line = service.addon_line_ids
            self.assertEqual(preview["period_end"], self.d(2026, 4, 14))
        self._bill(self.d(2026, 4, 15))
        with freeze_time("2026-04-20"):
            # charged through 14 May; last day 20 April: credit 21 April - 14 May (24 of 30)
            preview = service._telecom_remove_addon_preview(line)
            self.assertFalse(preview["errors"])
            self.assertAmount(preview["total"], -24.0)
            line._telecom_end(self.d(2026, 4, 20), "test")
        credits = self.env["telecom.charge"].search(
            [("addon_line_id", "=", line.id), ("kind", "=", "proration")]
        )
        self.assertAmount(sum(credits.mapped("amount")), preview["total"])

    def test_preview_errors(self):
        subscription = self._subscription()
        service = self._service(subscription, self.plan_basic, start="2026-03-01")
        with freeze_time("2026-03-11"):
            preview = service._telecom_plan_change_preview(self.plan_fiber)
            self.assertTrue(preview["errors"])
            self.assertFalse(preview["lines"])
            self.assertNotIn(self.plan_fiber, service._telecom_available_plans())
            self.assertIn(self.plan_plus, service._telecom_available_plans())
            self.assertTrue(service._telecom_add_addon_preview(self.plan_plus)["errors"])


@tagged("post_install", "-at_install")
class TestPortalSecurity(TelecomPortalCase):
    """A customer guessing the id of another customer's record gets 404 and none of its data."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        period_start = cls.subscription_a._telecom_period_of(cls.today)[0]
        cls.invoice_a = cls._invoice(cls._bill(period_start), cls.subscription_a)

    def _assert_no_data(self, response):
        for secret in (self.service_a.name, "T Mobile Basic", self.service_a.number_ids.name):
            self.assertNotIn(secret, response.text)

    def test_other_customer_cannot_open_services_by_url(self):
        self.authenticate("t_portal_bob", "t_portal_bob")
        addon_line = self.service_a.addon_line_ids[:1]
        base = f"/my/services/{self.service_a.id}"
        for url in (
            base,
            f"{base}/plan",
            f"{base}/addons/add",
            f"{base}/addons/{addon_line.id}/remove",
        ):
            self._assert_no_data(self._get(url, status=404))
        page = self._get("/my/services").text
        self.assertIn(self.service_b.name, page)
        self._assert_no_data(self._get("/my/services"))
        # a forged POST (valid CSRF token of Bob's own session) changes nothing
        token = re.search(
            r'name="csrf_token" value="([^"]+)"',
            self._get(f"/my/services/{self.service_b.id}/plan").text,
        ).group(1)
        response = self.url_open(
            f"{base}/plan",
            data={"plan_id": self.plan_plus.id, "confirm": "1", "csrf_token": token},
            allow_redirects=False,
        )
        self.assertEqual(response.status_code, 404)
        self.assertEqual(self.service_a.product_id, self.plan_basic)
        self.service_a.write({"next_plan_id": self.plan_plus.id, "next_plan_date": self.today})
        response = self.url_open(
            f"{base}/plan/cancel-scheduled", data={"csrf_token": token}, allow_redirects=False
        )
        self.assertEqual(response.status_code, 404)
        self.assertEqual(self.service_a.next_plan_id, self.plan_plus)
        # unknown ids look the same as foreign ones
        self._get("/my/services/999999999", status=404)

    def test_other_customer_cannot_open_invoices_by_url(self):
        self.assertEqual(self.invoice_a.state, "posted")
        self.authenticate("t_portal_alice", "t_portal_alice")
        page = self._get(f"/my/services/{self.service_a.id}").text
        self.assertIn(self.invoice_a.name, page, "the owner sees the invoice on the service")
        self._get(f"/my/invoices/{self.invoice_a.id}")
        self.authenticate("t_portal_bob", "t_portal_bob")
        response = self._get(f"/my/invoices/{self.invoice_a.id}", status=303)
        self.assertTrue(response.headers["Location"].endswith("/my"))
        self.assertNotIn(self.invoice_a.name, self._get("/my/invoices").text)
        pdf = self.url_open(
            f"/my/invoices/{self.invoice_a.id}?report_type=pdf", allow_redirects=False
        )
        self.assertNotEqual(pdf.status_code, 200)


@tagged("post_install", "-at_install")
class TestPortalProvisioning(TelecomPortalCase):
    def test_plan_change_from_portal_creates_a_provisioning_order(self):
        if "telecom.provisioning.order" not in self.env:
            self.skipTest("telecom_provisioning is not installed")
        backend = self.env["telecom.provisioning.backend"].search([], limit=1)
        if not backend:
            self.skipTest("no provisioning backend")
        backend.plan_ids = [(4, self.plan_basic.product_tmpl_id.id)]
        self.authenticate("t_portal_alice", "t_portal_alice")
        url = f"/my/services/{self.service_a.id}/plan"
        response = self._post(
            url, {"plan_id": self.plan_plus.id, "timing": "now", "confirm": "1"}, status=303
        )
        self.assertTrue(response.headers["Location"].endswith("?message=plan_sent"))
        order = self.env["telecom.provisioning.order"].search(
            [("service_id", "=", self.service_a.id), ("action", "=", "change_plan")]
        )
        self.assertEqual(len(order), 1)
        self.assertEqual(order.values["plan_id"], self.plan_plus.id)
        self.assertEqual(
            self.service_a.product_id, self.plan_basic, "changes when the order is done"
        )
        page = self._get(f"/my/services/{self.service_a.id}?message=plan_sent").text
        self.assertIn("sent to the network", page)
