"""REST/JSON platforms, over ``requests``.

Request: ``POST {base_url}/{endpoint}`` with the mapped payload as JSON and the order's
idempotency key in a header (``Idempotency-Key`` by default). Authentication: a header carrying
a token (``Authorization: Bearer …``, ``X-Api-Key: …``) or HTTP basic.

Answer: any 2xx is a success (``reference`` or ``id`` in the body is kept); otherwise the body's
``{"error": {"code": …, "message": …}}`` names the platform code. Without a platform code the
transport code decides: ``timeout``, ``connection_refused``, ``connection_error``,
``http_429`` (with ``Retry-After``) and ``http_5xx`` are retryable, ``http_401``/``http_403``
(``auth_failed``) and other ``http_4xx`` are permanent. A platform that shapes its answers
differently needs only a subclass overriding :meth:`RestAdapter._parse_error` or
:meth:`RestAdapter._parse_success`.
"""

import email.utils
import errno
import time
from urllib.parse import quote

import requests

from .base import (
    AdapterResult,
    BaseAdapter,
    PermanentError,
    RetryableError,
    register_adapter,
)


def _is_refused(error):
    """True when ``error`` (a requests ConnectionError) comes from a refused TCP connection."""
    seen = set()
    stack = [error]
    while stack:
        current = stack.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, ConnectionRefusedError) or (
            isinstance(current, OSError) and current.errno == errno.ECONNREFUSED
        ):
            return True
        stack.extend([current.__cause__, current.__context__])
        stack.extend(arg for arg in getattr(current, "args", ()) if isinstance(arg, BaseException))
        stack.append(getattr(current, "reason", None))
    return "Connection refused" in str(error)


def parse_retry_after(value, now=None):
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP date), else None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    now = time.time() if now is None else now
    return max(moment.timestamp() - now, 0.0)


@register_adapter("rest")
class RestAdapter(BaseAdapter):
    default_endpoints = {
        "activate": "activate",
        "change_plan": "change_plan",
        "add_addon": "add_addon",
        "remove_addon": "remove_addon",
        "suspend": "suspend",
        "reactivate": "reactivate",
        "terminate": "terminate",
    }
    method = "POST"

    def _session(self):
        session = requests.Session()
        session.headers["Accept"] = "application/json"
        config = self.config
        if config.auth_type == "basic":
            session.auth = (config.username, config.password)
        elif config.auth_type == "header" and config.auth_token:
            session.headers[config.auth_header_name or "Authorization"] = config.auth_token
        return session

    def _url(self, endpoint):
        if endpoint.startswith(("http://", "https://")):
            return endpoint
        return "{}/{}".format(self.config.base_url.rstrip("/"), endpoint.lstrip("/"))

    def _call(self, action, endpoint, payload, idempotency_key, read_timeout):
        url = self._url(endpoint)
        headers = {self.config.idempotency_header: idempotency_key}
        request_summary = "{} {} {}: {}".format(
            self.method,
            url,
            self.config.idempotency_header,
            self.dumps({"idempotency_key": idempotency_key, "body": self.masked_data(payload)}),
        )
        response = self._send_request(
            url,
            request_summary,
            json=payload,
            headers=headers,
            timeout=(self.config.connect_timeout, read_timeout),
        )
        body = self._body(response)
        response_summary = f"HTTP {response.status_code}: {self.dumps(self.masked_data(body))}"
        if 200 <= response.status_code < 300:
            return self._parse_success(response, body, request_summary, response_summary)
        raise self._parse_error(response, body, request_summary, response_summary)

    def _send_request(self, url, request_summary, method=None, **kwargs):
        """Send one HTTP request; transport failures become ProvisioningErrors."""
        with self._session() as session:
            try:
                return session.request(
                    method or self.method, url, verify=self.config.verify_tls, **kwargs
                )
            except requests.exceptions.Timeout as error:
                raise RetryableError(
                    "timeout",
                    f"No answer from {url} within the timeout ({error.__class__.__name__}).",
                    request_summary=request_summary,
                ) from error
            except requests.exceptions.SSLError as error:
                raise PermanentError(
                    "tls_error",
                    f"TLS handshake with {url} failed: {error}",
                    request_summary=request_summary,
                ) from error
            except requests.exceptions.ConnectionError as error:
                code = "connection_refused" if _is_refused(error) else "connection_error"
                raise RetryableError(
                    code,
                    f"Could not connect to {url}: {error}",
                    request_summary=request_summary,
                ) from error
            except requests.exceptions.RequestException as error:
                raise PermanentError(
                    "request_error",
                    f"Could not send the request to {url}: {error}",
                    request_summary=request_summary,
                ) from error

    # ------------------------------------------------------------
    # read side: GET {base_url}/subscribers, /subscribers/<ref>, /inventory
    # ------------------------------------------------------------

    can_read = True

    def _get(self, endpoint, params=None):
        """GET ``endpoint``; the JSON body of a 2xx answer, else a ProvisioningError."""
        url = self._url(endpoint)
        summary = f"GET {url} {self.dumps(params or {})}"
        response = self._send_request(
            url,
            summary,
            method="GET",
            params=params,
            timeout=(self.config.connect_timeout, self.config.read_timeout),
        )
        body = self._body(response)
        if 200 <= response.status_code < 300:
            return body
        response_summary = f"HTTP {response.status_code}: {self.dumps(self.masked_data(body))}"
        raise self._parse_error(response, body, summary, response_summary)

    def _subscriber_page(self, cursor, limit):
        params = {"limit": limit}
        if cursor:
            params["cursor"] = cursor
        body = self._get("subscribers", params)
        return list(body.get("items") or []), body.get("next_cursor")

    def _subscriber_record(self, service_ref):
        try:
            return self._get(f"subscribers/{quote(str(service_ref), safe='')}")
        except PermanentError as error:
            if error.http_status == 404:
                return None
            raise

    def _inventory_records(self, service_ref):
        return list(self._get("inventory", {"service_ref": service_ref}).get("items") or [])

    def _outage_records(self, since):
        params = {"since": since} if since else None
        return list(self._get("outages", params).get("items") or [])

    @staticmethod
    def _body(response):
        try:
            return response.json()
        except ValueError:
            return {"text": response.text[:500]}

    def _parse_success(self, response, body, request_summary, response_summary):
        body = body if isinstance(body, dict) else {"data": body}
        replayed = str(response.headers.get("Idempotent-Replayed", "")).lower() == "true"
        return AdapterResult(
            reference=str(body.get("reference") or body.get("id") or ""),
            status=str(body.get("status") or ""),
            http_status=response.status_code,
            replayed=replayed or bool(body.get("replayed")),
            request_summary=request_summary,
            response_summary=response_summary,
            data=body,
        )

    def _parse_error(self, response, body, request_summary, response_summary):
        """The ProvisioningError for a non-2xx answer (returned, not raised)."""
        status = response.status_code
        error = body.get("error") if isinstance(body, dict) else None
        if not isinstance(error, dict):
            error = {}
        platform_code = error.get("code")
        message = error.get("message") or f"HTTP {status} from the platform."
        kwargs = {
            "http_status": status,
            "request_summary": request_summary,
            "response_summary": response_summary,
        }
        if status == 429:
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            return RetryableError(
                platform_code or "http_429", message, retry_after=retry_after, **kwargs
            )
        if status >= 500 or status == 408:
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            code = platform_code or ("timeout" if status == 408 else "http_5xx")
            return RetryableError(code, message, retry_after=retry_after, **kwargs)
        if status in (401, 403):
            return PermanentError(platform_code or "auth_failed", message, **kwargs)
        return PermanentError(platform_code or "http_4xx", message, **kwargs)
