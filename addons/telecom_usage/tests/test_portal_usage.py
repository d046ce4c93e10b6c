import re
import time
from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from odoo.addons.telecom_billing.tests.test_portal import TelecomPortalCase
from odoo.addons.telecom_catalog.controllers.portal import IDENTITY_SESSION_KEY
from odoo.addons.telecom_numbers.tests.portal_screenshots import take_screenshots


class UsagePortalCase(TelecomPortalCase):
    """Alice's VoIP line with usage in this billing period and the previous one."""

    @classmethod
    def _usage_fixtures(cls):
        """A VoIP line of Alice started 45 days ago with a call in this billing period and
        one in the previous one."""
        start = fields.Date.to_string(cls.today - timedelta(days=45))
        cls.service_c = cls._service(cls.subscription_a, cls.plan_voip, start=start)
        cls.current = cls.subscription_a._telecom_period_of(cls.today)
        cls.previous = cls.subscription_a._telecom_period_of(cls.current[0] - timedelta(days=1))
        Usage = cls.env["telecom.usage.record"]

        def usage(name, day, called, duration, charge):
            return Usage.create(
                {
                    "name": name,
                    "service_id": cls.service_c.id,
                    "partner_id": cls.customer.id,
                    "start_time": fields.Datetime.to_datetime(day) + timedelta(hours=15),
                    "usage_date": day,
                    "period_start": cls.subscription_a._telecom_period_of(day)[0],
                    "duration": duration,
                    "called_number": called,
                    "usage_type": "voice",
                    "charge": charge,
                }
            )

        usage("T-CDR-1", cls.current[0], "+12125550111", 125, 0.25)
        usage("T-CDR-2", cls.previous[0], "+13105550122", 61, 0.12)


@tagged("post_install", "-at_install")
class TestPortalUsage(UsagePortalCase):
    """Usage and call detail: the owner after a password check, nobody else."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._usage_fixtures()

    def _reauth(self, login):
        token = re.search(r'name="csrf_token" value="([^"]+)"', self._get("/my/reauth").text).group(
            1
        )
        response = self.url_open(
            "/my/reauth",
            data={"password": login, "redirect": "/my", "csrf_token": token},
            allow_redirects=False,
        )
        self.assertEqual(response.status_code, 303)

    def test_usage_and_call_detail_need_a_recent_password(self):
        self.authenticate("t_portal_alice", "t_portal_alice")
        base = f"/my/services/{self.service_c.id}/usage"
        for url in (base, f"{base}/call-detail.csv"):
            response = self._get(url, status=303)
            self.assertIn("/my/reauth?redirect=", response.headers["Location"])
        self.assertIn(f'href="{base}"', self._get(self.service_c.access_url).text)
        self._reauth("t_portal_alice")
        page = self._get(base).text
        self.assertIn("+12125550111", page)
        self.assertNotIn("+13105550122", page, "the current period only")
        previous = fields.Date.to_string(self.previous[0])
        self.assertIn("+13105550122", self._get(f"{base}?period={previous}").text)
        response = self._get(f"{base}/call-detail.csv?period={previous}")
        self.assertEqual(response.headers["Content-Type"], "text/csv; charset=utf-8")
        self.assertIn("attachment;", response.headers["Content-Disposition"])
        self.assertIn("T-CDR-2", response.text)
        self.assertIn("+13105550122", response.text)
        self.assertNotIn("T-CDR-1", response.text)

    def test_other_customer_cannot_open_usage_or_call_detail(self):
        self.authenticate("t_portal_bob", "t_portal_bob")
        self._reauth("t_portal_bob")
        base = f"/my/services/{self.service_c.id}/usage"
        for url in (base, f"{base}/call-detail.csv"):
            response = self._get(url, status=404)
            self.assertNotIn("+12125550111", response.text)
            self.assertNotIn("T-CDR-1", response.text)


@tagged("post_install", "-at_install")
class TestPortalUsageTour(UsagePortalCase):
    """The customer's call detail in a real (headless Chromium) browser, and its picture."""

    def test_portal_usage_tour(self):
        self._usage_fixtures()
        self.start_tour("/my", "telecom_usage_portal_tour", login="t_portal_alice")
        # the call detail was downloaded in the browser (checked by the tour's last steps)

    def test_screenshots(self):
        self._usage_fixtures()
        files = take_screenshots(
            self,
            "t_portal_alice",
            [("usage", f"{self.service_c.access_url}/usage")],
            session_values={IDENTITY_SESSION_KEY: time.time()},
        )
        self.assertEqual(len(files), 1)
        for path in files:
            self.assertGreater(path.stat().st_size, 10000, f"{path} looks empty")
