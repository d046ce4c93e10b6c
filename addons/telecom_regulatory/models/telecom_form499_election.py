from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .telecom_form499_split import SPLIT_METHODS

# Interstate safe harbors (2006 Interim Contribution Methodology Order, FCC 06-94; Form 499-A/Q
# instructions): they apply only to monthly and activation charges of these services.
SAFE_HARBOR_CATEGORIES = [
    ("mobile", "Cellular, broadband PCS and other mobile telephony"),
    ("voip", "Interconnected VoIP"),
]
SAFE_HARBOR_PCT = {"mobile": 37.1, "voip": 64.9}


class TelecomForm499Election(models.Model):
    """A filer's single election, per quarter (or calendar year), between the interstate safe
    harbor and its actual interstate/international revenue (traffic study or billing records)
    for one safe-harbor category. The 499 instructions require one election per quarter for
    all the filer's revenue of that category."""

    _name = "telecom.form499.election"
    _description = "Form 499 Safe Harbor Election"
    _order = "date_from desc, category"
    _check_company_auto = True
    _sql_constraints = [
        (
            "period_uniq",
            "UNIQUE(company_id, category, date_from)",
            "A filer makes one election per category and period.",
        ),
        (
            "pct_range",
            "CHECK(interstate_pct >= 0 AND international_pct >= 0"
            + " AND interstate_pct + international_pct <= 100)",
            "Interstate and international shares are percentages that add up to 100 at most.",
        ),
    ]

    # ------------------------------------------------------------
    # FIELDS
    # ------------------------------------------------------------

    company_id = fields.Many2one(
        "res.company", string="Filer", required=True, default=lambda self: self.env.company
    )
    category = fields.Selection(SAFE_HARBOR_CATEGORIES, required=True)
    date_from = fields.Date(
        string="From", required=True, help="First day of a calendar quarter or year."
    )
    date_to = fields.Date(string="To", required=True, help="Last day of that quarter or year.")
    method = fields.Selection(SPLIT_METHODS, required=True, default="safe_harbor")
    interstate_pct = fields.Float(
        string="Interstate %",
        digits=(5, 2),
        compute="_compute_pct",
        store=True,
        readonly=False,
        help="Safe harbor: the FCC's percentage. Traffic study or actual: the study's result.",
    )
    international_pct = fields.Float(
        string="International %", digits=(5, 2), compute="_compute_pct", store=True, readonly=False
    )
    note = fields.Char(
        string="Basis", help="Traffic study reference (period, sample, author) or order cited."
    )

    # ------------------------------------------------------------
    # COMPUTE
    # ------------------------------------------------------------

    @api.depends("method", "category")
    def _compute_pct(self):
        for election in self:
            if election.method == "safe_harbor" and election.category:
                election.interstate_pct = SAFE_HARBOR_PCT[election.category]
                election.international_pct = 0.0

    def _compute_display_name(self):
        labels = dict(SAFE_HARBOR_CATEGORIES)
        methods = dict(SPLIT_METHODS)
        for election in self:
            election.display_name = (
                f"{labels.get(election.category, '')} {election.date_from} - "
                f"{election.date_to}: {methods.get(election.method, '')}"
            )

    # ------------------------------------------------------------
    # CONSTRAINT
    # ------------------------------------------------------------

    @api.constrains("date_from", "date_to", "category", "company_id", "method", "interstate_pct")
    def _check_period(self):
        for election in self:
            start, end = election.date_from, election.date_to
            quarter_end = start + relativedelta(months=3, days=-1)
            year_end = start + relativedelta(years=1, days=-1)
            if (
                start.day != 1
                or start.month not in (1, 4, 7, 10)
                or end
                not in (
                    quarter_end,
                    year_end if start.month == 1 else quarter_end,
                )
            ):
                raise ValidationError(
                    self.env._(
                        "An election covers a calendar quarter or a calendar year: %(start)s to "
                        "%(end)s is neither.",
                        start=start,
                        end=end,
                    )
                )
            overlapping = self.search(
                [
                    ("id", "!=", election.id),
                    ("company_id", "=", election.company_id.id),
                    ("category", "=", election.category),
                    ("date_from", "<=", end),
                    ("date_to", ">=", start),
                ],
                limit=1,
            )
            if overlapping:
                raise ValidationError(
                    self.env._(
                        "%(company)s already made an election for %(category)s over %(other)s: "
                        "one election per quarter. Change that election instead.",
                        company=election.company_id.name,
                        category=dict(SAFE_HARBOR_CATEGORIES)[election.category],
                        other=overlapping.display_name,
                    )
                )
            if election.method == "safe_harbor" and (
                election.interstate_pct != SAFE_HARBOR_PCT[election.category]
                or election.international_pct
            ):
                raise ValidationError(
                    self.env._(
                        "The safe harbor for %(category)s is %(pct)s%% interstate: record other "
                        "percentages as a traffic study.",
                        category=dict(SAFE_HARBOR_CATEGORIES)[election.category],
                        pct=SAFE_HARBOR_PCT[election.category],
                    )
                )
            if election.method == "traffic_study" and not election.note:
                raise ValidationError(
                    self.env._("Name the traffic study the percentages come from (Basis).")
                )

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    @api.model
    def _telecom_elections(self, company, date_from, date_to):
        """``{category: [elections]}`` of ``company`` overlapping the period."""
        elections = self.search(
            [
                ("company_id", "=", company.id),
                ("date_from", "<=", date_to),
                ("date_to", ">=", date_from),
            ]
        )
        result = {}
        for election in elections:
            result.setdefault(election.category, []).append(election)
        return result
