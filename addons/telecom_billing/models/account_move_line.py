from odoo import fields, models

from odoo.addons.telecom_catalog.models.product_template import REGULATORY_CLASSES

from .telecom_tax_rate import TAX_KINDS

TELECOM_LINE_KINDS = [
    ("recurring", "Recurring Charge"),
    ("charge", "Pending Charge"),
    ("discount", "Promotion"),
    ("usage", "Usage"),
    ("tax", "Tax or Regulatory Fee"),
]


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    telecom_line_kind = fields.Selection(TELECOM_LINE_KINDS, readonly=True, copy=False)
    telecom_service_id = fields.Many2one(
        "telecom.service",
        string="Telecom Service",
        readonly=True,
        copy=False,
        index="btree_not_null",
    )
    telecom_addon_line_id = fields.Many2one(
        "telecom.service.addon", string="Telecom Add-on", readonly=True, copy=False
    )
    telecom_charge_id = fields.Many2one(
        "telecom.charge",
        string="Telecom Charge",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="restrict",
    )
    telecom_service_promotion_id = fields.Many2one(
        "telecom.service.promotion",
        string="Telecom Promotion",
        readonly=True,
        copy=False,
        index="btree_not_null",
    )
    telecom_discount_base = fields.Monetary(
        string="Discounted Amount",
        readonly=True,
        copy=False,
        help="Of a promotion line: the plan charges it discounts (its days are the line's "
        "service dates). A credit of some of those days gives back their share of the discount.",
    )
    telecom_date_from = fields.Date(string="Service From", readonly=True, copy=False)
    telecom_date_to = fields.Date(string="Service To", readonly=True, copy=False)
    telecom_tax_kind = fields.Selection(
        TAX_KINDS, string="Telecom Tax Kind", readonly=True, copy=False
    )
    telecom_tax_jurisdiction = fields.Char(string="Tax Jurisdiction", readonly=True, copy=False)
    telecom_regulatory_class = fields.Selection(
        REGULATORY_CLASSES,
        string="Line Regulatory Class",
        readonly=True,
        copy=False,
        help="The regulatory class of this line's revenue when it differs from its product's: "
        "usage lines carry the jurisdiction of their calls (intrastate, interstate, "
        "international) from rating. Empty: the product's class applies.",
    )

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    def reconcile(self):
        """Payment hook: once a telecom invoice is paid, reactivate the services suspended
        for non-payment when nothing else is overdue."""
        result = super().reconcile()
        subscriptions = self.move_id.telecom_subscription_id
        if subscriptions:
            subscriptions.sudo()._telecom_dunning_check_reactivation()
        return result
