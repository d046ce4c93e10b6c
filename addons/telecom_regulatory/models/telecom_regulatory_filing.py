import base64
import csv
import hashlib
import io
import logging

from dateutil.relativedelta import relativedelta
from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..tools.periods import due_date_of, periods_due_between

_logger = logging.getLogger(__name__)

FILING_TYPES = [
    ("bdc", "Broadband Data Collection (subscriptions)"),
    ("499a", "Form 499-A (annual)"),
    ("499q", "Form 499-Q (quarterly)"),
    ("cpni_cert", "CPNI Annual Certification"),
    ("rnd", "Reassigned Numbers Database report"),
    ("nruf", "NRUF (Form 502)"),
]
FILING_STATES = [
    ("draft", "Draft"),
    ("reviewed", "Reviewed"),
    ("filed", "Filed"),
]
SHORT_NAMES = {
    "bdc": "BDC",
    "499a": "499-A",
    "499q": "499-Q",
    "cpni_cert": "CPNI Certification",
    "rnd": "RND",
    "nruf": "NRUF",
}


class TelecomRegulatoryFiling(models.Model):
    _name = "telecom.regulatory.filing"
    _description = "Regulatory Filing"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "due_date desc, id desc"
    _check_company_auto = True
    _sql_constraints = [
        (
            "period_uniq",
            "UNIQUE(company_id, filing_type, date_from, date_to)",
            "There is already a filing of this type for this period.",
        ),
        (
            "dates_ordered",
            "CHECK(date_to >= date_from)",
            "A filing period cannot end before it starts.",
        ),
    ]

    # ------------------------------------------------------------
    # FIELDS
    # ------------------------------------------------------------

    name = fields.Char(compute="_compute_name", store=True)
    filing_type = fields.Selection(FILING_TYPES, required=True, tracking=True, index=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    date_from = fields.Date(string="Period Start", required=True, tracking=True)
    date_to = fields.Date(
        string="Period End",
        required=True,
        tracking=True,
        help="Last day of the reporting period; for BDC and NRUF the 'as of' date.",
    )
    due_date = fields.Date(
        compute="_compute_due_date", store=True, readonly=False, tracking=True, index=True
    )
    state = fields.Selection(
        FILING_STATES, default="draft", required=True, tracking=True, index=True, copy=False
    )
    generated_date = fields.Datetime(string="Generated On", readonly=True, copy=False)
    reviewer_id = fields.Many2one("res.users", string="Reviewed By", readonly=True, copy=False)
    review_date = fields.Datetime(string="Reviewed On", readonly=True, copy=False)
    filed_by_id = fields.Many2one("res.users", string="Filed By", readonly=True, copy=False)
    filed_date = fields.Date(string="Filed On", readonly=True, copy=False)
    filing_reference = fields.Char(
        string="Confirmation Number",
        tracking=True,
        help="Confirmation or submission number given by the FCC/USAC system.",
    )
    note = fields.Html()
    error_ids = fields.One2many("telecom.regulatory.filing.error", "filing_id", string="Errors")
    blocking_error_count = fields.Integer(compute="_compute_error_counts")
    warning_count = fields.Integer(compute="_compute_error_counts")
    attachment_count = fields.Integer(string="Files", compute="_compute_attachment_count")
    is_overdue = fields.Boolean(compute="_compute_is_overdue")

    # ------------------------------------------------------------
    # COMPUTE
    # ------------------------------------------------------------

    @api.depends("filing_type", "date_from", "date_to")
    def _compute_name(self):
        for filing in self:
            if not (filing.filing_type and filing.date_to):
                filing.name = self.env._("New filing")
                continue
            label = SHORT_NAMES[filing.filing_type]
            end = filing.date_to
            if filing.filing_type in ("499a", "cpni_cert"):
                period = str(end.year)
            elif filing.filing_type == "499q":
                period = f"{end.year} Q{(end.month - 1) // 3 + 1}"
            elif filing.filing_type == "rnd":
                period = end.strftime("%Y-%m")
            else:
                period = self.env._("as of %(date)s", date=fields.Date.to_string(end))
            filing.name = f"{label} {period}"

    @api.depends("filing_type", "date_to")
    def _compute_due_date(self):
        for filing in self:
            if filing.filing_type and filing.date_to:
                filing.due_date = due_date_of(filing.filing_type, filing.date_to) or (
                    filing.due_date
                )

    @api.depends("error_ids.blocking")
    def _compute_error_counts(self):
        for filing in self:
            filing.blocking_error_count = len(filing.error_ids.filtered("blocking"))
            filing.warning_count = len(filing.error_ids) - filing.blocking_error_count

    def _compute_attachment_count(self):
        groups = self.env["ir.attachment"]._read_group(
            [("res_model", "=", self._name), ("res_id", "in", self.ids)], ["res_id"], ["__count"]
        )
        counts = dict(groups)
        for filing in self:
            filing.attachment_count = counts.get(filing.id, 0)

    def _compute_is_overdue(self):
        today = fields.Date.context_today(self)
        for filing in self:
            filing.is_overdue = bool(
                filing.state != "filed" and filing.due_date and filing.due_date < today
            )

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    @api.ondelete(at_uninstall=False)
    def _unlink_except_filed(self):
        if any(filing.state == "filed" for filing in self):
            raise UserError(self.env._("A filed report is an audit record: it cannot be deleted."))

    # ------------------------------------------------------------
    # ACTION
    # ------------------------------------------------------------

    def action_generate(self):
        """Build the filing's figures and files from the records of its period."""
        for filing in self:
            if filing.state != "draft":
                raise UserError(
                    self.env._(
                        "%(filing)s is %(state)s: reset it to draft before generating it again.",
                        filing=filing.name,
                        state=dict(FILING_STATES)[filing.state],
                    )
                )
            filing.error_ids.unlink()
            generate = getattr(filing, f"_generate_{filing.filing_type}", None)
            if generate is None:
                raise UserError(
                    self.env._("Filing type %(type)s has no generator.", type=filing.filing_type)
                )
            generate()
            filing.generated_date = fields.Datetime.now()
            filing._message_log(
                body=self.env._(
                    "Generated from the records of %(start)s to %(end)s: %(blocking)s blocking "
                    "error(s), %(warnings)s warning(s).",
                    start=filing.date_from,
                    end=filing.date_to,
                    blocking=filing.blocking_error_count,
                    warnings=filing.warning_count,
                )
            )
        return True

    def action_review(self):
        for filing in self:
            if filing.state != "draft":
                raise UserError(self.env._("Only a draft filing can be marked reviewed."))
            if not filing.generated_date:
                raise UserError(
                    self.env._("Generate %(filing)s before reviewing it.", filing=filing.name)
                )
            if filing.blocking_error_count:
                raise UserError(
                    self.env._(
                        "%(filing)s has %(count)s blocking error(s): fix the records listed on "
                        "the Errors tab and generate it again.",
                        filing=filing.name,
                        count=filing.blocking_error_count,
                    )
                )
        self.write(
            {"state": "reviewed", "reviewer_id": self.env.uid, "review_date": fields.Datetime.now()}
        )
        return True

    def action_file(self):
        for filing in self:
            if filing.state != "reviewed":
                raise UserError(
                    self.env._(
                        "%(filing)s must be reviewed before it is filed.", filing=filing.name
                    )
                )
        self.write(
            {
                "state": "filed",
                "filed_by_id": self.env.uid,
                "filed_date": fields.Date.context_today(self),
            }
        )
        self.activity_feedback(["telecom_regulatory.mail_activity_filing_due"])
        for filing in self:
            filing._telecom_log_filed_files()
        return True

    def _telecom_log_filed_files(self):
        """Chatter note with the SHA-256 of every file filed: an auditor can check that the
        files kept are the ones sent."""
        self.ensure_one()
        attachments = self.env["ir.attachment"].search(
            [("res_model", "=", self._name), ("res_id", "=", self.id)], order="name"
        )
        lines = [
            f"{a.name}: {hashlib.sha256(base64.b64decode(a.datas or b'')).hexdigest()}"
            for a in attachments
        ]
        self._message_log(
            body=Markup("%s<ul>%s</ul>")
            % (
                self.env._("Filed with these files (SHA-256):"),
                Markup("").join(Markup("<li>%s</li>") % line for line in lines),
            )
        )

    def action_reset_draft(self):
        self.write({"state": "draft", "reviewer_id": False, "review_date": False})
        return True

    def action_view_attachments(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Files of %(filing)s", filing=self.name),
            "res_model": "ir.attachment",
            "view_mode": "list,form",
            "domain": [("res_model", "=", self._name), ("res_id", "=", self.id)],
            "context": {"default_res_model": self._name, "default_res_id": self.id},
        }

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    def _add_error(self, message, blocking=True, record=None, **values):
        self.ensure_one()
        vals = {"filing_id": self.id, "message": message, "blocking": blocking, **values}
        if record is not None and record:
            vals["res_model"] = record._name
            vals["res_id"] = record.id
        return self.env["telecom.regulatory.filing.error"].create(vals)

    def _attach_file(self, filename, content, mimetype="text/csv"):
        """Attach ``content`` (bytes) as ``filename``, replacing a previous version of it."""
        self.ensure_one()
        Attachment = self.env["ir.attachment"]
        Attachment.search(
            [("res_model", "=", self._name), ("res_id", "=", self.id), ("name", "=", filename)]
        ).unlink()
        return Attachment.create(
            {
                "name": filename,
                "res_model": self._name,
                "res_id": self.id,
                "mimetype": mimetype,
                "datas": base64.b64encode(content),
            }
        )

    def _telecom_attach_report(self, report_ref, basename):
        """Render QWeb report ``report_ref`` of this filing and attach it as
        ``basename``.pdf (``.html`` when the server cannot print PDF: no wkhtmltopdf)."""
        self.ensure_one()
        report = self.env.ref(report_ref)
        try:
            content, kind = report._render_qweb_pdf(report.report_name, self.ids)
        except UserError as error:
            _logger.warning("%s rendered as HTML: %s", basename, error)
            content, kind = report._render_qweb_html(report.report_name, self.ids)
        if isinstance(content, str):
            content = content.encode()
        if kind == "pdf":
            return self._attach_file(f"{basename}.pdf", content, "application/pdf")
        return self._attach_file(f"{basename}.html", content, "text/html")

    @staticmethod
    def _csv_bytes(header, rows):
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        if header:
            writer.writerow(header)
        writer.writerows(rows)
        return buffer.getvalue().encode("utf-8")

    def _file_prefix(self):
        self.ensure_one()
        return f"{self.filing_type}_{fields.Date.to_string(self.date_to)}"

    @api.model
    def _telecom_demo_filings(self):
        """Demo: one filing of each type for its current period, generated."""
        today = fields.Date.context_today(self)
        half_start = today.replace(month=1 if today.month <= 6 else 7, day=1)
        half_end = half_start + relativedelta(months=6, days=-1)
        quarter_start = today.replace(month=3 * ((today.month - 1) // 3) + 1, day=1)
        last_month = today.replace(day=1) - relativedelta(months=1)
        periods = [
            ("bdc", half_start, half_end),
            ("499q", quarter_start, quarter_start + relativedelta(months=3, days=-1)),
            ("499a", today.replace(month=1, day=1), today.replace(month=12, day=31)),
            (
                "cpni_cert",
                today.replace(year=today.year - 1, month=1, day=1),
                today.replace(year=today.year - 1, month=12, day=31),
            ),
            ("rnd", last_month, last_month + relativedelta(months=1, days=-1)),
            ("nruf", half_start, half_end),
        ]
        for filing_type, start, end in periods:
            filing = self.create({"filing_type": filing_type, "date_from": start, "date_to": end})
            filing.action_generate()

    # calendar -------------------------------------------------------------------------

    @api.model
    def _calendar_lead_days(self, company):
        return company.telecom_filing_lead_days or 30

    @api.model
    def _cron_filing_calendar(self, batch_size=50):
        """Create the filings falling due soon and remind the Regulatory Officers.

        Idempotent: a filing exists once per company, type and period (unique constraint),
        and a reminder activity is scheduled only when the filing has none open.
        """
        today = fields.Date.context_today(self)
        group = self.env.ref("telecom_catalog.group_telecom_regulatory")
        activity_type = self.env.ref("telecom_regulatory.mail_activity_filing_due")
        done = 0
        for company in self.env["res.company"].search([]):
            officers = group.users.filtered(lambda u, c=company: c in u.company_ids and u.active)
            horizon = today + relativedelta(days=self._calendar_lead_days(company))
            for filing_type, __ in FILING_TYPES:
                for start, end, due in periods_due_between(filing_type, today, horizon):
                    if done >= batch_size:
                        self.env["ir.cron"]._notify_progress(done=done, remaining=1)
                        return
                    filing = self.search(
                        [
                            ("company_id", "=", company.id),
                            ("filing_type", "=", filing_type),
                            ("date_from", "=", start),
                            ("date_to", "=", end),
                        ]
                    )
                    if not filing:
                        filing = self.create(
                            {
                                "company_id": company.id,
                                "filing_type": filing_type,
                                "date_from": start,
                                "date_to": end,
                                "due_date": due,
                            }
                        )
                        done += 1
                    if filing.state == "filed":
                        continue
                    planned = filing.activity_ids.filtered(
                        lambda a: a.activity_type_id == activity_type
                    ).user_id
                    for officer in officers - planned:
                        filing.activity_schedule(
                            "telecom_regulatory.mail_activity_filing_due",
                            date_deadline=due,
                            summary=self.env._(
                                "%(filing)s due on %(date)s", filing=filing.name, date=due
                            ),
                            user_id=officer.id,
                        )
        self.env["ir.cron"]._notify_progress(done=done, remaining=0)
