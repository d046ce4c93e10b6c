"""Service lifecycle through provisioning orders, end to end against the local platforms:
billing changes a service only when the network confirms."""

from psycopg2 import IntegrityError

from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import ProvisioningServiceCase


@tagged("post_install", "-at_install")
class TestServiceLifecycle(ProvisioningServiceCase):
    def test_single_activation_runs_at_once(self):
        service = self._service()
        order = service._telecom_request_activate()
        self.assertEqual(order.state, "done", "sent synchronously, no queue")
        self.assertEqual((order.mode, order.backend_id), ("single", self.rest_backend))
        self.assertEqual(service.state, "active")
        self.assertTrue(service.date_start)
        payload = self.rest.last_payload("activate")
        self.assertEqual(payload["service_ref"], service.name)
        self.assertEqual(payload["plan_code"], "FIB-300")
        self.assertEqual(payload["download_mbps"], 300, "the plan's provisioning attributes")
        self.assertEqual(payload["network_profile"], "FTTH-300")
        self.assertEqual(payload["service_address"]["state"], "CA")
        self.assertEqual(self.rest.subscribers[service.name]["state"], "active")
        self.assertEqual(service.provisioning_order_count, 1)
        self.assertFalse(service.provisioning_open_order_id)

    def test_activation_falls_back_to_the_queue(self):
        self.rest.behave("error_5xx")
        service = self._service()
        order = service._telecom_request_activate()
        self.assertEqual(order.state, "failed_retrying")
        self.assertEqual(service.state, "pending", "billing waits for the network")
        self.assertEqual(service.provisioning_open_order_id, order)
        self._make_due(order)
        self._process()
        self.assertEqual(order.state, "done")
        self.assertEqual(service.state, "active")
        self.assertEqual(self.rest.count("activate"), 1)

    def test_every_lifecycle_action_end_to_end(self):
        service = self._service(activate=True)
        steps = [
            ("change_plan", lambda: service._telecom_request_change_plan(self.plan_fiber_1g)),
            ("add_addon", lambda: service._telecom_request_add_addon(self.addon_static_ip)),
            (
                "remove_addon",
                lambda: service._telecom_request_remove_addon(
                    service.addon_line_ids.filtered(lambda a: a.state == "active")
                ),
            ),
            ("suspend", lambda: service._telecom_request_suspend(reason="customer")),
            ("reactivate", lambda: service._telecom_request_reactivate()),
            ("terminate", lambda: service._telecom_request_terminate(reason="moving")),
        ]
        before = {
            "change_plan": lambda: service.product_id == self.plan_fiber_300,
            "add_addon": lambda: not service.addon_line_ids,
            "remove_addon": lambda: service.addon_line_ids.state == "active",
            "suspend": lambda: service.state == "active",
            "reactivate": lambda: service.state == "suspended",
            "terminate": lambda: service.state == "active",
        }
        after = {
            "change_plan": lambda: service.product_id == self.plan_fiber_1g,
            "add_addon": lambda: service.addon_line_ids.state == "active",
            "remove_addon": lambda: service.addon_line_ids.state != "active",
            "suspend": lambda: service.state == "suspended",
            "reactivate": lambda: service.state == "active",
            "terminate": lambda: service.state == "terminated",
        }
        for action, request in steps:
            with self.subTest(action=action):
                order = request()
                self.assertEqual((order.action, order.state), (action, "queued"))
                self.assertTrue(before[action](), "unchanged until the network confirms")
                self._process()
                self.assertEqual(order.state, "done")
                self.assertTrue(after[action](), f"{action} applied once confirmed")
                self.assertEqual(self.rest.count(action), 1)
        sent = self.rest.provisioned
        self.assertEqual(
            [p["action"] for p in sent],
            ["activate", "change_plan", "add_addon", "remove_addon", "suspend", "reactivate",
             "terminate"],
        )  # fmt: skip
        change = sent[1]["payload"]
        self.assertEqual((change["new_plan_code"], change["download_mbps"]), ("FIB-1G", 1000))
        self.assertEqual(sent[2]["payload"]["addon_code"], "ADD-STATIC-IP")
        self.assertEqual(self.rest.subscribers[service.name]["state"], "terminated")
        self.assertEqual(service.provisioning_order_count, 7)

    def test_suspension_for_non_payment_keeps_emergency_calling(self):
        voice = self._service(self.plan_voip, activate=True)
        # even when asked not to, a voice service suspended for non-payment keeps 911
        order = voice._telecom_request_suspend(reason="non_payment", keep_emergency_calling=False)
        self.assertEqual(order.backend_id, self.soap_backend)
        self.assertTrue(order.payload["keep_emergency_calling"])
        self._process()
        self.assertEqual(order.state, "done")
        sent = self.soap.last_payload("suspend")
        self.assertIs(sent["keepEmergencyCalling"], True)
        self.assertEqual(sent["reason"], "non_payment")
        self.assertEqual(voice.state, "suspended")
        self.assertTrue(voice.keep_emergency_calling)
        broadband = self._service(activate=True)
        order = broadband._telecom_request_suspend(reason="non_payment")
        self._process()
        self.assertIs(self.rest.last_payload("suspend")["keep_emergency_calling"], False)
        self.assertFalse(broadband.keep_emergency_calling)

    def test_soap_activation_and_fault(self):
        self.soap.behave("permanent", code="NUMBER_IN_USE")
        voice = self._service(self.plan_voip)
        order = voice._telecom_request_activate()
        self.assertEqual(order.state, "failed_permanent")
        self.assertEqual(order.error_id, self.env.ref("telecom_provisioning.error_number_in_use"))
        self.assertEqual(voice.state, "pending")
        self.assertTrue(order.activity_ids, "escalated to the NOC")
        order.with_user(self.noc_user).action_retry()
        self._process()
        self.assertEqual(order.state, "done")
        self.assertEqual(order.platform_reference, "SOAP-000001")
        self.assertEqual(voice.state, "active")

    def test_duplicate_requests_do_not_double_activate(self):
        self.rest.stop()
        try:
            service = self._service()
            first = service._telecom_request_activate()
            self.assertEqual(first.state, "failed_retrying")
            again = service._telecom_request_activate()
            self.assertEqual(again, first, "the open order is reused")
        finally:
            self.rest.start()
        self.assertEqual(len(self._orders(service)), 1)
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"):
            with self.env.cr.savepoint():
                self.env["telecom.provisioning.order"].create(
                    {"service_id": service.id, "backend_id": self.rest_backend.id,
                     "action": "activate"}
                )  # fmt: skip
        self._make_due(first)
        self._process()
        self._process()
        self.assertEqual(service.state, "active")
        self.assertEqual(self.rest.count("activate"), 1)

    def test_another_suspension_while_one_is_open_is_refused(self):
        service = self._service(activate=True)
        service._telecom_request_suspend(reason="customer")
        with self.assertRaises(UserError):
            service._telecom_request_suspend(reason="non_payment")

    def test_orders_of_a_service_run_in_order(self):
        service = self._service(activate=True)
        suspend = service._telecom_request_suspend(reason="customer")
        self.rest.behave("error_5xx")
        self._process()
        self.assertEqual(suspend.state, "failed_retrying")
        terminate = service._telecom_request_terminate()
        with self.assertRaises(UserError):
            terminate.action_run_now()
        self._make_due(suspend)
        self._process()
        self.assertEqual((suspend.state, terminate.state), ("done", "queued"))
        self._process()
        self.assertEqual(terminate.state, "done")
        actions = [p["action"] for p in self.rest.provisioned]
        self.assertEqual(actions, ["activate", "suspend", "terminate"])
        self.assertEqual(service.state, "terminated")

    def test_bulk_wave_from_a_scheduled_job_is_queued(self):
        services = self.env["telecom.service"]
        for _n in range(5):
            services |= self._service(self.plan_mobile, activate=True)
        self.rest.reset()
        wave = services.with_context(cron_id=1)
        orders = self.env["telecom.provisioning.order"]
        for service in wave:
            orders |= service._telecom_request_suspend(reason="non_payment")
        self.assertEqual(set(orders.mapped("mode")), {"bulk"})
        self.assertEqual(set(orders.mapped("state")), {"queued"})
        self.assertEqual(self.rest.calls, 0)
        self.assertEqual(set(services.mapped("state")), {"active"})
        self._process()
        self.assertEqual(set(services.mapped("state")), {"suspended"})
        self.assertTrue(all(services.mapped("keep_emergency_calling")), "mobile is voice")

    def test_failed_confirmation_is_escalated_not_lost(self):
        service = self._service(activate=True)
        order = service._telecom_request_suspend(reason="customer")
        service.state = "terminated"  # changed behind the order's back
        self._process()
        self.assertEqual(order.state, "failed_permanent")
        self.assertEqual(order.error_code, "confirmation_failed")
        self.assertTrue(order.attempt_ids.success, "the network's answer is kept")
        self.assertTrue(order.activity_ids)
        service.state = "active"
        order.action_retry()
        self._process()
        self.assertEqual(order.state, "done")
        self.assertTrue(order.attempt_ids.sorted("id")[-1].replayed)
        self.assertEqual(service.state, "suspended")
        self.assertEqual(self.rest.count("suspend"), 1)

    def test_termination_of_a_pending_service_withdraws_its_activation(self):
        self.rest_backend.action_pause()
        service = self._service()
        activation = service._telecom_request_activate()
        self.assertEqual(activation.state, "queued")
        service._telecom_request_terminate()
        self.assertEqual(activation.state, "cancelled")
        self.assertEqual(service.state, "terminated")
        self.rest_backend.action_resume()
        self.rest.stop()
        try:
            sent = self._service()
            order = sent._telecom_request_activate()
            self.assertEqual(order.attempt_count, 1)
            with self.assertRaises(UserError):
                sent._telecom_request_terminate()
        finally:
            self.rest.start()

    def test_termination_returns_numbers_through_billing(self):
        service = self._service(self.plan_mobile, activate=True)
        if "number_ids" not in service._fields:
            self.skipTest("telecom numbers are not linked to services on this branch yet")
        number = service.number_ids[:1]
        order = service._telecom_request_terminate()
        self._process()
        self.assertEqual(order.state, "done")
        self.assertEqual(number.status, "aging")

    def test_plan_without_backend_is_confirmed_at_once(self):
        service = self._service(self.plan_tv)
        self.assertTrue(service._telecom_request_activate())
        self.assertEqual(service.state, "active")
        self.assertFalse(self._orders(service))
        self.assertIn("No provisioning backend", service.message_ids[1].body)
