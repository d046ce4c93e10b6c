from odoo import api, fields, models

PORT_DIRECTIONS = [("in", "Port-In"), ("out", "Port-Out")]


class TelecomPortRejectCode(models.Model):
    _name = "telecom.port.reject.code"
    _description = "Port Request Rejection Code"
    _order = "sequence, code"
    _sql_constraints = [("code_uniq", "UNIQUE(code)", "This rejection code already exists.")]

    sequence = fields.Integer(default=10)
    code = fields.Char(
        required=True, help="Code exchanged with the NPAC/SOA vendor, e.g. PIN_MISMATCH."
    )
    name = fields.Char(string="Reason", required=True, translate=True)
    fix_hint = fields.Text(
        string="How to Fix",
        required=True,
        translate=True,
        help="Plain-English instructions for the staff member who fixes and resubmits.",
    )
    customer_hint = fields.Text(
        string="Customer Hint",
        translate=True,
        help="What the customer should check or change, shown on the customer portal with a "
        "rejected port-in (addressed to the customer, unlike How to Fix).",
    )
    active = fields.Boolean(default=True)

    def _compute_display_name(self):
        for code in self:
            code.display_name = f"[{code.code}] {code.name}"

    @api.model
    def _telecom_from_vendor(self, code):
        """The catalogue entry of a vendor's rejection code ("Other" when unknown)."""
        found = self.with_context(active_test=False).search([("code", "=", code or "")], limit=1)
        return found or self.env.ref("telecom_numbers.reject_other")
