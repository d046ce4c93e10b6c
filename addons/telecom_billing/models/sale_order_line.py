from odoo import api, fields, models


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    telecom_service_ids = fields.One2many(
        "telecom.service", "sale_line_id", string="Telecom Services", readonly=True
    )

    @api.depends("product_id.telecom_is_recurring", "telecom_promotion_id")
    def _compute_qty_to_invoice(self):
        """Plans, add-ons and the promotions discounting them are invoiced by the bill run,
        never from the order (the services carry the promotions; see telecom.service)."""
        result = super()._compute_qty_to_invoice()
        for line in self:
            if line.product_id.telecom_is_recurring or line.telecom_promotion_id:
                line.qty_to_invoice = 0.0
        return result
