"""REST adapter for an external telecom tax engine (JSON over HTTPS).

Protocol (see README.rst, "External tax engine"):

``POST {base_url}/v1/tax/calculate`` with a JSON body::

    {"customer": {"ref": "SUB/000001", "type": "business",
                  "exemptions": [{"kind": "sales_tax", "state": "NY"}]},
     "date": "2026-03-01", "currency": "USD",
     "lines": [{"ref": "L1", "service_type": "voip", "regulatory_class": "voip",
                "amount": "30.00", "lines": 1,
                "address": {"state": "NY", "county": "", "city": "Albany", "zip": "12207",
                            "country": "US"}}]}

answered by ``200`` and ``{"transaction_id": "TX1", "taxes": [{"kind": "federal_usf",
"name": "Federal USF", "amount": "7.14", "jurisdiction": "US", "ref": "L1", "code": "FUSF"}]}``
(a quote; optional keys of a tax: ``base``, ``level``, ``exempt``).

Transactions: ``POST /v1/transactions/{id}/commit`` and ``.../credit`` with
``{"document": "INV/2026/00001", "date": "2026-03-01"}``, ``POST /v1/transactions/{id}/void``,
and ``GET /v1/transactions?status=committed&from=2026-03-01&to=2026-03-31`` answered by
``{"transactions": [{"id": "TX1", "document": "INV/2026/00001", "tax": "7.14"}]}``.
A ``4xx`` answer is a rejected request (:class:`TaxEngineError`); a timeout, a connection
error or a ``5xx`` answer means the engine is unavailable (:class:`TaxEngineUnavailable`).
"""

from dataclasses import asdict
from decimal import Decimal, InvalidOperation

import requests

from .base import (
    TaxEngineAdapter,
    TaxEngineError,
    TaxEngineUnavailable,
    TaxResultLine,
    TaxResults,
)

DEFAULT_TIMEOUT = 10


class RestTaxEngine(TaxEngineAdapter):
    def __init__(self, base_url, api_key=None, timeout=DEFAULT_TIMEOUT, session=None):
        if not base_url:
            raise TaxEngineError("The tax engine has no URL.")
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.timeout = timeout or DEFAULT_TIMEOUT
        self.session = session or requests.Session()

    # mapper: our request -> their JSON ------------------------------------------------------

    @staticmethod
    def _request_payload(request):
        return {
            "customer": {
                "ref": request.customer_ref,
                "type": request.customer_type,
                "exemptions": list(request.exemptions),
            },
            "date": request.on_date.isoformat(),
            "currency": request.currency,
            "lines": [
                {
                    "ref": line.ref,
                    "service_type": line.service_type,
                    "regulatory_class": line.regulatory_class,
                    "amount": str(line.amount),
                    "lines": line.lines,
                    "address": asdict(line.address),
                }
                for line in request.lines
            ],
        }

    # mapper: their JSON -> our result -------------------------------------------------------

    @staticmethod
    def _parse_taxes(body):
        try:
            taxes = body["taxes"]
            return [
                TaxResultLine(
                    kind=tax["kind"],
                    name=tax.get("name") or tax["kind"],
                    amount=Decimal(str(tax["amount"])),
                    jurisdiction=tax.get("jurisdiction", ""),
                    ref=tax.get("ref", ""),
                    rate_code=tax.get("code", ""),
                    base=Decimal(str(tax.get("base", "0"))),
                    exempt=bool(tax.get("exempt")),
                    level=tax.get("level", ""),
                )
                for tax in taxes
            ]
        except (KeyError, TypeError, InvalidOperation) as error:
            raise TaxEngineError(
                f"The tax engine answered in an unknown format: {error}"
            ) from error

    # transport ------------------------------------------------------------------------------

    def _headers(self):
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        return headers

    def _call(self, method, path, payload=None):
        url = f"{self.base_url}{path}"
        try:
            response = self.session.request(
                method, url, json=payload, headers=self._headers(), timeout=self.timeout
            )
        except (requests.ConnectionError, requests.Timeout) as error:
            raise TaxEngineUnavailable(f"Tax engine unreachable at {url}: {error}") from error
        except requests.RequestException as error:
            raise TaxEngineUnavailable(f"Tax engine call failed: {error}") from error
        if response.status_code >= 500:
            raise TaxEngineUnavailable(
                f"Tax engine error {response.status_code}: {response.text[:200]}"
            )
        if response.status_code >= 400:
            raise TaxEngineError(
                f"Tax engine refused the request ({response.status_code}): {response.text[:500]}"
            )
        try:
            return response.json()
        except ValueError as error:
            raise TaxEngineUnavailable(f"Tax engine answered without JSON: {error}") from error

    def compute(self, request):
        body = self._call("POST", "/v1/tax/calculate", self._request_payload(request))
        return TaxResults(self._parse_taxes(body), body.get("transaction_id") or "")

    def commit(self, transaction_id, document, on_date):
        self._call(
            "POST",
            f"/v1/transactions/{transaction_id}/commit",
            {"document": document, "date": on_date.isoformat()},
        )

    def void(self, transaction_id):
        self._call("POST", f"/v1/transactions/{transaction_id}/void", {})

    def credit(self, transaction_id, document, on_date):
        self._call(
            "POST",
            f"/v1/transactions/{transaction_id}/credit",
            {"document": document, "date": on_date.isoformat()},
        )

    def committed(self, date_from, date_to):
        body = self._call(
            "GET",
            f"/v1/transactions?status=committed&from={date_from.isoformat()}"
            f"&to={date_to.isoformat()}",
        )
        try:
            return [
                {"id": row["id"], "document": row["document"], "tax": Decimal(str(row["tax"]))}
                for row in body["transactions"]
            ]
        except (KeyError, TypeError, InvalidOperation) as error:
            raise TaxEngineError(
                f"The tax engine answered in an unknown format: {error}"
            ) from error

    def ping(self):
        self._call("GET", "/v1/health")
        return True
