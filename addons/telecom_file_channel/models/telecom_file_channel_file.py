import logging

from odoo import api, fields, models
from odoo.tools import SQL

from odoo.addons.telecom_catalog.tools.locking import lock_ids

from ..adapters import FileChannelError

_logger = logging.getLogger(__name__)

FILE_STATES = [
    ("done", "Imported"),
    ("error", "Error"),
    ("duplicate", "Duplicate (skipped)"),
    ("pending", "To Send"),
    ("sent", "Sent"),
]


class TelecomFileChannelFile(models.Model):
    """One file a channel took or wrote: name, checksum, outcome, report and the business
    record it became (inbound) or came from (outbound). A name and checksum already
    processed by the channel is skipped; an outbound file is queued once (its content in
    an attachment, committed) and written by the next run, again after a failed write."""

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
    export_id = fields.Many2one(
        "telecom.file.export", string="Scheduled File", readonly=True, index="btree_not_null"
    )
    period_start = fields.Date(readonly=True, help="First day of the period of the file.")
    attachment_id = fields.Many2one(
        "ir.attachment", string="Content", readonly=True, help="What is (or was) written."
    )
    sent_date = fields.Datetime(string="Written On", readonly=True)

    def init(self):
        # a channel processes a name and content once; duplicates are logged many times
        self.env.cr.execute(
            """CREATE UNIQUE INDEX IF NOT EXISTS telecom_file_channel_file_once_idx
                   ON telecom_file_channel_file (channel_id, name, checksum)
                WHERE state IN ('done', 'error')"""
        )
        # an outbound file once per channel, a scheduled file once per period
        self.env.cr.execute(
            """CREATE UNIQUE INDEX IF NOT EXISTS telecom_file_channel_file_attachment_idx
                   ON telecom_file_channel_file (channel_id, attachment_id)
                WHERE attachment_id IS NOT NULL;
               CREATE UNIQUE INDEX IF NOT EXISTS telecom_file_channel_file_period_idx
                   ON telecom_file_channel_file (export_id, period_start, name)
                WHERE export_id IS NOT NULL"""
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

    # ------------------------------------------------------------
    # BUSINESS: outbound
    # ------------------------------------------------------------

    @api.model
    def _telecom_send_pending(self, limit=None, channels=None):
        """Write the pending outbound files (locked: a file another worker holds is left to
        it), per channel through one connection. A channel that cannot be reached keeps its
        files pending, with the error on the channel. Returns the files written."""
        self.flush_model(["state", "channel_id"])
        where = SQL("state = 'pending'")
        if channels:
            where = SQL("%s AND channel_id IN %s", where, tuple(channels.ids))
        pending = self.browse(lock_ids(self.env, self._table, where, limit=limit))
        sent = self.browse()
        for channel, files in pending.grouped("channel_id").items():
            try:
                with channel._telecom_transport() as transport:
                    for log in files:
                        # the name identifies the period: a file written by a run that was
                        # rolled back afterwards is replaced, not doubled
                        transport.write("", log.name, log.attachment_id.raw, replace=True)
                        log.write({"state": "sent", "sent_date": fields.Datetime.now()})
                        sent |= log
            except FileChannelError as error:
                _logger.warning("file channel %s: %s", channel.name, error)
                channel.write({"last_error": str(error), "last_poll": fields.Datetime.now()})
                continue
            channel.write({"last_error": False, "last_poll": fields.Datetime.now()})
        return sent
