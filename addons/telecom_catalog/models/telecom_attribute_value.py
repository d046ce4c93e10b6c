from odoo import api, fields, models
from odoo.exceptions import ValidationError

TRUE_WORDS = ("1", "true", "yes", "y")
FALSE_WORDS = ("0", "false", "no", "n")


class TelecomAttributeValue(models.Model):
    _name = "telecom.attribute.value"
    _description = "Provisioning Attribute Value of a Plan"
    _order = "product_tmpl_id, sequence, id"
    _sql_constraints = [
        (
            "attribute_uniq",
            "UNIQUE(product_tmpl_id, attribute_id)",
            "A plan can hold each provisioning attribute only once.",
        ),
    ]

    # ------------------------------------------------------------
    # FIELDS
    # ------------------------------------------------------------

    product_tmpl_id = fields.Many2one(
        "product.template", string="Plan", required=True, ondelete="cascade", index=True
    )
    attribute_id = fields.Many2one("telecom.attribute", required=True, ondelete="restrict")
    sequence = fields.Integer(related="attribute_id.sequence", store=True)
    value_type = fields.Selection(related="attribute_id.value_type")
    unit = fields.Char(related="attribute_id.unit")
    value = fields.Char(
        required=True,
        help="Written as text and checked against the attribute's type: a whole number, a "
        "decimal number, yes/no, one of the allowed values, or free text.",
    )

    # ------------------------------------------------------------
    # CONSTRAINT
    # ------------------------------------------------------------

    @api.constrains("value", "attribute_id")
    def _check_value(self):
        for record in self:
            record._typed_value()

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    def _typed_value(self):
        """The value converted to its attribute type; ValidationError if it does not fit."""
        self.ensure_one()
        attribute = self.attribute_id
        raw = (self.value or "").strip()
        kind = attribute.value_type
        try:
            if kind == "integer":
                return int(raw)
            if kind == "float":
                return float(raw)
        except ValueError:
            raise ValidationError(self._type_error()) from None
        if kind == "boolean":
            if raw.lower() in TRUE_WORDS:
                return True
            if raw.lower() in FALSE_WORDS:
                return False
            raise ValidationError(self._type_error())
        if kind == "selection" and raw not in attribute._allowed_values():
            raise ValidationError(self._type_error())
        return raw

    def _type_error(self):
        attribute = self.attribute_id
        expected = {
            "integer": self.env._("a whole number"),
            "float": self.env._("a number"),
            "boolean": self.env._("yes or no"),
            "selection": self.env._("one of: %(values)s", values=attribute.selection_values),
        }.get(attribute.value_type, self.env._("text"))
        return self.env._(
            "Value %(value)r is not valid for attribute %(attribute)s of %(plan)s: "
            "expected %(expected)s.",
            value=self.value,
            attribute=attribute.name,
            plan=self.product_tmpl_id.name,
            expected=expected,
        )
