from odoo import fields, models


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    telecom_legacy_item = fields.Char(
        string="Legacy Open Item",
        index="btree_not_null",
        readonly=True,
        copy=False,
        help="Legacy account and item (open bill, unapplied credit or deposit) this receivable "
        "line opened at the cut-over, e.g. L-1001/bill:INV-0001.",
    )
