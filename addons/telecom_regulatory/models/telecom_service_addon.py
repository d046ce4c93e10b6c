from odoo import models


class TelecomServiceAddon(models.Model):
    """Staff reads of the CPNI fields telecom_billing declares go to the CPNI access log."""

    _name = "telecom.service.addon"
    # the logged mixin first: it extends telecom.cpni.mixin, which the model already inherits
    _inherit = ["telecom.cpni.logged.mixin", "telecom.service.addon"]
