"""911 location provider adapter (REST/JSON).

The provider validates a civic address against the MSAG/geocoding database and provisions the
registered location of a telephone number into the 911 routing database. Errors follow the
suite's split: :class:`E911RetryableError` (timeout, connection refused, HTTP 5xx/429) may succeed
later; :class:`E911PermanentError` (address refused, authentication refused) needs a fix. They
are the suite's shared adapter errors (``telecom_catalog/tools/adapter_errors.py``).

The adapter never touches the database: it receives the endpoint and credentials and returns
plain dictionaries.
"""

import requests

from odoo.addons.telecom_catalog.tools.adapter_errors import (
    AdapterError,
    PermanentError,
    RetryableError,
)


class E911Error(AdapterError):
    def __init__(self, message, code=None):
        super().__init__(message, code=code)


class E911RetryableError(E911Error, RetryableError):
    """Timeout, connection refused, HTTP 5xx/429: may succeed later."""


class E911PermanentError(E911Error, PermanentError):
    """Address or authentication refused: fix it first."""


class RestE911Adapter:
    """``POST {url}/validate`` then ``PUT {url}/locations/{tn}`` with a JSON address."""

    def __init__(self, url, api_key=None, timeout=10):
        self.url = (url or "").rstrip("/")
        self.api_key = api_key
        self.timeout = timeout or 10

    def _call(self, method, path, payload):
        headers = {"Content-Type": "application/json"}
        if self.api_key:
            headers["X-Api-Key"] = self.api_key
        try:
            response = requests.request(
                method, f"{self.url}{path}", json=payload, headers=headers, timeout=self.timeout
            )
        except requests.Timeout as error:
            raise E911RetryableError(str(error), "timeout") from error
        except requests.ConnectionError as error:
            raise E911RetryableError(str(error), "connection") from error
        try:
            body = response.json()
        except ValueError:
            body = {}
        if response.status_code >= 500 or response.status_code == 429:
            raise E911RetryableError(
                body.get("message") or f"HTTP {response.status_code}", str(response.status_code)
            )
        if response.status_code >= 400:
            raise E911PermanentError(
                body.get("message") or f"HTTP {response.status_code}",
                body.get("code") or str(response.status_code),
            )
        return body

    def validate(self, address):
        """Validate ``address``; returns ``{"valid": bool, "address": {...}, "message": str}``."""
        return self._call("POST", "/validate", address)

    def provision(self, telephone_number, address):
        """Register ``address`` for ``telephone_number``; returns ``{"id": provider id}``."""
        return self._call("PUT", f"/locations/{telephone_number}", address)

    def remove(self, telephone_number):
        """Remove the location of a disconnected ``telephone_number`` from the 911 database."""
        return self._call("DELETE", f"/locations/{telephone_number}", {})
