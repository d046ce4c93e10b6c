from odoo import models


class ProductProduct(models.Model):
    _inherit = "product.product"

    def _telecom_income_account(self, partner, service_type=None):
        """Income account of this product sold to ``partner``, in the current company.

        The first matching revenue rule (by sequence) decides, by the product's service type
        (``service_type`` for a product without one, e.g. the usage of a mobile line) and the
        customer's segment, with interconnect products matched only by interconnect rules.
        Without a matching rule, the product's own income account (or its category's).
        """
        self.ensure_one()
        rule = self.env["telecom.revenue.rule"]._telecom_match(
            self, partner, self.env.company, service_type
        )
        if rule:
            return rule.account_id
        return self.product_tmpl_id.with_company(self.env.company)._get_product_accounts()["income"]
