from odoo import fields, models

from .telecom_interconnect_rate import INTERCONNECT_DIRECTIONS, INTERCONNECT_JURISDICTIONS


class TelecomInterconnectSettlementLine(models.Model):
    """Traffic of one direction and jurisdiction in a settlement statement."""

    _name = "telecom.interconnect.settlement.line"
    _description = "Interconnect Settlement Line"
    _order = "settlement_id, direction, jurisdiction"

    settlement_id = fields.Many2one(
        "telecom.interconnect.settlement", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="settlement_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="settlement_id.currency_id")
    direction = fields.Selection(INTERCONNECT_DIRECTIONS, required=True)
    jurisdiction = fields.Selection(INTERCONNECT_JURISDICTIONS)
    call_count = fields.Integer(string="Calls")
    minutes = fields.Float(digits=(16, 2), help="Billable minutes after rounding increments.")
    amount = fields.Monetary()
