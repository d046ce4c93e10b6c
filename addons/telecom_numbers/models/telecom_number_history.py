from odoo import fields, models

from .telecom_number import NUMBER_STATUSES


class TelecomNumberHistory(models.Model):
    _name = "telecom.number.history"
    _description = "Telephone Number History"
    _order = "date desc, id desc"

    number_id = fields.Many2one(
        "telecom.number", string="Number", required=True, ondelete="cascade", index=True
    )
    date = fields.Datetime(required=True, default=fields.Datetime.now, readonly=True)
    user_id = fields.Many2one(
        "res.users", string="By", default=lambda self: self.env.user, readonly=True
    )
    from_status = fields.Selection(NUMBER_STATUSES, readonly=True)
    to_status = fields.Selection(NUMBER_STATUSES, required=True, readonly=True)
    partner_id = fields.Many2one(
        "res.partner", string="Customer", readonly=True, index="btree_not_null"
    )
    reason = fields.Char(readonly=True)
    sale_line_id = fields.Many2one("sale.order.line", string="Sale Order Line", readonly=True)
    port_request_id = fields.Many2one(
        "telecom.port.request", string="Port Request", readonly=True, ondelete="set null"
    )
