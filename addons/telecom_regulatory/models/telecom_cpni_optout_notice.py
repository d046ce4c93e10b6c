from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

# 47 CFR 64.2008(d)(1): at least 30 days after the notice before approval is inferred; for a
# mailed notice the 30 days start on the third day after mailing.
OPTOUT_WAIT_DAYS = 30
MAIL_DELIVERY_DAYS = 3
# 47 CFR 64.2008(a)(2): records of the notification kept at least one year.
RETENTION = relativedelta(years=1)
# 47 CFR 64.2008(d)(2): opt-out notices are given to customers every two years.
RENOTICE_CYCLE = relativedelta(years=2)
OPTOUT_CHANNELS = [
    ("mail", "Mail (letter or bill insert)"),
    ("email", "Email"),
    ("portal", "Customer Portal"),
]
MAILED_CHANNELS = ("mail",)


class TelecomCpniOptoutNotice(models.Model):
    """A CPNI opt-out notice sent to a customer: channel, date and content version, kept for
    the period the rules require; it starts the waiting period after which, without an
    objection, opt-out approval is inferred, and the two-year re-notice cycle."""

    _name = "telecom.cpni.optout.notice"
    _description = "CPNI Opt-out Notice"
    _order = "date_sent desc, id desc"
    _check_company_auto = True

    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, index=True, ondelete="restrict"
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    channel = fields.Selection(OPTOUT_CHANNELS, required=True)
    date_sent = fields.Date(required=True, default=fields.Date.context_today)
    content_version = fields.Char(
        required=True, help="Version of the notice text sent (e.g. CPNI-OPTOUT-2025-01)."
    )
    content = fields.Text(help="The text of the notice as sent, for the record.")
    user_id = fields.Many2one("res.users", string="Sent By", default=lambda self: self.env.user)
    approval_from = fields.Date(
        string="Approval Inferred From",
        compute="_compute_dates",
        store=True,
        help="End of the waiting period: 30 days after an electronic notice, 33 days after a "
        "mailed one.",
    )
    retain_until = fields.Date(compute="_compute_dates", store=True)
    renotice_due = fields.Date(
        string="Re-notice Due",
        compute="_compute_dates",
        store=True,
        help="Opt-out notices are repeated every two years.",
    )

    @api.depends("date_sent", "channel")
    def _compute_dates(self):
        for notice in self:
            if not notice.date_sent:
                notice.approval_from = notice.retain_until = notice.renotice_due = False
                continue
            delay = OPTOUT_WAIT_DAYS + (
                MAIL_DELIVERY_DAYS if notice.channel in MAILED_CHANNELS else 0
            )
            notice.approval_from = notice.date_sent + timedelta(days=delay)
            notice.retain_until = notice.date_sent + RETENTION
            notice.renotice_due = notice.date_sent + RENOTICE_CYCLE

    def _compute_display_name(self):
        for notice in self:
            notice.display_name = (
                f"{notice.partner_id.display_name} {notice.date_sent} ({notice.content_version})"
            )

    @api.model_create_multi
    def create(self, vals_list):
        notices = super().create(vals_list)
        for partner in notices.partner_id:
            partner.telecom_cpni_optout_notice_date = max(
                partner.telecom_cpni_optout_notice_ids.mapped("date_sent")
            )
        return notices

    @api.ondelete(at_uninstall=False)
    def _unlink_except_retained(self):
        today = fields.Date.context_today(self)
        if any(notice.retain_until > today for notice in self):
            raise UserError(
                self.env._(
                    "A CPNI opt-out notice record is kept at least one year after it was sent."
                )
            )
