from odoo import fields, models

from odoo.addons.telecom_catalog.models.product_template import SERVICE_TYPES


class TelecomProvisioningServiceType(models.Model):
    """A telecom service type as a record, so a backend can serve several of them."""

    _name = "telecom.provisioning.service.type"
    _description = "Provisioned Service Type"
    _order = "sequence, id"
    _sql_constraints = [
        ("code_uniq", "UNIQUE(code)", "Each service type is defined once."),
    ]

    # ------------------------------------------------------------
    # FIELDS
    # ------------------------------------------------------------

    name = fields.Char(required=True, translate=True)
    code = fields.Selection(SERVICE_TYPES, required=True)
    sequence = fields.Integer(default=10)
