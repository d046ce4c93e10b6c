from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..tools import proration

SUBSCRIPTION_STATES = [
    ("draft", "Waiting for Activation"),
    ("active", "Active"),
    ("closed", "Closed"),
]


class TelecomSubscription(models.Model):
    _name = "telecom.subscription"
    _description = "Telecom Subscription (Billing Account)"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "id desc"
    _check_company_auto = True
    _sql_constraints = [
        (
            "bill_cycle_day_range",
            "CHECK(bill_cycle_day BETWEEN 1 AND 28)",
            "The bill cycle day must be between 1 and 28.",
        ),
    ]

    # ------------------------------------------------------------
    # FIELDS
    # ------------------------------------------------------------

    name = fields.Char(
        string="Reference", required=True, copy=False, readonly=True, default="New", index=True
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Billing Account",
        required=True,
        tracking=True,
        index=True,
        domain="[('is_company', '=', True), '|', ('company_id', '=', False), "
        "('company_id', '=', company_id)]",
        help="The customer who receives and pays the invoices of this subscription.",
    )
    partner_invoice_id = fields.Many2one(
        "res.partner",
        string="Invoice Address",
        tracking=True,
        help="Address printed on the invoices; the billing account itself when empty.",
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(
        "res.currency",
        required=True,
        default=lambda self: self.env.company.currency_id,
        tracking=True,
    )
    payment_term_id = fields.Many2one(
        "account.payment.term",
        string="Payment Terms",
        tracking=True,
        check_company=True,
        help="Payment terms of the invoices; the customer's own terms when empty.",
    )
    bill_cycle_day = fields.Integer(
        string="Bill Cycle Day",
        required=True,
        default=1,
        tracking=True,
        help="Day of the month (1 to 28) on which this account is billed. Its billing period "
        "runs from that day to the day before it in the next month. Changing it bills the days "
        "between the old and the new cycle (bridging period) on the next invoice.",
    )
    state = fields.Selection(
        SUBSCRIPTION_STATES,
        compute="_compute_state",
        store=True,
        index=True,
        tracking=True,
        help="Waiting for Activation: no service has started yet. Active: at least one service "
        "is active or suspended. Closed: every service is terminated.",
    )
    active = fields.Boolean(default=True)
    service_ids = fields.One2many("telecom.service", "subscription_id", string="Services")
    charge_ids = fields.One2many("telecom.charge", "subscription_id", string="Charges")
    invoice_ids = fields.One2many(
        "account.move", "telecom_subscription_id", string="Invoices", readonly=True
    )
    sale_order_ids = fields.One2many(
        "sale.order", "telecom_subscription_id", string="Sale Orders", readonly=True
    )
    service_count = fields.Integer(compute="_compute_counts")
    invoice_count = fields.Integer(compute="_compute_counts")
    pending_charge_count = fields.Integer(compute="_compute_counts")
    next_bill_date = fields.Date(
        compute="_compute_next_bill_date",
        help="Start of the next billing period, when the next bill run for this account is due.",
    )
    note = fields.Html(string="Internal Notes")

    # ------------------------------------------------------------
    # COMPUTE
    # ------------------------------------------------------------

    @api.depends("service_ids.state")
    def _compute_state(self):
        for subscription in self:
            states = set(subscription.service_ids.mapped("state"))
            if states & {"active", "suspended"}:
                subscription.state = "active"
            elif states and states <= {"terminated"}:
                subscription.state = "closed"
            else:
                subscription.state = "draft"

    @api.depends("service_ids", "invoice_ids", "charge_ids.state")
    def _compute_counts(self):
        for subscription in self:
            subscription.service_count = len(subscription.service_ids)
            subscription.invoice_count = len(subscription.invoice_ids)
            subscription.pending_charge_count = len(
                subscription.charge_ids.filtered(lambda c: c.state == "pending")
            )

    @api.depends("bill_cycle_day")
    @api.depends_context("date")
    def _compute_next_bill_date(self):
        today = fields.Date.context_today(self)
        for subscription in self:
            if not 1 <= subscription.bill_cycle_day <= 28:
                subscription.next_bill_date = False
                continue
            start, end = proration.period_of(today, subscription.bill_cycle_day)
            subscription.next_bill_date = start if start == today else end + timedelta(days=1)

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "New") == "New":
                vals["name"] = self.env["ir.sequence"].next_by_code("telecom.subscription") or "New"
        return super().create(vals_list)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_billed(self):
        for subscription in self:
            if subscription.invoice_ids or subscription.service_ids.filtered(
                lambda s: s.state != "pending"
            ):
                raise UserError(
                    self.env._(
                        "Subscription %(name)s has started services or invoices: archive it "
                        "instead of deleting it.",
                        name=subscription.name,
                    )
                )

    # ------------------------------------------------------------
    # ACTION
    # ------------------------------------------------------------

    def action_view_services(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "telecom_billing.action_telecom_service"
        )
        action["domain"] = [("subscription_id", "=", self.id)]
        action["context"] = {"default_subscription_id": self.id}
        return action

    def action_view_invoices(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account.action_move_out_invoice_type"
        )
        action["domain"] = [("telecom_subscription_id", "=", self.id)]
        action["context"] = {"default_move_type": "out_invoice", "create": False}
        return action

    def action_view_pending_charges(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "telecom_billing.action_telecom_charge"
        )
        action["domain"] = [("subscription_id", "=", self.id)]
        action["context"] = {
            "default_subscription_id": self.id,
            "search_default_filter_pending": 1,
        }
        return action

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    def _telecom_invoice_partner(self):
        self.ensure_one()
        return self.partner_invoice_id or self.partner_id

    def _telecom_period_of(self, on_date):
        """``(start, end)`` of this account's billing period holding ``on_date``."""
        self.ensure_one()
        return proration.period_of(on_date, self.bill_cycle_day)

    def _telecom_recurring_pieces(self, product, date_from, date_to):
        """Prorated pieces of the recurring price of ``product`` over ``[date_from, date_to]``.

        Returns a list of dicts ``date_from, date_to, period_start, period_end, price_unit``
        (price_unit is the prorated monthly price of one unit, exact in the currency's
        decimals); see tools/proration.py for the rule.
        """
        self.ensure_one()
        if not date_from or not date_to or date_from > date_to:
            return []
        template = product.product_tmpl_id
        cut_dates = template.telecom_price_version_ids.mapped("date_start")
        digits = self.currency_id.decimal_places
        pieces = []
        for piece_from, piece_to, period_start, period_end in proration.split_by_period(
            date_from, date_to, self.bill_cycle_day, cut_dates
        ):
            monthly = template._telecom_price_at(piece_from)
            price_unit = proration.prorate(
                monthly, piece_from, piece_to, period_start, period_end, digits=digits
            )
            pieces.append(
                {
                    "date_from": piece_from,
                    "date_to": piece_to,
                    "period_start": period_start,
                    "period_end": period_end,
                    "price_unit": float(price_unit),
                    "full_period": piece_from == period_start and piece_to == period_end,
                }
            )
        return pieces
