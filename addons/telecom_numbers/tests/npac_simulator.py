"""A loopback NPAC/SOA vendor: a real HTTP server on 127.0.0.1 speaking the REST API of
``adapters/rest.py``. Used by the tests; plain Python, no Odoo imports.

    sim = NpacSimulator().start()
    sim.subscribers["+13125550100"] = {"account": "A1", "pin": "1234", "name": "Ann Lee",
                                       "zip": "60606"}
    ... RestNpacAdapter(sim.url, api_key=sim.api_key) ...
    sim.stop()

Behaviour:
- ``POST /v1/ports`` stores the request (answer ``submitted``); the same ``Idempotency-Key``
  returns the stored request instead of creating another.
- ``GET /v1/ports/<ref>`` answers the losing carrier's verdict: ``rejected`` with the code of the
  first mismatch against ``subscribers`` (account, PIN, name, ZIP), else ``foc`` on the
  requested due date; ``activate(ref)`` moves it to ``activated``.
- ``POST /v1/ports/<ref>/cancel`` cancels it.
- ``fail_next`` answers the next calls with HTTP 503, ``drop_next`` closes the connection
  without an answer, ``lose_next`` processes the next call but closes the connection instead
  of answering (the answer is lost), ``delay`` sleeps before answering (client timeouts).
- ``push(ref, url, token)`` sends the current status to a callback URL like a vendor does.
- Port-outs of gaining carriers: ``add_port_out(numbers=[...], account_number=..., pin=...,
  authorized_name=..., zip=...)`` queues one (its reference is returned); ``GET /v1/port-outs``
  lists those not answered; ``POST /v1/port-outs/<ref>/response`` records our answer in
  ``port_outs[ref]["answer"]`` (same ``Idempotency-Key``: same answer, nothing recorded
  twice); ``notify_port_out(ref, url, token)`` pushes one to our notification URL.
- ``POST /v1/snapbacks`` ends the port of a number (``snapbacks`` lists them, one per
  ``Idempotency-Key``).
"""

import json
import re
import threading
import time
import urllib.request
import uuid

from odoo.addons.telecom_numbers.controllers.npac import npac_signature

from .loopback import JsonHandler, LoopbackServer


def _simple(text):
    return re.sub(r"[^a-z0-9]", "", (text or "").casefold())


class NpacSimulator:
    def __init__(self, api_key="sim-secret"):
        self.api_key = api_key
        self.ports = {}
        self.by_key = {}
        self.subscribers = {}
        self.port_outs = {}
        self.snapbacks = []
        self.fail_next = 0
        self.drop_next = 0
        self.lose_next = 0
        self.delay = 0.0
        self.calls = []
        self.lock = threading.Lock()
        self.loopback = None

    # -- life cycle -------------------------------------------------------------------------

    def start(self):
        self.loopback = LoopbackServer(self._handler_class()).start()
        return self

    def stop(self):
        if self.loopback:
            self.loopback.stop()
            self.loopback = None

    @property
    def url(self):
        return self.loopback.url

    # -- vendor logic -----------------------------------------------------------------------

    def verdict(self, payload):
        """The losing carrier's answer to a port-in payload."""
        for number in payload.get("numbers") or []:
            record = self.subscribers.get(number)
            if record is None:
                return {
                    "status": "rejected",
                    "reject_code": "NOT_ON_ACCOUNT",
                    "message": f"{number} is not on the account.",
                }
            checks = (
                ("account", "account_number", "ACCOUNT_MISMATCH", "Account number"),
                ("pin", "pin", "PIN_MISMATCH", "Passcode"),
                ("name", "authorized_name", "NAME_MISMATCH", "Name"),
            )
            for key, field, code, label in checks:
                if _simple(record.get(key)) != _simple(payload.get(field)):
                    return {
                        "status": "rejected",
                        "reject_code": code,
                        "message": f"{label} does not match the account.",
                    }
            zip_code = (payload.get("service_address") or {}).get("zip") or ""
            if record.get("zip", "")[:5] != zip_code[:5]:
                return {
                    "status": "rejected",
                    "reject_code": "ADDRESS_MISMATCH",
                    "message": "ZIP code does not match the service address.",
                }
        return {"status": "foc", "foc_date": payload.get("due_date"), "message": "FOC issued."}

    def activate(self, reference):
        with self.lock:
            self.ports[reference].update(status="activated", settled=True)

    def set_status(self, reference, **values):
        with self.lock:
            self.ports[reference].update(values, settled=True)

    def _public(self, port):
        keys = ("reference", "status", "foc_date", "reject_code", "message")
        return {key: port.get(key) for key in keys}

    def _status(self, reference):
        with self.lock:
            port = self.ports.get(reference)
            if port is None:
                return None
            if not port.get("settled") and port["payload"].get("type") == "port_in":
                port.update(self.verdict(port["payload"]), settled=True)
            return self._public(port)

    def _submit(self, payload, key):
        with self.lock:
            if key and key in self.by_key:
                return 200, self._public(self.ports[self.by_key[key]])
            reference = f"SIM-{uuid.uuid4().hex[:10].upper()}"
            port = {
                "reference": reference,
                "status": "submitted",
                "payload": payload,
                "key": key,
                "settled": payload.get("type") != "port_in",
            }
            self.ports[reference] = port
            if key:
                self.by_key[key] = reference
            return 201, self._public(port)

    def _cancel(self, reference):
        with self.lock:
            port = self.ports.get(reference)
            if port is None:
                return None
            port.update(status="cancelled", settled=True)
            return self._public(port)

    def add_port_out(self, **request):
        """Queue a port-out request of a gaining carrier; returns its reference."""
        with self.lock:
            reference = f"PO-{uuid.uuid4().hex[:10].upper()}"
            self.port_outs[reference] = dict(
                request,
                reference=reference,
                received_at=request.get("received_at") or time.strftime("%Y-%m-%dT%H:%M:%S"),
                answer=None,
            )
            return reference

    def _port_out_public(self, reference):
        return {k: v for k, v in self.port_outs[reference].items() if k != "answer"}

    def _pending_port_outs(self):
        with self.lock:
            return {
                "port_outs": [
                    self._port_out_public(ref)
                    for ref, port in self.port_outs.items()
                    if port["answer"] is None
                ]
            }

    def _respond(self, reference, payload, key):
        with self.lock:
            port = self.port_outs.get(reference)
            if port is None:
                return 404, {"message": "Unknown port-out."}
            if port["answer"] is not None:
                if port["answer"]["key"] == key:
                    return 200, {"reference": reference, "status": port["answer"]["status"]}
                return 409, {"message": "This port-out was answered already."}
            if payload.get("decision") not in ("concur", "reject"):
                return 422, {"message": "decision must be concur or reject."}
            status = "foc" if payload["decision"] == "concur" else "rejected"
            port["answer"] = dict(payload, key=key, status=status)
            return 200, {"reference": reference, "status": status}

    def _snap_back(self, payload, key):
        with self.lock:
            for item in self.snapbacks:
                if item["key"] == key:
                    return 200, {"reference": item["reference"], "status": "activated"}
            if not payload.get("number") or not payload.get("effective_date"):
                return 422, {"message": "number and effective_date are required."}
            reference = f"SB-{len(self.snapbacks) + 1:06d}"
            self.snapbacks.append(dict(payload, key=key, reference=reference))
            return 201, {"reference": reference, "status": "activated"}

    def notify_port_out(self, reference, url, token, timestamp=None):
        """POST the port-out request ``reference`` to our notification URL."""
        with self.lock:
            body = self._port_out_public(reference)
        return self._post(url, body, token, timestamp=timestamp)

    def _post(self, url, body, token, timestamp=None):
        data = json.dumps(body).encode()
        timestamp = str(int(time.time()) if timestamp is None else timestamp)
        request = urllib.request.Request(
            url,
            data=data,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "X-Telecom-Token": token,
                "X-Telecom-Timestamp": timestamp,
                "X-Telecom-Signature": npac_signature(token, timestamp, data),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"{}")

    def push(self, reference, url, token):
        """POST the current status of ``reference`` to ``url`` (a vendor callback)."""
        return self._post(url, self._status(reference), token)

    def _dispatch(self, method, path, headers, raw):
        """(HTTP status, JSON body) of one API call."""
        if headers.get("Authorization") != f"Bearer {self.api_key}":
            return 401, {"message": "Bad API key."}
        try:
            payload = json.loads(raw or b"{}")
        except ValueError:
            return 400, {"message": "Body is not JSON."}
        key = headers.get("Idempotency-Key")
        if path == "/v1/port-outs" and method == "GET":
            return 200, self._pending_port_outs()
        match = re.fullmatch(r"/v1/port-outs/([^/]+)/response", path)
        if match and method == "POST":
            return self._respond(match.group(1), payload, key)
        if path == "/v1/snapbacks" and method == "POST":
            return self._snap_back(payload, key)
        match = re.fullmatch(r"/v1/ports(?:/([^/]+))?(/cancel)?", path)
        if not match:
            return 404, {"message": "No such endpoint."}
        reference, cancel = match.groups()
        if method == "POST" and not reference:
            if not payload.get("numbers"):
                return 422, {"message": "numbers is required."}
            return self._submit(payload, key)
        if method == "GET" and reference and not cancel:
            body = self._status(reference)
        elif method == "POST" and reference and cancel:
            body = self._cancel(reference)
        else:
            return 405, {"message": "Method not allowed."}
        if body is None:
            return 404, {"message": "Unknown reference."}
        return 200, body

    # -- HTTP -------------------------------------------------------------------------------

    def _handler_class(self):
        sim = self

        class Handler(JsonHandler):
            protocol_version = "HTTP/1.1"

            def _answer(self, code, body):
                with sim.lock:
                    lose = sim.lose_next > 0
                    if lose:
                        sim.lose_next -= 1
                if lose:
                    self.close_connection = True
                    self.connection.close()
                    return
                super()._answer(code, body)

            def _handle(self, method):
                raw = self._read_body()
                with sim.lock:
                    sim.calls.append((method, self.path, raw.decode() or None))
                    drop = sim.drop_next > 0
                    fail = not drop and sim.fail_next > 0
                    if drop:
                        sim.drop_next -= 1
                    elif fail:
                        sim.fail_next -= 1
                if sim.delay:
                    time.sleep(sim.delay)
                if drop:
                    self.close_connection = True
                    self.connection.close()
                    return
                if fail:
                    return self._answer(503, {"message": "Service temporarily unavailable"})
                code, body = sim._dispatch(method, self.path, self.headers, raw)
                return self._answer(code, body)

            def do_GET(self):
                self._handle("GET")

            def do_POST(self):
                self._handle("POST")

        return Handler


class SimulatorMixin:
    """A running simulator that knows Acme's number +13125550100 (account A-77, PIN 1234)."""

    def start_simulator(self):
        sim = NpacSimulator().start()
        self.addCleanup(sim.stop)
        sim.subscribers["+13125550100"] = {
            "account": "A-77",
            "pin": "1234",
            "name": "Acme Widgets Inc",
            "zip": "60606",
        }
        return sim
