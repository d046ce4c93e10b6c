from odoo import api, fields, models


class TelecomServicePromotion(models.Model):
    _name = "telecom.service.promotion"
    _description = "Promotion Applied to a Telecom Service"
    _order = "service_id, id"
    _sql_constraints = [
        (
            "service_promotion_uniq",
            "UNIQUE(service_id, promotion_id)",
            "A promotion applies once to a service.",
        ),
    ]

    # ------------------------------------------------------------
    # FIELDS
    # ------------------------------------------------------------

    company_id = fields.Many2one(related="service_id.company_id")
    service_id = fields.Many2one("telecom.service", required=True, ondelete="cascade", index=True)
    subscription_id = fields.Many2one(related="service_id.subscription_id", store=True, index=True)
    promotion_id = fields.Many2one("telecom.promotion", required=True, ondelete="restrict")
    sale_order_id = fields.Many2one("sale.order", readonly=True)
    months_total = fields.Integer(
        string="Billing Months",
        compute="_compute_months_total",
        store=True,
        readonly=False,
        help="Invoices the discount applies to; 0 means forever. Copied from the promotion "
        "when the order was confirmed.",
    )
    move_line_ids = fields.One2many(
        "account.move.line", "telecom_service_promotion_id", string="Discount Lines"
    )
    months_applied = fields.Integer(
        compute="_compute_months", store=True, help="Invoices that carried the discount."
    )
    months_remaining = fields.Integer(compute="_compute_months", store=True)
    state = fields.Selection(
        [("active", "Running"), ("done", "Finished")],
        compute="_compute_months",
        store=True,
    )

    # ------------------------------------------------------------
    # COMPUTE
    # ------------------------------------------------------------

    @api.depends("promotion_id")
    def _compute_months_total(self):
        for line in self:
            line.months_total = line.promotion_id.duration_months

    @api.depends("months_total", "move_line_ids.move_id")
    def _compute_months(self):
        for line in self:
            applied = len(line.move_line_ids.move_id)
            line.months_applied = applied
            line.months_remaining = max(line.months_total - applied, 0) if line.months_total else 0
            line.state = "done" if line.months_total and applied >= line.months_total else "active"

    @api.depends("promotion_id", "months_remaining", "months_total")
    def _compute_display_name(self):
        for line in self:
            name = line.promotion_id.display_name or ""
            if line.months_total:
                name = self.env._(
                    "%(name)s (%(left)s of %(total)s months left)",
                    name=name,
                    left=line.months_remaining,
                    total=line.months_total,
                )
            line.display_name = name

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    def _telecom_billing_errors(self, on_date):
        """Why the discount may not apply on this invoice (empty = it applies).

        Re-checked at every bill: what can change after the order (customer type, service
        address, plan). Conditions of the sign-up itself (offer dates, new customers only,
        redemption limit) were checked when the order was confirmed.
        """
        self.ensure_one()
        promotion = self.promotion_id
        service = self.service_id
        customer = service.partner_id
        address = service.service_address_id or customer
        plans = service.subscription_id.service_ids.filtered(
            lambda s: s.state in ("active", "suspended")
        ).product_id.product_tmpl_id
        errors = promotion._telecom_ongoing_errors(customer, plans, address)
        if promotion.required_plan_ids and (
            service.product_id.product_tmpl_id not in promotion.required_plan_ids
        ):
            errors.append(
                self.env._(
                    "%(promotion)s does not discount %(plan)s.",
                    promotion=promotion.name,
                    plan=service.product_id.name,
                )
            )
        return errors
