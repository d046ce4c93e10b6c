from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import format_date

DUNNING_LEVELS = [
    ("reminder", "Reminder Sent"),
    ("late_fee", "Late Fee Charged"),
    ("suspension", "Services Suspended"),
]
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

    telecom_dunning_level = fields.Selection(
        DUNNING_LEVELS,
        string="Dunning Level",
        readonly=True,
        copy=False,
        tracking=True,
        help="Furthest overdue step taken on this invoice.",
    )
    telecom_dunning_date = fields.Date(string="Last Dunning Step", readonly=True, copy=False)

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
