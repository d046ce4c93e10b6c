from odoo import fields, models


class PaymentToken(models.Model):
    _inherit = "payment.token"

    # ------------------------------------------------------------
    # FIELDS
    # ------------------------------------------------------------

    telecom_expiry_date = fields.Date(
        string="Expires On",
        help="Last day the card can be charged (end of its expiry month), when known. Autopay "
        "does not charge an expired payment method: it asks the customer to update it.",
    )

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    def _telecom_autopay_problem(self, on_date, company=None):
        """Why autopay cannot charge this payment method on ``on_date`` (for a bill of
        ``company``), or None."""
        self.ensure_one()
        if company and self.company_id != company:
            return self.env._(
                "The payment method %(card)s is set up for another company.",
                card=self._telecom_label(),
            )
        if not self.active:
            return self.env._(
                "The payment method %(card)s was removed.", card=self._telecom_label()
            )
        if self.telecom_expiry_date and self.telecom_expiry_date < on_date:
            return self.env._("The payment method %(card)s expired.", card=self._telecom_label())
        return None

    def _telecom_label(self):
        """``Card •••• 4242``: the payment method and the card's last digits."""
        self.ensure_one()
        return f"{self.payment_method_id.name} {self.display_name}".strip()
