from odoo import fields, models

PRETEXTING_CHANNELS = [
    ("phone", "Phone"),
    ("store", "Retail Store"),
    ("online", "Online / Portal"),
    ("email", "Email"),
]
PRETEXTING_OUTCOMES = [
    ("blocked", "Blocked: nothing disclosed"),
    ("disclosed", "CPNI disclosed (see breach)"),
]


class TelecomCpniPretexting(models.Model):
    """Register of attempts to obtain CPNI under false pretences, kept by staff: what the
    annual certification says about the processes pretexters use comes from it."""

    _name = "telecom.cpni.pretexting"
    _description = "CPNI Pretexting Attempt"
    _order = "date desc, id desc"

    date = fields.Date(required=True, default=fields.Date.context_today)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    channel = fields.Selection(PRETEXTING_CHANNELS, required=True)
    method = fields.Char(
        required=True,
        help="How the caller tried to get the data (e.g. posed as the account holder with a "
        "stolen date of birth).",
    )
    partner_id = fields.Many2one("res.partner", string="Account Targeted")
    outcome = fields.Selection(PRETEXTING_OUTCOMES, required=True, default="blocked")
    breach_id = fields.Many2one("telecom.cpni.breach", string="Breach Record")
    user_id = fields.Many2one("res.users", string="Reported By", default=lambda self: self.env.user)
    note = fields.Text()
