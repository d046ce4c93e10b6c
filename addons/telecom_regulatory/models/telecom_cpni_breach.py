from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.telecom_catalog.tools.us_holidays import add_business_days

BREACH_STATES = [
    ("open", "Determined"),
    ("le_notified", "Law Enforcement Notified"),
    ("customers_notified", "Customers Notified"),
    ("closed", "Closed"),
]


class TelecomCpniBreach(models.Model):
    """CPNI breach record (47 CFR 64.2011): law enforcement (USSS, FBI) and the FCC are
    notified through the central reporting facility within 7 business days of the
    determination; customers not before 7 full business days have passed after the USSS/FBI
    notification (the waiting period, kept in force by default) and by the customer deadline.
    Business days skip weekends and federal holidays. Kept two years."""

    _name = "telecom.cpni.breach"
    _description = "CPNI Breach"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "determination_date desc, id desc"

    name = fields.Char(
        string="Reference",
        required=True,
        copy=False,
        readonly=True,
        default=lambda s: s.env._("New"),
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    discovery_date = fields.Date(required=True, tracking=True)
    determination_date = fields.Date(
        required=True, tracking=True, help="Day it was determined that a breach occurred."
    )
    description = fields.Text(required=True)
    partner_ids = fields.Many2many("res.partner", string="Customers Affected")
    affected_count = fields.Integer(compute="_compute_affected_count", store=True, readonly=False)
    le_deadline = fields.Date(
        string="Law Enforcement Deadline",
        compute="_compute_deadlines",
        store=True,
        help="7 business days (weekends and federal holidays skipped) after the determination.",
    )
    usss_notified_date = fields.Date(string="USSS Notified", tracking=True)
    fbi_notified_date = fields.Date(string="FBI Notified", tracking=True)
    fcc_notified_date = fields.Date(string="FCC Notified", tracking=True)
    customer_wait_until = fields.Date(
        string="Customers Not Before",
        compute="_compute_deadlines",
        store=True,
        help="First day customers may be told: once the waiting period (full business days "
        "after the USSS/FBI notification) has passed.",
    )
    customer_deadline = fields.Date(compute="_compute_deadlines", store=True)
    customer_notified_date = fields.Date(string="Customers Notified", tracking=True)
    retain_until = fields.Date(compute="_compute_deadlines", store=True)
    state = fields.Selection(BREACH_STATES, default="open", required=True, tracking=True)

    @api.depends("partner_ids")
    def _compute_affected_count(self):
        for breach in self:
            breach.affected_count = len(breach.partner_ids)

    @api.depends(
        "determination_date",
        "usss_notified_date",
        "fbi_notified_date",
        "company_id.telecom_cpni_breach_wait_days",
        "company_id.telecom_cpni_breach_customer_days",
    )
    def _compute_deadlines(self):
        for breach in self:
            determined = breach.determination_date
            if not determined:
                breach.le_deadline = breach.customer_deadline = breach.retain_until = False
                breach.customer_wait_until = False
                continue
            company = breach.company_id
            breach.le_deadline = add_business_days(determined, 7)
            breach.customer_deadline = determined + timedelta(
                days=company.telecom_cpni_breach_customer_days
            )
            notified = [d for d in (breach.usss_notified_date, breach.fbi_notified_date) if d]
            wait = company.telecom_cpni_breach_wait_days
            # "until 7 full business days have passed": the day after the 7th business day
            breach.customer_wait_until = (
                add_business_days(max(notified), wait) + timedelta(days=1 if wait else 0)
                if notified
                else False
            )
            breach.retain_until = determined + relativedelta(years=2)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", self.env._("New")) == self.env._("New"):
                vals["name"] = self.env["ir.sequence"].next_by_code("telecom.cpni.breach")
        breaches = super().create(vals_list)
        breaches._telecom_schedule_deadline("le")
        return breaches

    @api.ondelete(at_uninstall=False)
    def _unlink_except_retained(self):
        today = fields.Date.context_today(self)
        if any(b.retain_until and b.retain_until > today for b in self):
            raise UserError(self.env._("A CPNI breach record is kept at least two years."))

    def _telecom_schedule_deadline(self, which):
        officers = self.env.ref("telecom_catalog.group_telecom_regulatory").users
        for breach in self:
            deadline = breach.le_deadline if which == "le" else breach.customer_deadline
            summary = (
                self.env._("Notify USSS, FBI and FCC (central reporting facility)")
                if which == "le"
                else self.env._("Notify the affected customers")
            )
            for officer in officers[:1] or self.env.user:
                breach.activity_schedule(
                    "telecom_regulatory.mail_activity_breach_deadline",
                    date_deadline=deadline,
                    summary=summary,
                    user_id=officer.id,
                )

    def action_law_enforcement_notified(self):
        today = fields.Date.context_today(self)
        for breach in self:
            breach.write(
                {
                    "usss_notified_date": breach.usss_notified_date or today,
                    "fbi_notified_date": breach.fbi_notified_date or today,
                    "fcc_notified_date": breach.fcc_notified_date or today,
                    "state": "le_notified",
                }
            )
        self.activity_feedback(["telecom_regulatory.mail_activity_breach_deadline"])
        self._telecom_schedule_deadline("customers")
        return True

    def action_customers_notified(self):
        today = fields.Date.context_today(self)
        for breach in self:
            if breach.state != "le_notified":
                raise UserError(self.env._("Notify law enforcement before the customers."))
            if breach.customer_wait_until and today < breach.customer_wait_until:
                raise UserError(
                    self.env._(
                        "Customers may be notified from %(date)s, after the law enforcement "
                        "waiting period.",
                        date=breach.customer_wait_until,
                    )
                )
        self.write({"customer_notified_date": today, "state": "customers_notified"})
        self.activity_feedback(["telecom_regulatory.mail_activity_breach_deadline"])
        return True

    def action_close(self):
        self.write({"state": "closed"})
        return True
