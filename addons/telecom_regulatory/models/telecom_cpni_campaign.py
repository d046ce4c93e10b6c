from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

# Approval statuses that allow each kind of campaign.
ELIGIBLE_APPROVALS = {"opt_out": ("opt_out", "opt_in"), "opt_in": ("opt_in",)}


class TelecomCpniCampaign(models.Model):
    """Sales or marketing campaign using CPNI (47 CFR 64.2009(c)): recorded and kept at least
    one year, with a mailing list limited to customers who gave the required approval."""

    _name = "telecom.cpni.campaign"
    _description = "CPNI Marketing Campaign"
    _inherit = ["mail.thread"]
    _order = "date desc, id desc"

    name = fields.Char(required=True, tracking=True)
    date = fields.Date(default=fields.Date.context_today, required=True, tracking=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    description = fields.Text(help="What the campaign offers and to whom.")
    cpni_used = fields.Text(string="CPNI Used", help="Which CPNI selects the customers.")
    products_offered = fields.Char()
    approval_required = fields.Selection(
        [
            ("opt_out", "Opt-out approval (communications-related services)"),
            ("opt_in", "Opt-in approval (third parties, non-communications services)"),
        ],
        required=True,
        default="opt_out",
        tracking=True,
    )
    segment = fields.Selection(
        [("residential", "Residential"), ("business", "Business")],
        help="Only customers of this segment; empty for every segment.",
    )
    partner_ids = fields.Many2many("res.partner", string="Mailing List", readonly=True, copy=False)
    partner_count = fields.Integer(compute="_compute_counts")
    excluded_count = fields.Integer(
        readonly=True, copy=False, help="Customers left out for lack of the required approval."
    )
    state = fields.Selection(
        [("draft", "Draft"), ("list_built", "List Built"), ("done", "Done")],
        default="draft",
        required=True,
        tracking=True,
    )
    supervisor_id = fields.Many2one(
        "res.users",
        string="Supervisory Approval",
        readonly=True,
        copy=False,
        tracking=True,
        help="Who approved the outbound campaign (47 CFR 64.2009(d)).",
    )
    retain_until = fields.Date(compute="_compute_retain_until", store=True)

    @api.depends("partner_ids")
    def _compute_counts(self):
        for campaign in self:
            campaign.partner_count = len(campaign.partner_ids)

    @api.depends("date")
    def _compute_retain_until(self):
        for campaign in self:
            campaign.retain_until = campaign.date and campaign.date + relativedelta(years=1)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_retained(self):
        today = fields.Date.context_today(self)
        for campaign in self:
            if campaign.state != "draft" and campaign.retain_until > today:
                raise UserError(
                    self.env._(
                        "Campaign %(name)s must be kept until %(date)s (one year).",
                        name=campaign.name,
                        date=campaign.retain_until,
                    )
                )

    def _telecom_candidate_domain(self):
        self.ensure_one()
        domain = [("telecom_subscription_ids.state", "in", ("active", "suspended"))]
        if self.segment:
            domain.append(("telecom_segment", "=", self.segment))
        return domain

    def action_build_list(self):
        for campaign in self:
            candidates = self.env["res.partner"].search(campaign._telecom_candidate_domain())
            candidates = candidates.filtered(lambda p: p == p.commercial_partner_id)
            allowed = ELIGIBLE_APPROVALS[campaign.approval_required]
            eligible = candidates.filtered(lambda p, a=allowed: p.telecom_cpni_approval in a)
            campaign.write(
                {
                    "partner_ids": [fields.Command.set(eligible.ids)],
                    "excluded_count": len(candidates) - len(eligible),
                    "state": "list_built",
                }
            )
            campaign._message_log(
                body=self.env._(
                    "Mailing list built: %(count)s customer(s); %(excluded)s left out without "
                    "the required approval.",
                    count=len(eligible),
                    excluded=len(candidates) - len(eligible),
                )
            )
        return True

    def action_approve_and_done(self):
        self.write({"state": "done", "supervisor_id": self.env.uid})
        return True
