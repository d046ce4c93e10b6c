from odoo import http
from odoo.http import request

from odoo.addons.telecom_catalog.models.telecom_broadband_label import CSV_ROUTE, LABEL_ROUTE


class BroadbandLabelController(http.Controller):
    """Public broadband labels (FCC 22-86): one page per label and the machine-readable file.

    Labels are public information the FCC requires to be reachable without logging in, so
    these routes read them as superuser; only labels (never other records) are exposed.
    """

    @http.route(f"{LABEL_ROUTE}<string:identifier>", type="http", auth="public", methods=["GET"])
    def broadband_label(self, identifier, **kwargs):
        label = (
            request.env["telecom.broadband.label"]
            .sudo()
            .with_context(active_test=False)
            .search([("unique_identifier", "=", identifier)], limit=1)
        )
        if not label:
            raise request.not_found()
        return request.render(
            "telecom_catalog.broadband_label_page",
            {"label": label, "rows": label._telecom_csv_row()},
        )

    @http.route(CSV_ROUTE, type="http", auth="public", methods=["GET"])
    def broadband_labels_csv(self, **kwargs):
        content = request.env["telecom.broadband.label"].sudo()._telecom_csv()
        return request.make_response(
            content.encode("utf-8"),
            headers=[
                ("Content-Type", "text/csv; charset=utf-8"),
                ("Content-Disposition", 'attachment; filename="broadband_labels.csv"'),
            ],
        )
