from odoo import api, fields, models

QUARTERS = [("1", "Q1"), ("2", "Q2"), ("3", "Q3"), ("4", "Q4")]


class TelecomUsfContributionFactor(models.Model):
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
    public_notice = fields.Char(help="FCC Public Notice announcing the factor.")

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
