from odoo import api, fields, models

from odoo.addons.telecom_catalog.models.product_template import REGULATORY_CLASSES

SPLIT_METHODS = [
    ("safe_harbor", "Safe Harbor"),
    ("traffic_study", "Traffic Study"),
    ("actual", "Actual (billing records)"),
]


class TelecomForm499Split(models.Model):
    """A filer's interstate and international shares of the revenue of one Form 499 line
    over a period: its own figures (traffic study, billing records, safe harbor), so each
    company (499 filer) keeps its own splits."""

    _name = "telecom.form499.split"
    _description = "Form 499 Interstate/International Split"
    _order = "line_id, date_from desc, id"
    _check_company_auto = True
    _sql_constraints = [
        (
            "pct_range",
            "CHECK(interstate_pct >= 0 AND international_pct >= 0 AND "
            + "interstate_pct + international_pct <= 100)",
            "Interstate and international shares are percentages that add up to 100 at most.",
        ),
    ]

    company_id = fields.Many2one(
        "res.company",
        string="Filer",
        required=True,
        index=True,
        default=lambda self: self.env.company,
        help="The company (499 filer) whose revenue this split applies to.",
    )
    line_id = fields.Many2one("telecom.form499.line", string="499 Line", required=True)
    regulatory_class = fields.Selection(
        REGULATORY_CLASSES, help="Applies to revenue of this class only; empty for all."
    )
    date_from = fields.Date(string="From", required=True)
    date_to = fields.Date(string="To", help="Empty while the split applies.")
    method = fields.Selection(SPLIT_METHODS, required=True, default="safe_harbor")
    interstate_pct = fields.Float(string="Interstate %", digits=(5, 2))
    international_pct = fields.Float(string="International %", digits=(5, 2))
    note = fields.Char(help="Source of the figures (safe harbor order, traffic study).")

    @api.model
    def _telecom_split_for(self, company, line, regulatory_class, date_from, date_to):
        """The split of ``company`` for ``line`` and revenue of ``regulatory_class`` over the
        period: the class-specific one first, the latest start date first."""
        splits = self.search(
            [
                ("company_id", "=", company.id),
                ("line_id", "=", line.id),
                ("regulatory_class", "in", [regulatory_class or False, False]),
                ("date_from", "<=", date_to),
                "|",
                ("date_to", "=", False),
                ("date_to", ">=", date_from),
            ]
        )
        return splits.sorted(lambda s: (bool(s.regulatory_class), s.date_from), reverse=True)[:1]
