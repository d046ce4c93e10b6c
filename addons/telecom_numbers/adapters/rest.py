"""REST implementation of the NPAC/SOA vendor adapter.

The vendor API (JSON over HTTPS, bearer token):

- ``POST {base}/v1/ports`` with header ``Idempotency-Key`` -> 201/200 ``{"reference", "status"}``
- ``GET {base}/v1/ports/{reference}`` -> ``{"reference", "status", "foc_date", "reject_code",
  "message"}``
- ``POST {base}/v1/ports/{reference}/cancel`` -> ``{"reference", "status": "cancelled"}``
- ``GET {base}/v1/port-outs`` -> ``{"port_outs": [{...}, ...]}`` (requests of gaining carriers
  not answered yet)
- ``POST {base}/v1/port-outs/{reference}/response`` with ``Idempotency-Key`` ->
  ``{"reference", "status": "foc" | "rejected"}``
- ``POST {base}/v1/snapbacks`` with ``Idempotency-Key``, body ``{"number", "effective_date"}``
  -> ``{"reference", "status": "activated"}``

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

    def _call(self, method, path, payload=None, idempotency_key=None, key="status"):
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
        valid = VENDOR_STATUSES if key == "status" else None
        if not isinstance(body, dict) or key not in body or (valid and body[key] not in valid):
            raise NpacTransportError(f"{method} {url} answered an unexpected body: {body!r:.200}")
        return body

    def submit(self, payload, idempotency_key):
        return self._call("POST", "/v1/ports", payload, idempotency_key)

    def status(self, reference):
        return self._call("GET", f"/v1/ports/{quote(reference, safe='')}")

    def cancel(self, reference):
        return self._call("POST", f"/v1/ports/{quote(reference, safe='')}/cancel", {})

    def port_outs(self):
        return self._call("GET", "/v1/port-outs", key="port_outs")["port_outs"]

    def respond(self, reference, answer, idempotency_key):
        path = f"/v1/port-outs/{quote(reference, safe='')}/response"
        return self._call("POST", path, answer, idempotency_key)

    def snap_back(self, number, effective_date, idempotency_key):
        payload = {"number": number, "effective_date": effective_date}
        return self._call("POST", "/v1/snapbacks", payload, idempotency_key)
