import logging

from markupsafe import Markup

from odoo import fields, models

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
    cpni_data_broker_statement = fields.Text(
        string="Actions Against Data Brokers",
        compute="_compute_cpni_statements",
        help="From the register of actions against data brokers of the year.",
    )
    cpni_pretexting_statement = fields.Text(
        string="Pretexting",
        compute="_compute_cpni_statements",
        help="From the register of pretexting attempts of the year.",
    )
    cpni_complaint_statement = fields.Text(
        string="Customer Complaints",
        compute="_compute_cpni_statements",
        help="From the register of CPNI complaints of the year.",
    )

    def _compute_cpni_statements(self):
        for filing in self:
            if filing.filing_type != "cpni_cert" or not filing.date_to:
                filing.cpni_data_broker_statement = filing.cpni_pretexting_statement = False
                filing.cpni_complaint_statement = False
                continue
            filing.cpni_data_broker_statement = filing._telecom_cpni_broker_statement()
            filing.cpni_pretexting_statement = filing._telecom_cpni_pretexting_statement()
            filing.cpni_complaint_statement = filing._telecom_cpni_complaint_statement()

    def _telecom_cpni_period_domain(self, date_field="date"):
        self.ensure_one()
        return [
            ("company_id", "=", self.company_id.id),
            (date_field, ">=", self.date_from),
            (date_field, "<=", self.date_to),
        ]

    def _telecom_cpni_broker_statement(self):
        actions = (
            self.env["telecom.cpni.broker.action"]
            .sudo()
            .search(self._telecom_cpni_period_domain(), order="date, id")
        )
        year = self.date_to.year
        if not actions:
            return self.env._(
                "The company took no actions against data brokers in %(year)s: it instituted no "
                "proceedings and filed no petitions against data brokers.",
                year=year,
            )
        labels = dict(actions._fields["action_type"].selection)
        lines = [
            self.env._(
                "The company took %(count)s action(s) against data brokers in %(year)s:",
                count=len(actions),
                year=year,
            )
        ]
        lines += [
            f"- {action.date}: {labels[action.action_type]} against {action.broker}"
            + (f" ({action.forum})" if action.forum else "")
            + f": {action.description}"
            + (f" Status: {action.status}." if action.status else "")
            for action in actions
        ]
        return "\n".join(lines)

    def _telecom_cpni_pretexting_statement(self):
        attempts = (
            self.env["telecom.cpni.pretexting"]
            .sudo()
            .search(self._telecom_cpni_period_domain(), order="date, id")
        )
        year = self.date_to.year
        if not attempts:
            return self.env._(
                "The company detected no pretexting attempts in %(year)s and has no further "
                "information on the processes pretexters use to attempt to access CPNI.",
                year=year,
            )
        channels = dict(attempts._fields["channel"].selection)
        by_channel = {}
        for attempt in attempts:
            by_channel.setdefault(channels[attempt.channel], []).append(attempt)
        disclosed = attempts.filtered(lambda a: a.outcome == "disclosed")
        lines = [
            self.env._(
                "The company detected %(count)s pretexting attempt(s) in %(year)s, %(blocked)s "
                "blocked by its authentication procedures and %(disclosed)s that led to a "
                "disclosure (reported as breaches). Processes pretexters used:",
                count=len(attempts),
                year=year,
                blocked=len(attempts) - len(disclosed),
                disclosed=len(disclosed),
            )
        ]
        lines += [
            f"- {channel} ({len(items)}): " + "; ".join(sorted({a.method for a in items}))
            for channel, items in sorted(by_channel.items())
        ]
        return "\n".join(lines)

    def _telecom_cpni_complaint_statement(self):
        summary = self._telecom_cpni_complaint_summary()
        total = sum(count for __, count in summary)
        year = self.date_to.year
        if not total:
            return self.env._(
                "The company received no customer complaints in %(year)s concerning the "
                "unauthorized release of CPNI.",
                year=year,
            )
        return self.env._(
            "The company received %(total)s customer complaint(s) in %(year)s concerning the "
            "unauthorized release of CPNI: %(detail)s.",
            total=total,
            year=year,
            detail=", ".join(f"{label}: {count}" for label, count in summary if count),
        )

    def _telecom_cpni_complaint_summary(self):
        """``[(category label, count)]`` of the complaints of the period."""
        self.ensure_one()
        groups = dict(
            self.env["telecom.cpni.complaint"]
            .sudo()
            ._read_group(
                self._telecom_cpni_period_domain(),
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
        self._telecom_attach_report(
            "telecom_regulatory.action_report_cpni_certification",
            f"cpni_certification_{self.date_to.year}",
        )
