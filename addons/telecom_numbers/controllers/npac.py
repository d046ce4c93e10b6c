import hashlib
import hmac
import json
import logging
import time

from odoo import http
from odoo.exceptions import UserError, ValidationError
from odoo.http import request

from ..adapters.base import VENDOR_STATUSES

_logger = logging.getLogger(__name__)

# a signed request older (or further in the future) than this is refused: a replay
SIGNATURE_MAX_AGE = 300


def npac_signature(token, timestamp, body):
    """Hex HMAC-SHA256, keyed by the backend's callback token, of ``<timestamp>.<body>``."""
    message = f"{timestamp}.".encode() + body
    return hmac.new(token.encode(), message, hashlib.sha256).hexdigest()


class NpacCallbackController(http.Controller):
    """Status callbacks of NPAC/SOA vendors.

    The vendor POSTs JSON ``{"reference", "status", "foc_date", "reject_code", "message"}`` to
    ``/telecom_numbers/npac/<backend id>/callback`` with the backend's token in the
    ``X-Telecom-Token`` header, the Unix time of sending in ``X-Telecom-Timestamp`` and, in
    ``X-Telecom-Signature``, the HMAC-SHA256 of ``<timestamp>.<body>`` keyed by the token
    (:func:`npac_signature`): a request altered, replayed later than ``SIGNATURE_MAX_AGE``
    seconds, or replayed within them (its signature was already received) is refused. The
    answer is JSON with the HTTP status telling the outcome.
    """

    def _vendor(self, backend_id):
        """The vendor whose token and fresh signature the request carries, or None."""
        backend = request.env["telecom.npac.backend"].sudo().browse(backend_id).exists()
        headers = request.httprequest.headers
        token = headers.get("X-Telecom-Token", "")
        if (
            not backend
            or not backend.callback_token
            or not hmac.compare_digest(token.encode(), backend.callback_token.encode())
        ):
            return None
        timestamp = headers.get("X-Telecom-Timestamp", "")
        if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > SIGNATURE_MAX_AGE:
            return None
        expected = npac_signature(backend.callback_token, timestamp, request.httprequest.get_data())
        if not hmac.compare_digest(headers.get("X-Telecom-Signature", ""), expected):
            return None
        # a signed request seen before is a replay within the freshness window
        Callback = request.env["telecom.npac.callback"].sudo()
        if not Callback._telecom_first_time(backend, expected, SIGNATURE_MAX_AGE):
            return None
        return backend

    def _json_body(self):
        try:
            data = json.loads(request.httprequest.get_data(as_text=True) or "{}")
        except ValueError:
            return None
        return data if isinstance(data, dict) else None

    def _reply(self, status, **body):
        return request.make_response(
            json.dumps(body), headers=[("Content-Type", "application/json")], status=status
        )

    @http.route(
        "/telecom_numbers/npac/<int:backend_id>/callback",
        type="http",
        auth="public",
        methods=["POST"],
        csrf=False,
        save_session=False,
    )
    def npac_callback(self, backend_id, **kwargs):
        backend = self._vendor(backend_id)
        if not backend:
            return self._reply(403, error="unknown vendor, bad token, stale or replayed signature")
        data = self._json_body()
        if data is None or not isinstance(data.get("reference"), str) or not data["reference"]:
            return self._reply(400, error="a JSON object with the request's reference is needed")
        if data.get("status") not in VENDOR_STATUSES:
            return self._reply(400, error="status must be one of " + ", ".join(VENDOR_STATUSES))
        port = (
            request.env["telecom.port.request"]
            .sudo()
            .search(
                [("backend_id", "=", backend.id), ("vendor_reference", "=", data["reference"])],
                limit=1,
            )
        )
        if not port:
            return self._reply(404, error="unknown reference")
        try:
            with request.env.cr.savepoint():
                port._telecom_apply_vendor_status(data)
        except (UserError, ValidationError) as error:
            _logger.warning("NPAC callback for %s not applied: %s", port.name, error)
            return self._reply(409, error=str(error), state=port.state)
        return self._reply(200, reference=port.vendor_reference, state=port.state)

    @http.route(
        "/telecom_numbers/npac/<int:backend_id>/port-out",
        type="http",
        auth="public",
        methods=["POST"],
        csrf=False,
        save_session=False,
    )
    def npac_port_out(self, backend_id, **kwargs):
        """A gaining carrier's port-out request pushed by the vendor (see adapters/base.py):
        recorded once, then validated and answered by the job."""
        backend = self._vendor(backend_id)
        if not backend:
            return self._reply(403, error="unknown vendor, bad token, stale or replayed signature")
        data = self._json_body()
        if data is None or not data.get("reference") or not data.get("numbers"):
            return self._reply(400, error="a JSON object with reference and numbers is needed")
        Request = request.env["telecom.port.request"].sudo()
        Request._telecom_receive_port_outs(backend, [data])
        port = Request.search(
            [("backend_id", "=", backend.id), ("vendor_reference", "=", data["reference"])]
        )
        return self._reply(200, reference=data["reference"], request=port.name)
