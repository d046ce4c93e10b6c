from odoo import api, fields, models

FILE_STATES = [
    ("done", "Imported"),
    ("error", "Error"),
    ("duplicate", "Duplicate (skipped)"),
    ("sent", "Sent"),
]


class TelecomFileChannelFile(models.Model):
    """One file a channel took or wrote: name, checksum, outcome, report and the business
    record it became. A name and checksum already processed by the channel is skipped."""

    _name = "telecom.file.channel.file"
    _description = "File Channel File"
    _order = "id desc"

    channel_id = fields.Many2one(
        "telecom.file.channel", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="channel_id.company_id", store=True)
    name = fields.Char(string="File Name", required=True, readonly=True)
    checksum = fields.Char(readonly=True, help="SHA-256 of the content.")
    size = fields.Integer(string="Size (bytes)", readonly=True)
    state = fields.Selection(FILE_STATES, required=True, readonly=True)
    folder = fields.Char(
        compute="_compute_folder", help="Subfolder the file is moved to once committed."
    )
    row_count = fields.Integer(string="Rows", readonly=True)
    rejected_count = fields.Integer(string="Rejected", readonly=True)
    report = fields.Text(readonly=True)
    res_model = fields.Char(string="Record Model", readonly=True)
    res_id = fields.Many2oneReference(string="Record", model_field="res_model", readonly=True)

    def init(self):
        # a channel processes a name and content once; duplicates are logged many times
        self.env.cr.execute(
            """CREATE UNIQUE INDEX IF NOT EXISTS telecom_file_channel_file_once_idx
                   ON telecom_file_channel_file (channel_id, name, checksum)
                WHERE state IN ('done', 'error')"""
        )

    @api.depends("state", "channel_id.done_folder", "channel_id.error_folder")
    def _compute_folder(self):
        for log in self:
            channel = log.channel_id
            log.folder = channel.error_folder if log.state == "error" else channel.done_folder

    def action_open_record(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": self.res_model,
            "res_id": self.res_id,
            "view_mode": "form",
        }
