from odoo import models


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    # ------------------------------------------------------------
    # COMPUTE
    # ------------------------------------------------------------

    def _compute_account_id(self):
        super()._compute_account_id()
        accounts = {}
        for line in self._telecom_revenue_lines():
            move = line.move_id
            key = (line.product_id, move.commercial_partner_id, line.company_id)
            if key not in accounts:
                accounts[key] = line.product_id.with_company(
                    line.company_id
                )._telecom_income_account(move.commercial_partner_id)
            account = accounts[key]
            if account and move.fiscal_position_id:
                account = move.fiscal_position_id.map_account(account)
            if account:
                line.account_id = account

    def _compute_analytic_distribution(self):
        # Same triggers as Odoo's compute: other lines never recompute because of us. A change
        # of service address alone is followed by account.move (write and onchange).
        super()._compute_analytic_distribution()
        self._telecom_apply_state_distribution()

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    def _telecom_apply_state_distribution(self):
        """Distribute the telecom revenue among these lines to the state of their invoice's
        service address, unless distributed another way."""
        self.env["account.analytic.account"]._telecom_distribute_by_state(
            self._telecom_revenue_lines(), "move_id"
        )

    def _telecom_revenue_lines(self):
        """Product lines of customer invoices and credit notes selling telecom products."""
        return self.filtered(
            lambda line: (
                line.display_type == "product"
                and line.product_id
                and line.move_id.is_sale_document(include_receipts=True)
                and (line.product_id.telecom_service_type or line.product_id.telecom_interconnect)
            )
        )
