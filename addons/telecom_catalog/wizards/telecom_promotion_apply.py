from odoo import Command, api, fields, models
from odoo.exceptions import UserError


class TelecomPromotionApply(models.TransientModel):
    _name = "telecom.promotion.apply"
    _description = "Apply a Promotion to a Quotation"

    # ------------------------------------------------------------
    # FIELDS
    # ------------------------------------------------------------

    order_id = fields.Many2one("sale.order", required=True, ondelete="cascade")
    partner_id = fields.Many2one(related="order_id.partner_id")
    company_id = fields.Many2one(related="order_id.company_id")
    promotion_id = fields.Many2one(
        "telecom.promotion",
        required=True,
        domain="[('company_id', 'in', (False, company_id))]",
        help="Type the promotion's name or code.",
    )
    promotion_summary = fields.Char(related="promotion_id.summary")
    eligible = fields.Boolean(compute="_compute_eligibility")
    eligibility_note = fields.Text(compute="_compute_eligibility")

    # ------------------------------------------------------------
    # COMPUTE
    # ------------------------------------------------------------

    @api.depends("order_id", "promotion_id")
    def _compute_eligibility(self):
        for wizard in self:
            if not wizard.promotion_id or not wizard.order_id:
                wizard.eligible = False
                wizard.eligibility_note = False
                continue
            errors = wizard._eligibility_errors()
            wizard.eligible = not errors
            if errors:
                wizard.eligibility_note = self.env._(
                    "%(customer)s is not eligible:\n%(reasons)s",
                    customer=wizard.partner_id.display_name,
                    reasons="\n".join(f"- {error}" for error in errors),
                )
            else:
                wizard.eligibility_note = self.env._(
                    "%(customer)s is eligible: %(summary)s.",
                    customer=wizard.partner_id.display_name,
                    summary=wizard.promotion_id.summary,
                )

    # ------------------------------------------------------------
    # ACTION
    # ------------------------------------------------------------

    def action_apply(self):
        self.ensure_one()
        order = self.order_id
        if order.state not in ("draft", "sent"):
            raise UserError(
                self.env._(
                    "Promotions can only be applied to quotations; %(order)s is confirmed or "
                    "cancelled.",
                    order=order.name,
                )
            )
        if self.promotion_id in order.telecom_promotion_ids:
            raise UserError(
                self.env._(
                    "Promotion %(promotion)s is already applied to %(order)s.",
                    promotion=self.promotion_id.name,
                    order=order.name,
                )
            )
        errors = self._eligibility_errors()
        if errors:
            raise UserError(
                self.env._(
                    "%(customer)s is not eligible for promotion %(promotion)s:\n%(reasons)s",
                    customer=self.partner_id.display_name,
                    promotion=self.promotion_id.name,
                    reasons="\n".join(f"- {error}" for error in errors),
                )
            )
        order.write({"telecom_promotion_ids": [Command.link(self.promotion_id.id)]})
        return {"type": "ir.actions.act_window_close"}

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    def _eligibility_errors(self):
        self.ensure_one()
        order = self.order_id
        return self.promotion_id._telecom_eligibility_errors(
            order.partner_id,
            order._telecom_plan_lines().product_id.product_tmpl_id,
            fields.Date.context_today(self),
            other_promotions=order.telecom_promotion_ids,
            address=order.partner_shipping_id or order.partner_id,
        )
