"""Interface shared by every network-platform adapter.

An adapter turns one provisioning call (action, payload, idempotency key) into a request to a
platform and the platform's answer into an :class:`AdapterResult`, or raises one of two errors,
following the split of OCA ``connector`` (``NetworkRetryableError`` vs ``InvalidDataError``):

- :class:`RetryableError`: the call may succeed later (timeout, connection refused, HTTP 5xx,
  HTTP 429, a platform code the platform calls transient);
- :class:`PermanentError`: the same call will fail again until someone fixes data or
  configuration (rejected payload, unknown plan, authentication refused).

Both carry a ``code`` (the platform's error code when it sent one, else a transport code such as
``timeout``) that the error catalogue (``telecom.provisioning.error``) may reclassify. They are
the suite's shared adapter errors (``telecom_catalog/tools/adapter_errors.py``): a
``RetryableError`` here is also an ``adapter_errors.RetryableError``, and the backend's retry
settings make an ``adapter_errors.RetryPolicy``.

Adapters never touch the database: they run in worker threads and receive everything they need
in an :class:`AdapterConfig` built by the backend record.
"""

import itertools
import json
import re
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timezone

from odoo.addons.telecom_catalog.tools import adapter_errors

SUMMARY_LIMIT = 2000
MASK = "***"
SECRET_WORDS = {
    "password",
    "passwd",
    "pass",
    "secret",
    "token",
    "apikey",
    "authorization",
    "auth",
    "pin",
    "puk",
    "credential",
    "credentials",
}
_WORD = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")


def is_secret_key(key):
    """True for keys such as password, api_key, X-Api-Key, portOutPin, auth_token."""
    words = [w.lower() for w in _WORD.findall(str(key))]
    joined = {a + b for a, b in itertools.pairwise(words)}
    return bool(SECRET_WORDS.intersection(words) or SECRET_WORDS.intersection(joined))


_REGISTRY = {}


def register_adapter(kind):
    """Class decorator: make the adapter class the one used by backends of ``kind``."""

    def decorator(cls):
        cls.kind = kind
        _REGISTRY[kind] = cls
        return cls

    return decorator


def adapter_class(kind):
    """The adapter class registered for ``kind``; KeyError when none is."""
    return _REGISTRY[kind]


@dataclass(frozen=True)
class AdapterConfig:
    """What an adapter needs from its backend record (secrets included, never logged)."""

    name: str
    kind: str
    base_url: str = ""
    wsdl_url: str = ""
    auth_type: str = "none"  # none, header, basic
    auth_header_name: str = "Authorization"
    auth_token: str = ""
    username: str = ""
    password: str = ""
    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    verify_tls: bool = True
    idempotency_header: str = "Idempotency-Key"

    def secrets(self):
        return [s for s in (self.auth_token, self.password) if s]


@dataclass
class AdapterResult:
    """A successful provisioning call."""

    reference: str = ""
    status: str = ""
    http_status: int = 0
    replayed: bool = False
    duration_ms: float = 0.0
    request_summary: str = ""
    response_summary: str = ""
    data: dict = field(default_factory=dict)


class ProvisioningError(adapter_errors.AdapterError):
    """A failed provisioning call. ``transient`` tells the default classification."""

    transient = False

    def __init__(
        self,
        code,
        message,
        *,
        http_status=0,
        retry_after=None,
        request_summary="",
        response_summary="",
        duration_ms=0.0,
    ):
        super().__init__(message, code=code, retry_after=retry_after)
        self.message = message
        self.http_status = http_status
        self.request_summary = request_summary
        self.response_summary = response_summary
        self.duration_ms = duration_ms


class RetryableError(ProvisioningError, adapter_errors.RetryableError):
    """The call may succeed if tried again later."""

    transient = True


class PermanentError(ProvisioningError, adapter_errors.PermanentError):
    """The call fails until data or configuration is fixed."""

    transient = False


# ------------------------------------------------------------
# read side: the reconciliation's view of a platform record
# ------------------------------------------------------------


def _text(value):
    return None if value in (None, "") else str(value)


def _int(value):
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise PermanentError("invalid_response", f"{value!r} is not a whole number.") from None


def _texts(value):
    if value in (None, ""):
        return []
    values = value if isinstance(value, list | tuple) else [value]
    return [str(v) for v in values if v not in (None, "")]


def _date(value):
    if isinstance(value, datetime):
        value = value.date()
    return value.isoformat() if isinstance(value, date) else _text(value)


def _moment(value):
    """A datetime as Odoo writes it (UTC, ``YYYY-MM-DD HH:MM:SS``); strings as sent."""
    if isinstance(value, datetime):
        if value.tzinfo:
            value = value.astimezone(timezone.utc).replace(tzinfo=None)
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return _text(value)


#: key of the reconciliation's dict → (the platform's camelCase name of it, conversion)
SUBSCRIBER_FIELDS = {
    "service_ref": ("serviceRef", _text),
    "subscriber_id": ("subscriberId", _text),
    "state": ("state", _text),
    "profile": ("profile", _text),
    "speed_mbps": ("speedMbps", _int),
    "features": ("feature", _texts),
    "msisdn": ("msisdn", _text),
    "iccid": ("iccid", _text),
    "activated_on": ("activatedOn", _date),
}
INVENTORY_FIELDS = {
    "inventory_id": ("inventoryId", _text),
    "kind": ("kind", _text),
    "state": ("state", _text),
    "model": ("model", _text),
    "serial": ("serial", _text),
    "mac": ("mac", _text),
    "port": ("port", _text),
    "circuit": ("circuit", _text),
    "ip_address": ("ipAddress", _text),
    "vlan": ("vlan", _int),
    "bandwidth_mbps": ("bandwidthMbps", _int),
}
OUTAGE_FIELDS = {
    "id": ("outageId", _text),
    "name": ("name", _text),
    "start": ("start", _moment),
    "end": ("end", _moment),
    "zips": ("zip", _texts),
    "service_refs": ("serviceRef", _texts),
    "updated": ("updated", _moment),
}


def map_record(record, fields):
    """``record`` (a dict keyed our way or the platform's camelCase way) as a dict with
    exactly the keys of ``fields``, each value converted (absent: None, or [] for lists)."""
    return {
        key: convert(record[key] if key in record else record.get(alias))
        for key, (alias, convert) in fields.items()
    }


class BaseAdapter:
    """One platform protocol. Subclasses implement :meth:`_call`."""

    kind = None
    #: default endpoint (REST path or SOAP operation) per action; a backend's mapping may
    #: override any of them
    default_endpoints = {}

    def __init__(self, config):
        self.config = config

    def call(self, action, payload, idempotency_key, *, endpoint=None, timeout=None):
        """Send one provisioning request; return an AdapterResult or raise ProvisioningError.

        ``timeout`` (seconds) caps the read timeout, e.g. for a synchronous activation.
        """
        endpoint = endpoint or self.default_endpoints.get(action) or action
        read_timeout = self.config.read_timeout
        if timeout:
            read_timeout = min(read_timeout, timeout)
        start = time.monotonic()
        try:
            result = self._call(action, endpoint, payload, idempotency_key, read_timeout)
        except ProvisioningError as error:
            error.duration_ms = (time.monotonic() - start) * 1000.0
            error.request_summary = self.mask(error.request_summary)
            error.response_summary = self.mask(error.response_summary)
            error.message = self.mask(error.message)
            raise
        result.duration_ms = (time.monotonic() - start) * 1000.0
        result.request_summary = self.mask(result.request_summary)
        result.response_summary = self.mask(result.response_summary)
        return result

    def _call(self, action, endpoint, payload, idempotency_key, read_timeout):
        raise NotImplementedError

    # ------------------------------------------------------------
    # read side: what the platform has provisioned (telecom_network reconciles it)
    # ------------------------------------------------------------

    #: False for platforms without a read API (batch-file platforms): they are reconciled
    #: from an inventory extract file instead
    can_read = False
    #: most subscribers the platform gives in one page: a bigger page is asked as this size
    max_page_size = 1000

    def list_subscribers(self, cursor=None, limit=500):
        """One page of what the platform has provisioned, sorted by service reference:
        ``(items, next_cursor)``; each item a dict with :data:`SUBSCRIBER_FIELDS` keys
        (``service_ref``, ``subscriber_id``, ``state``, ``profile``, ``speed_mbps``,
        ``features``, ``msisdn``, ``iccid``, ``activated_on``); ``next_cursor`` None on the
        last page. Raises ProvisioningError (RetryableError with ``retry_after`` when
        rate-limited)."""
        limit = max(1, min(int(limit or 1), self.max_page_size))
        records, next_cursor = self._subscriber_page(cursor or None, limit)
        next_cursor = str(next_cursor) if next_cursor not in (None, "") else None
        if next_cursor is not None and next_cursor == cursor:
            raise PermanentError(
                "cursor_loop",
                f"Platform {self.config.name} answered cursor {cursor} with the same cursor: "
                "reading on would never end.",
            )
        return [map_record(record, SUBSCRIBER_FIELDS) for record in records], next_cursor

    def lookup_subscriber(self, service_ref):
        """One subscriber as :meth:`list_subscribers` gives it, or None when unknown."""
        record = self._subscriber_record(service_ref)
        return map_record(record, SUBSCRIBER_FIELDS) if record else None

    def list_outages(self, since=None):
        """Outages the platform's monitoring reports, started or changed since ``since`` (ISO
        datetime string): list of dicts with ``id``, ``name``, ``start``, ``end`` (None while
        ongoing), ``zips`` (list), ``service_refs`` (list) and ``updated``."""
        return [map_record(record, OUTAGE_FIELDS) for record in self._outage_records(since or None)]

    def list_inventory(self, service_ref):
        """The equipment and resources the platform's inventory holds for ``service_ref``:
        list of dicts with ``inventory_id``, ``kind`` and kind-specific keys (``serial``,
        ``mac``, ``port``, ``circuit``, ``ip_address``, ``vlan``)."""
        return [
            map_record(record, INVENTORY_FIELDS) for record in self._inventory_records(service_ref)
        ]

    # what a protocol implements: the platform's records as it sends them (our snake_case
    # keys or its own camelCase ones), mapped above

    def _subscriber_page(self, cursor, limit):
        """``(records, next_cursor)`` of one page of subscribers."""
        raise self._no_read_api()

    def _subscriber_record(self, service_ref):
        """The platform's record of one subscriber, or None when unknown."""
        raise self._no_read_api()

    def _outage_records(self, since):
        raise self._no_read_api()

    def _inventory_records(self, service_ref):
        raise self._no_read_api()

    def _no_read_api(self, detail=""):
        return PermanentError(
            "no_read_api", f"Platform {self.config.name} has no read API{detail}."
        )

    # ------------------------------------------------------------
    # helpers for subclasses
    # ------------------------------------------------------------

    def mask(self, text):
        """``text`` with every configured secret replaced, cut to SUMMARY_LIMIT characters."""
        text = str(text or "")
        for secret in self.config.secrets():
            text = text.replace(secret, MASK)
        if len(text) > SUMMARY_LIMIT:
            text = text[:SUMMARY_LIMIT] + "…"
        return text

    @staticmethod
    def masked_data(data):
        """A copy of ``data`` (dict/list) with values under secret-looking keys masked."""
        if isinstance(data, dict):
            return {
                key: MASK
                if is_secret_key(key) and value not in (None, "")
                else BaseAdapter.masked_data(value)
                for key, value in data.items()
            }
        if isinstance(data, list | tuple):
            return [BaseAdapter.masked_data(value) for value in data]
        return data

    @staticmethod
    def dumps(data):
        return json.dumps(data, default=str, sort_keys=True, ensure_ascii=False)
