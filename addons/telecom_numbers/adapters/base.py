"""The interface every NPAC/SOA vendor adapter implements.

Porting goes through a service order administration (SOA) vendor that talks to the NPAC.
An adapter turns our port requests into the vendor's API calls and the vendor's answers into
plain dictionaries. Errors are split the connector way:

- ``NpacTransportError``: the call may not have reached the vendor, or its answer was lost
  (connection refused, timeout, HTTP 5xx). Retryable: the caller changes nothing locally, and
  retries with the same idempotency key, so a request the vendor did receive is not processed
  twice.
- ``NpacRequestError``: the vendor refused the request as invalid (HTTP 4xx). Permanent until
  the data is fixed.

Statuses returned by ``submit``/``status`` and sent to the callback are one of
``submitted``, ``foc``, ``rejected``, ``activated``, ``cancelled``, with optional
``foc_date`` (ISO date), ``reject_code`` and ``message``.

Port-out requests of gaining carriers arrive from the vendor (``port_outs`` polls them, the
vendor may also push them to our notification URL), each a dictionary with ``reference``,
``numbers``, ``account_number``, ``pin``, ``authorized_name``, ``zip``, ``btn``,
``due_date``, ``port_type``, ``winning_carrier`` and ``received_at`` (ISO date-time, UTC);
``respond`` answers one of them. ``snap_back`` ends the port of a ported-in number we
disconnect, so that it returns to the carrier owning its block.

The errors are the suite's shared adapter errors (``telecom_catalog/tools/adapter_errors.py``):
``NpacTransportError`` is an ``adapter_errors.RetryableError``, ``NpacRequestError`` an
``adapter_errors.PermanentError``.
"""

from odoo.addons.telecom_catalog.tools.adapter_errors import (
    AdapterError,
    PermanentError,
    RetryableError,
)

VENDOR_STATUSES = ("submitted", "foc", "rejected", "activated", "cancelled")


class NpacError(AdapterError):
    """Base class of NPAC adapter errors."""


class NpacTransportError(NpacError, RetryableError):
    """The vendor could not be reached or did not answer properly: retry later."""


class NpacRequestError(NpacError, PermanentError):
    """The vendor refused the request: fix the data before sending it again."""


class NpacAdapter:
    """Talk to one NPAC/SOA vendor. Subclasses implement the three calls."""

    def __init__(self, base_url, api_key=None, timeout=10.0):
        self.base_url = (base_url or "").rstrip("/")
        self.api_key = api_key
        self.timeout = timeout

    def submit(self, payload, idempotency_key):
        """Send a port-in request (or our answer to a port-out request).

        :param dict payload: the request (see ``telecom.port.request._telecom_vendor_payload``)
        :param str idempotency_key: the same key for every retry of the same attempt
        :return: ``{"reference": str, "status": str, ...}``
        """
        raise NotImplementedError

    def status(self, reference):
        """Current status of a request at the vendor: ``{"status": ..., ...}``."""
        raise NotImplementedError

    def cancel(self, reference):
        """Cancel a request at the vendor: ``{"status": "cancelled", ...}``."""
        raise NotImplementedError

    def port_outs(self):
        """Port-out requests received from gaining carriers and not answered yet."""
        raise NotImplementedError

    def respond(self, reference, answer, idempotency_key):
        """Answer the port-out request ``reference``: ``answer`` has ``decision`` ("concur"
        or "reject"), ``foc_date`` or ``reject_code`` and ``message``."""
        raise NotImplementedError

    def snap_back(self, number, effective_date, idempotency_key):
        """End the port of ported-in ``number`` on ``effective_date`` (ISO date): the number
        goes back to the carrier owning it. Returns ``{"reference", "status"}``."""
        raise NotImplementedError
