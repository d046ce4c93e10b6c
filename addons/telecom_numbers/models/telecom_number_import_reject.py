from odoo import fields, models


class TelecomNumberImportReject(models.Model):
    _name = "telecom.number.import.reject"
    _description = "Rejected Row of a Number Import"
    _inherit = ["telecom.import.reject.mixin"]
    _telecom_reject_parent = "import_id"
    _order = "import_id, row_number"

    company_id = fields.Many2one(related="import_id.company_id")

    import_id = fields.Many2one(
        "telecom.number.import", string="Import", required=True, ondelete="cascade", index=True
    )
    row_number = fields.Integer(
        string="Row", required=True, help="Line of the file (the header is line 1)."
    )
    value = fields.Char(help="The number as written in the file (or the whole malformed row).")
    reason = fields.Char(required=True)
