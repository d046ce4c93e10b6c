from odoo import api, fields, models
from odoo.exceptions import ValidationError

BILL_DELIVERY_METHODS = [
    ("email", "Email"),
    ("portal", "Portal Only"),
    ("paper", "Paper"),
]


class ResPartner(models.Model):
    _inherit = "res.partner"

    # ------------------------------------------------------------
    # FIELDS
    # ------------------------------------------------------------

    telecom_subscription_ids = fields.One2many(
        "telecom.subscription", "partner_id", string="Telecom Subscriptions"
    )
    telecom_subscription_count = fields.Integer(compute="_compute_telecom_subscription_count")
    telecom_county = fields.Char(
        string="County",
        help="County of this address, for county telecom taxes and 911 fees.",
    )
    telecom_tax_exemption_ids = fields.One2many(
        "telecom.tax.exemption", "partner_id", string="Tax Exemption Certificates"
    )
    telecom_bill_delivery = fields.Selection(
        BILL_DELIVERY_METHODS,
        string="Bill Delivery",
        default="email",
        help="How the bill run delivers this customer's bills: by email with the bill, as a "
        "notice that the bill is on the customer portal, or printed and mailed on paper.",
    )
    telecom_bill_contact_id = fields.Many2one(
        "res.partner",
        string="Bill Email Contact",
        domain="[('id', 'child_of', commercial_partner_id)]",
        help="Contact who receives the bills by email; the customer itself when empty.",
    )
    telecom_autopay_token_id = fields.Many2one(
        "payment.token",
        string="Autopay Payment Method",
        copy=False,
        tracking=True,
        ondelete="set null",
        domain="[('partner_id', 'child_of', commercial_partner_id)]",
        groups="telecom_catalog.group_telecom_billing,account.group_account_invoice",
        help="Saved payment method charged automatically for this customer's telecom bills on "
        "their autopay date. Empty: the customer pays their bills themselves.",
    )

    # ------------------------------------------------------------
    # CONSTRAINT
    # ------------------------------------------------------------

    @api.constrains("telecom_autopay_token_id")
    def _check_telecom_autopay_token(self):
        for partner in self.sudo().filtered("telecom_autopay_token_id"):
            token = partner.telecom_autopay_token_id
            if token.partner_id.commercial_partner_id != partner.commercial_partner_id:
                raise ValidationError(
                    self.env._(
                        "The autopay payment method of %(partner)s must be one of their own "
                        "saved payment methods.",
                        partner=partner.display_name,
                    )
                )

    # ------------------------------------------------------------
    # COMPUTE
    # ------------------------------------------------------------

    def _compute_telecom_subscription_count(self):
        groups = self.env["telecom.subscription"]._read_group(
            [("partner_id", "in", self.commercial_partner_id.ids)], ["partner_id"], ["__count"]
        )
        counts = {partner.id: count for partner, count in groups}
        for partner in self:
            partner.telecom_subscription_count = counts.get(partner.commercial_partner_id.id, 0)

    # ------------------------------------------------------------
    # ACTION
    # ------------------------------------------------------------

    def action_view_telecom_subscriptions(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "telecom_billing.action_telecom_subscription"
        )
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"default_partner_id": self.commercial_partner_id.id}
        return action

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    def _telecom_first_service_date(self):
        """Start of the customer's oldest service (billing knows when service really began);
        the catalog's answer (first confirmed plan order) when no service has started."""
        self.ensure_one()
        service = (
            self.env["telecom.service"]
            .sudo()
            .search(
                [
                    ("partner_id", "=", self.commercial_partner_id.id),
                    ("date_start", "!=", False),
                ],
                order="date_start",
                limit=1,
            )
        )
        return service.date_start or super()._telecom_first_service_date()
