from odoo import fields, models


class TelecomBdcFabricReject(models.Model):
    _name = "telecom.bdc.fabric.reject"
    _description = "Rejected Fabric Row"
    _inherit = ["telecom.import.reject.mixin"]
    _telecom_reject_parent = "import_id"
    _order = "import_id, row_number"

    import_id = fields.Many2one(
        "telecom.bdc.fabric.import", required=True, ondelete="cascade", index=True
    )
    row_number = fields.Integer(string="Line", help="Line of the CSV file (the header is line 1).")
    location_ref = fields.Char(string="Location ID in File")
    reason = fields.Char(required=True)
