from odoo import api, fields, models
from odoo.exceptions import ValidationError

AGREEMENT_ROLES = [
    ("both", "Customer and Vendor"),
    ("customer", "Customer (we bill them)"),
    ("vendor", "Vendor (they bill us)"),
]


class TelecomInterconnectAgreement(models.Model):
    """An interconnect agreement with another carrier: its trunk groups, its rate decks per
    direction, and how the month is settled (accounts, netting, dispute tolerance).

    Directions are seen from our switch: ``in`` is traffic the carrier hands to us, which we
    terminate and bill to them (customer invoice, interconnect revenue); ``out`` is traffic we
    hand to the carrier, which they terminate and bill to us (vendor bill, interconnect
    expense)."""

    _name = "telecom.interconnect.agreement"
    _description = "Interconnect Agreement"
    _inherit = ["mail.thread"]
    _order = "name"
    _check_company_auto = True

    # ------------------------------------------------------------
    # FIELDS
    # ------------------------------------------------------------

    name = fields.Char(required=True, tracking=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    partner_id = fields.Many2one(
        "res.partner", string="Carrier", required=True, tracking=True, check_company=True
    )
    role = fields.Selection(AGREEMENT_ROLES, required=True, default="both", tracking=True)
    date_start = fields.Date(required=True, default=fields.Date.today, tracking=True)
    date_end = fields.Date(tracking=True)
    trunk_ids = fields.One2many("telecom.interconnect.trunk", "agreement_id", string="Trunks")
    rate_ids = fields.One2many("telecom.interconnect.rate", "agreement_id", string="Rates")
    deck_ids = fields.One2many("telecom.interconnect.deck", "agreement_id", string="Decks")
    settlement_ids = fields.One2many(
        "telecom.interconnect.settlement", "agreement_id", string="Settlements"
    )
    netting = fields.Boolean(
        tracking=True,
        help="Settle the month with one document for the net amount: an invoice when we are "
        "owed more than we owe, otherwise a vendor bill.",
    )
    revenue_account_id = fields.Many2one(
        "account.account",
        check_company=True,
        help="Interconnect revenue. Empty: the account of the company's first interconnect "
        "revenue rule, else the income account of the interconnect termination product.",
    )
    expense_account_id = fields.Many2one(
        "account.account",
        check_company=True,
        help="Interconnect expense. Empty: the expense account of the interconnect "
        "termination product.",
    )
    dispute_tolerance = fields.Monetary(
        default=1.0,
        help="A carrier invoice differing from our rated traffic by more than this amount "
        "opens a dispute.",
    )
    rate_count = fields.Integer(compute="_compute_rate_count")

    # ------------------------------------------------------------
    # COMPUTE / CONSTRAINT
    # ------------------------------------------------------------

    def _compute_rate_count(self):
        counts = dict(
            self.env["telecom.interconnect.rate"]._read_group(
                [("agreement_id", "in", self.ids)], ["agreement_id"], ["__count"]
            )
        )
        for agreement in self:
            agreement.rate_count = counts.get(agreement, 0)

    @api.constrains("date_start", "date_end")
    def _check_dates(self):
        for agreement in self:
            if agreement.date_end and agreement.date_end < agreement.date_start:
                raise ValidationError(
                    self.env._(
                        "Agreement %(name)s ends before it starts.", name=agreement.display_name
                    )
                )

    # ------------------------------------------------------------
    # ACTION
    # ------------------------------------------------------------

    def action_view_rates(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "telecom_interconnect.action_telecom_interconnect_rate"
        )
        action["domain"] = [("agreement_id", "=", self.id)]
        action["context"] = {"default_agreement_id": self.id}
        return action

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    def _telecom_revenue_account(self):
        """Interconnect revenue account: the agreement's, the first interconnect revenue rule
        of the company, or the termination product's income account."""
        self.ensure_one()
        if self.revenue_account_id:
            return self.revenue_account_id
        product = self.env.ref("telecom_interconnect.product_interconnect_revenue")
        rule = self.env["telecom.revenue.rule"]._telecom_match(
            product, self.partner_id, self.company_id
        )
        if rule:
            return rule.account_id
        return product.product_tmpl_id.with_company(self.company_id)._get_product_accounts()[
            "income"
        ]

    def _telecom_expense_account(self):
        self.ensure_one()
        if self.expense_account_id:
            return self.expense_account_id
        product = self.env.ref("telecom_interconnect.product_interconnect_expense")
        return product.product_tmpl_id.with_company(self.company_id)._get_product_accounts()[
            "expense"
        ]
