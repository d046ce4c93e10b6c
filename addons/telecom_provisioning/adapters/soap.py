"""SOAP platforms, over ``zeep``.

The backend names a WSDL (URL, or a file path) and, optionally, the service address when it
differs from the WSDL's ``soap:address``. Each action calls one operation of the WSDL (defaults
below, overridable per backend through an ``endpoint`` mapping line); the mapped payload gives
the operation's input elements, and the order's idempotency key goes into the element named by
:attr:`SoapAdapter.idempotency_element`.

Errors: a SOAP fault is mapped through its ``detail/errorCode`` (the platform code, looked up in
the error catalogue) or, without one, its fault code (``soap_server_fault`` is retryable,
``soap_client_fault`` permanent); HTTP errors, timeouts and refused connections are mapped like
the REST adapter's (a 429 keeps its ``Retry-After``); a payload that does not fit the WSDL
schema is a permanent ``mapping_error``.

Read side (telecom_network): the operations ``ListSubscribers(cursor, pageSize)`` →
``subscriber*`` (typed ``Subscriber`` records) and ``nextCursor``, ``GetSubscriber(serviceRef)``
→ ``subscriber`` (a ``NOT_FOUND`` fault when unknown), ``ListInventory(serviceRef)`` → ``item*``
and ``ListOutages(since)`` → ``outage*``; the records are mapped to the reconciliation's dicts by
the base adapter. A WSDL without these operations is a platform without a read API.
"""

import threading

import requests
import zeep
import zeep.exceptions
import zeep.helpers
import zeep.transports

from .base import (
    AdapterResult,
    BaseAdapter,
    PermanentError,
    RetryableError,
    register_adapter,
)
from .rest import _is_refused, parse_retry_after

_CLIENTS = {}
_CLIENTS_LOCK = threading.Lock()
_CLIENTS_MAX = 32


class _Transport(zeep.transports.Transport):
    """zeep's transport, keeping what a rate-limited answer says: a 429 becomes a
    RetryableError with its ``Retry-After`` (zeep's TransportError drops the headers)."""

    def post(self, address, message, headers):
        response = super().post(address, message, headers)
        if response.status_code == 429:
            raise RetryableError(
                "http_429",
                f"HTTP 429 from the SOAP platform: {response.text[:200]}",
                http_status=429,
                retry_after=parse_retry_after(response.headers.get("Retry-After")),
                response_summary=f"HTTP 429: {response.text[:300]}",
            )
        return response


@register_adapter("soap")
class SoapAdapter(BaseAdapter):
    default_endpoints = {
        "activate": "ActivateSubscriber",
        "change_plan": "ChangePlan",
        "add_addon": "AddFeature",
        "remove_addon": "RemoveFeature",
        "suspend": "SuspendSubscriber",
        "reactivate": "ResumeSubscriber",
        "terminate": "DeactivateSubscriber",
    }
    idempotency_element = "idempotencyKey"
    reference_element = "transactionId"

    # ------------------------------------------------------------
    # client
    # ------------------------------------------------------------

    def _service(self, read_timeout):
        """The zeep service proxy for this configuration (clients are cached: the WSDL is
        parsed once per configuration and timeout, not once per call)."""
        key = (self.config, read_timeout)
        with _CLIENTS_LOCK:
            service = _CLIENTS.get(key)
        if service is not None:
            return service
        session = requests.Session()
        if self.config.auth_type == "basic":
            session.auth = (self.config.username, self.config.password)
        elif self.config.auth_type == "header" and self.config.auth_token:
            session.headers[self.config.auth_header_name or "Authorization"] = (
                self.config.auth_token
            )
        session.verify = self.config.verify_tls
        transport = _Transport(
            session=session,
            timeout=self.config.connect_timeout + self.config.read_timeout,
            operation_timeout=(self.config.connect_timeout, read_timeout),
        )
        client = zeep.Client(self.config.wsdl_url, transport=transport)
        if self.config.base_url:
            service_def = next(iter(client.wsdl.services.values()))
            port = next(iter(service_def.ports.values()))
            service = client.create_service(port.binding.name, self.config.base_url)
        else:
            service = client.service
        with _CLIENTS_LOCK:
            if len(_CLIENTS) >= _CLIENTS_MAX:
                _CLIENTS.clear()
            _CLIENTS[key] = service
        return service

    # ------------------------------------------------------------
    # call
    # ------------------------------------------------------------

    def _call(self, action, endpoint, payload, idempotency_key, read_timeout):
        arguments = dict(payload, **{self.idempotency_element: idempotency_key})
        address = self.config.base_url or self.config.wsdl_url
        request_summary = f"SOAP {endpoint} {address}: {self.dumps(self.masked_data(arguments))}"
        response = self._invoke(
            endpoint,
            arguments,
            read_timeout,
            request_summary,
            missing=lambda: PermanentError(
                "mapping_error",
                f"The WSDL has no operation {endpoint} (action {action}).",
                request_summary=request_summary,
            ),
        )
        data = zeep.helpers.serialize_object(response, dict) or {}
        if not isinstance(data, dict):
            data = {"value": data}
        return AdapterResult(
            reference=str(data.get(self.reference_element) or ""),
            status=str(data.get("status") or ""),
            http_status=200,
            replayed=bool(data.get("replayed")),
            request_summary=request_summary,
            response_summary=f"SOAP {endpoint}Response: {self.dumps(self.masked_data(data))}",
            data=data,
        )

    def _invoke(self, endpoint, arguments, read_timeout, request_summary, missing):
        """Call operation ``endpoint``; SOAP faults and transport failures become
        ProvisioningErrors; ``missing()`` is the error for an operation the WSDL lacks."""
        common = {"request_summary": request_summary}
        try:
            service = self._service(read_timeout)
            try:
                operation = service[endpoint]
            except AttributeError as error:
                raise missing() from error
            return operation(**arguments)
        except zeep.exceptions.Fault as fault:
            raise self._fault_error(fault, request_summary) from fault
        except zeep.exceptions.TransportError as error:
            raise self._transport_error(error, request_summary) from error
        except (zeep.exceptions.ValidationError, TypeError) as error:
            raise PermanentError(
                "mapping_error",
                f"The payload does not fit operation {endpoint} of the WSDL: {error}",
                **common,
            ) from error
        except requests.exceptions.Timeout as error:
            raise RetryableError(
                "timeout", f"No answer from the SOAP platform within the timeout: {error}", **common
            ) from error
        except requests.exceptions.ConnectionError as error:
            code = "connection_refused" if _is_refused(error) else "connection_error"
            raise RetryableError(
                code, f"Could not connect to the SOAP platform: {error}", **common
            ) from error
        except (zeep.exceptions.XMLSyntaxError, zeep.exceptions.XMLParseError) as error:
            raise PermanentError(
                "invalid_response", f"The platform answered with invalid XML: {error}", **common
            ) from error
        except RetryableError as error:  # rate-limited (_Transport)
            error.request_summary = request_summary
            raise

    # ------------------------------------------------------------
    # read side
    # ------------------------------------------------------------

    can_read = True
    #: the platform's code of the fault that answers GetSubscriber for an unknown reference
    not_found_code = "NOT_FOUND"

    def _read(self, operation, **arguments):
        """Call read operation ``operation``; its typed answer as plain dicts and lists (zeep
        gives the child itself of an answer with a single child element)."""
        address = self.config.base_url or self.config.wsdl_url
        request_summary = f"SOAP {operation} {address}: {self.dumps(arguments)}"
        response = self._invoke(
            operation,
            arguments,
            self.config.read_timeout,
            request_summary,
            missing=lambda: self._no_read_api(f": its WSDL has no operation {operation}"),
        )
        return zeep.helpers.serialize_object(response, dict)

    def _subscriber_page(self, cursor, limit):
        data = self._read("ListSubscribers", cursor=cursor, pageSize=limit) or {}
        return data.get("subscriber") or [], data.get("nextCursor")

    def _subscriber_record(self, service_ref):
        try:
            return self._read("GetSubscriber", serviceRef=service_ref)
        except PermanentError as error:
            if error.code == self.not_found_code:
                return None
            raise

    def _inventory_records(self, service_ref):
        return self._read("ListInventory", serviceRef=service_ref) or []

    def _outage_records(self, since):
        # xsd:dateTime wants the "T" between date and time ("2026-03-01 02:05:00" as Odoo
        # writes it is not valid there)
        since = since.replace(" ", "T", 1) if isinstance(since, str) else since
        return self._read("ListOutages", since=since) or []

    def _fault_error(self, fault, request_summary):
        """Map a SOAP fault: detail/errorCode when present, else the fault code."""
        platform_code = None
        message = fault.message or "SOAP fault"
        if fault.detail is not None:
            code_node = fault.detail.find(".//{*}errorCode")
            message_node = fault.detail.find(".//{*}errorMessage")
            if code_node is not None and code_node.text:
                platform_code = code_node.text.strip()
            if message_node is not None and message_node.text:
                message = message_node.text.strip()
        fault_code = str(fault.code or "")
        server_side = "server" in fault_code.lower() or "receiver" in fault_code.lower()
        code = platform_code or ("soap_server_fault" if server_side else "soap_client_fault")
        response_summary = f"SOAP Fault {fault_code}: {fault.message} [{platform_code or '-'}]"
        error_class = RetryableError if server_side else PermanentError
        return error_class(
            code,
            message,
            http_status=500,
            request_summary=request_summary,
            response_summary=response_summary,
        )

    @staticmethod
    def _transport_error(error, request_summary):
        status = error.status_code or 0
        kwargs = {
            "http_status": status,
            "request_summary": request_summary,
            "response_summary": f"HTTP {status}: {(error.content or b'')[:300]!r}",
        }
        message = f"HTTP {status} from the SOAP platform: {error.message}"
        if status >= 500:
            return RetryableError("http_5xx", message, **kwargs)
        if status in (401, 403):
            return PermanentError("auth_failed", message, **kwargs)
        return PermanentError("http_4xx", message, **kwargs)
