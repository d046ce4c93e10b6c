"""Local network-platform simulators for the tests and the bench (no Odoo import).

:class:`RestPlatformSimulator` and :class:`SoapPlatformSimulator` serve on 127.0.0.1 (port 0 =
any free port) from a thread, one handler thread per request, and share a :class:`PlatformCore`
that decides each answer:

- behaviours, queued one-shot with :meth:`PlatformCore.behave` or set as default: ``ok``,
  ``slow`` (answers after ``delay``), ``timeout`` (answers after ``delay``, having provisioned
  first when ``provision=True``: the answer is lost but the work is done), ``error_5xx``,
  ``rate_limited`` (429 with ``Retry-After``), ``transient`` (a platform code that means "try
  again", e.g. NETWORK_BUSY), ``permanent`` (a platform code that means "this will never work");
- ``failure_rate``: that share of requests answers 503 at random (seeded), for the bench;
- idempotency: a request whose idempotency key was provisioned already gets the original
  answer back (``replayed``) and provisions nothing; the same key with another payload is
  refused (IDEMPOTENCY_KEY_REUSED); the same key while the first call is still running gets a
  409 REQUEST_IN_PROGRESS;
- SIMs: an activation or a ``sim_swap`` carrying ``iccid`` puts the line on that SIM
  (``subscribers[ref]["iccid"]``);
- read side (telecom_network): ``GET …/subscribers?cursor=&limit=`` pages through what the
  platform has provisioned (sorted by service reference, ``next_cursor`` to resume),
  ``GET …/subscribers/<ref>`` looks one up, ``GET …/inventory?service_ref=`` lists the equipment
  of a service (:meth:`PlatformCore.seed_inventory`), ``GET …/outages?since=`` the outages its
  monitoring reports (:attr:`PlatformCore.outages`, a list of dicts);
  :meth:`PlatformCore.seed` loads subscribers in bulk (bench, deliberate differences) and
  :meth:`PlatformCore.behave_read` queues one-shot behaviours of read requests
  (``rate_limited`` → 429 with ``Retry-After``); the SOAP simulator answers the same reads
  through the WSDL's operations ``ListSubscribers``, ``GetSubscriber``, ``ListInventory`` and
  ``ListOutages`` (typed records, see :data:`SOAP_RECORDS`), or serves a WSDL without them
  (``SoapPlatformSimulator(read_api=False)``: a platform with no read API);
- counters: :attr:`PlatformCore.provisioned` lists every real provisioning (one per key),
  :attr:`PlatformCore.calls` counts requests, :attr:`PlatformCore.max_in_flight` the most
  requests served at the same time, :attr:`PlatformCore.subscribers` keeps the state of each
  subscriber as the platform sees it.

:meth:`stop` then :meth:`start` again keeps the port, so a test can take a platform "down"
(connection refused) and bring it back.
"""

import base64
import bisect
import collections
import json
import random
import re
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse
from xml.sax.saxutils import escape

from lxml import etree

WSDL_PATH = Path(__file__).parent / "data" / "network_platform.wsdl"
SOAP_NS = "urn:example:netprov:2024"
SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP_OPERATIONS = {
    "ActivateSubscriber": "activate",
    "ChangePlan": "change_plan",
    "AddFeature": "add_addon",
    "RemoveFeature": "remove_addon",
    "SuspendSubscriber": "suspend",
    "ResumeSubscriber": "reactivate",
    "DeactivateSubscriber": "terminate",
}
# read operations of the WSDL → (read kind of PlatformCore.read, its parameters from the request's
# elements, the answer's repeated record element, its type in SOAP_RECORDS)
SOAP_READS = {
    "ListSubscribers": (
        "subscribers",
        lambda v: {"cursor": v.get("cursor"), "limit": v.get("pageSize")},
        "subscriber",
        "Subscriber",
    ),
    "GetSubscriber": ("subscriber", lambda v: {"ref": v.get("serviceRef")}, None, "Subscriber"),
    "ListInventory": ("inventory", lambda v: {"ref": v.get("serviceRef")}, "item", "InventoryItem"),
    "ListOutages": ("outages", lambda v: {"since": v.get("since")}, "outage", "Outage"),
}
# element order of each typed record of the WSDL: (element, key of the core's dict)
SOAP_RECORDS = {
    "Subscriber": (
        ("serviceRef", "service_ref"),
        ("subscriberId", "subscriber_id"),
        ("state", "state"),
        ("profile", "profile"),
        ("speedMbps", "speed_mbps"),
        ("feature", "features"),
        ("msisdn", "msisdn"),
        ("iccid", "iccid"),
        ("activatedOn", "activated_on"),
    ),
    "InventoryItem": (
        ("inventoryId", "inventory_id"),
        ("kind", "kind"),
        ("model", "model"),
        ("serial", "serial"),
        ("mac", "mac"),
        ("port", "port"),
        ("circuit", "circuit"),
        ("ipAddress", "ip_address"),
        ("vlan", "vlan"),
        ("bandwidthMbps", "bandwidth_mbps"),
    ),
    "Outage": (
        ("outageId", "id"),
        ("name", "name"),
        ("start", "start"),
        ("end", "end"),
        ("zip", "zips"),
        ("serviceRef", "service_refs"),
        ("updated", "updated"),
    ),
}
SUBSCRIBER_KEYS = ("subscriber_id", "subscriberId", "service_ref")
# what the network delivers, from a payload: REST keys (our canonical payload) and the SOAP
# elements of the WSDL
PROFILE_KEYS = (
    ("network_profile", "profile"),
    ("profile", "profile"),
    ("download_mbps", "speed_mbps"),
    ("downloadMbps", "speed_mbps"),
    ("msisdn", "msisdn"),
    ("features", "features"),
)
STATE_AFTER = {
    "activate": "active",
    "reactivate": "active",
    "suspend": "suspended",
    "terminate": "terminated",
}


@dataclass
class Behaviour:
    kind: str = "ok"
    delay: float = 0.0
    status: int = 0
    code: str | None = None  # None: the behaviour's usual code; "": no platform code
    message: str = ""
    retry_after: int = 0
    provision: bool = False


@dataclass
class Answer:
    ok: bool
    status: int
    body: dict
    retry_after: int = 0
    replayed: bool = False
    server_fault: bool = False


class PlatformCore:
    """State and behaviour of one simulated platform (thread-safe)."""

    def __init__(self, failure_rate=0.0, seed=7, prefix="NET", credentials=None):
        self.lock = threading.Lock()
        self.script = collections.deque()
        self.default = Behaviour()
        self.failure_rate = failure_rate
        self.rng = random.Random(seed)
        self.prefix = prefix
        self.credentials = credentials  # ("header", name, value) or ("basic", user, password)
        self.reset()

    def reset(self):
        with self.lock:
            self.script.clear()
            self.results = {}
            self.in_progress = set()
            self.provisioned = []
            self.requests = []
            self.subscribers = {}
            self.inventory = {}
            self.outages = []
            self.read_script = collections.deque()
            self.read_calls = 0
            self._sorted_refs = None
            self.calls = 0
            self.failures = 0
            self.in_flight = 0
            self.max_in_flight = 0

    # ------------------------------------------------------------
    # configuration
    # ------------------------------------------------------------

    def behave(self, *behaviours, **kwargs):
        """Queue one-shot behaviours: ``behave("error_5xx", "error_5xx")`` or
        ``behave(Behaviour(...))`` or ``behave("rate_limited", retry_after=3)``."""
        with self.lock:
            for behaviour in behaviours:
                if isinstance(behaviour, str):
                    behaviour = Behaviour(kind=behaviour, **kwargs)
                self.script.append(behaviour)

    def behave_read(self, *kinds, **kwargs):
        """Queue one-shot behaviours of read requests: ``behave_read("rate_limited")``."""
        with self.lock:
            self.read_script.extend(Behaviour(kind=kind, **kwargs) for kind in kinds)

    def seed(self, subscribers):
        """Load subscribers as the platform sees them: ``{service_ref: {"state": "active",
        "profile": …, "speed_mbps": …, "features": [...], "msisdn": …, "iccid": …}}``."""
        with self.lock:
            for ref, values in subscribers.items():
                record = {"state": "active", "features": [], "platform_id": f"{self.prefix}-{ref}"}
                record.update(values)
                self.subscribers[ref] = record
            self._sorted_refs = None

    def seed_inventory(self, service_ref, items):
        """The equipment the inventory system holds for ``service_ref`` (list of dicts)."""
        with self.lock:
            self.inventory[service_ref] = list(items)

    def set_default(self, kind="ok", **kwargs):
        with self.lock:
            self.default = Behaviour(kind=kind, **kwargs)

    # ------------------------------------------------------------
    # queries
    # ------------------------------------------------------------

    def count(self, action=None, subscriber=None):
        with self.lock:
            return sum(
                1
                for p in self.provisioned
                if (action is None or p["action"] == action)
                and (subscriber is None or p["subscriber"] == subscriber)
            )

    def last_payload(self, action):
        with self.lock:
            for item in reversed(self.provisioned):
                if item["action"] == action:
                    return item["payload"]
        return None

    # ------------------------------------------------------------
    # request handling
    # ------------------------------------------------------------

    def _next_behaviour(self):
        if self.script:
            return self.script.popleft()
        if self.failure_rate and self.rng.random() < self.failure_rate:
            return Behaviour(kind="error_5xx", status=503)
        return self.default

    def authorized(self, headers):
        if not self.credentials:
            return True
        kind, first, second = self.credentials
        if kind == "header":
            return headers.get(first) == second
        expected = "Basic " + base64.b64encode(f"{first}:{second}".encode()).decode()
        return headers.get("Authorization") == expected

    def handle(self, action, key, payload, headers):
        """Decide and apply the answer to one request."""
        with self.lock:
            self.calls += 1
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            self.requests.append({"action": action, "key": key, "headers": dict(headers)})
        try:
            return self._handle(action, key, payload, headers)
        finally:
            with self.lock:
                self.in_flight -= 1

    def _handle(self, action, key, payload, headers):
        if not self.authorized(headers):
            return self._failure(401, "UNAUTHORIZED", "Invalid credentials.")
        if not key:
            return self._failure(400, "MISSING_IDEMPOTENCY_KEY", "An idempotency key is required.")
        fingerprint = json.dumps([action, payload], sort_keys=True, default=str)
        with self.lock:
            if key in self.results:
                original_fingerprint, body = self.results[key]
                if original_fingerprint != fingerprint:
                    return self._failure(
                        422, "IDEMPOTENCY_KEY_REUSED", "Key already used for another request."
                    )
                return Answer(True, 200, dict(body, replayed=True), replayed=True)
            if key in self.in_progress:
                return self._failure(
                    409, "REQUEST_IN_PROGRESS", "The same request is being processed.", True
                )
            behaviour = self._next_behaviour()
            self.in_progress.add(key)
        try:
            if behaviour.kind == "timeout" and behaviour.provision:
                answer = self._provision(action, key, payload, fingerprint)
                time.sleep(behaviour.delay)
                return answer
            if behaviour.delay:
                time.sleep(behaviour.delay)
            if behaviour.kind in ("ok", "slow"):
                return self._provision(action, key, payload, fingerprint)
            return self._behaviour_failure(behaviour)
        finally:
            with self.lock:
                self.in_progress.discard(key)

    def _provision(self, action, key, payload, fingerprint):
        subscriber = next((payload.get(k) for k in SUBSCRIBER_KEYS if payload.get(k)), None)
        with self.lock:
            reference = f"{self.prefix}-{len(self.provisioned) + 1:06d}"
            body = {"status": "completed", "reference": reference, "action": action}
            self.results[key] = (fingerprint, body)
            self.provisioned.append(
                {"action": action, "key": key, "payload": payload, "subscriber": subscriber}
            )
            if subscriber is not None:
                if subscriber not in self.subscribers:
                    self._sorted_refs = None
                record = self.subscribers.setdefault(subscriber, {"state": None, "features": []})
                record.setdefault("platform_id", f"{self.prefix}-SUB-{len(self.subscribers):06d}")
                record["state"] = STATE_AFTER.get(action, record["state"])
                record["last_" + action] = payload
                self._apply_profile(record, action, payload)
                body["subscriber_id"] = record["platform_id"]
        return Answer(True, 200, dict(body, replayed=False))

    @staticmethod
    def _apply_profile(record, action, payload):
        """What the network now delivers: profile, speed, features, number and SIM."""
        if action == "activate" and payload.get("effective_date"):
            record["activated_on"] = payload["effective_date"]
        for key, target in PROFILE_KEYS:
            if payload.get(key) not in (None, ""):
                record[target] = payload[key]
        # the SIM the subscriber's line runs on (activation, SIM swap, re-provisioning)
        if payload.get("iccid"):
            record["iccid"] = payload["iccid"]
        code = payload.get("addon_code") or payload.get("featureCode")
        if code and action == "add_addon" and code not in record["features"]:
            record["features"] = [*record["features"], code]
        elif code and action == "remove_addon":
            record["features"] = [f for f in record["features"] if f != code]

    # ------------------------------------------------------------
    # read side
    # ------------------------------------------------------------

    def _public(self, ref, record):
        return {
            "service_ref": ref,
            "subscriber_id": record.get("platform_id"),
            "state": record.get("state"),
            "profile": record.get("profile"),
            "speed_mbps": record.get("speed_mbps"),
            "features": sorted(record.get("features") or []),
            "msisdn": record.get("msisdn"),
            "iccid": record.get("iccid"),
            "activated_on": record.get("activated_on"),
        }

    def read(self, kind, params, headers):
        """Answer a read request: ``subscribers`` (a page), ``subscriber`` (one), ``inventory``."""
        with self.lock:
            self.read_calls += 1
            behaviour = self.read_script.popleft() if self.read_script else None
        if not self.authorized(headers):
            return self._failure(401, "UNAUTHORIZED", "Invalid credentials.")
        if behaviour and behaviour.kind == "rate_limited":
            return self._failure(
                429, "RATE_LIMITED", "Too many requests.", True, behaviour.retry_after or 1
            )
        if behaviour:
            return self._behaviour_failure(behaviour)
        if kind == "subscriber":
            with self.lock:
                record = self.subscribers.get(params["ref"])
                found = record and record.get("state") and self._public(params["ref"], record)
            if not found:
                return self._failure(404, "NOT_FOUND", "No such subscriber.")
            return Answer(True, 200, found)
        with self.lock:
            if kind == "inventory":
                return Answer(True, 200, {"items": self.inventory.get(params["ref"], [])})
            if kind == "outages":
                since = _moment(params.get("since"))
                items = [o for o in self.outages if _moment(o.get("updated")) >= since]
                return Answer(True, 200, {"items": items})
            if self._sorted_refs is None:
                self._sorted_refs = sorted(self.subscribers)
            refs = self._sorted_refs
            limit = max(1, min(int(params.get("limit") or 100), 1000))
            start = bisect.bisect_right(refs, params["cursor"]) if params.get("cursor") else 0
            page = refs[start : start + limit]
            items = [
                self._public(ref, self.subscribers[ref])
                for ref in page
                if self.subscribers[ref].get("state")
            ]
            next_cursor = page[-1] if start + limit < len(refs) and page else None
        return Answer(True, 200, {"items": items, "next_cursor": next_cursor})

    def _failure(self, status, code, message, server_fault=False, retry_after=0):
        with self.lock:
            self.failures += 1
        body = {"error": {"code": code, "message": message}}
        return Answer(False, status, body, retry_after=retry_after, server_fault=server_fault)

    def _behaviour_failure(self, behaviour):
        kind = behaviour.kind
        if kind == "rate_limited":
            return self._failure(
                429,
                "RATE_LIMITED" if behaviour.code is None else behaviour.code,
                behaviour.message or "Too many requests.",
                True,
                retry_after=behaviour.retry_after or 1,
            )
        if kind == "transient":
            return self._failure(
                behaviour.status or 503,
                "NETWORK_BUSY" if behaviour.code is None else behaviour.code,
                behaviour.message or "Network element busy, try again.",
                True,
            )
        if kind == "permanent":
            return self._failure(
                behaviour.status or 422,
                "INVALID_PLAN" if behaviour.code is None else behaviour.code,
                behaviour.message or "The plan is not known to the network.",
            )
        # error_5xx and timeout without provisioning: a bare server error
        return self._failure(
            behaviour.status or 503, "", behaviour.message or "Service unavailable", True
        )


def _moment(value):
    """A time as comparable text: ``2026-03-01 02:05`` and ``2026-03-01T02:05`` are equal."""
    return str(value or "").replace(" ", "T")


class _SimulatorServer:
    handler_class = None

    def __init__(self, core=None, **core_kwargs):
        self.core = core or PlatformCore(**core_kwargs)
        self.port = 0
        self.server = None
        self.thread = None

    def __getattr__(self, name):
        # behave, set_default, count, provisioned, ... come from the core
        return getattr(self.core, name)

    def start(self):
        handler = type("Handler", (self.handler_class,), {"core": self.core, "sim": self})
        server_class = type("Server", (ThreadingHTTPServer,), {"request_queue_size": 128})
        server = server_class(("127.0.0.1", self.port), handler)
        server.daemon_threads = True
        self.server = server
        self.port = server.server_address[1]
        self.thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()
        return self

    def stop(self):
        if self.server:
            self.server.shutdown()
            self.server.server_close()
            self.thread.join(5)
            self.server = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"


class _BaseHandler(BaseHTTPRequestHandler):
    core = None
    sim = None

    def log_message(self, format, *args):  # silence the default stderr log
        pass

    def _read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _send(self, status, body, content_type, extra_headers=None):
        data = body.encode() if isinstance(body, str) else body
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            for name, value in (extra_headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout behaviour)


class _RestHandler(_BaseHandler):
    def do_GET(self):
        url = urlparse(self.path)
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        parts = url.path.rstrip("/").split("/")
        if "subscribers" in parts:
            index = parts.index("subscribers")
            if index + 1 < len(parts):
                answer = self.core.read(
                    "subscriber", {"ref": unquote(parts[index + 1])}, self.headers
                )
            else:
                answer = self.core.read("subscribers", query, self.headers)
        elif parts[-1] == "outages":
            answer = self.core.read("outages", query, self.headers)
        elif parts[-1] == "inventory":
            answer = self.core.read("inventory", {"ref": query.get("service_ref")}, self.headers)
        else:
            return self._send(200, json.dumps({"status": "up"}), "application/json")
        headers = {"Retry-After": str(answer.retry_after)} if answer.retry_after else {}
        self._send(answer.status, json.dumps(answer.body), "application/json", headers)

    def do_POST(self):
        action = urlparse(self.path).path.rstrip("/").rsplit("/", 1)[-1]
        try:
            payload = json.loads(self._read_body() or b"{}")
        except ValueError:
            payload = None
        if not isinstance(payload, dict):
            body = {"error": {"code": "INVALID_REQUEST", "message": "Body must be a JSON object."}}
            return self._send(400, json.dumps(body), "application/json")
        answer = self.core.handle(
            action, self.headers.get("Idempotency-Key"), payload, self.headers
        )
        headers = {}
        if answer.retry_after:
            headers["Retry-After"] = str(answer.retry_after)
        if answer.replayed:
            headers["Idempotent-Replayed"] = "true"
        self._send(answer.status, json.dumps(answer.body), "application/json", headers)


class RestPlatformSimulator(_SimulatorServer):
    """A JSON platform: ``POST /<any prefix>/<action>`` with an ``Idempotency-Key`` header."""

    handler_class = _RestHandler


def _xml_value(text):
    if text in ("true", "false"):
        return text == "true"
    if text is not None and text.lstrip("-").isdigit():
        return int(text)
    return text


class _SoapHandler(_BaseHandler):
    def do_GET(self):
        if "wsdl" not in (urlparse(self.path).query or "").lower():
            return self._send(404, "Not found", "text/plain")
        wsdl = WSDL_PATH.read_text().replace(
            "http://127.0.0.1:8081/provisioning", f"{self.sim.url}/provisioning"
        )
        if not self.sim.read_api:
            wsdl = _without_read_operations(wsdl)
        self._send(200, wsdl, "text/xml; charset=utf-8")

    def do_POST(self):
        body = self._read_body()
        try:
            envelope = etree.fromstring(body)
            request = envelope.find(f"{{{SOAP_ENV}}}Body")[0]
        except (etree.XMLSyntaxError, TypeError, IndexError):
            return self._fault("soap:Client", "INVALID_REQUEST", "Malformed SOAP envelope.")
        operation = etree.QName(request).localname
        if operation in SOAP_READS and self.sim.read_api:
            return self._read(operation, request)
        action = SOAP_OPERATIONS.get(operation)
        if not action:
            return self._fault("soap:Client", "UNKNOWN_OPERATION", f"No operation {operation}.")
        values = {etree.QName(child).localname: _xml_value(child.text) for child in request}
        key = values.pop("idempotencyKey", None)
        answer = self.core.handle(action, key, values, self.headers)
        if answer.ok:
            return self._send(200, self._response(operation, answer), "text/xml; charset=utf-8")
        self._failed(answer)

    def _read(self, operation, request):
        """A read operation answered from the core's state as the WSDL's typed records."""
        kind, params, element, record_type = SOAP_READS[operation]
        values = {etree.QName(child).localname: child.text for child in request}
        answer = self.core.read(kind, params(values), self.headers)
        if not answer.ok:
            return self._failed(answer)
        body = answer.body
        if element is None:  # GetSubscriber: the one record
            xml = _soap_record("subscriber", body, record_type)
        else:
            xml = "".join(_soap_record(element, item, record_type) for item in body["items"])
        if body.get("next_cursor"):
            xml += f"<tns:nextCursor>{escape(str(body['next_cursor']))}</tns:nextCursor>"
        envelope = (
            f'<soap:Envelope xmlns:soap="{SOAP_ENV}"><soap:Body>'
            f'<tns:{operation}Response xmlns:tns="{SOAP_NS}">{xml}</tns:{operation}Response>'
            f"</soap:Body></soap:Envelope>"
        )
        self._send(200, envelope, "text/xml; charset=utf-8")

    def _failed(self, answer):
        error = answer.body["error"]
        if answer.status in (401, 429) or (answer.status >= 500 and not error["code"]):
            headers = {"Retry-After": str(answer.retry_after)} if answer.retry_after else {}
            return self._send(answer.status, error["message"], "text/plain", headers)
        fault_code = "soap:Server" if answer.server_fault else "soap:Client"
        return self._fault(fault_code, error["code"], error["message"])

    @staticmethod
    def _response(operation, answer):
        body = answer.body
        return (
            f'<soap:Envelope xmlns:soap="{SOAP_ENV}"><soap:Body>'
            f'<tns:{operation}Response xmlns:tns="{SOAP_NS}">'
            f"<tns:transactionId>{escape(body['reference'])}</tns:transactionId>"
            f"<tns:status>{escape(body['status'])}</tns:status>"
            f"<tns:replayed>{'true' if answer.replayed else 'false'}</tns:replayed>"
            f"</tns:{operation}Response></soap:Body></soap:Envelope>"
        )

    def _fault(self, fault_code, error_code, message):
        xml = (
            f'<soap:Envelope xmlns:soap="{SOAP_ENV}"><soap:Body><soap:Fault>'
            f"<faultcode>{fault_code}</faultcode><faultstring>{escape(message)}</faultstring>"
            f'<detail><tns:PlatformFault xmlns:tns="{SOAP_NS}">'
            f"<tns:errorCode>{escape(error_code)}</tns:errorCode>"
            f"<tns:errorMessage>{escape(message)}</tns:errorMessage>"
            f"</tns:PlatformFault></detail></soap:Fault></soap:Body></soap:Envelope>"
        )
        self._send(500, xml, "text/xml; charset=utf-8")


def _soap_value(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    return _moment(value) if isinstance(value, str) and _TIME.match(value) else str(value)


_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}")


def _soap_record(element, record, record_type):
    """``record`` (a dict of the core) as the WSDL's typed ``record_type`` element."""
    parts = []
    for name, key in SOAP_RECORDS[record_type]:
        values = record.get(key)
        for value in values if isinstance(values, list) else [values]:
            if value not in (None, ""):
                parts.append(f"<tns:{name}>{escape(_soap_value(value))}</tns:{name}>")
    return f"<tns:{element}>{''.join(parts)}</tns:{element}>"


def _without_read_operations(wsdl):
    """The WSDL as a platform without a read API serves it: no read operation."""
    root = etree.fromstring(wsdl.encode())
    for node in root.xpath("//*[local-name()='operation'][@name]"):
        if node.get("name") in SOAP_READS:
            node.getparent().remove(node)
    return etree.tostring(root, encoding="unicode")


class SoapPlatformSimulator(_SimulatorServer):
    """A SOAP platform implementing tests/data/network_platform.wsdl (served at ``?wsdl``);
    ``read_api=False``: the same platform without the read operations."""

    handler_class = _SoapHandler

    def __init__(self, core=None, read_api=True, **core_kwargs):
        super().__init__(core, **core_kwargs)
        self.read_api = read_api

    @property
    def wsdl_url(self):
        return f"{self.url}/provisioning?wsdl"
