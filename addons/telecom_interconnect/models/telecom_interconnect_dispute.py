from odoo import api, fields, models
from odoo.exceptions import UserError

DISPUTE_STATES = [
    ("open", "Open"),
    ("submitted", "Submitted to Carrier"),
    ("won", "Resolved: Carrier Credit"),
    ("lost", "Resolved: We Pay"),
]
DISPUTE_REASONS = [
    ("rate", "Rate differs from the deck"),
    ("minutes", "Minutes differ from our records"),
    ("jurisdiction", "Wrong jurisdiction"),
    ("duplicate", "Duplicate charges"),
    ("other", "Other"),
]


class TelecomInterconnectDispute(models.Model):
    """A dispute of a carrier invoice: the amount it bills above (or below) our rated
    traffic, why, the evidence sent, and how it was resolved. Losing it bills us the
    disputed amount on a vendor bill; winning it needs nothing more (we paid our figure)."""

    _name = "telecom.interconnect.dispute"
    _description = "Interconnect Billing Dispute"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "id desc"

    name = fields.Char(required=True, default="/", readonly=True, copy=False)
    settlement_id = fields.Many2one(
        "telecom.interconnect.settlement", required=True, ondelete="cascade", index=True
    )
    agreement_id = fields.Many2one(related="settlement_id.agreement_id", store=True)
    partner_id = fields.Many2one(related="settlement_id.partner_id", string="Carrier")
    company_id = fields.Many2one(related="settlement_id.company_id", store=True)
    currency_id = fields.Many2one(related="settlement_id.currency_id")
    amount = fields.Monetary(
        string="Disputed Amount",
        required=True,
        tracking=True,
        help="Carrier invoice minus our rated traffic: positive when they bill more.",
    )
    reason = fields.Selection(DISPUTE_REASONS, required=True, default="minutes", tracking=True)
    description = fields.Text()
    evidence = fields.Binary(attachment=True, help="Our call detail or calculation.")
    evidence_filename = fields.Char()
    state = fields.Selection(DISPUTE_STATES, default="open", required=True, tracking=True)
    resolution = fields.Text(tracking=True)
    date_resolved = fields.Date(readonly=True)
    move_id = fields.Many2one(
        "account.move",
        string="Settling Bill",
        readonly=True,
        help="Vendor bill of a lost dispute: the disputed amount we pay after all.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = (
                    self.env["ir.sequence"].next_by_code("telecom.interconnect.dispute") or "/"
                )
        return super().create(vals_list)

    def action_submit(self):
        self._telecom_check_state(("open",))
        self.state = "submitted"

    def action_resolve_won(self):
        """The carrier credits the disputed amount: what we paid (our figure) stands."""
        self._telecom_resolve("won")

    def action_resolve_lost(self):
        """The carrier's figure stands: the disputed amount is billed to us."""
        self._telecom_resolve("lost")
        for dispute in self.filtered(lambda d: d.amount > 0):
            dispute.move_id = dispute.settlement_id._telecom_create_bill_for_amount(
                dispute.amount,
                self.env._("Dispute %(name)s resolved for the carrier", name=dispute.name),
            )

    def _telecom_resolve(self, state):
        self._telecom_check_state(("open", "submitted"))
        if not all(self.mapped("resolution")):
            raise UserError(self.env._("Write the resolution agreed with the carrier first."))
        self.write({"state": state, "date_resolved": fields.Date.context_today(self)})
        self.settlement_id._telecom_update_reconciliation()

    def _telecom_check_state(self, states):
        if any(dispute.state not in states for dispute in self):
            raise UserError(self.env._("This dispute is already resolved or submitted."))
