from odoo import api, fields, models

from odoo.addons.telecom_catalog.models.product_template import REGULATORY_CLASSES, SERVICE_TYPES

CUSTOMER_BLOCKS = [
    ("carrier", "Carrier's Carrier (reseller certificate)"),
    ("end_user", "End User"),
]


class TelecomForm499Mapping(models.Model):
    _name = "telecom.form499.mapping"
    _description = "Form 499 Line Mapping"
    _order = "customer_block, sequence, id"

    sequence = fields.Integer(default=10)
    customer_block = fields.Selection(CUSTOMER_BLOCKS, string="Customers", required=True)
    regulatory_class = fields.Selection(
        REGULATORY_CLASSES,
        help="Leave empty to match revenue of any regulatory class. A journal item's own class "
        "(usage: the jurisdiction of its calls, from rating) wins over its product's.",
    )
    service_type = fields.Selection(
        SERVICE_TYPES, help="Leave empty to match products of any service type."
    )
    usage_only = fields.Boolean(
        string="Itemised Usage",
        help="Matches only usage items (toll and international calls billed per call), which "
        "are reported on their actual jurisdiction; other mappings match the rest.",
    )
    line_id = fields.Many2one("telecom.form499.line", string="499 Line", required=True)

    @api.model
    def _telecom_line_for(
        self, customer_block, product, mappings=None, regulatory_class=None, usage=False
    ):
        """The 499 line of revenue from ``product`` of ``regulatory_class`` (default: the
        product's) sold to ``customer_block`` customers; ``usage``: an itemised usage item.
        ``mappings``: the mapping records already read, to avoid a query per item."""
        template = product.product_tmpl_id
        regulatory_class = regulatory_class or template.telecom_regulatory_class
        if mappings is None:
            mappings = self.search([])
        for mapping in mappings.filtered(lambda m: m.customer_block == customer_block):
            if mapping.usage_only and not usage:
                continue
            if mapping.regulatory_class and mapping.regulatory_class != regulatory_class:
                continue
            if mapping.service_type and mapping.service_type != template.telecom_service_type:
                continue
            return mapping.line_id
        return self.env["telecom.form499.line"]
