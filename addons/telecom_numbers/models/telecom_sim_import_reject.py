from odoo import fields, models


class TelecomSimImportReject(models.Model):
    _name = "telecom.sim.import.reject"
    _description = "Rejected Row of a SIM Import"
    _inherit = ["telecom.import.reject.mixin"]
    _telecom_reject_parent = "import_id"
    _order = "import_id, row_number"

    company_id = fields.Many2one(related="import_id.company_id")

    import_id = fields.Many2one(
        "telecom.sim.import", string="Import", required=True, ondelete="cascade", index=True
    )
    row_number = fields.Integer(
        string="Row", required=True, help="Line of the file (the header is line 1)."
    )
    value = fields.Char(string="ICCID", help="The ICCID as written in the file.")
    reason = fields.Char(required=True)
