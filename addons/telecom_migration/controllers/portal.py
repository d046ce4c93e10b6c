import base64

from odoo import http
from odoo.http import request

from odoo.addons.portal.controllers.portal import pager as portal_pager
from odoo.addons.telecom_catalog.controllers.portal import (
    TelecomPortal,
    customer_count,
    customer_domain,
    customer_record,
)

PAGE_SIZE = 24  # two years of monthly bills


class TelecomMigrationPortal(TelecomPortal):
    """The customer's bills from the legacy billing system (24 months of history): list,
    detail with lines, and the legacy PDF. A bill that is not the customer's answers 404."""

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "telecom_legacy_invoice_count" in counters:
            values["telecom_legacy_invoice_count"] = customer_count("telecom.migration.invoice")
        return values

    def _telecom_legacy_invoice(self, invoice_id):
        return customer_record(self, "telecom.migration.invoice", int(invoice_id))

    @http.route(
        ["/my/legacy-invoices", "/my/legacy-invoices/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
    )
    def portal_my_legacy_invoices(self, page=1, **kw):
        History = request.env["telecom.migration.invoice"]
        domain = customer_domain()
        pager = portal_pager(
            url="/my/legacy-invoices",
            total=History.search_count(domain),
            page=page,
            step=PAGE_SIZE,
        )
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "legacy_invoices": History.search(domain, limit=PAGE_SIZE, offset=pager["offset"]),
                "pager": pager,
                "page_name": "telecom_legacy_invoice",
                "default_url": "/my/legacy-invoices",
            }
        )
        return request.render("telecom_migration.portal_my_legacy_invoices", values)

    @http.route("/my/legacy-invoices/<int:invoice_id>", type="http", auth="user", website=True)
    def portal_legacy_invoice(self, invoice_id, **kw):
        invoice = self._telecom_legacy_invoice(invoice_id)
        values = self._prepare_portal_layout_values()
        values.update({"legacy_invoice": invoice, "page_name": "telecom_legacy_invoice"})
        return request.render("telecom_migration.portal_legacy_invoice", values)

    @http.route("/my/legacy-invoices/<int:invoice_id>/pdf", type="http", auth="user")
    def portal_legacy_invoice_pdf(self, invoice_id, **kw):
        invoice = self._telecom_legacy_invoice(invoice_id)
        if not invoice.pdf_file:
            raise request.not_found()
        content = base64.b64decode(invoice.pdf_file)
        return request.make_response(
            content,
            headers=[
                ("Content-Type", "application/pdf"),
                ("Content-Length", len(content)),
                ("Content-Disposition", f'inline; filename="{invoice.pdf_filename}"'),
            ],
        )
