from odoo import api, fields, models
from odoo.exceptions import ValidationError

FEE_TYPES = [("monthly", "Monthly Provider Fee"), ("one_time", "One-time Fee at Purchase")]


class TelecomBroadbandLabelFee(models.Model):
    _name = "telecom.broadband.label.fee"
    _description = "Fee on a Broadband Label"
    _order = "label_id, fee_type, sequence, id"

    # ------------------------------------------------------------
    # FIELDS
    # ------------------------------------------------------------

    company_id = fields.Many2one(related="label_id.company_id")
    label_id = fields.Many2one(
        "telecom.broadband.label", required=True, ondelete="cascade", index=True
    )
    sequence = fields.Integer(default=10)
    fee_type = fields.Selection(FEE_TYPES, required=True, default="one_time")
    name = fields.Char(required=True, help="As shown on the label, e.g. Installation Fee.")
    amount = fields.Monetary(required=True)
    currency_id = fields.Many2one(related="label_id.currency_id")

    # ------------------------------------------------------------
    # CONSTRAINT
    # ------------------------------------------------------------

    @api.constrains("amount")
    def _check_amount(self):
        for fee in self:
            if fee.currency_id.compare_amounts(fee.amount, 0.0) < 0:
                raise ValidationError(
                    self.env._(
                        "The fee %(fee)s on the broadband label of %(plan)s cannot be negative.",
                        fee=fee.name,
                        plan=fee.label_id.name,
                    )
                )
