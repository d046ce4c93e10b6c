from odoo import fields, models


class TelecomInterconnectTrunk(models.Model):
    """A trunk group of the switch towards a carrier: trunk records name it, and it tells
    whose traffic a CDR is."""

    _name = "telecom.interconnect.trunk"
    _description = "Interconnect Trunk Group"
    _order = "name"
    _sql_constraints = [
        (
            "name_uniq",
            "UNIQUE(company_id, name)",
            "A trunk group belongs to one interconnect agreement.",
        ),
    ]

    name = fields.Char(string="Trunk Group", required=True)
    agreement_id = fields.Many2one(
        "telecom.interconnect.agreement", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="agreement_id.company_id", store=True)
