"""SLA and failure-rate alerts, the NOC dashboard figures, and who may read what."""

from datetime import timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import REST_TOKEN, ProvisioningCase


@tagged("post_install", "-at_install")
class TestProvisioningAlerts(ProvisioningCase):
    def test_sla_alert_for_a_stuck_order(self):
        self.rest_backend.action_pause()
        created_at = fields.Datetime.now()
        single = self._order(mode="single")
        bulk = self._order()
        self.assertAlmostEqual(
            (single.sla_deadline - created_at).total_seconds(),
            120,
            delta=5,
            msg="default SLA of a single order: 120 s",
        )
        Order = self.env["telecom.provisioning.order"]
        self.assertFalse(Order._cron_check_sla())
        with freeze_time(fields.Datetime.now() + timedelta(seconds=125)):
            alerted = Order._cron_check_sla()
        self.assertEqual(alerted, single, "the bulk order is still within its own SLA")
        self.assertTrue(single.sla_breached)
        activity = single.activity_ids
        self.assertEqual(
            activity.activity_type_id,
            self.env.ref("telecom_provisioning.mail_activity_type_provisioning_sla"),
        )
        self.assertEqual(activity.user_id, self.noc_user)
        self.assertFalse(bulk.activity_ids)
        with freeze_time(fields.Datetime.now() + timedelta(seconds=300)):
            self.assertFalse(Order._cron_check_sla(), "one alert per order")

    def test_done_orders_raise_no_sla_alert(self):
        order = self._order(mode="single")
        self._process()
        self.assertEqual(order.state, "done")
        with freeze_time(fields.Datetime.now() + timedelta(hours=1)):
            self.assertFalse(self.env["telecom.provisioning.order"]._cron_check_sla())

    def test_failure_rate_alert(self):
        backend = self.rest_backend
        backend.write({"failure_rate_threshold": 30.0, "failure_rate_min_calls": 10})
        Backend = self.env["telecom.provisioning.backend"]
        for n in range(10):
            self._order(payload={"service_ref": f"OK-{n}"})
        self._process()
        self.assertFalse(Backend._cron_check_failure_rates(), "0 % failures")
        self.rest.set_default("error_5xx")
        for n in range(6):
            self._order(payload={"service_ref": f"KO-{n}"})
        self._process()
        self.assertEqual(Backend._cron_check_failure_rates(), 1, "6 of 16 calls failed: 37.5 %")
        activity = backend.activity_ids
        self.assertEqual(
            activity.activity_type_id,
            self.env.ref("telecom_provisioning.mail_activity_type_backend_failure_rate"),
        )
        self.assertIn("37.5", activity.note)
        self.assertTrue(backend.failure_alert_date)
        self.assertEqual(Backend._cron_check_failure_rates(), 0, "no second alert while open")

    def test_dashboard_figures(self):
        backend = self.rest_backend
        self.rest.behave("slow", delay=0.2)
        self.rest.behave("error_5xx")
        self.rest.behave("permanent")
        orders = self._order() | self._order() | self._order() | self._order()
        self._process()
        self._order()  # one more, still queued
        backend.invalidate_recordset()
        self.assertEqual(backend.queued_count, 1)
        self.assertEqual(backend.retrying_count, 1)
        self.assertEqual(backend.failed_count, 1)
        self.assertEqual(backend.calls_hour, 4)
        self.assertEqual(backend.success_rate_hour, 50.0)
        self.assertGreaterEqual(backend.latency_p95_hour, 150)
        self.assertLess(backend.latency_p50_hour, backend.latency_p95_hour)
        self.assertEqual(
            backend.oldest_open_order_id, orders.filtered(lambda o: o.state == "failed_retrying")
        )
        card = backend.with_user(self.noc_user).read(
            [
                "queued_count",
                "failed_count",
                "success_rate_day",
                "latency_p95_day",
                "oldest_open_minutes",
            ]
        )[0]
        self.assertEqual((card["queued_count"], card["failed_count"]), (1, 1))
        action = backend.with_context(order_states=["failed_permanent"]).action_view_orders()
        failed = self.env["telecom.provisioning.order"].search(action["domain"])
        self.assertEqual(failed.mapped("state"), ["failed_permanent"])

    def test_credentials_are_readable_by_the_noc_only(self):
        backend = self.rest_backend
        self.assertEqual(backend.with_user(self.noc_user).auth_token, REST_TOKEN)
        as_user = backend.with_user(self.plain_user)
        self.assertEqual(as_user.name, "Test REST platform", "users may see the backend")
        with self.assertRaises(AccessError):
            as_user.read(["auth_token"])
        with self.assertRaises(AccessError):
            self.soap_backend.with_user(self.plain_user).read(["password"])
        with self.assertRaises(AccessError):
            as_user.write({"paused": True})

    def test_users_read_orders_noc_manages_them(self):
        self.rest.behave("permanent")
        order = self._order()
        self._process()
        self.assertEqual(order.with_user(self.plain_user).state, "failed_permanent")
        self.assertTrue(order.with_user(self.plain_user).attempt_ids.error_code)
        with self.assertRaises(AccessError):
            order.with_user(self.plain_user).action_retry()
        order.with_user(self.noc_user).action_retry()
        self.assertEqual(order.state, "queued")
