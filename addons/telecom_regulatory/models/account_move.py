from odoo import models


class AccountMove(models.Model):
    """Staff reads and downloads of an invoice's call detail (CPNI, declared by telecom_usage)
    go to the CPNI access log."""

    _name = "account.move"
    # the logged mixin first: it extends telecom.cpni.mixin, which the model already inherits
    _inherit = ["telecom.cpni.logged.mixin", "account.move"]
