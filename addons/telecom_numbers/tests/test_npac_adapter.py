import json
import time

from odoo.tests import HttpCase, tagged

from odoo.addons.telecom_numbers.adapters import (
    NpacRequestError,
    NpacTransportError,
    RestNpacAdapter,
)
from odoo.addons.telecom_numbers.controllers.npac import npac_signature

from .common import TelecomNumbersCase
from .npac_simulator import SimulatorMixin

PAYLOAD = {
    "type": "port_in",
    "request": "PORT/TEST/1",
    "numbers": ["+13125550100"],
    "account_number": "A-77",
    "pin": "1234",
    "authorized_name": "Acme Widgets Inc",
    "service_address": {"zip": "60606"},
    "due_date": "2030-01-02",
}


@tagged("post_install", "-at_install")
class TestRestAdapter(SimulatorMixin, TelecomNumbersCase):
    def test_submit_status_cancel(self):
        sim = self.start_simulator()
        adapter = RestNpacAdapter(sim.url, api_key=sim.api_key, timeout=5)
        answer = adapter.submit(PAYLOAD, "KEY-1")
        self.assertEqual(answer["status"], "submitted")
        reference = answer["reference"]
        self.assertEqual(adapter.status(reference)["status"], "foc")
        self.assertEqual(adapter.status(reference)["foc_date"], "2030-01-02")
        self.assertEqual(adapter.cancel(reference)["status"], "cancelled")
        self.assertEqual(adapter.status(reference)["status"], "cancelled")

    def test_same_idempotency_key_is_processed_once(self):
        sim = self.start_simulator()
        adapter = RestNpacAdapter(sim.url, api_key=sim.api_key, timeout=5)
        first = adapter.submit(PAYLOAD, "KEY-1")
        again = adapter.submit(PAYLOAD, "KEY-1")
        self.assertEqual(first["reference"], again["reference"])
        self.assertEqual(len(sim.ports), 1)

    def test_errors_are_split_transport_and_request(self):
        sim = self.start_simulator()
        adapter = RestNpacAdapter(sim.url, api_key=sim.api_key, timeout=5)
        sim.fail_next = 1
        with self.assertRaisesRegex(NpacTransportError, "HTTP 503"):
            adapter.submit(PAYLOAD, "KEY-2")
        sim.drop_next = 1
        with self.assertRaises(NpacTransportError):
            adapter.status("SIM-ANY")
        with self.assertRaisesRegex(NpacRequestError, "Unknown reference"):
            adapter.status("SIM-UNKNOWN")
        with self.assertRaisesRegex(NpacRequestError, "Bad API key"):
            RestNpacAdapter(sim.url, api_key="wrong", timeout=5).submit(PAYLOAD, "KEY-3")
        with self.assertRaisesRegex(NpacRequestError, "numbers is required"):
            adapter.submit(dict(PAYLOAD, numbers=[]), "KEY-4")
        sim.delay = 0.5
        with self.assertRaises(NpacTransportError):
            RestNpacAdapter(sim.url, api_key=sim.api_key, timeout=0.1).status("SIM-UNKNOWN")
        sim.delay = 0
        url = sim.url
        sim.stop()
        with self.assertRaises(NpacTransportError):
            RestNpacAdapter(url, api_key=sim.api_key, timeout=2).submit(PAYLOAD, "KEY-5")


@tagged("post_install", "-at_install")
class TestPortRequestTransport(SimulatorMixin, TelecomNumbersCase):
    def _request(self, backend):
        return self._port_in(backend_id=backend.id)

    def _backend(self, sim):
        return self.env["telecom.npac.backend"].create(
            {"name": "Sim", "base_url": sim.url, "api_key": sim.api_key, "timeout": 5}
        )

    def test_transport_failure_leaves_request_retryable(self):
        sim = self.start_simulator()
        request = self._request(self._backend(sim))
        sim.fail_next = 1
        action = request.action_submit()
        self.assertEqual(action["params"]["type"], "warning")
        self.assertEqual(request.state, "draft")
        self.assertFalse(request.number_ids)
        self.assertFalse(self.env["telecom.number"].search([("name", "=", "+13125550100")]))
        self.assertIn("HTTP 503", request.transport_error)
        self.assertEqual(request.attempt_ids.result, "transport_error")
        self.assertEqual(sim.ports, {})
        # Retry: it goes through with the same idempotency key.
        self.assertTrue(request.action_submit())
        self.assertEqual(request.state, "submitted")
        self.assertFalse(request.transport_error)
        self.assertEqual(request.number_ids.status, "porting_in")
        keys = request.attempt_ids.sorted("attempt_number").mapped("idempotency_key")
        self.assertEqual(keys, [f"{request.name}/1", f"{request.name}/1"])

    def test_lost_answer_is_never_submitted_twice(self):
        sim = self.start_simulator()
        request = self._request(self._backend(sim))
        sim.lose_next = 1
        request.action_submit()
        self.assertEqual(request.state, "draft")
        self.assertEqual(len(sim.ports), 1, "the vendor did get the request")
        request.action_submit()
        self.assertEqual(request.state, "submitted")
        self.assertEqual(len(sim.ports), 1, "the retry did not create a second port")
        self.assertEqual(request.vendor_reference, next(iter(sim.ports)))

    def test_poll_transport_error_changes_nothing(self):
        sim = self.start_simulator()
        request = self._request(self._backend(sim))
        request.action_submit()
        sim.fail_next = 1
        self.env["telecom.port.request"]._cron_poll_npac_status()
        self.assertEqual(request.state, "submitted")
        self.assertIn("503", request.transport_error)
        self.env["telecom.port.request"]._cron_poll_npac_status()
        self.assertEqual(request.state, "foc")

    def test_cancel_at_vendor(self):
        sim = self.start_simulator()
        request = self._request(self._backend(sim))
        request.action_submit()
        sim.fail_next = 1
        request.action_cancel()
        self.assertEqual(request.state, "submitted", "not cancelled while the vendor is down")
        request.action_cancel()
        self.assertEqual(request.state, "cancelled")
        self.assertEqual(sim.ports[request.vendor_reference]["status"], "cancelled")


@tagged("post_install", "-at_install")
class TestNpacCallback(SimulatorMixin, HttpCase):
    def test_vendor_callback_updates_request(self):
        sim = self.start_simulator()
        env = self.env
        backend = env["telecom.npac.backend"].create(
            {"name": "Sim", "base_url": sim.url, "api_key": sim.api_key, "timeout": 5}
        )
        partner = env["res.partner"].create({"name": "Acme Widgets Inc", "zip": "60606"})
        request = env["telecom.port.request"].create(
            {
                "direction": "in",
                "partner_id": partner.id,
                "number_input": "+13125550100",
                "losing_carrier": "Old Telco",
                "account_number": "A-77",
                "pin": "1234",
                "authorized_name": "Acme Widgets Inc",
                "service_street": "233 S Wacker Dr",
                "service_city": "Chicago",
                "service_state_id": env.ref("base.state_us_14").id,
                "service_zip": "60606",
                "desired_due_date": "2099-01-05",
                "loa_file": "UEs=",
                "backend_id": backend.id,
            }
        )
        request.action_submit()
        env.flush_all()
        url = f"{self.base_url()}/telecom_numbers/npac/{backend.id}/callback"
        status, body = sim.push(request.vendor_reference, url, "wrong-token")
        self.assertEqual(status, 403)
        status, body = sim.push(request.vendor_reference, url, backend.callback_token)
        self.assertEqual((status, body.get("state")), (200, "foc"), body)
        request.invalidate_recordset()
        self.assertEqual(request.state, "foc")
        sim.activate(request.vendor_reference)
        env.flush_all()
        status, body = sim.push(request.vendor_reference, url, backend.callback_token)
        self.assertEqual(body["state"], "activated")
        env.invalidate_all()
        self.assertEqual(request.number_ids.status, "assigned")
        # the vendor had the PIN (the simulator checks it); once activated it is erased
        self.assertFalse(request.sudo().pin_encrypted)
        token = backend.callback_token
        status, body = sim._post(url, {"reference": "SIM-NOPE", "status": "foc"}, token)
        self.assertEqual(status, 404)

    def test_vendor_callback_refuses_unsigned_replayed_or_unreferenced_bodies(self):
        """The token alone is not enough: an unsigned, altered or replayed (stale) request is
        refused, and a body without its reference does not touch any request."""
        sim = self.start_simulator()
        backend = self.env["telecom.npac.backend"].create(
            {"name": "Sim", "base_url": sim.url, "api_key": sim.api_key, "timeout": 5}
        )
        partner = self.env["res.partner"].create({"name": "T No Reference", "zip": "60606"})
        waiting = self.env["telecom.port.request"].create(
            {
                "direction": "in",
                "partner_id": partner.id,
                "number_input": "+13125550177",
                "backend_id": backend.id,
            }
        )
        self.assertFalse(waiting.vendor_reference)
        self.env.flush_all()
        url = f"{self.base_url()}/telecom_numbers/npac/{backend.id}/callback"
        token = backend.callback_token
        body = {"reference": "SIM-NOPE", "status": "foc"}
        # the token without a signature (the old way): refused
        response = self.url_open(
            url,
            data=json.dumps(body),
            headers={"X-Telecom-Token": token, "Content-Type": "application/json"},
        )
        self.assertEqual(response.status_code, 403)
        # a request captured and replayed ten minutes later: refused
        self.assertEqual(sim._post(url, body, token, timestamp=int(time.time()) - 600)[0], 403)
        # altered after signing: refused
        timestamp = str(int(time.time()))
        response = self.url_open(
            url,
            data=json.dumps({**body, "status": "activated"}),
            headers={
                "X-Telecom-Token": token,
                "X-Telecom-Timestamp": timestamp,
                "X-Telecom-Signature": npac_signature(token, timestamp, json.dumps(body).encode()),
                "Content-Type": "application/json",
            },
        )
        self.assertEqual(response.status_code, 403)
        # the same signed request sent twice within the freshness window: the second is a
        # replay, refused before the body is looked at
        fresh = int(time.time())
        self.assertEqual(sim._post(url, body, token, timestamp=fresh)[0], 404)
        self.assertEqual(sim._post(url, body, token, timestamp=fresh)[0], 403)
        self.assertEqual(sim._post(url, body, token, timestamp=fresh - 1)[0], 404)
        # no reference: refused, the request without a vendor reference is untouched
        for no_reference in ({"status": "foc"}, {"reference": None, "status": "foc"}):
            self.assertEqual(sim._post(url, no_reference, token)[0], 400)
        waiting.invalidate_recordset()
        self.assertEqual(waiting.state, "draft")


@tagged("post_install", "-at_install")
class TestPortOutNotification(SimulatorMixin, HttpCase):
    def test_vendor_pushes_a_port_out_request(self):
        sim = self.start_simulator()
        backend = self.env["telecom.npac.backend"].create(
            {"name": "T push", "base_url": sim.url, "api_key": sim.api_key}
        )
        reference = sim.add_port_out(numbers=["+12025550101"], account_number="X", pin="1")
        url = f"{self.base_url()}/telecom_numbers/npac/{backend.id}/port-out"
        self.assertEqual(sim.notify_port_out(reference, url, "wrong-token")[0], 403)
        sent = int(time.time())
        status, body = sim.notify_port_out(reference, url, backend.callback_token, sent)
        self.assertEqual(status, 200)
        # the vendor retries a second later (signed again): one request all the same
        status, body = sim.notify_port_out(reference, url, backend.callback_token, sent + 1)
        self.assertEqual(status, 200, "pushed twice: recorded once")
        # the very same signed push replayed: refused
        status, _body = sim.notify_port_out(reference, url, backend.callback_token, sent + 1)
        self.assertEqual(status, 403)
        requests = self.env["telecom.port.request"].search([("vendor_reference", "=", reference)])
        self.assertEqual(len(requests), 1)
        self.assertEqual((requests.direction, requests.name), ("out", body["request"]))
        self.assertTrue(requests.response_deadline)
