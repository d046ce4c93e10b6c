from odoo import fields, models

FORM499_BLOCKS = [
    ("block3", "Block 3: Carrier's Carrier Revenue"),
    ("block4a", "Block 4-A: End-User and Non-Telecommunications Revenue"),
    ("block4b", "Block 4-B: Total Revenue and Uncollectibles"),
]
LINE_KINDS = [
    ("revenue", "Telecommunications Revenue"),
    ("usf_recovery", "Federal USF Recovery Charges"),
    ("non_telecom", "Non-telecommunications Revenue"),
    ("total", "Computed Total"),
    ("uncollectible", "Uncollectible Revenue"),
]


class TelecomForm499Line(models.Model):
    _name = "telecom.form499.line"
    _description = "Form 499 Line"
    _order = "sequence, code"
    _rec_names_search = ["code", "name"]
    _sql_constraints = [("code_uniq", "UNIQUE(code)", "Each Form 499 line number is unique.")]

    code = fields.Char(string="Line", required=True, help="Line number on the form, e.g. 404.1.")
    name = fields.Char(string="Description", required=True, translate=True)
    block = fields.Selection(FORM499_BLOCKS, required=True)
    line_kind = fields.Selection(LINE_KINDS, string="Kind", required=True, default="revenue")
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    note = fields.Text(help="Where the line comes from in the FCC instructions.")

    def _compute_display_name(self):
        for line in self:
            line.display_name = f"{line.code} {line.name}"
