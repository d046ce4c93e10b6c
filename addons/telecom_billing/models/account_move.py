from datetime import timedelta

from odoo import fields, models
from odoo.exceptions import UserError

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
