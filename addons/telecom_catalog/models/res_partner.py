from dateutil.relativedelta import relativedelta

from odoo import api, fields, models

CUSTOMER_TYPES = [
    ("residential", "Residential"),
    ("business", "Business"),
    ("government", "Government"),
    ("lifeline", "Lifeline"),
    ("wholesale", "Wholesale / Reseller"),
]
# Revenue segment of each customer type (income accounts, 499 blocks, aging periods).
SEGMENT_OF_TYPE = {
    "residential": "residential",
    "lifeline": "residential",
    "business": "business",
    "government": "business",
    "wholesale": "wholesale",
}
SEGMENTS = [("residential", "Residential"), ("business", "Business"), ("wholesale", "Wholesale")]


class ResPartner(models.Model):
    _inherit = "res.partner"

    # ------------------------------------------------------------
    # FIELDS
    # ------------------------------------------------------------

    telecom_customer_type = fields.Selection(
        CUSTOMER_TYPES,
        string="Customer Type",
        default="residential",
        tracking=True,
        help="Drives promotion eligibility, taxes and fees, number aging periods and the revenue "
        "segment. Wholesale customers are carriers or resellers buying for resale.",
    )
    telecom_segment = fields.Selection(
        SEGMENTS,
        string="Revenue Segment",
        compute="_compute_telecom_segment",
        store=True,
        help="Residential, business or wholesale, derived from the customer type.",
    )

    # ------------------------------------------------------------
    # COMPUTE
    # ------------------------------------------------------------

    @api.depends("telecom_customer_type")
    def _compute_telecom_segment(self):
        for partner in self:
            partner.telecom_segment = SEGMENT_OF_TYPE.get(partner.telecom_customer_type or "")

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    @api.model
    def _commercial_fields(self):
        # Contacts and service addresses of a customer share its customer type.
        return super()._commercial_fields() + ["telecom_customer_type"]

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    def _telecom_first_service_date(self):
        """Return the date this customer first bought a telecom plan, or False if never.

        Hook: the catalog knows only confirmed sale orders; telecom_billing overrides it with
        the start of the customer's oldest service.
        """
        self.ensure_one()
        # A business fact, not a document the user reads: visible whoever sold the order.
        order = (
            self.env["sale.order"]
            .sudo()
            .search(
                [
                    ("partner_id", "child_of", self.commercial_partner_id.id),
                    ("state", "=", "sale"),
                    ("order_line.product_id.telecom_is_plan", "=", True),
                ],
                order="date_order, id",
                limit=1,
            )
        )
        return order.date_order.date() if order else False

    def _telecom_tenure_months(self, on_date):
        """Whole months between the first service and ``on_date`` (0 for a new customer)."""
        self.ensure_one()
        start = self._telecom_first_service_date()
        if not start or start > on_date:
            return 0
        delta = relativedelta(on_date, start)
        return delta.years * 12 + delta.months

    def _telecom_analytic_distribution(self):
        """Analytic distribution of telecom revenue for this (service) address, by its state.

        ``{"<analytic account id>": 100.0}`` for the analytic account of the address's state in
        the current company, or ``{}`` when the address has no state or the state no account.
        """
        self.ensure_one()
        if not self.state_id:
            return {}
        account_id = self.env["account.analytic.account"]._telecom_state_account_id(
            self.env.company.id, self.state_id.id
        )
        return {str(account_id): 100.0} if account_id else {}
