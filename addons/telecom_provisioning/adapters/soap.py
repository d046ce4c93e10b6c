"""SOAP platforms, over ``zeep``.

The backend names a WSDL (URL, or a file path) and, optionally, the service address when it
differs from the WSDL's ``soap:address``. Each action calls one operation of the WSDL (defaults
below, overridable per backend through an ``endpoint`` mapping line); the mapped payload gives
the operation's input elements, and the order's idempotency key goes into the element named by
:attr:`SoapAdapter.idempotency_element`.

Errors: a SOAP fault is mapped through its ``detail/errorCode`` (the platform code, looked up in
the error catalogue) or, without one, its fault code (``soap_server_fault`` is retryable,
``soap_client_fault`` permanent); HTTP errors, timeouts and refused connections are mapped like
the REST adapter's; a payload that does not fit the WSDL schema is a permanent ``mapping_error``.
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
from .rest import _is_refused

_CLIENTS = {}
_CLIENTS_LOCK = threading.Lock()
_CLIENTS_MAX = 32


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
        transport = zeep.transports.Transport(
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
        common = {"request_summary": request_summary}
        try:
            service = self._service(read_timeout)
            try:
                operation = service[endpoint]
            except AttributeError as error:
                raise PermanentError(
                    "mapping_error",
                    f"The WSDL has no operation {endpoint} (action {action}).",
                    **common,
                ) from error
            response = operation(**arguments)
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
        if status == 429:
            return RetryableError("http_429", message, **kwargs)
        if status >= 500:
            return RetryableError("http_5xx", message, **kwargs)
        if status in (401, 403):
            return PermanentError("auth_failed", message, **kwargs)
        return PermanentError("http_4xx", message, **kwargs)
