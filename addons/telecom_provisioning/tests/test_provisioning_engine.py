"""Orders against the real local REST and SOAP simulators: queue, retries, idempotency."""

import time
from datetime import timedelta

from psycopg2 import IntegrityError

from odoo import fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import SQL, mute_logger

from .common import REST_TOKEN, SOAP_PASSWORD, ProvisioningCase


@tagged("post_install", "-at_install")
class TestProvisioningEngine(ProvisioningCase):
    def test_rest_order_done_with_attempt_and_masked_secrets(self):
        order = self._order(payload={"service_ref": "SVC-1", "plan_code": "MOB-UNL", "pin": "4321"})
        self.assertEqual(order.state, "queued")
        self.assertTrue(order.name.startswith("PRV/"))
        self.assertEqual(self._process(), 1)
        self.assertEqual(order.state, "done")
        self.assertEqual(order.platform_reference, "REST-000001")
        self.assertEqual(self.rest.count("activate"), 1)
        self.assertEqual(self.rest.last_payload("activate")["plan_code"], "MOB-UNL")
        self.assertEqual(self.rest.requests[0]["headers"]["Idempotency-Key"], order.idempotency_key)
        attempt = order.attempt_ids
        self.assertEqual(len(attempt), 1)
        self.assertTrue(attempt.success)
        self.assertGreater(attempt.duration_ms, 0)
        self.assertNotIn(REST_TOKEN, attempt.request_summary)
        self.assertNotIn("4321", attempt.request_summary)
        self.assertIn(order.idempotency_key, attempt.request_summary)
        self.assertIn("REST-000001", attempt.response_summary)

    def test_retry_then_success_with_exponential_backoff(self):
        self.rest.behave("error_5xx", "error_5xx")
        order = self._order()
        before = fields.Datetime.now()
        self._process()
        self.assertEqual(order.state, "failed_retrying")
        self.assertEqual(order.error_code, "http_5xx")
        self.assertEqual(order.error_id, self.env.ref("telecom_provisioning.error_http_5xx"))
        # first retry: base delay 10 s with up to 25 % jitter
        delay = (order.next_retry_at - before).total_seconds()
        self.assertTrue(6 <= delay <= 11, delay)
        self.assertEqual(self._process(), 0, "not due before its backoff delay")
        self._make_due(order)
        before = fields.Datetime.now()
        self._process()
        self.assertEqual(order.state, "failed_retrying")
        delay = (order.next_retry_at - before).total_seconds()
        self.assertTrue(14 <= delay <= 21, f"second delay doubles: {delay}")
        self._make_due(order)
        self._process()
        self.assertEqual(order.state, "done")
        self.assertEqual(order.attempt_count, 3)
        self.assertEqual(order.attempt_ids.mapped("success").count(True), 1)
        self.assertEqual(self.rest.count(), 1)

    def test_backoff_policy(self):
        backend = self.rest_backend
        backend.write({"retry_jitter": 0.0, "retry_base_delay": 10, "retry_max_delay": 50})
        self.assertEqual([backend._retry_delay(n) for n in (1, 2, 3, 4, 5)], [10, 20, 40, 50, 50])
        self.assertEqual(backend._retry_delay(1, retry_after=120), 120)
        backend.retry_jitter = 0.5
        delays = [backend._retry_delay(3) for _i in range(50)]
        self.assertTrue(all(20 <= d <= 40 for d in delays))
        self.assertGreater(len(set(delays)), 1, "jitter spreads retries")

    def test_retry_after_is_honoured(self):
        self.rest.behave("rate_limited", retry_after=120)
        order = self._order()
        before = fields.Datetime.now()
        self._process()
        self.assertEqual(order.state, "failed_retrying")
        self.assertEqual(order.error_code, "RATE_LIMITED")
        self.assertGreaterEqual((order.next_retry_at - before).total_seconds(), 119)
        self.assertEqual(order.attempt_ids.http_status, 429)

    def test_permanent_failure_escalates_to_noc(self):
        self.rest.behave("permanent", code="INVALID_PLAN")
        order = self._order()
        self._process()
        self.assertEqual(order.state, "failed_permanent")
        self.assertTrue(order.escalated)
        self.assertEqual(order.error_id, self.env.ref("telecom_provisioning.error_invalid_plan"))
        activity = order.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertEqual(
            activity.activity_type_id,
            self.env.ref("telecom_provisioning.mail_activity_type_provisioning_failure"),
        )
        self.assertEqual(activity.user_id, self.noc_user)
        self.assertIn("INVALID_PLAN", activity.note)
        self._make_due(order)
        self.assertEqual(self._process(), 0, "a failed order is not retried by itself")
        self.assertEqual(self.rest.calls, 1)

    def test_retries_exhausted_escalate(self):
        self.rest_backend.retry_max_attempts = 3
        self.rest.set_default("error_5xx")
        order = self._order()
        for _i in range(3):
            self._make_due(order)
            self._process()
        self.assertEqual(order.state, "failed_permanent")
        self.assertEqual(order.attempt_count, 3)
        self.assertTrue(order.activity_ids)
        self.assertIn("Gave up after 3 attempts", order.activity_ids.note)

    def test_max_age_stops_retrying(self):
        self.rest.set_default("error_5xx")
        order = self._order()
        order.cycle_start = fields.Datetime.now() - timedelta(
            minutes=self.rest_backend.retry_max_age
        )
        self._process()
        self.assertEqual(order.state, "failed_permanent")
        self.assertEqual(order.attempt_count, 1)

    def test_catalogue_overrides_the_adapter_classification(self):
        self.env["telecom.provisioning.error"].create(
            {
                "code": "NETWORK_BUSY",
                "name": "On this platform, busy means the subscriber is locked",
                "classification": "permanent",
                "backend_id": self.rest_backend.id,
            }
        )
        self.rest.behave("transient", code="NETWORK_BUSY")
        rest_order = self._order()
        self.soap.behave("transient", code="NETWORK_BUSY")
        soap_order = self._order(self.soap_backend, payload={"service_ref": "S2"})
        self._process()
        self.assertEqual(rest_order.state, "failed_permanent")
        self.assertEqual(soap_order.state, "failed_retrying", "the global entry is transient")
        with self.assertRaises(ValidationError):
            self.env["telecom.provisioning.error"].create(
                {"code": "timeout", "name": "dup", "classification": "permanent"}
            )

    def test_backend_down_loses_no_order(self):
        orders = self.env["telecom.provisioning.order"]
        for n in range(20):
            orders |= self._order(payload={"service_ref": f"SVC-{n}"})
        self.rest.stop()
        try:
            self._process()
            self.assertEqual(set(orders.mapped("state")), {"failed_retrying"})
            self.assertEqual(set(orders.mapped("error_code")), {"connection_refused"})
            self._make_due(orders)
            self._process()
            self.assertEqual(set(orders.mapped("state")), {"failed_retrying"})
        finally:
            self.rest.start()
        self._make_due(orders)
        self._process()
        self.assertEqual(set(orders.mapped("state")), {"done"})
        self.assertEqual(self.rest.count(), 20)
        self.assertEqual(
            sorted(p["subscriber"] for p in self.rest.provisioned),
            sorted(f"SVC-{n}" for n in range(20)),
        )

    def test_lost_answer_is_not_provisioned_twice(self):
        # the platform activates, but its answer comes after our read timeout (1 s)
        self.rest.behave("timeout", delay=1.5, provision=True)
        order = self._order()
        self._process()
        self.assertEqual(order.state, "failed_retrying")
        self.assertEqual(order.error_code, "timeout")
        self._make_due(order)
        self._process()
        self.assertEqual(order.state, "done")
        self.assertTrue(order.attempt_ids.filtered("success").replayed)
        self.assertEqual(self.rest.count("activate"), 1, "one activation on the network")
        self.assertEqual(self.rest.calls, 2)

    def test_redelivery_after_a_crash_is_not_provisioned_twice(self):
        order = self._order()
        # a worker sends the order, then dies before its transaction commits
        with self.assertRaises(RuntimeError):
            with self.env.cr.savepoint():
                self._process()
                self.assertEqual(order.state, "done")
                raise RuntimeError("worker killed")
        self.env.invalidate_all()
        self.assertEqual(order.state, "queued")
        self._process()
        self.assertEqual(order.state, "done")
        self.assertEqual(self.rest.count(), 1)
        self.assertTrue(order.attempt_ids.replayed)
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"):
            with self.env.cr.savepoint():
                self._order(idempotency_key=order.idempotency_key)

    def test_soap_order_through_the_mapping(self):
        order = self._order(
            self.soap_backend,
            action="suspend",
            payload={
                "service_ref": "SVC-77",
                "msisdn": "+12025550177",
                "keep_emergency_calling": True,
                "reason": "non_payment",
                "unmapped": "not sent",
            },
        )
        self._process()
        self.assertEqual(order.state, "done")
        self.assertEqual(order.platform_reference, "SOAP-000001")
        sent = self.soap.last_payload("suspend")
        self.assertEqual(
            sent,
            {
                "subscriberId": "SVC-77",
                "msisdn": "+12025550177",
                "keepEmergencyCalling": True,
                "reason": "non_payment",
                "channel": "BSS",
            },
        )
        self.assertNotIn(SOAP_PASSWORD, order.attempt_ids.request_summary)

    def test_soap_fault_is_mapped_through_the_catalogue(self):
        self.soap.behave("permanent", code="SUBSCRIBER_NOT_FOUND")
        order = self._order(self.soap_backend, action="terminate", payload={"service_ref": "X"})
        self._process()
        self.assertEqual(order.state, "failed_permanent")
        self.assertEqual(order.error_code, "SUBSCRIBER_NOT_FOUND")
        self.assertEqual(
            order.error_id, self.env.ref("telecom_provisioning.error_subscriber_not_found")
        )
        self.assertTrue(order.activity_ids)

    def test_required_mapping_missing_fails_permanently(self):
        order = self._order(self.soap_backend, payload={"msisdn": "+12025550100"})
        self._process()
        self.assertEqual(order.state, "failed_permanent")
        self.assertEqual(order.error_code, "mapping_error")
        self.assertIn("service_ref", order.error_message)
        self.assertEqual(self.soap.calls, 0)

    def test_mapping_nesting_constants_and_endpoint(self):
        self.rest_backend.write(
            {
                "mapping_ids": [
                    (0, 0, {"kind": "field", "source": "service_ref", "target": "sub.id"}),
                    (0, 0, {"kind": "field", "source": "msisdn", "target": "sub.msisdn"}),
                    (0, 0, {"kind": "constant", "target": "sub.type", "value": "postpaid"}),
                    (0, 0, {"kind": "constant", "target": "priority", "value": "3"}),
                    (0, 0, {"kind": "endpoint", "action": "activate", "target": "/subs/create"}),
                ]
            }
        )
        order = self._order(payload={"service_ref": "S1", "msisdn": "+1202", "x": 1})
        self._process()
        self.assertEqual(order.state, "done")
        self.assertEqual(
            self.rest.provisioned[0]["payload"],
            {"sub": {"id": "S1", "msisdn": "+1202", "type": "postpaid"}, "priority": 3},
        )
        self.assertEqual(self.rest.provisioned[0]["action"], "create", "the endpoint's path")
        with self.assertRaises(ValidationError):
            self.rest_backend.mapping_ids = [(0, 0, {"kind": "field", "target": "x"})]

    def test_concurrency_limit_per_backend(self):
        self.rest_backend.max_concurrency = 3
        self.rest.set_default("slow", delay=0.3)
        orders = self.env["telecom.provisioning.order"]
        for n in range(9):
            orders |= self._order(payload={"service_ref": f"SVC-{n}"})
        self._process()
        self.assertEqual(set(orders.mapped("state")), {"done"})
        self.assertEqual(self.rest.max_in_flight, 3, "three calls in parallel, never more")

    def test_concurrency_slots_are_shared_between_workers(self):
        self.rest_backend.max_concurrency = 3
        orders = self._order() | self._order()
        # another worker (another database session) holds two of the three slots
        with self.registry.cursor() as other_cr:
            other_cr.execute(
                "SELECT pg_try_advisory_xact_lock(%s, %s), pg_try_advisory_xact_lock(%s, %s)",
                (736107, self.rest_backend.id * 1000, 736107, self.rest_backend.id * 1000 + 1),
            )
            self.assertEqual(other_cr.fetchone(), (True, True))
            self.assertEqual(self.rest_backend._in_flight_counts()[self.rest_backend.id], 2)
            self.assertEqual(self.rest_backend.in_flight_count, 2)
            self.assertEqual(self.rest_backend._acquire_slots(3), 1)
            self._process()
            self.assertEqual(set(orders.mapped("state")), {"done"})
            self.assertEqual(self.rest.max_in_flight, 1)
            other_cr.rollback()

    def test_rows_changed_by_a_concurrent_worker_are_left_for_the_next_run(self):
        # REPEATABLE READ: a row another transaction changed and committed after this one
        # began cannot be locked; the worker takes nothing instead of failing its batch
        entry = self.env.ref("telecom_provisioning.error_timeout")
        with self.registry.cursor() as other_cr:
            other_cr.execute(
                "UPDATE telecom_provisioning_error SET code = code WHERE id = %s", [entry.id]
            )
            other_cr.commit()
        query = SQL(
            "SELECT id FROM telecom_provisioning_error WHERE id = %s FOR UPDATE SKIP LOCKED",
            entry.id,
        )
        self.assertEqual(self.env["telecom.provisioning.order"]._locked_ids(query), [])
        order = self._order()
        self._process()
        self.assertEqual(order.state, "done", "the transaction goes on")

    def test_rate_limit(self):
        self.rest_backend.rate_limit = 2
        orders = self._order() | self._order() | self._order()
        self._process()
        self.assertEqual(orders.mapped("state").count("done"), 2)
        self.assertEqual(self._process(), 0, "the third waits for the next minute")

    def test_paused_backend_keeps_orders_queued(self):
        self.rest_backend.action_pause()
        order = self._order()
        self._process()
        self.assertEqual(order.state, "queued")
        self.assertEqual(self.rest.calls, 0)
        with self.assertRaises(UserError):
            order.action_run_now()
        self.rest_backend.action_resume()
        self._process()
        self.assertEqual(order.state, "done")

    def test_synchronous_run_falls_back_to_the_queue(self):
        self.rest.behave("slow", delay=1.5)
        order = self._order(mode="single")
        self.assertEqual(order.priority, 10)
        order.action_run_now()
        self.assertEqual(order.state, "failed_retrying")
        self.assertEqual(order.error_code, "timeout")
        # the platform finishes the slow activation after we stopped waiting
        deadline = time.monotonic() + 5
        while self.rest.in_flight and time.monotonic() < deadline:
            time.sleep(0.05)
        self._make_due(order)
        self._process()
        self.assertEqual(order.state, "done")
        self.assertTrue(order.attempt_ids.filtered("success").replayed)
        self.assertEqual(self.rest.count(), 1)

    def test_single_orders_go_first(self):
        self.rest_backend.max_concurrency = 1
        bulk = self._order(payload={"service_ref": "BULK"})
        single = self._order(payload={"service_ref": "SINGLE"}, mode="single")
        self._process(batch_size=1)
        self.assertEqual((single.state, bulk.state), ("done", "queued"))

    def test_noc_retry_and_cancel(self):
        self.rest.behave("permanent")
        order = self._order()
        self._process()
        self.assertEqual(order.state, "failed_permanent")
        order.with_user(self.noc_user).action_retry()
        self.assertEqual(order.state, "queued")
        self.assertEqual(order.cycle_attempt_count, 0)
        self.assertFalse(order.activity_ids, "the escalation is closed when the order is retried")
        self._process()
        self.assertEqual(order.state, "done")
        self.assertEqual(order.attempt_count, 2)
        with self.assertRaises(UserError):
            order.action_cancel()
        queued = self._order()
        queued.with_user(self.noc_user).action_cancel()
        self.assertEqual(queued.state, "cancelled")
        self._process()
        self.assertEqual(self.rest.count(), 1)
        with self.assertRaises(UserError):
            order.unlink()
        queued.unlink()

    def test_retry_all_failed_from_the_backend(self):
        self.rest.behave("permanent", "permanent")
        orders = self._order() | self._order()
        self._process()
        self.assertEqual(set(orders.mapped("state")), {"failed_permanent"})
        self.rest_backend.action_retry_failed()
        self._process()
        self.assertEqual(set(orders.mapped("state")), {"done"})
        with self.assertRaises(UserError):
            self.rest_backend.action_retry_failed()
