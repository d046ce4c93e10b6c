from odoo import api, fields, models
from odoo.exceptions import UserError

CHARGE_KINDS = [
    ("proration", "Proration"),
    ("one_time", "One-time Charge"),
    ("late_fee", "Late Fee"),
    ("adjustment", "Adjustment"),
    ("discount", "Promotion Given Back"),
]
CHARGE_STATES = [
    ("pending", "Pending"),
    ("invoiced", "Invoiced"),
    ("cancelled", "Cancelled"),
]


class TelecomCharge(models.Model):
    _name = "telecom.charge"
    _description = "Telecom Charge Waiting for the Next Invoice"
    _order = "date desc, id desc"
    _check_company_auto = True

    # ------------------------------------------------------------
    # FIELDS
    # ------------------------------------------------------------

    name = fields.Char(string="Description", required=True)
    subscription_id = fields.Many2one(
        "telecom.subscription", required=True, ondelete="restrict", index=True, check_company=True
    )
    partner_id = fields.Many2one(related="subscription_id.partner_id", store=True)
    company_id = fields.Many2one(related="subscription_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="subscription_id.currency_id")
    service_id = fields.Many2one("telecom.service", ondelete="restrict", index="btree_not_null")
    addon_line_id = fields.Many2one(
        "telecom.service.addon", string="Add-on Line", ondelete="set null", index="btree_not_null"
    )
    product_id = fields.Many2one("product.product", required=True)
    kind = fields.Selection(CHARGE_KINDS, required=True, default="one_time")
    date = fields.Date(
        required=True,
        default=fields.Date.context_today,
        help="When the charge arose; the first bill run whose period ends on or after this date "
        "puts it on the invoice.",
    )
    date_from = fields.Date(string="From", help="First day covered (prorations).")
    date_to = fields.Date(string="To", help="Last day covered (prorations).")
    quantity = fields.Float(default=1.0, required=True, digits="Product Unit of Measure")
    price_unit = fields.Float(
        string="Unit Price", required=True, digits="Product Price", help="Negative for a credit."
    )
    amount = fields.Monetary(compute="_compute_amount", store=True)
    cancelled = fields.Boolean(readonly=True, copy=False)
    move_line_ids = fields.One2many(
        "account.move.line", "telecom_charge_id", string="Invoice Lines", readonly=True
    )
    move_id = fields.Many2one(
        "account.move", string="Invoice", compute="_compute_state", store=True, index=True
    )
    state = fields.Selection(
        CHARGE_STATES, compute="_compute_state", store=True, index=True, default="pending"
    )
    note = fields.Char()

    # ------------------------------------------------------------
    # COMPUTE
    # ------------------------------------------------------------

    @api.depends("quantity", "price_unit", "currency_id")
    def _compute_amount(self):
        for charge in self:
            charge.amount = charge.currency_id.round(charge.quantity * charge.price_unit)

    @api.depends("cancelled", "move_line_ids")
    def _compute_state(self):
        for charge in self:
            charge.move_id = charge.move_line_ids[:1].move_id
            if charge.move_line_ids:
                charge.state = "invoiced"
            elif charge.cancelled:
                charge.state = "cancelled"
            else:
                charge.state = "pending"

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    @api.ondelete(at_uninstall=False)
    def _unlink_except_invoiced_or_proration(self):
        for charge in self:
            if charge.state == "invoiced" or charge.kind == "proration":
                raise UserError(
                    self.env._(
                        "Charge %(name)s is invoiced or comes from a service change: cancel it "
                        "instead of deleting it.",
                        name=charge.name,
                    )
                )

    # ------------------------------------------------------------
    # ACTION
    # ------------------------------------------------------------

    def action_cancel(self):
        for charge in self:
            if charge.state != "pending":
                raise UserError(
                    self.env._("Only pending charges can be cancelled (%(n)s).", n=charge.name)
                )
        self.write({"cancelled": True})
        for charge in self:
            charge.subscription_id.message_post(
                body=self.env._("Charge cancelled: %(name)s", name=charge.name)
            )
        return True

    def action_reset_to_pending(self):
        self.filtered(lambda c: c.state == "cancelled").write({"cancelled": False})
        return True
