from odoo import api, fields, models


class TelecomPriceVersion(models.Model):
    _name = "telecom.price.version"
    _description = "Effective-dated Recurring Price"
    _order = "product_tmpl_id, date_start desc"
    _sql_constraints = [
        (
            "date_uniq",
            "UNIQUE(product_tmpl_id, date_start)",
            "A plan cannot have two prices starting on the same date.",
        ),
        ("price_positive", "CHECK(price >= 0)", "A recurring price cannot be negative."),
    ]

    company_id = fields.Many2one(related="product_tmpl_id.company_id")
    product_tmpl_id = fields.Many2one(
        "product.template", string="Plan", required=True, ondelete="cascade", index=True
    )
    date_start = fields.Date(
        string="Effective From",
        required=True,
        help="From this date on, this monthly price replaces the previous one, for new and "
        "existing subscriptions alike.",
    )
    price = fields.Monetary(string="Monthly Price", required=True)
    currency_id = fields.Many2one(related="product_tmpl_id.currency_id")
    note = fields.Char(help="Why the price changes, e.g. the customer notice reference.")

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        templates = self.env["product.template"].browse(
            {vals["product_tmpl_id"] for vals in vals_list if vals.get("product_tmpl_id")}
        )
        # the first version: the sales price so far becomes the price of the days before it
        for template in templates.filtered(lambda t: not t.telecom_price_version_ids):
            template.telecom_base_price = template.list_price
        return super().create(vals_list)
