from odoo import api, fields, models

QUARTERS = [("1", "Q1"), ("2", "Q2"), ("3", "Q3"), ("4", "Q4")]


class TelecomUsfContributionFactor(models.Model):
    """The FCC's quarterly universal service contribution factor, entered by staff from the
    Office of Managing Director's public notice of each quarter (seeded from 2025 Q1)."""

    _name = "telecom.usf.contribution.factor"
    _description = "USF Contribution Factor"
    _order = "year desc, quarter desc"
    _sql_constraints = [
        ("quarter_uniq", "UNIQUE(year, quarter)", "One contribution factor per quarter."),
        ("factor_range", "CHECK(factor >= 0 AND factor < 100)", "A factor is a percentage."),
    ]

    year = fields.Integer(required=True)
    quarter = fields.Selection(QUARTERS, required=True)
    factor = fields.Float(string="Factor %", digits=(6, 3), required=True)
    public_notice = fields.Char(
        string="Source",
        required=True,
        help="The FCC public notice announcing the factor (title, DA number, release date).",
    )
    source_note = fields.Text(
        help="Anything an auditor should know about the figure: the link to the notice, a "
        "revision, who checked it.",
    )

    def _compute_display_name(self):
        for factor in self:
            factor.display_name = f"{factor.year} Q{factor.quarter}: {factor.factor}%"

    @api.model
    def _telecom_factor_for(self, day):
        """Factor (percent) of the quarter containing ``day``; None when not recorded."""
        record = self.search(
            [("year", "=", day.year), ("quarter", "=", str((day.month - 1) // 3 + 1))], limit=1
        )
        return record.factor if record else None

    @api.model
    def _telecom_demo_factors(self, factors):
        """Demo: illustrative factors for the quarters of the current year that have no FCC
        figure yet (``factors``: four percentages), marked as demo figures."""
        year = fields.Date.context_today(self).year
        for quarter, factor in zip(("1", "2", "3", "4"), factors, strict=True):
            if not self.search_count([("year", "=", year), ("quarter", "=", quarter)]):
                self.create(
                    {
                        "year": year,
                        "quarter": quarter,
                        "factor": factor,
                        "public_notice": self.env._("Demo figure, not an FCC factor"),
                    }
                )
