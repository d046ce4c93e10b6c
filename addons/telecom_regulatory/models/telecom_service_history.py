from odoo import models


class TelecomServiceHistory(models.Model):
    """Staff reads of the CPNI fields telecom_billing declares go to the CPNI access log."""

    _name = "telecom.service.history"
    # the logged mixin first: it extends telecom.cpni.mixin, which the model already inherits
    _inherit = ["telecom.cpni.logged.mixin", "telecom.service.history"]
