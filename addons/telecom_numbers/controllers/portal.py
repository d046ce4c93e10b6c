import base64

from odoo import fields, http
from odoo.exceptions import UserError, ValidationError
from odoo.http import request

from odoo.addons.portal.controllers.portal import pager as portal_pager
from odoo.addons.telecom_catalog.controllers.portal import (
    TelecomPortal,
    customer_count,
    customer_domain,
    customer_record,
    identity_recent,
    identity_url,
)

LOA_EXTENSIONS = (".pdf", ".png", ".jpg", ".jpeg")
LOA_MAX_BYTES = 10 * 1024 * 1024
# Port-in fields a customer fills in on the portal form (text inputs).
PORT_IN_TEXT_FIELDS = (
    "number_input",
    "losing_carrier",
    "account_number",
    "pin",
    "authorized_name",
    "service_street",
    "service_city",
    "service_zip",
    "billing_telephone_number",
)
PORT_MESSAGES = ("submitted", "resubmitted", "vendor_down", "cancelled")
PORT_OUT_MESSAGES = ("pin", "locked", "unlocked", "sim_locked", "sim_unlocked")


class TelecomNumbersPortal(TelecomPortal):
    """Customer portal for number porting: port-in requests (form, status, fix and resubmit)
    and port-out protection (PIN and lock, behind a recent password confirmation).

    Validation, sending and state changes are the port request's own methods; this class only
    reads the form, checks that the record is the customer's (404 otherwise) and renders.
    """

    # ------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "telecom_port_request_count" in counters:
            values["telecom_port_request_count"] = customer_count("telecom.port.request")
        return values

    def _telecom_port_check(self, request_id):
        return customer_record(self, "telecom.port.request", request_id)

    def _telecom_port_form_values(self, port=None, form=None, errors=None):
        """Values of the port-in form: the request's (when editing) overridden by ``form``."""
        Request = request.env["telecom.port.request"]
        customer = request.env.user.commercial_partner_id
        if port:
            data = {name: port[name] or "" for name in PORT_IN_TEXT_FIELDS}
            data.update(
                service_state_id=port.service_state_id.id,
                subscriber_type=port.subscriber_type,
                port_type=port.port_type,
                desired_due_date=fields.Date.to_string(port.desired_due_date) or "",
            )
        else:
            data = {
                "authorized_name": customer.name,
                "service_street": customer.street or "",
                "service_city": customer.city or "",
                "service_zip": customer.zip or "",
                "service_state_id": customer.state_id.id,
                "subscriber_type": "business" if customer.is_company else "residential",
                "port_type": "simple",
            }
        data.update({k: v for k, v in (form or {}).items() if k != "loa_file"})
        # a PIN is never written back into the page (nor kept in the browser's history)
        data.pop("pin", None)
        data["pin_given"] = bool(port and port.sudo().pin_set)
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "telecom_port",
                "port": port,
                "form": data,
                "errors": errors or [],
                "states": request.env["res.country.state"]
                .sudo()
                .search([("country_id.code", "=", "US")], order="name"),
                "subscriber_types": Request._fields["subscriber_type"].selection,
                "port_types": Request._fields["port_type"].selection,
                "earliest_due_date": Request.new(
                    {"port_type": data.get("port_type") or "simple"}
                )._telecom_earliest_due_date(),
                "csrf": request.csrf_token(),
            }
        )
        return values

    def _telecom_port_vals(self, form):
        """Field values from the posted form; raises ValidationError naming a bad input."""
        _ = request.env._
        vals = {name: (form.get(name) or "").strip() or False for name in PORT_IN_TEXT_FIELDS}
        if not vals["pin"]:
            del vals["pin"]  # the form never shows the PIN given: empty keeps it
        state_id = form.get("service_state_id") or "0"
        state = (
            request.env["res.country.state"]
            .sudo()
            .browse(int(state_id) if state_id.isdigit() else 0)
        )
        vals["service_state_id"] = state.id if state.exists() else False
        Request = request.env["telecom.port.request"]
        for name in ("subscriber_type", "port_type"):
            if form.get(name) in dict(Request._fields[name].selection):
                vals[name] = form[name]
        try:
            vals["desired_due_date"] = fields.Date.to_date(form.get("desired_due_date") or None)
        except ValueError:
            raise ValidationError(_("The desired due date is not a valid date.")) from None
        upload = form.get("loa_file")
        if upload and getattr(upload, "filename", None):
            filename = upload.filename
            content = upload.read()
            if not filename.lower().endswith(LOA_EXTENSIONS):
                raise ValidationError(
                    _("The letter of authorization must be a PDF, PNG or JPEG file.")
                )
            if len(content) > LOA_MAX_BYTES:
                raise ValidationError(_("The letter of authorization must be under 10 MB."))
            vals.update(loa_file=base64.b64encode(content), loa_filename=filename)
        return vals

    def _telecom_port_draft_errors(self, port):
        """What still stops a draft port-in from being sent (the request's own validation)."""
        try:
            return port._telecom_port_in_errors(port._telecom_parse_numbers())
        except ValidationError as error:
            return self._telecom_error_lines(error)

    def _telecom_port_submit(self, port, form):
        """Save the form on ``port`` (new when empty) and send it; returns (port, errors,
        message). Nothing the customer typed is lost: a request that fails validation stays a
        draft (or rejected) with the new values, ready to be fixed."""
        Request = request.env["telecom.port.request"].sudo()
        try:
            with request.env.cr.savepoint():
                vals = self._telecom_port_vals(form)
                if port:
                    port.write(vals)
                else:
                    customer = request.env.user.commercial_partner_id
                    port = Request.create(
                        {**vals, "direction": "in", "partner_id": customer.id, "user_id": False}
                    )
        except (UserError, ValidationError) as error:
            return port, self._telecom_error_lines(error), None
        resubmit = port.state == "rejected"
        try:
            with request.env.cr.savepoint():
                result = port.action_resubmit() if resubmit else port.action_submit()
        except (UserError, ValidationError) as error:
            return port, self._telecom_error_lines(error), None
        if isinstance(result, dict):  # the vendor could not be reached: kept, try again later
            return port, [], "vendor_down"
        port.message_post(
            body=request.env._(
                "%(action)s by %(user)s on the customer portal.",
                action=request.env._("Resubmitted") if resubmit else request.env._("Submitted"),
                user=request.env.user.name,
            ),
            subtype_xmlid="mail.mt_note",
        )
        return port, [], "resubmitted" if resubmit else "submitted"

    # ------------------------------------------------------------
    # Port requests
    # ------------------------------------------------------------

    @http.route(
        ["/my/port-requests", "/my/port-requests/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
    )
    def portal_my_port_requests(self, page=1, **kw):
        Request = request.env["telecom.port.request"]
        domain = customer_domain()
        count = Request.search_count(domain) if Request.has_access("read") else 0
        pager = portal_pager(
            url="/my/port-requests", total=count, page=page, step=self._items_per_page
        )
        ports = (
            Request.search(domain, limit=self._items_per_page, offset=pager["offset"])
            if count
            else Request
        )
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "telecom_port",
                "ports": ports.sudo(),
                "pager": pager,
                "default_url": "/my/port-requests",
            }
        )
        return request.render("telecom_numbers.portal_my_port_requests", values)

    @http.route(
        "/my/port-requests/new",
        type="http",
        auth="user",
        website=True,
        methods=["GET", "POST"],
    )
    def portal_port_request_new(self, **form):
        if request.httprequest.method != "POST":
            return request.render(
                "telecom_numbers.portal_port_request_form", self._telecom_port_form_values()
            )
        port, errors, message = self._telecom_port_submit(None, form)
        if message:
            return request.redirect(f"{port.access_url}?message={message}")
        return request.render(
            "telecom_numbers.portal_port_request_form",
            self._telecom_port_form_values(port or None, form, errors),
        )

    @http.route("/my/port-requests/<int:request_id>", type="http", auth="user", website=True)
    def portal_port_request(self, request_id, message=None, **kw):
        port = self._telecom_port_check(request_id)
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "telecom_port",
                "port": port,
                "attempts": port.attempt_ids.sorted(lambda a: (a.date, a.id), reverse=True),
                "message": message if message in PORT_MESSAGES else None,
                "csrf": request.csrf_token(),
            }
        )
        return request.render("telecom_numbers.portal_port_request_page", values)

    @http.route(
        "/my/port-requests/<int:request_id>/edit",
        type="http",
        auth="user",
        website=True,
        methods=["GET", "POST"],
    )
    def portal_port_request_edit(self, request_id, **form):
        port = self._telecom_port_check(request_id)
        if port.direction != "in" or port.state not in ("draft", "rejected"):
            return request.redirect(port.access_url)
        if request.httprequest.method != "POST":
            errors = self._telecom_port_draft_errors(port) if port.state == "draft" else []
            return request.render(
                "telecom_numbers.portal_port_request_form",
                self._telecom_port_form_values(port, errors=errors),
            )
        port, errors, message = self._telecom_port_submit(port, form)
        if message:
            return request.redirect(f"{port.access_url}?message={message}")
        return request.render(
            "telecom_numbers.portal_port_request_form",
            self._telecom_port_form_values(port, form, errors),
        )

    @http.route(
        "/my/port-requests/<int:request_id>/cancel",
        type="http",
        auth="user",
        website=True,
        methods=["POST"],
    )
    def portal_port_request_cancel(self, request_id, **kw):
        port = self._telecom_port_check(request_id)
        if port.direction == "in" and port.state in (
            "draft",
            "submitted",
            "resubmitted",
            "rejected",
        ):
            try:
                port.action_cancel()
            except UserError:
                return request.redirect(port.access_url)
            return request.redirect(f"{port.access_url}?message=cancelled")
        return request.redirect(port.access_url)

    # ------------------------------------------------------------
    # Port-out protection
    # ------------------------------------------------------------

    @http.route("/my/port-out", type="http", auth="user", website=True)
    def portal_port_out(self, message=None, **kw):
        customer = request.env.user.commercial_partner_id.sudo()
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "telecom_port_out",
                "customer": customer,
                "has_pin": customer.telecom_port_out_pin_set,
                "identity_ok": identity_recent(),
                "reauth_url": identity_url("/my/port-out"),
                "message": message if message in PORT_OUT_MESSAGES else None,
                "errors": [],
                "csrf": request.csrf_token(),
            }
        )
        return request.render("telecom_numbers.portal_port_out", values)

    @http.route("/my/port-out/pin", type="http", auth="user", website=True, methods=["POST"])
    def portal_port_out_pin(self, pin=None, pin_confirm=None, **kw):
        if not identity_recent():
            return request.redirect(identity_url("/my/port-out"))
        customer = request.env.user.commercial_partner_id
        errors = []
        if (pin or "") != (pin_confirm or ""):
            errors = [request.env._("The two PINs are different.")]
        else:
            try:
                with request.env.cr.savepoint():
                    customer._telecom_set_port_out_protection(pin=pin)
            except ValidationError as error:
                errors = self._telecom_error_lines(error)
        if not errors:
            return request.redirect("/my/port-out?message=pin")
        response = self.portal_port_out()
        response.qcontext["errors"] = errors
        return response

    @http.route("/my/port-out/lock", type="http", auth="user", website=True, methods=["POST"])
    def portal_port_out_lock(self, lock=None, **kw):
        if not identity_recent():
            return request.redirect(identity_url("/my/port-out"))
        locked = lock == "1"
        request.env.user.commercial_partner_id._telecom_set_port_out_protection(lock=locked)
        return request.redirect(f"/my/port-out?message={'locked' if locked else 'unlocked'}")

    @http.route("/my/port-out/sim-lock", type="http", auth="user", website=True, methods=["POST"])
    def portal_sim_lock(self, lock=None, **kw):
        if not identity_recent():
            return request.redirect(identity_url("/my/port-out"))
        locked = lock == "1"
        request.env.user.commercial_partner_id._telecom_set_port_out_protection(sim_lock=locked)
        return request.redirect(
            f"/my/port-out?message={'sim_locked' if locked else 'sim_unlocked'}"
        )
