"""REST implementation of the NPAC/SOA vendor adapter.

The vendor API (JSON over HTTPS, bearer token):

- ``POST {base}/v1/ports`` with header ``Idempotency-Key`` -> 201/200 ``{"reference", "status"}``
- ``GET {base}/v1/ports/{reference}`` -> ``{"reference", "status", "foc_date", "reject_code",
  "message"}``
- ``POST {base}/v1/ports/{reference}/cancel`` -> ``{"reference", "status": "cancelled"}``

Every call has a timeout; connection errors, timeouts and 5xx answers raise
``NpacTransportError`` (retryable), 4xx answers ``NpacRequestError``.
"""

from urllib.parse import quote

import requests

from .base import VENDOR_STATUSES, NpacAdapter, NpacRequestError, NpacTransportError


class RestNpacAdapter(NpacAdapter):
    def _headers(self, idempotency_key=None):
        headers = {"Accept": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        return headers

    def _call(self, method, path, payload=None, idempotency_key=None):
        url = f"{self.base_url}{path}"
        try:
            response = requests.request(
                method,
                url,
                json=payload,
                headers=self._headers(idempotency_key),
                timeout=self.timeout,
            )
        except requests.RequestException as error:
            raise NpacTransportError(f"{method} {url} failed: {error}") from error
        if response.status_code >= 500:
            raise NpacTransportError(
                f"{method} {url} answered HTTP {response.status_code}: {response.text[:200]}"
            )
        try:
            body = response.json()
        except ValueError as error:
            if response.status_code >= 400:
                raise NpacRequestError(
                    f"The vendor refused the request (HTTP {response.status_code}): "
                    f"{response.text[:200]}"
                ) from error
            raise NpacTransportError(
                f"{method} {url} answered with a body that is not JSON: {response.text[:200]}"
            ) from error
        if response.status_code >= 400:
            message = body.get("message") if isinstance(body, dict) else None
            raise NpacRequestError(
                message or f"The vendor refused the request (HTTP {response.status_code})."
            )
        if not isinstance(body, dict) or body.get("status") not in VENDOR_STATUSES:
            raise NpacTransportError(f"{method} {url} answered an unexpected body: {body!r:.200}")
        return body

    def submit(self, payload, idempotency_key):
        return self._call("POST", "/v1/ports", payload, idempotency_key)

    def status(self, reference):
        return self._call("GET", f"/v1/ports/{quote(reference, safe='')}")

    def cancel(self, reference):
        return self._call("POST", f"/v1/ports/{quote(reference, safe='')}/cancel", {})
