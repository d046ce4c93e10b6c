from odoo import fields, models


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
