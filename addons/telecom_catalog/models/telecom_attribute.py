from odoo import api, fields, models
from odoo.exceptions import ValidationError

VALUE_TYPES = [
    ("integer", "Integer"),
    ("float", "Decimal Number"),
    ("selection", "Selection"),
    ("boolean", "Yes / No"),
    ("char", "Text"),
]


class TelecomAttribute(models.Model):
    _name = "telecom.attribute"
    _description = "Provisioning Attribute Definition"
    _order = "sequence, name"
    _sql_constraints = [
        ("code_uniq", "UNIQUE(code)", "Another provisioning attribute already uses this code."),
    ]

    # ------------------------------------------------------------
    # FIELDS
    # ------------------------------------------------------------

    name = fields.Char(required=True, translate=True)
    code = fields.Char(
        required=True,
        help="Technical key used in provisioning payloads and reports, e.g. download_mbps.",
    )
    sequence = fields.Integer(default=10)
    value_type = fields.Selection(VALUE_TYPES, required=True, default="char")
    unit = fields.Char(help="Unit shown after the value, e.g. Mbps, GB, minutes.")
    selection_values = fields.Char(
        string="Allowed Values",
        help="For selection attributes: the allowed values separated by commas, "
        "e.g. fiber,cable,dsl.",
    )
    description = fields.Text(translate=True)
    active = fields.Boolean(default=True)

    # ------------------------------------------------------------
    # CONSTRAINT
    # ------------------------------------------------------------

    @api.constrains("value_type", "selection_values")
    def _check_selection_values(self):
        for attribute in self:
            if attribute.value_type == "selection" and not attribute._allowed_values():
                raise ValidationError(
                    self.env._(
                        "Attribute %(name)s is a selection: list its allowed values, separated "
                        "by commas.",
                        name=attribute.name,
                    )
                )

    @api.constrains("code")
    def _check_code(self):
        for attribute in self:
            if not attribute.code.isidentifier() or not attribute.code.islower():
                raise ValidationError(
                    self.env._(
                        "Attribute code %(code)s must be lower-case letters, digits and "
                        "underscores, starting with a letter (e.g. download_mbps).",
                        code=attribute.code,
                    )
                )

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    def _allowed_values(self):
        self.ensure_one()
        return [v.strip() for v in (self.selection_values or "").split(",") if v.strip()]
