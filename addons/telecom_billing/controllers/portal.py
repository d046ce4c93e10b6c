from odoo import http
from odoo.exceptions import UserError, ValidationError
from odoo.http import request

from odoo.addons.portal.controllers.portal import pager as portal_pager
from odoo.addons.telecom_catalog.controllers.portal import (
    TelecomPortal,
    customer_count,
    customer_domain,
    customer_record,
)

PLAN_CHANGE_TIMINGS = ("now", "next_cycle")
MAX_ADDON_QUANTITY = 20
# Outcome of a request shown on the service page after the redirect (?message=...).
SERVICE_MESSAGES = (
    "plan_done",
    "plan_sent",
    "plan_scheduled",
    "plan_unscheduled",
    "addon_done",
    "addon_sent",
)


def to_int(value, default=None):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


class TelecomServicePortal(TelecomPortal):
    """Customer portal for telecom services: list, detail, plan change and add-ons.

    Previews answer GET or POST (they change nothing); a change needs a POST with ``confirm``
    (and the CSRF token).

    Every route answers 404 for a service that is not the logged-in customer's (record rules
    plus an explicit commercial-partner check). Changes go through the service's own request
    methods (catalog rules, provisioning order, billing settlement); the previews come from
    the same proration code the bill run uses.
    """

    # ------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "telecom_service_count" in counters:
            values["telecom_service_count"] = customer_count("telecom.service")
        return values

    def _telecom_service_check(self, service_id):
        return customer_record(self, "telecom.service", to_int(service_id, 0))

    def _telecom_service_values(self, service, **kwargs):
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "telecom_service",
                "service": service,
                "subscription": service.subscription_id,
                "csrf": request.csrf_token(),
                **kwargs,
            }
        )
        return values

    def _telecom_service_invoices(self, service, limit=5):
        """Posted invoices of the service's billing account the customer may read."""
        Move = request.env["account.move"]
        if not Move.has_access("read"):
            return Move
        return Move.search(
            [
                ("telecom_subscription_id", "=", service.subscription_id.id),
                ("move_type", "in", ("out_invoice", "out_refund")),
                ("state", "=", "posted"),
            ],
            order="invoice_date desc, id desc",
            limit=limit,
        )

    # ------------------------------------------------------------
    # Services
    # ------------------------------------------------------------

    def _telecom_service_sortings(self):
        return {
            "name": {"label": request.env._("Reference"), "order": "name"},
            "state": {"label": request.env._("Status"), "order": "state, name"},
        }

    def _telecom_service_filters(self):
        return {
            "all": {"label": request.env._("All"), "domain": []},
            "current": {
                "label": request.env._("Current"),
                "domain": [("state", "in", ("pending", "active", "suspended"))],
            },
            "terminated": {
                "label": request.env._("Terminated"),
                "domain": [("state", "=", "terminated")],
            },
        }

    @http.route(
        ["/my/services", "/my/services/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
    )
    def portal_my_services(self, page=1, sortby="name", filterby="current", **kw):
        Service = request.env["telecom.service"]
        sortings = self._telecom_service_sortings()
        filters = self._telecom_service_filters()
        sortby = sortby if sortby in sortings else "name"
        filterby = filterby if filterby in filters else "current"
        domain = customer_domain() + filters[filterby]["domain"]
        count = Service.search_count(domain) if Service.has_access("read") else 0
        pager = portal_pager(
            url="/my/services",
            url_args={"sortby": sortby, "filterby": filterby},
            total=count,
            page=page,
            step=self._items_per_page,
        )
        services = (
            Service.search(
                domain,
                order=sortings[sortby]["order"],
                limit=self._items_per_page,
                offset=pager["offset"],
            )
            if count
            else Service
        )
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "telecom_service",
                "services": services.sudo(),
                "pager": pager,
                "default_url": "/my/services",
                "searchbar_sortings": sortings,
                "sortby": sortby,
                "searchbar_filters": filters,
                "filterby": filterby,
            }
        )
        return request.render("telecom_billing.portal_my_services", values)

    @http.route("/my/services/<int:service_id>", type="http", auth="user", website=True)
    def portal_my_service(self, service_id, message=None, **kw):
        service = self._telecom_service_check(service_id)
        history = service.history_ids.sorted(lambda h: (h.date, h.id), reverse=True)[:10]
        values = self._telecom_service_values(
            service,
            invoices=self._telecom_service_invoices(service),
            history=history,
            labels=service.product_id.product_tmpl_id.telecom_broadband_label_ids,
            message=message if message in SERVICE_MESSAGES else None,
        )
        return request.render("telecom_billing.portal_service_page", values)

    # ------------------------------------------------------------
    # Plan change
    # ------------------------------------------------------------

    @http.route(
        "/my/services/<int:service_id>/plan",
        type="http",
        auth="user",
        website=True,
        methods=["GET", "POST"],
    )
    def portal_service_change_plan(
        self, service_id, plan_id=None, timing="now", confirm=None, **kw
    ):
        service = self._telecom_service_check(service_id)
        plans = service._telecom_available_plans()
        timing = timing if timing in PLAN_CHANGE_TIMINGS else "now"
        plan = plans.filtered(lambda p: p.id == to_int(plan_id))
        values = self._telecom_service_values(
            service, page_name="telecom_service_plan", plans=plans, plan=plan, timing=timing
        )
        if not plan_id:
            return request.render("telecom_billing.portal_service_plan", values)
        if not plan:
            values["errors"] = [request.env._("Choose one of the plans offered below.")]
            return request.render("telecom_billing.portal_service_plan", values)
        preview = service._telecom_plan_change_preview(plan, timing=timing)
        values["preview"] = preview
        if confirm and not preview["errors"] and request.httprequest.method == "POST":
            try:
                service._telecom_request_change_plan(plan, timing=timing)
            except (UserError, ValidationError) as error:
                values["errors"] = self._telecom_error_lines(error)
            else:
                if timing == "next_cycle":
                    message = "plan_scheduled"
                else:
                    message = "plan_done" if service.product_id == plan else "plan_sent"
                return request.redirect(f"/my/services/{service.id}?message={message}")
        return request.render("telecom_billing.portal_service_plan", values)

    @http.route(
        "/my/services/<int:service_id>/plan/cancel-scheduled",
        type="http",
        auth="user",
        website=True,
        methods=["POST"],
    )
    def portal_service_cancel_scheduled_plan(self, service_id, **kw):
        service = self._telecom_service_check(service_id)
        if not service.next_plan_id:
            return request.redirect(service.access_url)
        service.action_cancel_scheduled_plan()
        return request.redirect(f"{service.access_url}?message=plan_unscheduled")

    # ------------------------------------------------------------
    # Add-ons
    # ------------------------------------------------------------

    @http.route(
        "/my/services/<int:service_id>/addons/add",
        type="http",
        auth="user",
        website=True,
        methods=["GET", "POST"],
    )
    def portal_service_add_addon(self, service_id, addon_id=None, quantity=1, confirm=None, **kw):
        service = self._telecom_service_check(service_id)
        addons = service._telecom_available_addons()
        addon = addons.filtered(lambda a: a.id == to_int(addon_id))
        quantity = to_int(quantity, 1)
        values = self._telecom_service_values(
            service,
            page_name="telecom_service_addon",
            addons=addons,
            addon=addon,
            quantity=quantity,
        )
        if not addon_id:
            return request.render("telecom_billing.portal_service_addon", values)
        if not addon:
            values["errors"] = [request.env._("Choose one of the add-ons offered below.")]
            return request.render("telecom_billing.portal_service_addon", values)
        if not 1 <= quantity <= MAX_ADDON_QUANTITY:
            values["errors"] = [
                request.env._("The quantity must be between 1 and %(max)s.", max=MAX_ADDON_QUANTITY)
            ]
            return request.render("telecom_billing.portal_service_addon", values)
        preview = service._telecom_add_addon_preview(addon, quantity)
        values["preview"] = preview
        if confirm and not preview["errors"] and request.httprequest.method == "POST":
            before = service.addon_line_ids
            try:
                service._telecom_request_add_addon(addon, quantity)
            except (UserError, ValidationError) as error:
                values["errors"] = self._telecom_error_lines(error)
            else:
                message = "addon_done" if service.addon_line_ids - before else "addon_sent"
                return request.redirect(f"/my/services/{service.id}?message={message}")
        return request.render("telecom_billing.portal_service_addon", values)

    @http.route(
        "/my/services/<int:service_id>/addons/<int:line_id>/remove",
        type="http",
        auth="user",
        website=True,
        methods=["GET", "POST"],
    )
    def portal_service_remove_addon(self, service_id, line_id, confirm=None, **kw):
        service = self._telecom_service_check(service_id)
        line = service.addon_line_ids.filtered(lambda a: a.id == line_id and a.state == "active")
        if not line:
            raise request.not_found()
        preview = service._telecom_remove_addon_preview(line)
        values = self._telecom_service_values(
            service, page_name="telecom_service_addon", line=line, preview=preview
        )
        if request.httprequest.method == "POST" and confirm and not preview["errors"]:
            try:
                service._telecom_request_remove_addon(line)
            except (UserError, ValidationError) as error:
                values["errors"] = self._telecom_error_lines(error)
            else:
                message = "addon_done" if line.state == "removed" else "addon_sent"
                return request.redirect(f"/my/services/{service.id}?message={message}")
        return request.render("telecom_billing.portal_service_addon_remove", values)
