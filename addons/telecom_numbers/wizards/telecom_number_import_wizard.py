from odoo import fields, models
from odoo.exceptions import UserError


class TelecomNumberImportWizard(models.TransientModel):
    _name = "telecom.number.import.wizard"
    _description = "Import a Number Block CSV"

    file = fields.Binary(string="CSV File", required=True)
    filename = fields.Char()
    block_id = fields.Many2one(
        "telecom.number.block",
        string="Target Block",
        help="Optional: every number must fall in this block and takes its rate center, LATA, "
        "state and OCN unless the file gives them.",
    )
    create_blocks = fields.Boolean(
        string="Create Thousands-Blocks",
        default=True,
        help="Without a target block, create an NPA-NXX-X thousands-block for numbers that no "
        "existing block covers.",
    )

    def action_import(self):
        self.ensure_one()
        if self.filename and not self.filename.lower().endswith((".csv", ".txt")):
            raise UserError(self.env._("Choose a .csv file."))
        record = self.env["telecom.number.import"].create(
            {
                "file": self.file,
                "filename": self.filename,
                "block_id": self.block_id.id,
                "create_blocks": self.create_blocks,
            }
        )
        record.action_import()
        return {
            "type": "ir.actions.act_window",
            "res_model": "telecom.number.import",
            "res_id": record.id,
            "view_mode": "form",
            "target": "current",
        }
