from collections import defaultdict
from datetime import timedelta

from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL, email_normalize, format_date

from odoo.addons.telecom_catalog.tools.locking import lock_ids

from ..adapters.base import TaxEngineError, TaxEngineUnavailable
from ..tools import proration

TAX_TRANSACTION_STATES = [
    ("quoted", "Quoted"),
    ("committed", "Committed"),
    ("voided", "Voided"),
    ("credited", "Credited"),
    ("error", "Error"),
]
DUNNING_LEVELS = [
    ("reminder", "Reminder Sent"),
    ("late_fee", "Late Fee Charged"),
    ("suspension", "Services Suspended"),
]
BILL_SEND_STATES = [
    ("to_send", "To Send"),
    ("sent", "Sent"),
    ("failed", "Failed"),
    ("printed", "Printed"),
]
# Service history steps a bill summarises as "changes since your last bill".
BILL_CHANGE_ACTIONS = ("change_plan", "add_addon", "remove_addon", "terminate")
# Written by the delivery and autopay batches with ``_telecom_write_status``.
STATUS_FIELDS = {
    "telecom_send_state",
    "telecom_send_error",
    "telecom_print_batch_id",
    "telecom_autopay_state",
    "telecom_autopay_attempt_count",
    "telecom_autopay_failed_date",
    "telecom_autopay_next_date",
    "telecom_autopay_message",
}
# Autopay of a bill (telecom.autopay charges it): empty until its autopay date comes.
AUTOPAY_STATES = [
    ("pending", "Charge in Progress"),
    ("retry", "Retry Scheduled"),
    ("paid", "Charged"),
    ("failed", "Failed"),
    ("skipped", "Not Charged"),
]


class AccountMove(models.Model):
    _inherit = "account.move"
    _sql_constraints = [
        (
            "telecom_subscription_period_uniq",
            "UNIQUE(telecom_subscription_id, telecom_period_start)",
            "A subscription is invoiced at most once per billing period.",
        ),
    ]

    # ------------------------------------------------------------
    # FIELDS
    # ------------------------------------------------------------

    telecom_subscription_id = fields.Many2one(
        "telecom.subscription",
        string="Telecom Subscription",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="restrict",
    )
    telecom_period_start = fields.Date(
        string="Billing Period Start",
        readonly=True,
        copy=False,
        help="Start of the billing period this invoice bills in advance. With the subscription "
        "it is unique: a subscription is never invoiced twice for a period.",
    )
    telecom_period_end = fields.Date(string="Billing Period End", readonly=True, copy=False)
    telecom_bill_run_id = fields.Many2one(
        "telecom.bill.run",
        string="Bill Run",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="restrict",
    )

    telecom_tax_exempt_bases = fields.Json(
        string="Exempt Bases",
        readonly=True,
        copy=False,
        help="Charges of this bill a tax exemption certificate exempted, per Odoo tax: "
        '[{"tax_id": id, "base": amount}] (remittance report).',
    )

    telecom_tax_engine_id = fields.Many2one(
        "telecom.tax.engine", string="Tax Engine", readonly=True, copy=False
    )
    telecom_tax_transaction = fields.Char(
        string="Tax Engine Transaction",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The external tax engine's transaction id(s) of this bill's taxes (one per rate "
        "date when it credits days of an earlier period).",
    )
    telecom_tax_transaction_state = fields.Selection(
        TAX_TRANSACTION_STATES,
        string="Tax Transaction",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="Quoted at billing, committed when the invoice posts, voided when it is "
        "cancelled, credited by its credit note; Error: the engine refused the call (see the "
        "chatter).",
    )

    telecom_dunning_level = fields.Selection(
        DUNNING_LEVELS,
        string="Dunning Level",
        readonly=True,
        copy=False,
        tracking=True,
        help="Furthest overdue step taken on this invoice.",
    )
    telecom_dunning_date = fields.Date(string="Last Dunning Step", readonly=True, copy=False)
    telecom_send_state = fields.Selection(
        BILL_SEND_STATES,
        string="Bill Sending",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="Delivery of this bill by its bill run: to send, sent (by email or as a portal "
        "notice), failed (see the reason; fix the address and resend it with Send & Print) "
        "or printed (in a paper print batch).",
    )
    telecom_send_error = fields.Char(
        string="Sending Failure", readonly=True, copy=False, help="Why the bill was not delivered."
    )
    telecom_print_batch_id = fields.Many2one(
        "telecom.bill.print.batch",
        string="Print Batch",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="restrict",
    )

    # autopay and disputes (telecom.autopay) ------------------------------------------------
    telecom_autopay_state = fields.Selection(
        AUTOPAY_STATES,
        string="Autopay",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="Charge in progress: a payment transaction is with the provider. Retry scheduled: "
        "the last charge failed, the next one is on the retry date. Charged: paid by autopay. "
        "Failed: every retry failed, the overdue policy applies. Not charged: nothing was due "
        "on the autopay date. Empty: not charged yet (or the customer has no autopay).",
    )
    telecom_autopay_attempt_count = fields.Integer(
        string="Autopay Attempts", readonly=True, copy=False
    )
    telecom_autopay_failed_date = fields.Date(
        string="First Autopay Failure",
        readonly=True,
        copy=False,
        help="Day of the first failed charge; retries are counted from it.",
    )
    telecom_autopay_next_date = fields.Date(string="Next Autopay Retry", readonly=True, copy=False)
    telecom_autopay_message = fields.Char(
        string="Autopay Message",
        readonly=True,
        copy=False,
        help="Why the last charge failed or was not attempted.",
    )
    telecom_autopay_transaction_ids = fields.One2many(
        "payment.transaction",
        "telecom_autopay_move_id",
        string="Autopay Transactions",
        readonly=True,
    )
    telecom_dispute_amount = fields.Monetary(
        string="Disputed Amount",
        copy=False,
        tracking=True,
        help="Part of this bill the customer disputes: no reminder, late fee, suspension or "
        "autopay charge for it until the dispute is settled (set it back to 0).",
    )
    telecom_dispute_reason = fields.Char(string="Dispute Reason", copy=False, tracking=True)

    # ------------------------------------------------------------
    # CONSTRAINT
    # ------------------------------------------------------------

    @api.constrains("telecom_dispute_amount", "telecom_dispute_reason")
    def _check_telecom_dispute(self):
        for move in self:
            amount = move.telecom_dispute_amount
            if move.currency_id.compare_amounts(amount, 0) < 0 or (
                move.currency_id.compare_amounts(amount, move.amount_total) > 0
            ):
                raise ValidationError(
                    self.env._(
                        "The disputed amount of %(move)s must be between 0 and its total "
                        "%(total)s.",
                        move=move.display_name,
                        total=move.currency_id.format(move.amount_total),
                    )
                )
            if not move.currency_id.is_zero(amount) and not move.telecom_dispute_reason:
                raise ValidationError(
                    self.env._("Say why the customer disputes %(move)s.", move=move.display_name)
                )

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    def unlink(self):
        """Deleting a draft bill-run invoice un-bills it: its charges wait again and the
        recurring charges it held are billed again by the next run."""
        telecom_moves = self.filtered("telecom_subscription_id")
        if not telecom_moves:
            # Other entries (payments, ordinary invoices) are deleted as in standard Odoo, by
            # users who may have no right on any telecom record.
            return super().unlink()
        telecom_moves._telecom_check_unbillable()
        # Un-billing is the consequence of the deletion, whoever deletes (an accountant may
        # have no telecom rights): it runs as superuser.
        restore = telecom_moves.sudo()._telecom_unbill_values()
        telecom_moves.sudo()._telecom_unbill()
        result = super().unlink()
        for item, charged_until in restore:
            if item.exists():
                item.charged_until = charged_until
        return result

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        posted._telecom_trigger_tax_transactions()
        return posted

    def button_cancel(self):
        result = super().button_cancel()
        self._telecom_trigger_tax_transactions()
        return result

    def button_draft(self):
        """Odoo computes the taxes of an invoice reset to draft again from the tax
        definitions: a telecom bill keeps the engine's."""
        snapshots = {move: move._telecom_tax_snapshot() for move in self}
        snapshots = {move: tax_lines for move, tax_lines in snapshots.items() if tax_lines}
        result = super().button_draft()
        for move, tax_lines in snapshots.items():
            move._telecom_restore_tax_lines(tax_lines)
        return result

    def _reverse_moves(self, default_values_list=None, cancel=False):
        """A credit note of a telecom bill gives back the taxes and fees it billed, at its
        amounts: Odoo would compute them again from the tax definitions (the reversed copy
        changes the move type), which do not hold the engine's rules (per-line fees,
        shares, caps, tax on tax). The reversals' tax lines are set to the bill's, then
        posted if ``cancel`` asks it, as Odoo does."""
        taxed = self.filtered(
            lambda move: move.line_ids.filtered(
                lambda x: x.display_type == "tax" and x.telecom_tax_kind
            )
        )
        if not taxed:
            return super()._reverse_moves(default_values_list, cancel=cancel)
        if cancel:
            self.line_ids.remove_move_reconcile()
        reverses = super(AccountMove, self.with_context(move_reverse_cancel=cancel))._reverse_moves(
            default_values_list, cancel=False
        )
        for reverse in reverses:
            if reverse.reversed_entry_id in taxed:
                # as much tax in the credit note's terms as the bill charged in its own
                reverse._telecom_restore_tax_lines(
                    reverse.reversed_entry_id._telecom_tax_snapshot()
                )
        if cancel:
            reverses.with_context(move_reverse_cancel=cancel)._post(soft=False)
        return reverses

    def _reconcile_reversed_moves(self, reverse_moves, move_reverse_cancel):
        """Odoo reconciles a bill with its credit note account by account, in the order of
        their lines, from groups made beforehand. A telecom bill's tax lines come after its
        receivable (they are the engine's, added last): reconciling the receivable first
        would let the cash basis entries of a tax due on payment reconcile its transition
        lines in between, and Odoo would then refuse them as already reconciled. Reconcile
        the tax lines first, as Odoo does when they come first."""
        for move, reverse in zip(self, reverse_moves, strict=True):
            tax_lines = (move.line_ids + reverse.line_ids).filtered(
                lambda x: (
                    x.telecom_tax_kind
                    and x.display_type == "tax"
                    and not x.reconciled
                    and x.account_id.reconcile
                )
            )
            for lines in tax_lines.grouped(lambda x: (x.account_id, x.currency_id)).values():
                lines.with_context(move_reverse_cancel=move_reverse_cancel).reconcile()
        return super()._reconcile_reversed_moves(reverse_moves, move_reverse_cancel)

    # ------------------------------------------------------------
    # BUSINESS: tax engine transactions
    # ------------------------------------------------------------

    def _telecom_trigger_tax_transactions(self):
        """Wake the job that commits, voids or credits the engine's transactions."""
        if self.filtered("telecom_tax_transaction") or self.reversed_entry_id.filtered(
            "telecom_tax_transaction"
        ):
            self.env.ref("telecom_billing.ir_cron_telecom_tax_transactions")._trigger()

    @api.model
    def _telecom_tax_transaction_domain(self):
        """Moves whose transaction must be committed, voided or credited."""
        return [
            "|",
            "|",
            "&",
            ("state", "=", "posted"),
            ("telecom_tax_transaction_state", "=", "quoted"),
            "&",
            ("state", "=", "cancel"),
            ("telecom_tax_transaction_state", "in", ("quoted", "committed")),
            "&",
            "&",
            ("state", "=", "posted"),
            ("telecom_tax_transaction_state", "=", False),
            ("reversed_entry_id.telecom_tax_transaction_state", "=", "committed"),
        ]

    @api.model
    def _cron_telecom_tax_transactions(self, batch_size=100):
        """Commit the transactions of posted invoices, void those of cancelled ones and
        credit the original's for credit notes, at the external engine. An engine that does
        not answer stops the batch (tried again at the next run); a refused call is logged
        on the invoice (state Error)."""
        domain = self._telecom_tax_transaction_domain()
        moves = self.search(domain, limit=batch_size, order="id")
        moves = self.browse(lock_ids(self.env, self._table, SQL("id = ANY(%s)", moves.ids)))
        done = 0
        for move in moves:
            try:
                with self.env.cr.savepoint():
                    move._telecom_tax_transaction_step()
            except TaxEngineUnavailable as error:
                move.message_post(
                    body=self.env._("Tax engine unavailable, tried again later: %(e)s", e=error)
                )
                self.env["ir.cron"]._notify_progress(done=done, remaining=0)
                return
            except TaxEngineError as error:
                move.telecom_tax_transaction_state = "error"
                move.message_post(body=self.env._("Tax engine refused: %(e)s", e=error))
            done += 1
        self.env["ir.cron"]._notify_progress(done=done, remaining=self.search_count(domain))

    def _telecom_tax_transaction_step(self):
        self.ensure_one()
        if self.telecom_tax_transaction_state == "quoted" and self.state == "posted":
            adapter = self.telecom_tax_engine_id._telecom_adapter()
            for transaction_id in self.telecom_tax_transaction.split():
                adapter.commit(transaction_id, self.name, self.invoice_date)
            self.telecom_tax_transaction_state = "committed"
        elif self.state == "cancel":
            adapter = self.telecom_tax_engine_id._telecom_adapter()
            for transaction_id in self.telecom_tax_transaction.split():
                adapter.void(transaction_id)
            self.telecom_tax_transaction_state = "voided"
        else:  # a credit note of a committed bill
            origin = self.reversed_entry_id
            adapter = origin.telecom_tax_engine_id._telecom_adapter()
            for transaction_id in origin.telecom_tax_transaction.split():
                adapter.credit(transaction_id, self.name, self.invoice_date or self.date)
            self.write(
                {
                    "telecom_tax_engine_id": origin.telecom_tax_engine_id.id,
                    "telecom_tax_transaction": origin.telecom_tax_transaction,
                    "telecom_tax_transaction_state": "credited",
                }
            )
            origin.telecom_tax_transaction_state = "credited"

    # ------------------------------------------------------------
    # BUSINESS: taxes and fees
    # ------------------------------------------------------------

    def _telecom_tax_line_vals(self, tax_lines):
        """Journal item values of the tax lines ``tax_lines`` (see
        ``telecom.tax.engine._telecom_tax_lines``) on this invoice or credit note: the
        engine's amount on the tax's liability account, its base, its tags."""
        self.ensure_one()
        sign = -1 if self.move_type == "out_refund" else 1
        refund = self.move_type == "out_refund"
        currency, company = self.currency_id, self.company_id

        def convert(amount):
            if currency == company.currency_id:
                return amount
            return currency._convert(amount, company.currency_id, company, self.date)

        vals_list = []
        for tax_line in tax_lines:
            tax = self.env["account.tax"].browse(tax_line["tax_id"])
            repartition = tax._telecom_repartition(refund)
            amount_currency = -sign * tax_line["amount"]
            # a cash-basis tax waits on its transition account, untagged, until the bill is
            # paid: Odoo's cash basis entries then book it to the liability account, tagged
            on_invoice = tax.tax_exigibility == "on_invoice"
            vals_list.append(
                {
                    "display_type": "tax",
                    "name": tax_line["name"],
                    "tax_repartition_line_id": repartition.id,
                    "account_id": tax_line["account_id"]
                    if on_invoice
                    else repartition._get_aml_target_tax_account().id,
                    "amount_currency": amount_currency,
                    "balance": convert(amount_currency),
                    "tax_base_amount": convert(tax_line["base"]),
                    "tax_tag_ids": [Command.set(repartition.tag_ids.ids if on_invoice else [])],
                    "tax_ids": [Command.set(tax_line["tax_ids"])],
                    "telecom_line_kind": "tax",
                    "telecom_tax_kind": tax_line["telecom_tax_kind"],
                    "telecom_tax_jurisdiction": tax_line["telecom_tax_jurisdiction"],
                }
            )
        return vals_list

    def _telecom_add_tax_lines(self, tax_lines):
        """Add the engine's tax lines to this draft invoice. Written after the invoice
        lines, so that Odoo keeps the amounts as it keeps a tax amount edited by hand."""
        self.ensure_one()
        if tax_lines:
            # not a user's change: the invoice is not "manually modified"
            self.with_context(skip_is_manually_modified=True).write(
                {
                    "line_ids": [
                        Command.create(vals) for vals in self._telecom_tax_line_vals(tax_lines)
                    ]
                }
            )

    def _telecom_tax_snapshot(self):
        """The telecom tax lines of this invoice as ``_telecom_tax_line_vals`` takes them
        (amounts in the document's own terms)."""
        self.ensure_one()
        sign = -1 if self.move_type == "out_refund" else 1
        return [
            {
                "name": line.name,
                "amount": -line.amount_currency * sign,
                "base": line.tax_base_amount,
                "tax_id": line.tax_line_id.id,
                "account_id": line.account_id.id,
                "tax_ids": line.tax_ids.ids,
                "telecom_tax_kind": line.telecom_tax_kind,
                "telecom_tax_jurisdiction": line.telecom_tax_jurisdiction,
            }
            for line in self.line_ids.filtered(lambda x: x.display_type == "tax")
            if line.telecom_tax_kind
        ]

    def _telecom_restore_tax_lines(self, tax_lines):
        """Replace the tax lines Odoo computed again on this draft by ``tax_lines``."""
        self.ensure_one()
        recomputed = self.line_ids.filtered("tax_repartition_line_id")
        commands = [Command.unlink(line.id) for line in recomputed]
        commands += [Command.create(vals) for vals in self._telecom_tax_line_vals(tax_lines)]
        self.with_context(dynamic_unlink=True, skip_is_manually_modified=True).write(
            {"line_ids": commands}
        )

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    def _telecom_dunning_rank(self):
        """0 before any step, then 1, 2, 3 for reminder, late fee, suspension."""
        self.ensure_one()
        levels = [level for level, __ in DUNNING_LEVELS]
        level = self.telecom_dunning_level
        return levels.index(level) + 1 if level else 0

    def _telecom_collectible_amount(self):
        """What is still to collect on this bill: its open amount less the disputed part."""
        self.ensure_one()
        amount = self.amount_residual - self.telecom_dispute_amount
        return max(self.currency_id.round(amount), 0.0)

    def _telecom_dunning_held(self):
        """True when the overdue policy must leave this bill alone: nothing left to collect
        (paid, zero or all disputed) or autopay is still collecting it."""
        self.ensure_one()
        if self.currency_id.is_zero(self._telecom_collectible_amount()):
            return True
        return self.env["telecom.autopay"]._telecom_collecting(self)

    def _telecom_bill_payment_notice(self):
        """The autopay line of the bill ("Autopay: $42.10 will be charged to Card •••• 4242 on
        Dec 20"), or False when autopay will not charge this bill (payment instructions then)."""
        self.ensure_one()
        Autopay = self.env["telecom.autopay"]
        token = Autopay._telecom_token_of(self.commercial_partner_id)
        amount = self._telecom_collectible_amount()
        if (
            not token
            or self.currency_id.is_zero(amount)
            or self.telecom_autopay_state in ("failed", "skipped", "paid")
        ):
            return False
        return self.env._(
            "Autopay: %(amount)s will be charged to %(method)s %(card)s on %(date)s",
            amount=self.currency_id.format(amount),
            method=token.payment_method_id.name,
            card=token.display_name,
            date=format_date(self.env, Autopay._telecom_charge_date(self), date_format="MMM d"),
        )

    def _telecom_check_unbillable(self):
        for move in self:
            later = self.search_count(
                [
                    ("telecom_subscription_id", "=", move.telecom_subscription_id.id),
                    ("telecom_period_start", ">", move.telecom_period_start),
                    ("id", "not in", self.ids),
                ]
            )
            if later:
                raise UserError(
                    self.env._(
                        "Invoice %(move)s of %(subscription)s is followed by invoices of later "
                        "periods: delete those first, or correct it with a credit note.",
                        move=move.display_name,
                        subscription=move.telecom_subscription_id.name,
                    )
                )

    def _telecom_unbill(self):
        """Hook run before these draft bill-run invoices are deleted: what they billed besides
        charges and recurring days (e.g. rated usage) is made billable again. Nothing here."""
        return True

    def _telecom_unbill_values(self):
        """``(item, charged_until)`` pairs that undo the recurring charges of these invoices."""
        earliest = {}
        for line in self.line_ids.filtered(lambda x: x.telecom_line_kind == "recurring"):
            item = line.telecom_addon_line_id or line.telecom_service_id
            if not item or not line.telecom_date_from:
                continue
            key = (item._name, item.id)
            if key not in earliest or line.telecom_date_from < earliest[key][1]:
                earliest[key] = (item, line.telecom_date_from)
        return [(item, start - timedelta(days=1)) for item, start in earliest.values()]

    # ------------------------------------------------------------
    # BUSINESS: the telecom bill (report/telecom_bill_report.xml)
    # ------------------------------------------------------------

    def _get_name_invoice_report(self):
        """Bill-run invoices print as the telecom bill; other invoices keep Odoo's layout."""
        self.ensure_one()
        if self.telecom_subscription_id:
            return "telecom_billing.report_telecom_bill_document"
        return super()._get_name_invoice_report()

    def _telecom_bill_values(self):
        """What the telecom bill shows, computed once per bill for its template."""
        self.ensure_one()
        # the bill shows the customer's services and history, whoever prints it
        move = self.sudo()
        services, other_lines = move._telecom_bill_services()
        tax_groups = self._telecom_bill_tax_groups()
        currency = self.currency_id
        return {
            "account_number": move.telecom_subscription_id.name,
            **move._telecom_bill_account_summary(),
            "services": services,
            "other_lines": other_lines,
            "usage": move._telecom_bill_usage_summary(),
            "tax_groups": tax_groups,
            "tax_total": currency.round(sum(group["amount"] for group in tax_groups)),
            "payment_notice": self._telecom_bill_payment_notice(),
            "changes": move._telecom_bill_changes(),
        }

    def _telecom_bill_sign(self):
        """Lines of a credit note are shown as credits (negative) on the bill."""
        return -1 if self.move_type == "out_refund" else 1

    def _telecom_bill_previous(self):
        """The bill of this account's previous period, if any."""
        self.ensure_one()
        return self.search(
            [
                ("telecom_subscription_id", "=", self.telecom_subscription_id.id),
                ("state", "=", "posted"),
                ("telecom_period_start", "<", self.telecom_period_start),
            ],
            order="telecom_period_start desc",
            limit=1,
        )

    def _telecom_bill_account_summary(self):
        """Previous balance, payments received, other activity, new charges and total due,
        from the customer's receivable ledger: the previous balance is what the customer owed
        on the previous bill's date (before this account's first bill: the day before this
        bill), payments and other entries are those dated since then up to this bill's date;
        the figures add up to the total due by construction."""
        self.ensure_one()
        previous = self._telecom_bill_previous()
        Line = self.env["account.move.line"]
        base = [
            ("partner_id", "=", self.commercial_partner_id.id),
            ("company_id", "=", self.company_id.id),
            ("account_type", "=", "asset_receivable"),
            ("parent_state", "=", "posted"),
            ("move_id", "!=", self.id),
        ]
        if previous:
            before, since = [("date", "<=", previous.date)], [("date", ">", previous.date)]
        else:
            before, since = [("date", "<", self.date)], [("date", ">=", self.date)]
        currency = self.currency_id

        def total(domain):
            [(amount,)] = Line._read_group(base + domain, [], ["balance:sum"])
            return currency.round(amount or 0.0)

        previous_balance = total(before)
        payments = -total([*since, ("date", "<=", self.date), ("balance", "<", 0)])
        other = total([*since, ("date", "<=", self.date), ("balance", ">", 0)])
        new_charges = self.amount_total_signed
        return {
            "previous_bill": previous,
            "previous_balance": previous_balance,
            "payments_received": payments,
            "other_activity": other,
            "new_charges": new_charges,
            "total_due": currency.round(previous_balance - payments + other + new_charges),
        }

    def _telecom_bill_services(self):
        """``(services, other lines)``: a section per service (its number or circuit, and
        the plan, add-ons and promotions this bill charges for its period) and the lines of
        no service. Reprinted later, a bill shows what it billed, not today's services."""
        self.ensure_one()
        by_service = defaultdict(lambda: self.env["account.move.line"])
        for line in self.invoice_line_ids:
            if line.display_type == "product" and line.telecom_line_kind != "tax":
                by_service[line.telecom_service_id] |= line
        sections = []
        for service, lines in by_service.items():
            if not service:
                continue
            current = lines.filtered(
                lambda x: (
                    x.telecom_line_kind == "recurring"
                    and x.telecom_date_from <= self.telecom_period_start <= x.telecom_date_to
                )
            )
            plan = current.filtered(lambda x: not x.telecom_addon_line_id)[:1].product_id
            addons = current.filtered("telecom_addon_line_id").telecom_addon_line_id
            sections.append(
                {
                    "service": service,
                    "identifier": service._telecom_identifier() or service.name,
                    "plan": (plan or service.product_id).name,
                    "addons": [
                        addon.product_id.name
                        if addon.quantity == 1
                        else "%s × %s" % (addon.quantity, addon.product_id.name)
                        for addon in addons
                    ],
                    "promotions": self._telecom_bill_promotions(lines),
                    "lines": [self._telecom_bill_line(line) for line in lines],
                    "amount": self.currency_id.round(
                        self._telecom_bill_sign() * sum(lines.mapped("price_subtotal"))
                    ),
                }
            )
        others = by_service.get(self.env["telecom.service"], self.env["account.move.line"])
        return sections, [self._telecom_bill_line(line) for line in others]

    def _telecom_bill_promotions(self, lines):
        """The promotions discounting ``lines`` with the months left after this bill."""
        promotions = []
        for promotion in lines.telecom_service_promotion_id:
            used = len(
                promotion.move_line_ids.move_id.filtered(
                    lambda move: (
                        move.telecom_period_start
                        and move.telecom_period_start <= self.telecom_period_start
                    )
                )
            )
            promotions.append(
                {
                    "name": promotion.promotion_id.name,
                    "months_left": max(promotion.months_total - used, 0),
                    "ongoing": not promotion.months_total,
                }
            )
        return promotions

    def _telecom_bill_line(self, line):
        """``{"label", "days", "amount"}`` of an invoice line on the bill: a charge for days
        says which days and how many of its billing period ("Mobile Plus, 16–30 Nov",
        "15 of 30 days")."""
        amount = self._telecom_bill_sign() * line.price_subtotal
        values = {"label": line.name, "days": "", "amount": amount, "line": line}
        date_from, date_to = line.telecom_date_from, line.telecom_date_to
        if not (date_from and date_to and line.product_id):
            return values
        if line.telecom_line_kind not in ("recurring", "charge"):
            return values
        item = line.telecom_addon_line_id or line.telecom_service_id
        name = line.product_id.name
        if item and item.quantity != 1:
            name = "%s × %s" % (item.quantity, name)
        if date_from.year == date_to.year and date_from.month == date_to.month:
            first = str(date_from.day)
        else:
            first = format_date(self.env, date_from, date_format="d MMM")
        label = "%s, %s–%s" % (name, first, format_date(self.env, date_to, date_format="d MMM"))
        if amount < 0:
            label = self.env._("Credit: %(label)s", label=label)
        period_start, period_end = proration.period_of(
            date_from, self.telecom_subscription_id.bill_cycle_day
        )
        days = proration.days_between(date_from, date_to)
        period_days = proration.days_between(period_start, period_end)
        values["label"] = label
        if days != period_days:
            values["days"] = self.env._("%(days)s of %(total)s days", days=days, total=period_days)
        return values

    def _telecom_bill_tax_groups(self):
        """ "Taxes, fees and surcharges" of the bill grouped by jurisdiction, federal first:
        a list of ``{"jurisdiction": label, "lines": [{"label", "amount"}], "amount": total}``.
        The one place the bill reads its taxes and fees from."""
        self.ensure_one()
        sign = self._telecom_bill_sign()
        groups = {}
        # tax lines (shown positive on a bill, negative on a credit note), and the fee lines of
        # bills made before taxes were Odoo taxes
        taxes = [
            (line, -line.amount_currency) for line in self.line_ids if line.display_type == "tax"
        ]
        taxes += [
            (line, sign * line.price_subtotal)
            for line in self.invoice_line_ids
            if line.display_type == "product" and line.telecom_line_kind == "tax"
        ]
        for line, amount in taxes:
            code = line.telecom_tax_jurisdiction or ""
            federal = code in ("", "US")
            label = line.name
            if not federal and label.endswith(" (%s)" % code):
                label = label[: -len(" (%s)" % code)]
            group = groups.setdefault(
                (not federal, code),
                {
                    "jurisdiction": self.env._("Federal") if federal else code,
                    "lines": {},
                    "amount": 0.0,
                },
            )
            # a tax charged and credited back (days of a change) is one line of the bill
            group["lines"][label] = self.currency_id.round(group["lines"].get(label, 0.0) + amount)
            group["amount"] = self.currency_id.round(group["amount"] + amount)
        return [
            {
                **groups[key],
                "lines": [
                    {"label": label, "amount": amount}
                    for label, amount in groups[key]["lines"].items()
                ],
            }
            for key in sorted(groups)
        ]

    def _telecom_bill_usage_summary(self):
        """Usage on the bill by service and type, for its usage summary: a list of
        ``{"service", "type", "used", "included", "allowance", "unit", "amount"}``
        (``allowance`` False when the plan has none). Hook for the rating module: nothing
        here."""
        return []

    def _telecom_bill_changes(self):
        """Plan and add-on changes of the account's services since the previous bill's
        period began, as short sentences for the bill's change summary."""
        self.ensure_one()
        previous = self._telecom_bill_previous()
        # changes of the period that ended (prorated on this bill) up to this period's start
        domain = [
            ("subscription_id", "=", self.telecom_subscription_id.id),
            ("action", "in", BILL_CHANGE_ACTIONS),
            ("date", "<=", self.telecom_period_start),
        ]
        if previous:
            domain.append(("date", ">", previous.telecom_period_start))
        history = self.env["telecom.service.history"].search(domain, order="date, id")
        return [self._telecom_bill_change_text(step) for step in history]

    def _telecom_bill_change_text(self, step):
        service = step.service_id._telecom_identifier() or step.service_id.name
        values = {
            "date": format_date(self.env, step.date),
            "service": service,
            "old": step.old_plan_id.name,
            "new": step.new_plan_id.name,
            "addon": step.addon_id.name,
        }
        if step.action == "change_plan":
            return self.env._("%(date)s, %(service)s: plan %(old)s → %(new)s", **values)
        if step.action == "add_addon":
            return self.env._("%(date)s, %(service)s: add-on %(addon)s added", **values)
        if step.action == "remove_addon":
            return self.env._("%(date)s, %(service)s: add-on %(addon)s removed", **values)
        return self.env._("%(date)s, %(service)s: service ended", **values)

    # ------------------------------------------------------------
    # BUSINESS: bill delivery
    # ------------------------------------------------------------

    def _telecom_bill_delivery(self):
        """``email``, ``portal`` or ``paper``: the customer's bill delivery preference."""
        self.ensure_one()
        return self.commercial_partner_id.telecom_bill_delivery or "email"

    def _telecom_bill_recipient(self):
        """The contact who receives this bill by email."""
        self.ensure_one()
        return self.commercial_partner_id.telecom_bill_contact_id or self.partner_id

    def _telecom_bill_address_error(self):
        """Why this bill cannot be emailed, or False."""
        self.ensure_one()
        recipient = self._telecom_bill_recipient()
        # Odoo's invoice sending emails invoices of customers with an address only
        for partner in recipient | self.partner_id:
            if not email_normalize(partner.email or ""):
                return self.env._(
                    "%(contact)s has no valid email address (%(email)s): correct it and send "
                    "the bill again.",
                    contact=partner.display_name,
                    email=partner.email or self.env._("none"),
                )
        return False

    def _telecom_write_status(self, vals):
        """Write the bill's delivery or autopay status (``telecom_send_*``,
        ``telecom_autopay_*``, print batch): no accounting field, so Odoo's synchronisation
        of the journal items (about 100 ms a bill, the largest cost of the delivery and
        autopay batches) is skipped and the bill is not flagged as manually modified."""
        unexpected = [name for name in vals if name not in STATUS_FIELDS]
        if unexpected:
            raise ValueError(f"Not a bill status field: {', '.join(unexpected)}")
        return self.with_context(skip_invoice_sync=True, skip_is_manually_modified=True).write(vals)

    def _telecom_mark_sent(self):
        self._telecom_write_status({"telecom_send_state": "sent", "telecom_send_error": False})

    def _telecom_mark_failed(self, reason):
        """Delivery failed for good: reported on the bill and counted on its run, never
        tried again by the run (staff resend it from the invoice once fixed)."""
        self._telecom_write_status({"telecom_send_state": "failed", "telecom_send_error": reason})
        for move in self:
            move.message_post(
                body=self.env._("The bill could not be delivered: %(reason)s", reason=reason)
            )

    def _telecom_send_bills(self):
        """Deliver these posted bills by their customers' preferences: emailed (with the PDF
        or a link to the bill on the portal), a portal notice, or put in a paper print batch.
        Bills that cannot be delivered are marked failed with the reason."""
        by_method = defaultdict(lambda: self.browse())
        for move in self:
            method = move._telecom_bill_delivery()
            error = method != "paper" and move._telecom_bill_address_error()
            if error:
                move._telecom_mark_failed(error)
            else:
                by_method[method] |= move
        # the PDF goes with the email where the company asks for it; otherwise the email
        # links to the bill on the portal, rendered when opened (README, "Bill delivery")
        with_pdf = by_method["email"].filtered(lambda move: move.company_id.telecom_bill_attach_pdf)
        with_pdf._telecom_send_by_email(attach_pdf=True)
        (by_method["email"] - with_pdf)._telecom_send_by_email(attach_pdf=False)
        by_method["portal"]._telecom_send_by_email(attach_pdf=False)
        if by_method["paper"]:
            self.env["telecom.bill.print.batch"]._telecom_create_batches(by_method["paper"])

    def _telecom_send_by_email(self, attach_pdf=True):
        """Email these bills with Odoo's invoice sending, queued for the mail queue."""
        if not self:
            return
        self._telecom_follow_bill_contacts()
        # Queued for the mail queue, not sent by this transaction. Sending writes no
        # accounting field on the bills (sending data, access token, sent flag, document):
        # Odoo's synchronisation of their journal items is skipped, as in _telecom_write_status.
        moves = self.with_context(
            mail_notify_force_send=False, skip_invoice_sync=True, skip_is_manually_modified=True
        )
        settings = {"sending_methods": {"email"}, "telecom_attach_pdf": attach_pdf}
        moves.env["account.move.send"]._generate_and_send_invoices(
            moves, allow_raising=False, **settings
        )
        unsent = self.filtered(lambda move: move.telecom_send_state == "to_send")
        if unsent:
            # the error is in the bill's chatter (posted by Odoo's sending)
            unsent._telecom_mark_failed(
                self.env._("The bill document could not be generated; see the messages.")
            )

    def _telecom_follow_bill_contacts(self):
        """A customer with a bill email contact gets its bills there: the contact follows
        the bill (and gets its messages) in the customer's place."""
        for move in self:
            contact = move.commercial_partner_id.telecom_bill_contact_id
            if contact and contact != move.partner_id:
                move.message_unsubscribe(partner_ids=move.partner_id.ids)
                move.message_subscribe(partner_ids=contact.ids)

    def _message_receive_bounce(self, email, partner):
        """A bounced bill email is a failed delivery, reported with the address."""
        result = super()._message_receive_bounce(email, partner)
        if self.telecom_subscription_id and self.telecom_send_state == "sent":
            self._telecom_mark_failed(self.env._("the email to %(email)s bounced.", email=email))
        return result
