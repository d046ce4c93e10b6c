from odoo import fields, models


class TelecomInterconnectDeckReject(models.Model):
    """A row of a carrier deck that could not be read, with the reason."""

    _name = "telecom.interconnect.deck.reject"
    _description = "Rejected Rate Deck Row"
    _inherit = ["telecom.import.reject.mixin"]
    _telecom_reject_parent = "deck_id"
    _order = "deck_id, line_no"

    deck_id = fields.Many2one(
        "telecom.interconnect.deck", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="deck_id.company_id", store=True, index=True)
    line_no = fields.Integer(string="Line")
    reason = fields.Char(required=True)
