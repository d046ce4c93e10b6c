from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from odoo.addons.telecom_catalog.tools.adapter_errors import RECORD_ERRORS
from odoo.addons.telecom_catalog.tools.locking import lock_ids

from ..tools import proration
from ..tools.chunk_cache import cached

# System parameter: how prorated amounts are rounded (tools/proration.py).
PRORATION_ROUNDING_PARAM = "telecom_billing.proration_rounding"

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
        index=True,
        tracking=True,
        help="Day of the month (1 to 28) on which this account is billed. Its billing period "
        "runs from that day to the day before it in the next month. Changing it bills the days "
        "between the old and the new cycle (bridging period) on the next invoice; days already "
        "billed from the day of the change are credited and billed again in the new periods.",
    )
    bill_cycle_changed_on = fields.Date(
        string="Bill Cycle Day Since",
        readonly=True,
        copy=False,
        help="Day the bill cycle day last changed. Lifecycle changes cannot take effect before "
        "it: days before it were billed in the old cycle's periods.",
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
    note = fields.Html(
        string="Internal Notes",
        groups="base.group_user",
        help="Staff notes on the account: never shown to the customer, on the portal or over RPC.",
    )
    dunning_log_ids = fields.One2many(
        "telecom.dunning.log", "subscription_id", string="Dunning Steps", readonly=True
    )
    dunning_checked_date = fields.Date(
        string="Dunning Checked On",
        readonly=True,
        copy=False,
        help="Last day the overdue job looked at this account.",
    )
    overdue_amount = fields.Monetary(
        compute="_compute_overdue_amount",
        help="Unpaid amount of the invoices past their due date and grace period.",
    )

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

    @api.depends(
        "invoice_ids.amount_residual",
        "invoice_ids.payment_state",
        "invoice_ids.telecom_dispute_amount",
        "invoice_ids.telecom_autopay_state",
    )
    @api.depends_context("date")
    def _compute_overdue_amount(self):
        today = fields.Date.context_today(self)
        for subscription in self:
            subscription.overdue_amount = sum(
                move._telecom_collectible_amount()
                for move in subscription._telecom_overdue_invoices(today)
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

    def write(self, vals):
        if "bill_cycle_day" not in vals:
            return super().write(vals)
        # accounts already billed in the old cycle's periods
        billed = self.filtered(
            lambda s: (
                s.bill_cycle_day != vals["bill_cycle_day"]
                and s.service_ids.filtered("charged_until")
            )
        )
        billed._telecom_settle_for_cycle_change(vals["bill_cycle_day"])
        result = super().write(vals)
        for subscription in billed:
            subscription.bill_cycle_changed_on = fields.Date.context_today(subscription)
        return result

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

    def _telecom_settle_for_cycle_change(self, new_day):
        """Before the bill cycle day changes: credit the days already billed from today on, in
        the periods of the cycle that billed them, so that they are billed again in the new
        cycle's periods and every credit of a day mirrors the charge of that day."""
        reason = self.env._("Bill cycle day changed to %(day)s", day=new_day)
        for subscription in self:
            today = fields.Date.context_today(subscription)
            services = subscription.service_ids.filtered(
                lambda s: s.state in ("active", "suspended")
            )
            services._telecom_rebill_from(today, reason)
            services.addon_line_ids.filtered(lambda a: a.state == "active")._telecom_rebill_from(
                today, reason
            )

    def _telecom_period_of(self, on_date):
        """``(start, end)`` of this account's billing period holding ``on_date``."""
        self.ensure_one()
        return proration.period_of(on_date, self.bill_cycle_day)

    def _telecom_recurring_pieces(
        self, product, date_from, date_to, quantity=1, monthly_price=None
    ):
        """Prorated pieces of the recurring price of ``quantity`` units of ``product`` over
        ``[date_from, date_to]``; ``monthly_price`` (a price negotiated with the customer)
        replaces the product's price and its versions when given.

        Returns a list of dicts ``date_from, date_to, period_start, period_end, amount`` (exact
        in the currency's decimals) with the ``quantity`` and ``price_unit`` of the invoice
        line worth that amount; see tools/proration.py for the rule and the rounding setting.
        """
        self.ensure_one()
        if not date_from or not date_to or date_from > date_to:
            return []
        template = product.product_tmpl_id
        if monthly_price is None:
            cut_dates = template.telecom_price_version_ids.mapped("date_start")
            price_at = template._telecom_price_at
        else:
            cut_dates = []
            price_at = lambda day: monthly_price  # noqa: E731
        digits = self.currency_id.decimal_places
        unit_rounding = self._telecom_proration_rounding() == "unit"
        pieces = []
        for piece_from, piece_to, period_start, period_end in proration.split_by_period(
            date_from, date_to, self.bill_cycle_day, cut_dates
        ):
            monthly = price_at(piece_from)
            days = (piece_from, piece_to, period_start, period_end)
            if unit_rounding:
                line_quantity = Decimal(str(quantity))
                price_unit = proration.prorate(monthly, *days, digits=digits)
                amount = line_quantity * price_unit
            else:
                amount = proration.prorated_amount(monthly, quantity, *days, digits=digits)
                line_quantity, price_unit = proration.line_quantity_and_price(
                    amount, quantity, digits
                )
            pieces.append(
                {
                    "date_from": piece_from,
                    "date_to": piece_to,
                    "period_start": period_start,
                    "period_end": period_end,
                    "amount": float(amount),
                    "quantity": float(line_quantity),
                    "price_unit": float(price_unit),
                    "full_period": piece_from == period_start and piece_to == period_end,
                }
            )
        return pieces

    @api.model
    def _telecom_proration_rounding(self):
        """``exact`` (default) or ``unit``: see tools/proration.py and the billing settings.
        Read once per bill run chunk."""
        return cached(
            self.env,
            PRORATION_ROUNDING_PARAM,
            lambda: (
                self.env["ir.config_parameter"].sudo().get_param(PRORATION_ROUNDING_PARAM)
                or "exact"
            ),
        )

    # ------------------------------------------------------------
    # BUSINESS: billing
    # ------------------------------------------------------------

    def _telecom_line_accounting(self, product, address=None, service_type=None):
        """Income account (catalog revenue rules) and analytic distribution (state of the
        service ``address``, else of the customer) of a charge line for ``product``; a product
        without a service type of its own (usage) is matched as the service's
        ``service_type``.

        In a bill run chunk it is computed once per company, product, customer segment
        (what the revenue rules read of the customer), service type and state of the
        address (what the analytic distribution reads of it)."""
        self.ensure_one()
        address = address or self.partner_id
        key = (
            "telecom_line_accounting",
            self.company_id.id,
            product.id,
            self.partner_id.commercial_partner_id.telecom_segment,
            service_type,
            address.state_id.id,
        )
        vals = cached(
            self.env, key, lambda: self._telecom_line_accounting_of(product, address, service_type)
        )
        return {
            name: dict(value) if isinstance(value, dict) else value for name, value in vals.items()
        }

    def _telecom_line_accounting_of(self, product, address, service_type):
        vals = {}
        if product:
            account = product.with_company(self.company_id)._telecom_income_account(
                self.partner_id, service_type
            )
            if account:
                vals["account_id"] = account.id
        distribution = address.with_company(self.company_id)._telecom_analytic_distribution()
        if distribution:
            vals["analytic_distribution"] = distribution
        return vals

    def _telecom_services_by_id(self, service_ids):
        """The services of ``service_ids`` in id order, taken from this subscription's services
        so that they keep the prefetching of the whole bill run chunk (a browse of the ids
        would read their add-ons, numbers and promotions subscription by subscription)."""
        self.ensure_one()
        own = {service.id: service for service in self.service_ids}
        Service = self.env["telecom.service"]
        return [
            own.get(service_id) or Service.browse(service_id) for service_id in sorted(service_ids)
        ]

    def _telecom_charge_line_vals(self, product, name, quantity, price_unit, kind, **links):
        self.ensure_one()
        service = self.env["telecom.service"].browse(links.get("telecom_service_id"))
        return {
            "display_type": "product",
            "product_id": product.id if product else False,
            "name": name,
            "quantity": quantity,
            "price_unit": price_unit,
            "tax_ids": [Command.clear()],
            "telecom_line_kind": kind,
            **self._telecom_line_accounting(
                product, service.service_address_id, service.service_type
            ),
            **links,
        }

    def _telecom_prepare_recurring_lines(self, period_start, period_end):
        """Recurring plan and add-on charges from each item's charged-through date to the end
        of the billing period (in advance), prorated per tools/proration.py.

        Returns ``(line_vals_list, updates)`` where updates are ``(item, new charged_until)``.
        """
        self.ensure_one()
        lines, updates = [], []
        # iterated, not filtered: the records keep the prefetching of the whole chunk
        services = [s for s in self.service_ids if s.state in ("active", "suspended")]
        for service in services:
            items = [service, *service.addon_line_ids.filtered(lambda a: a.state == "active")]
            for item in items:
                through = item._telecom_charged_through()
                end = min(period_end, item.date_end or period_end)
                if not through or through >= end:
                    continue
                links = {
                    "telecom_service_id": service.id,
                    "telecom_addon_line_id": item.id if item._name != service._name else False,
                }
                for piece in item._telecom_recurring_pieces(through + timedelta(days=1), end):
                    lines.append(
                        self._telecom_charge_line_vals(
                            item.product_id,
                            item._telecom_piece_label(piece),
                            piece["quantity"],
                            piece["price_unit"],
                            "recurring",
                            telecom_date_from=piece["date_from"],
                            telecom_date_to=piece["date_to"],
                            **links,
                        )
                    )
                updates.append((item, end))
        return lines, updates

    def _telecom_prepare_pending_charge_lines(self, period_end):
        """Pending charges (prorations, late fees, one-time charges) dated up to the period end."""
        self.ensure_one()
        charges = self.charge_ids.filtered(
            lambda c: c.state == "pending" and c.date <= period_end
        ).sorted(lambda c: (c.service_id.id or 0, c.date, c.id))
        lines = []
        for charge in charges:
            vals = self._telecom_charge_line_vals(
                charge.product_id,
                charge.name,
                charge.quantity,
                charge.price_unit,
                "charge",
                telecom_charge_id=charge.id,
                telecom_service_id=charge.service_id.id,
                telecom_addon_line_id=charge.addon_line_id.id,
                telecom_date_from=charge.date_from,
                telecom_date_to=charge.date_to,
            )
            if charge.kind == "discount":
                # a discount given back is the plan's revenue, as the discount was
                service = charge.service_id
                vals.update(
                    self._telecom_line_accounting(service.product_id, service.service_address_id)
                )
            lines.append(vals)
        return lines

    def _telecom_prepare_usage_lines(self, period):
        """Usage billed in arrears: invoice line values for rated usage before ``period``.

        ``period`` is ``(period_start, period_end)`` of the run (the period billed in
        advance); usage up to ``period_start - 1`` not yet billed belongs on this invoice.
        Hook for the rating module: return ``account.move.line`` value dicts with
        ``telecom_line_kind='usage'`` and ``telecom_service_id``. Nothing here.
        """
        self.ensure_one()
        return []

    def _telecom_prepare_discount_lines(self, run, lines):
        """One discount line per running promotion of each service whose plan is billed for
        the coming period on this invoice.

        The base is the service's plan charges on this invoice (a first partial period
        included; add-ons, credits and pending charges are not discounted). Each such invoice
        uses up one billing month of the promotion; the conditions that can change since the
        order are checked again and a promotion that fails them is skipped this time.
        """
        self.ensure_one()
        bases, spans, billed_period = defaultdict(float), {}, set()
        for vals in lines:
            if vals.get("telecom_line_kind") != "recurring" or vals.get("telecom_addon_line_id"):
                continue
            service_id = vals["telecom_service_id"]
            bases[service_id] += self.currency_id.round(vals["quantity"] * vals["price_unit"])
            start, end = spans.get(service_id, (vals["telecom_date_from"], vals["telecom_date_to"]))
            spans[service_id] = (
                min(start, vals["telecom_date_from"]),
                max(end, vals["telecom_date_to"]),
            )
            if vals["telecom_date_from"] <= run.period_start <= vals["telecom_date_to"]:
                billed_period.add(service_id)
        product = None
        discounts = []
        for service in self._telecom_services_by_id(billed_period):
            remaining = bases[service.id]
            for promotion_line in service.promotion_line_ids.filtered(
                lambda p: p.state == "active"
            ):
                if promotion_line._telecom_billing_errors(run.period_start):
                    continue
                amount = promotion_line.promotion_id._telecom_discount_amount(
                    remaining, self.currency_id, run.period_start
                )
                if self.currency_id.is_zero(amount):
                    continue
                remaining -= amount
                if product is None:
                    product = cached(
                        self.env,
                        "telecom_promotion_product",
                        lambda: self.env.ref(
                            "telecom_catalog.product_telecom_promotion_discount",
                            raise_if_not_found=False,
                        ),
                    )
                    product = product.with_env(self.env) if product else product
                month = promotion_line.months_applied + 1
                name = self.env._(
                    "Promotion %(promotion)s: %(summary)s",
                    promotion=promotion_line.promotion_id.name,
                    summary=promotion_line.promotion_id.summary,
                )
                if promotion_line.months_total:
                    name += self.env._(
                        " (month %(month)s of %(total)s)",
                        month=month,
                        total=promotion_line.months_total,
                    )
                vals = self._telecom_charge_line_vals(
                    product,
                    name,
                    1,
                    -amount,
                    "discount",
                    telecom_service_id=service.id,
                    telecom_service_promotion_id=promotion_line.id,
                    telecom_discount_base=remaining + amount,
                    telecom_date_from=spans[service.id][0],
                    telecom_date_to=spans[service.id][1],
                )
                # the discount reduces the plan's revenue: same account as the plan
                vals.update(
                    self._telecom_line_accounting(service.product_id, service.service_address_id)
                )
                discounts.append(vals)
        return discounts

    def _telecom_prepare_tax_lines(self, run, lines):
        """Taxes and regulatory fees computed by the company's tax engine: the tax lines of
        the invoice (see ``telecom.tax.engine._telecom_tax_lines``); the charge lines they
        tax get their Odoo taxes in ``tax_ids``."""
        self.ensure_one()
        # the bill run keeps the engine of each company for the chunk (one search, not one
        # per subscription)
        engine = cached(
            self.env,
            ("telecom_tax_engine", self.company_id.id),
            lambda: self.env["telecom.tax.engine"]._telecom_engine_for(self.company_id),
        ).with_env(self.env)
        if not engine:
            return []
        return engine._telecom_tax_lines(self, run, lines)

    def _telecom_order_lines(self, lines):
        """Invoice line commands: one section per service, then other charges. Taxes and
        fees are the invoice's tax lines (``bill["tax_lines"]``), not invoice lines."""
        self.ensure_one()
        by_service = defaultdict(list)
        other = []
        for vals in lines:
            if vals.get("telecom_service_id"):
                by_service[vals["telecom_service_id"]].append(vals)
            else:
                other.append(vals)
        commands = []

        def section(name):
            commands.append(Command.create({"display_type": "line_section", "name": name}))

        for service in self._telecom_services_by_id(by_service):
            section(service.display_name)
            commands += [Command.create(vals) for vals in by_service[service.id]]
        if other:
            section(self.env._("Other charges"))
            commands += [Command.create(vals) for vals in other]
        return commands

    def _telecom_prepare_bill(self, run):
        """Everything to invoice for ``run``'s period, or None when there is nothing.

        Reads only: the returned dict holds the invoice values and the updates that
        :meth:`_telecom_after_bills` applies once the invoice exists.
        """
        self.ensure_one()
        period = (run.period_start, run.period_end)
        recurring, updates = self._telecom_prepare_recurring_lines(*period)
        lines = recurring
        lines += self._telecom_prepare_pending_charge_lines(run.period_end)
        lines += self._telecom_prepare_usage_lines(period)
        lines += self._telecom_prepare_discount_lines(run, lines)
        if not lines:
            return None
        tax_lines = self._telecom_prepare_tax_lines(run, lines)
        exempt = [tax_line for tax_line in tax_lines if tax_line.get("exempt")]
        quotes = [tax_line for tax_line in tax_lines if tax_line.get("transaction")]
        tax_lines = [
            tax_line
            for tax_line in tax_lines
            if not tax_line.get("exempt") and not tax_line.get("transaction")
        ]
        currency = self.currency_id
        total = sum(currency.round(vals["quantity"] * vals["price_unit"]) for vals in lines)
        total += sum(tax_line["amount"] for tax_line in tax_lines)
        move_type = "out_invoice"
        if currency.compare_amounts(total, 0) < 0:
            # A negative total (credits only) is a credit note, as Odoo requires.
            move_type = "out_refund"
            for vals in lines:
                vals["price_unit"] = -vals["price_unit"]
            for tax_line in tax_lines:
                tax_line.update(amount=-tax_line["amount"], base=-tax_line["base"])
            for exempt_base in exempt:
                exempt_base["base"] = -exempt_base["base"]
        move_vals = {
            "move_type": move_type,
            "partner_id": self._telecom_invoice_partner().id,
            "company_id": self.company_id.id,
            "currency_id": currency.id,
            "journal_id": run.journal_id.id,
            "invoice_date": run.invoice_date,
            # due on the bill date without payment terms (Odoo would say: the day it was made)
            "invoice_date_due": run.invoice_date,
            "invoice_origin": self.name,
            "telecom_subscription_id": self.id,
            "telecom_period_start": run.period_start,
            "telecom_period_end": run.period_end,
            "telecom_bill_run_id": run.id,
            "invoice_line_ids": self._telecom_order_lines(lines),
        }
        if quotes:
            # the engine's quotes, committed when the invoice posts
            move_vals.update(
                telecom_tax_engine_id=quotes[0]["engine_id"],
                telecom_tax_transaction=" ".join(quote["transaction"] for quote in quotes),
                telecom_tax_transaction_state="quoted",
            )
        if exempt:
            move_vals["telecom_tax_exempt_bases"] = [
                {"tax_id": vals["tax_id"], "base": vals["base"]} for vals in exempt
            ]
        if self.payment_term_id:
            move_vals["invoice_payment_term_id"] = self.payment_term_id.id
        return {
            "subscription": self,
            "move_vals": move_vals,
            "tax_lines": tax_lines,
            "updates": updates,
        }

    @api.model
    def _telecom_after_bills(self, bills, moves):
        """The invoices ``moves`` of ``bills`` (in the same order) exist: move the
        charged-through dates forward, in one write per model and date for the batch."""
        grouped = defaultdict(list)
        for bill in bills:
            for item, until in bill["updates"]:
                grouped[(item._name, until)].append(item.id)
        for (model, until), ids in grouped.items():
            # not tracked, and no tracked field follows it: without mail_notrack the chatter
            # would read every tracked field of each item before the write and again at
            # the commit, for a chunk's thousands of services
            self.env[model].browse(ids).with_context(mail_notrack=True).write(
                {"charged_until": until}
            )

    # ------------------------------------------------------------
    # BUSINESS: dunning
    # ------------------------------------------------------------

    def _telecom_dunning_policy(self):
        self.ensure_one()
        return self.env["telecom.dunning.policy"]._telecom_policy_for(
            self.partner_id, self.company_id
        )

    def _telecom_overdue_invoices(self, today, policy=None):
        """Posted invoices still unpaid after their due date plus the grace period, except
        those the overdue policy leaves alone (disputed, zero, autopay still collecting)."""
        self.ensure_one()
        if policy is None:
            policy = self._telecom_dunning_policy()
        grace = timedelta(days=policy.grace_days if policy else 0)
        return self.invoice_ids.filtered(
            lambda m: (
                m.state == "posted"
                and m.move_type == "out_invoice"
                and m.payment_state in ("not_paid", "partial")
                and m.invoice_date_due
                and m.invoice_date_due + grace < today
                and not m._telecom_dunning_held()
            )
        )

    def _telecom_dunning_log(self, step, today, message, move=None, days=0, amount=0.0):
        self.ensure_one()
        self.env["telecom.dunning.log"].create(
            {
                "subscription_id": self.id,
                "move_id": move.id if move else False,
                "step": step,
                "date": today,
                "days_overdue": days,
                "amount": amount,
                "message": message,
            }
        )
        self.message_post(body=message)

    def _telecom_dunning_process(self, today):
        """Apply the overdue policy to this account on ``today``: reminder, late fee and
        suspension for each overdue invoice (each step once), reactivation when paid."""
        self.ensure_one()
        policy = self._telecom_dunning_policy()
        if not policy:
            self.dunning_checked_date = today
            return
        overdue = self._telecom_overdue_invoices(today, policy)
        suspend_for = self.env["account.move"]
        for move in overdue.sorted("invoice_date_due"):
            days = (today - move.invoice_date_due).days - policy.grace_days
            level = move._telecom_dunning_rank()
            if policy.send_reminder and days >= policy.reminder_days and level < 1:
                self._telecom_dunning_remind(policy, move, today, days)
            if policy.charge_late_fee and days >= policy.late_fee_days and level < 2:
                self._telecom_dunning_late_fee(policy, move, today, days)
            if policy.suspend_services and days >= policy.suspension_days:
                suspend_for |= move
        if suspend_for:
            self._telecom_dunning_suspend(suspend_for, today)
        elif not overdue:
            self._telecom_dunning_reactivate(today)
        self.dunning_checked_date = today

    def _telecom_dunning_remind(self, policy, move, today, days):
        template = policy.reminder_template_id
        if template:
            move.message_post_with_source(
                template, message_type="comment", subtype_xmlid="mail.mt_comment"
            )
        move.write({"telecom_dunning_level": "reminder", "telecom_dunning_date": today})
        self._telecom_dunning_log(
            "reminder",
            today,
            self.env._(
                "Payment reminder sent for %(move)s (%(amount)s overdue for %(days)s days).",
                move=move.name,
                amount=move.currency_id.format(move._telecom_collectible_amount()),
                days=days,
            ),
            move=move,
            days=days,
            amount=move._telecom_collectible_amount(),
        )

    def _telecom_dunning_late_fee(self, policy, move, today, days):
        fee = policy._telecom_late_fee(move._telecom_collectible_amount(), self.currency_id)
        if self.currency_id.compare_amounts(fee, 0) > 0 and policy.late_fee_product_id:
            self.env["telecom.charge"].create(
                {
                    "subscription_id": self.id,
                    "product_id": policy.late_fee_product_id.id,
                    "name": self.env._("Late payment fee for %(move)s", move=move.name),
                    "kind": "late_fee",
                    "date": today,
                    "quantity": 1,
                    "price_unit": fee,
                }
            )
        move.write({"telecom_dunning_level": "late_fee", "telecom_dunning_date": today})
        self._telecom_dunning_log(
            "late_fee",
            today,
            self.env._(
                "Late fee of %(fee)s charged on the next invoice for %(move)s.",
                fee=self.currency_id.format(fee),
                move=move.name,
            ),
            move=move,
            days=days,
            amount=fee,
        )

    def _telecom_dunning_suspend(self, moves, today):
        services = self.service_ids.filtered(lambda s: s.state == "active")
        for service in services:
            service._telecom_request_suspend("non_payment", keep_emergency_calling=True)
        moves.filtered(lambda m: m.telecom_dunning_level != "suspension").write(
            {"telecom_dunning_level": "suspension", "telecom_dunning_date": today}
        )
        if services:
            self._telecom_dunning_log(
                "suspension",
                today,
                self.env._(
                    "Services suspended for non-payment of %(moves)s: %(services)s. Voice "
                    "services keep emergency calling.",
                    moves=", ".join(moves.mapped("name")),
                    services=", ".join(services.mapped("display_name")),
                ),
                move=moves[:1],
                amount=sum(m._telecom_collectible_amount() for m in moves),
            )

    def _telecom_dunning_reactivate(self, today):
        services = self.service_ids.filtered(
            lambda s: s.state == "suspended" and s.suspension_reason == "non_payment"
        )
        if not services:
            return
        for service in services:
            service._telecom_request_reactivate(reason=self.env._("Overdue balance paid."))
        self._telecom_dunning_log(
            "reactivation",
            today,
            self.env._(
                "Overdue balance paid: services reactivated: %(services)s.",
                services=", ".join(services.mapped("display_name")),
            ),
        )

    def _telecom_dunning_check_reactivation(self):
        """Payment hook: reactivate the services suspended for non-payment once nothing is
        overdue any more."""
        today = fields.Date.context_today(self)
        for subscription in self:
            if not subscription._telecom_overdue_invoices(today):
                subscription._telecom_dunning_reactivate(today)

    @api.model
    def _cron_telecom_dunning(self, batch_size=200):
        """Apply the overdue policies to a batch of accounts not yet checked today."""
        today = fields.Date.context_today(self)
        domain = [
            "|",
            ("dunning_checked_date", "=", False),
            ("dunning_checked_date", "<", today),
            "|",
            (
                "invoice_ids",
                "any",
                [
                    ("state", "=", "posted"),
                    ("move_type", "=", "out_invoice"),
                    ("payment_state", "in", ("not_paid", "partial")),
                    ("invoice_date_due", "<", today),
                ],
            ),
            ("service_ids.suspension_reason", "=", "non_payment"),
        ]
        subscriptions = self.search(domain, limit=batch_size, order="id")
        subscriptions = self.browse(
            lock_ids(self.env, self._table, SQL("id = ANY(%s)", subscriptions.ids))
        )
        for subscription in subscriptions:
            try:
                with self.env.cr.savepoint():
                    subscription._telecom_dunning_process(today)
            except RECORD_ERRORS as error:  # logged on the account, others go on
                subscription._telecom_dunning_log(
                    "error",
                    today,
                    self.env._("The overdue job failed on this account: %(e)s", e=error),
                )
                subscription.dunning_checked_date = today
        remaining = self.search_count(domain)
        self.env["ir.cron"]._notify_progress(done=len(subscriptions), remaining=remaining)
