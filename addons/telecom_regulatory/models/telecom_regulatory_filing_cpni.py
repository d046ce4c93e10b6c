import logging

from markupsafe import Markup

from odoo import fields, models
from odoo.exceptions import UserError

from .telecom_cpni_complaint import COMPLAINT_CATEGORIES

_logger = logging.getLogger(__name__)

DEFAULT_OPERATING_STATEMENT = Markup(
    "<p>The company has established operating procedures that ensure compliance with the "
    "Commission's CPNI rules (47 CFR 64.2001-64.2011): CPNI fields and call detail are readable "
    "only by employees of the CPNI Authorized group; every access by staff is logged with the "
    "employee, the customer, the reason and the channel; customers are authenticated before "
    "call detail is discussed (CPNI password or back-up answer not based on biographical data, "
    "call back to the number of record, valid photo ID in store); account changes are notified "
    "at once to the contact point of record; customer approval is recorded before CPNI is used "
    "for marketing and campaigns are kept at least one year; breaches are reported to law "
    "enforcement within 7 business days and kept at least two years.</p>"
)


class TelecomRegulatoryFiling(models.Model):
    """Annual CPNI certification (EB Docket No. 06-36), due March 1 for the previous year."""

    _inherit = "telecom.regulatory.filing"

    cpni_officer_id = fields.Many2one(
        "res.users",
        string="Certifying Officer",
        default=lambda self: self.env.company.telecom_cpni_officer_id,
    )
    cpni_operating_statement = fields.Html(
        string="Statement of Operating Procedures", default=DEFAULT_OPERATING_STATEMENT
    )
    cpni_data_broker_actions = fields.Text(
        string="Actions Against Data Brokers",
        default=lambda self: self.env._(
            "The company took no actions against data brokers during the year: it detected no "
            "pretexting attempts."
        ),
    )

    def _telecom_cpni_complaint_summary(self):
        """``[(category label, count)]`` of the complaints of the period."""
        self.ensure_one()
        groups = dict(
            self.env["telecom.cpni.complaint"]
            .sudo()
            ._read_group(
                [("date", ">=", self.date_from), ("date", "<=", self.date_to)],
                ["category"],
                ["__count"],
            )
        )
        return [(label, groups.get(code, 0)) for code, label in COMPLAINT_CATEGORIES]

    def _telecom_cpni_breaches(self):
        self.ensure_one()
        return (
            self.env["telecom.cpni.breach"]
            .sudo()
            .search(
                [
                    ("company_id", "=", self.company_id.id),
                    ("determination_date", ">=", self.date_from),
                    ("determination_date", "<=", self.date_to),
                ]
            )
        )

    def _generate_cpni_cert(self):
        self.ensure_one()
        if not self.cpni_officer_id:
            self._add_error(self.env._("Choose the officer who signs the certification."))
        report = self.env.ref("telecom_regulatory.action_report_cpni_certification")
        try:
            content, kind = report._render_qweb_pdf(report.report_name, self.ids)
        except UserError as error:  # no wkhtmltopdf on this server: keep the HTML version
            _logger.warning("CPNI certification rendered as HTML: %s", error)
            content, kind = report._render_qweb_html(report.report_name, self.ids)
        if isinstance(content, str):
            content = content.encode()
        if kind == "pdf":
            self._attach_file(
                f"cpni_certification_{self.date_to.year}.pdf", content, "application/pdf"
            )
        else:
            self._attach_file(f"cpni_certification_{self.date_to.year}.html", content, "text/html")
