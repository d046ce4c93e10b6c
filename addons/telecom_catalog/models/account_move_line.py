from odoo import api, models


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

    @api.depends("move_id.partner_shipping_id")
    def _compute_analytic_distribution(self):
        super()._compute_analytic_distribution()
        Analytic = self.env["account.analytic.account"]
        for line in self._telecom_revenue_lines():
            current = line.analytic_distribution
            if current and not Analytic._telecom_is_state_distribution(current):
                continue  # set by a distribution model, the sale order or by hand
            address = line.move_id.partner_shipping_id or line.move_id.partner_id
            line.analytic_distribution = (
                address.with_company(line.company_id)._telecom_analytic_distribution() or False
            )

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

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
