from odoo import fields, models

from .res_partner import CUSTOMER_TYPES


class TelecomCustomerType(models.Model):
    """The customer types of ``res.partner.telecom_customer_type`` as records.

    Promotions (and later rules) pick several customer types at once; a selection field cannot
    do that, so each type also exists as one of these records (created by the module's data).
    """

    _name = "telecom.customer.type"
    _description = "Telecom Customer Type"
    _order = "sequence, id"
    _sql_constraints = [
        ("code_uniq", "UNIQUE(code)", "Each customer type exists only once."),
    ]

    name = fields.Char(required=True, translate=True)
    code = fields.Selection(CUSTOMER_TYPES, required=True)
    sequence = fields.Integer(default=10)
