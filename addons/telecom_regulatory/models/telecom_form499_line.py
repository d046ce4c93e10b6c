from odoo import fields, models

FORMS = [("499a", "Form 499-A (annual)"), ("499q", "Form 499-Q (quarterly)")]
FORM499_BLOCKS = [
    ("block3", "Block 3: Carrier's Carrier Revenue"),
    ("block4a", "Block 4-A: End-User and Non-Telecommunications Revenue"),
    ("block4b", "Block 4-B: Total Revenue and Uncollectibles"),
    ("q_carrier", "499-Q Block 3: Carrier's Carrier Revenue"),
    ("q_end_user", "499-Q Block 3: End-User and Non-Telecommunications Revenue"),
]
LINE_KINDS = [
    ("revenue", "Telecommunications Revenue"),
    ("usf_recovery", "Federal USF Recovery Charges"),
    ("non_telecom", "Non-telecommunications Revenue"),
    ("total", "Computed Total"),
    ("uncollectible", "Uncollectible Revenue"),
]
# What a 499-Q line carries, from the period's revenue (499-A figures of the quarter).
Q_FIGURES = [
    ("carrier", "Carrier's carrier revenue (Block 3 of the 499-A)"),
    ("all_revenue", "Gross billed revenue from all sources (499-A line 419)"),
    ("non_telecom", "Non-telecommunications revenue (499-A line 418)"),
    ("usf_recovery", "Federal USF pass-through charges (499-A line 403)"),
    ("end_user", "End-user telecommunications revenue, gross billed (499-A line 420)"),
    ("end_user_collected", "End-user telecommunications revenue net of uncollectibles (line 423)"),
]


class TelecomForm499Line(models.Model):
    _name = "telecom.form499.line"
    _description = "Form 499 Line"
    _order = "form, sequence, code"
    _rec_names_search = ["code", "name"]
    _sql_constraints = [
        ("code_uniq", "UNIQUE(form, code)", "Each line number is unique on its form.")
    ]

    form = fields.Selection(FORMS, required=True, default="499a")
    code = fields.Char(string="Line", required=True, help="Line number on the form, e.g. 404.1.")
    name = fields.Char(string="Description", required=True, translate=True)
    block = fields.Selection(FORM499_BLOCKS, required=True)
    line_kind = fields.Selection(LINE_KINDS, string="Kind", required=True, default="revenue")
    q_figure = fields.Selection(
        Q_FIGURES, string="499-Q Figure", help="499-Q lines: the revenue figure the line carries."
    )
    q_projected = fields.Boolean(
        string="Projected",
        help="499-Q lines: the coming quarter's projection (historical x projected growth).",
    )
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    note = fields.Text(help="Where the line comes from in the FCC instructions.")

    def _compute_display_name(self):
        for line in self:
            line.display_name = f"{line.code} {line.name}"
