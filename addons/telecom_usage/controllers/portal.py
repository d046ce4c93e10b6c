from datetime import timedelta

from odoo import fields, http
from odoo.http import request

from odoo.addons.portal.controllers.portal import pager as portal_pager
from odoo.addons.telecom_billing.controllers.portal import TelecomServicePortal
from odoo.addons.telecom_catalog.controllers.portal import identity_recent, identity_url

USAGE_PERIODS = 6  # billing periods offered on the usage page (current one first)
USAGE_PAGE_SIZE = 50


class TelecomUsagePortal(TelecomServicePortal):
    """The customer's usage and itemised call detail of a service, per billing period."""

    # ------------------------------------------------------------
    # Usage and call detail (CPNI: behind a recent password confirmation)
    # ------------------------------------------------------------

    def _telecom_usage_periods(self, service):
        """``(start, end)`` of the service's billing periods with usage, current first."""
        anchor = service._telecom_today()
        if service.date_end and service.date_end < anchor:
            anchor = service.date_end
        periods = []
        while len(periods) < USAGE_PERIODS:
            start, end = service.subscription_id._telecom_period_of(anchor)
            periods.append((start, end))
            if not service.date_start or start <= service.date_start:
                break
            anchor = start - timedelta(days=1)
        return periods

    def _telecom_usage_check(self, service_id, period):
        """The service, the chosen period and the periods offered; 404 when the service is
        not the customer's."""
        service = self._telecom_service_check(service_id)
        periods = self._telecom_usage_periods(service)
        chosen = next((p for p in periods if fields.Date.to_string(p[0]) == period), periods[0])
        return service, chosen, periods

    def _telecom_reauth_redirect(self):
        return request.redirect(identity_url(request.httprequest.full_path.rstrip("?")))

    @http.route(
        [
            "/my/services/<int:service_id>/usage",
            "/my/services/<int:service_id>/usage/page/<int:page>",
        ],
        type="http",
        auth="user",
        website=True,
    )
    def portal_service_usage(self, service_id, period=None, page=1, **kw):
        service, (date_from, date_to), periods = self._telecom_usage_check(service_id, period)
        if not identity_recent():
            return self._telecom_reauth_redirect()
        Usage = request.env["telecom.usage.record"].sudo()  # ownership checked above
        domain = [
            ("service_id", "=", service.id),
            ("usage_date", ">=", date_from),
            ("usage_date", "<=", date_to),
        ]
        summary = Usage._read_group(
            domain,
            ["usage_type"],
            ["__count", "duration:sum", "volume_bytes:sum", "charge:sum"],
        )
        count = sum(row[1] for row in summary)
        period_arg = fields.Date.to_string(date_from)
        pager = portal_pager(
            url=f"/my/services/{service.id}/usage",
            url_args={"period": period_arg},
            total=count,
            page=page,
            step=USAGE_PAGE_SIZE,
        )
        records = Usage.search(domain, limit=USAGE_PAGE_SIZE, offset=pager["offset"])
        service._telecom_portal_usage_access("usage", date_from, date_to)
        values = self._telecom_service_values(
            service,
            page_name="telecom_service_usage",
            periods=periods,
            date_from=date_from,
            date_to=date_to,
            period_arg=period_arg,
            summary=summary,
            total_charge=sum(row[4] for row in summary),
            records=records,
            pager=pager,
            usage_types=dict(Usage._fields["usage_type"]._description_selection(request.env)),
            directions=dict(Usage._fields["direction"]._description_selection(request.env)),
            tz=request.env.user.tz or "UTC",
        )
        return request.render("telecom_usage.portal_service_usage", values)

    @http.route(
        "/my/services/<int:service_id>/usage/call-detail.csv",
        type="http",
        auth="user",
        website=True,
    )
    def portal_service_call_detail(self, service_id, period=None, **kw):
        service, (date_from, date_to), __ = self._telecom_usage_check(service_id, period)
        if not identity_recent():
            return self._telecom_reauth_redirect()
        content = service._telecom_call_detail_csv(date_from, date_to)
        service._telecom_portal_usage_access("call_detail", date_from, date_to)
        filename = f"call-detail-{service.name.replace('/', '-')}-{date_from}.csv"
        return request.make_response(
            content,
            headers=[
                ("Content-Type", "text/csv; charset=utf-8"),
                ("Content-Disposition", f'attachment; filename="{filename}"'),
                ("Cache-Control", "no-store"),
            ],
        )
