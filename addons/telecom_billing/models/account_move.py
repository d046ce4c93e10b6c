from datetime import timedelta

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from odoo.addons.telecom_catalog.tools.locking import lock_ids

from ..adapters.base import TaxEngineError, TaxEngineUnavailable

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
            vals_list.append(
                {
                    "display_type": "tax",
                    "name": tax_line["name"],
                    "tax_repartition_line_id": repartition.id,
                    "account_id": tax_line["account_id"],
                    "amount_currency": amount_currency,
                    "balance": convert(amount_currency),
                    "tax_base_amount": convert(tax_line["base"]),
                    "tax_tag_ids": [Command.set(repartition.tag_ids.ids)],
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
