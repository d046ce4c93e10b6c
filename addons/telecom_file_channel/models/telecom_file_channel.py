import hashlib
import logging
import os

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL, config

from odoo.addons.telecom_catalog.tools.adapter_errors import RECORD_ERRORS
from odoo.addons.telecom_catalog.tools.locking import lock_ids

from ..adapters import TRANSPORTS, FileChannelError

_logger = logging.getLogger(__name__)

CHANNEL_KINDS = [("local", "Local Folder"), ("sftp", "SFTP")]
CHANNEL_DIRECTIONS = [("inbound", "Inbound (we import)"), ("outbound", "Outbound (we write)")]
# What a file can be wrong with besides a business error (not UTF-8, not CSV).
FILE_ERRORS = (*RECORD_ERRORS, ValueError, UnicodeDecodeError)
NOC = "telecom_catalog.group_telecom_noc,base.group_system"


class TelecomFileChannel(models.Model):
    """A folder (local, or on an SFTP server) where a system without an API drops files for
    us or takes files from us. A cron polls inbound channels: each new file is fed to the
    channel's importer, logged with its checksum (never processed twice), and moved to the
    done or error folder with a report. Outbound channels get the files of their scheduled
    extracts (``telecom.file.export``) and any attachment queued for them
    (``_telecom_queue``: a print batch's PDF, for instance).

    Importers are pluggable: a module adds ``(code, label)`` to ``_telecom_importers()`` and
    a method ``_telecom_import_file_<code>(name, content)`` returning an import result (see
    ``_telecom_result``); extracts likewise on ``telecom.file.export``."""

    _name = "telecom.file.channel"
    _description = "File Channel"
    _inherit = ["mail.thread"]
    _order = "name"

    # ------------------------------------------------------------
    # FIELDS
    # ------------------------------------------------------------

    name = fields.Char(required=True, tracking=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    kind = fields.Selection(CHANNEL_KINDS, required=True, default="local", tracking=True)
    direction = fields.Selection(CHANNEL_DIRECTIONS, required=True, default="inbound")
    importer = fields.Selection(selection="_selection_importers", tracking=True)
    path = fields.Char(
        string="Folder", required=True, help="Folder polled (inbound) or written (outbound)."
    )
    pattern = fields.Char(default="*.csv", help="Only the file names matching it are taken.")
    done_folder = fields.Char(default="done", required=True, help="Subfolder of the folder.")
    error_folder = fields.Char(default="error", required=True, help="Subfolder of the folder.")
    max_files = fields.Integer(default=20, help="Files taken per poll; the rest next time.")
    max_file_mb = fields.Integer(
        string="Largest File (MB)",
        default=512,
        help="A file is read into memory to be imported: a larger one is refused and moved to "
        "the error folder with a report (split it, or raise the limit). 0: no limit.",
    )
    host = fields.Char(groups=NOC)
    port = fields.Integer(default=22, groups=NOC)
    username = fields.Char(groups=NOC)
    password = fields.Char(groups=NOC, copy=False)
    private_key = fields.Text(
        groups=NOC, copy=False, help="PEM private key, instead of a password."
    )
    host_key = fields.Char(
        groups=NOC,
        help='The server\'s public key ("ssh-ed25519 AAAA..."): the connection is refused '
        "when the server shows another one.",
    )
    last_poll = fields.Datetime(readonly=True)
    last_error = fields.Text(readonly=True)
    file_ids = fields.One2many("telecom.file.channel.file", "channel_id", string="Files")
    export_ids = fields.One2many(
        "telecom.file.export",
        "channel_id",
        string="Scheduled Files",
        context={"active_test": False},
    )

    # ------------------------------------------------------------
    # SELECTIONS: the plug-in registries
    # ------------------------------------------------------------

    @api.model
    def _telecom_importers(self):
        return [
            ("usage_retail", self.env._("Switch CDRs (retail usage)")),
            ("usage_interconnect", self.env._("Switch trunk records (interconnect)")),
            ("sim", self.env._("SIM vendor file")),
            ("payment", self.env._("Bank / lockbox payments")),
            ("legacy_numbers", self.env._("Legacy number inventory (migration)")),
        ]

    @api.model
    def _selection_importers(self):
        return self._telecom_importers()

    # ------------------------------------------------------------
    # CONSTRAINT / ACTION
    # ------------------------------------------------------------

    @api.constrains("direction", "importer")
    def _check_plugin(self):
        for channel in self:
            if channel.direction == "inbound" and not channel.importer:
                raise ValidationError(self.env._("Choose what the inbound channel imports."))

    def action_poll(self):
        """Poll now (inbound), or build the ended periods' files and write what waits
        (outbound)."""
        for channel in self:
            channel._telecom_run()
        return True

    def action_view_files(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "telecom_file_channel.action_telecom_file_channel_file"
        )
        action["domain"] = [("channel_id", "=", self.id)]
        return action

    # ------------------------------------------------------------
    # BUSINESS: transport
    # ------------------------------------------------------------

    def _telecom_transport(self):
        """The transport of the channel (credentials read as superuser: the cron's user
        need not be in the NOC group)."""
        self.ensure_one()
        channel = self.sudo()
        config = {
            "path": channel.path,
            "pattern": channel.pattern,
            "host": channel.host,
            "port": channel.port,
            "username": channel.username,
            "password": channel.password,
            "private_key": channel.private_key,
            "host_key": channel.host_key,
        }
        return TRANSPORTS[channel.kind](config)

    @api.model
    def _telecom_data_folder(self, name):
        """Folder ``name`` for local channels under the server's data directory, per
        database (``<data_dir>/file_channels/<database>/<name>``), created if missing."""
        path = os.path.join(config["data_dir"], "file_channels", self.env.cr.dbname, name)
        os.makedirs(path, exist_ok=True)
        return path

    # ------------------------------------------------------------
    # BUSINESS: cron and polling
    # ------------------------------------------------------------

    @api.model
    def _cron_poll_channels(self, batch_size=10):
        """Poll a batch of inbound channels; a channel another worker holds is skipped
        (outbound files have their own cron: ``telecom.file.export._cron_write_files``)."""
        self.flush_model(["last_poll", "active"])
        channels = self.browse(
            lock_ids(
                self.env,
                self._table,
                SQL("active AND direction = 'inbound'"),
                limit=batch_size,
                order="last_poll NULLS FIRST, id",
            )
        )
        for channel in channels:
            channel._telecom_run()
        self.env["ir.cron"]._notify_progress(done=len(channels), remaining=0)
        return channels

    def _telecom_run(self):
        self.ensure_one()
        if self.direction == "outbound":
            self._telecom_export()  # the writes record their outcome on the channel
            return
        try:
            self._telecom_poll()
        except FileChannelError as error:
            _logger.warning("file channel %s: %s", self.name, error)
            self.write({"last_error": str(error), "last_poll": fields.Datetime.now()})
            return
        self.write({"last_error": False, "last_poll": fields.Datetime.now()})

    def _telecom_poll(self):
        """Take the new files of the folder: import each in its own savepoint, log it, and
        move it once the transaction is committed (a file moved before a rollback would be
        lost; a file logged but not moved is skipped as a duplicate next time)."""
        moves = []
        with self._telecom_transport() as transport:
            for name in transport.list()[: self.max_files]:
                size = transport.size(name)
                if self.max_file_mb and size > self.max_file_mb * 1024 * 1024:
                    log = self._telecom_refuse_file(name, size)
                else:
                    log = self._telecom_take_file(name, transport.read(name))
                moves.append((name, log))
        if moves:
            self._telecom_move_after_commit(moves)
        return [log for _name, log in moves]

    def _telecom_refuse_file(self, name, size):
        """Log a file too large to be read into memory as an error, unread."""
        return self.env["telecom.file.channel.file"].create(
            {
                "channel_id": self.id,
                "name": name,
                "size": size,
                "state": "error",
                "report": self._telecom_report(
                    name,
                    error=self.env._(
                        "The file is %(size)s MB, above this channel's limit of %(limit)s MB: "
                        "split it into smaller files, or raise the channel's Largest File.",
                        size=round(size / 1024 / 1024, 1),
                        limit=self.max_file_mb,
                    ),
                ),
            }
        )

    def _telecom_take_file(self, name, content):
        """Log and import one file; returns its log record (state done, error or duplicate)."""
        Log = self.env["telecom.file.channel.file"]
        checksum = hashlib.sha256(content).hexdigest()
        vals = {"channel_id": self.id, "name": name, "checksum": checksum, "size": len(content)}
        if Log.search_count(
            [("channel_id", "=", self.id), ("name", "=", name), ("checksum", "=", checksum),
             ("state", "!=", "duplicate")], limit=1,
        ):  # fmt: skip
            return Log.create({**vals, "state": "duplicate",
                               "report": self.env._("Already processed: skipped.")})  # fmt: skip
        try:
            with self.env.cr.savepoint():
                result = getattr(self, f"_telecom_import_file_{self.importer}")(name, content)
        except FILE_ERRORS as error:
            return Log.create({**vals, "state": "error", "report": self._telecom_report(
                name, error=str(error))})  # fmt: skip
        return Log.create(
            {
                **vals,
                "state": "done",
                "row_count": result["rows"],
                "rejected_count": len(result["rejects"]),
                "res_model": result["record"]._name,
                "res_id": result["record"].id,
                "report": self._telecom_report(name, result=result),
            }
        )

    def _telecom_move_after_commit(self, moves):
        """Once committed, move the files (``(name, log)``) to the done or error folder with
        the report next to a file in error or with rejects. Transport work only: no database
        access after the commit."""
        transport = self._telecom_transport()
        plan = [
            (name, log.folder, log.report if log.state == "error" or log.rejected_count else None)
            for name, log in moves
        ]
        label = self.name

        @self.env.cr.postcommit.add
        def move_files():
            self._telecom_move_files(transport, plan, label)

    @staticmethod
    def _telecom_move_files(transport, plan, label):
        try:
            with transport:
                for name, folder, report in plan:
                    path = transport.move(name, folder)
                    if report:
                        transport.write(folder, f"{path.rsplit('/', 1)[-1]}.report.txt",
                                        report.encode())  # fmt: skip
        except FileChannelError as error:
            # the files stay where they are: logged, the next poll skips them as duplicates
            # and moves them then
            _logger.warning("file channel %s: files not moved: %s", label, error)

    def _telecom_report(self, name, result=None, error=None):
        if error:
            return self.env._("File %(name)s was not imported: %(error)s", name=name, error=error)
        lines = [
            self.env._(
                "File %(name)s: %(rows)s rows, %(good)s imported, %(bad)s rejected.",
                name=name,
                rows=result["rows"],
                good=result["rows"] - len(result["rejects"]),
                bad=len(result["rejects"]),
            )
        ]
        lines += [f"line {line}: {reason}" for line, reason in result["rejects"]]
        return "\n".join(lines)

    @staticmethod
    def _telecom_result(record, rows, rejects):
        """What an importer returns: the business record it created, the rows read and the
        rejects as ``[(line number, reason)]``."""
        return {"record": record, "rows": rows, "rejects": list(rejects)}

    # ------------------------------------------------------------
    # BUSINESS: importers
    # ------------------------------------------------------------

    def _telecom_import_usage(self, name, content, kind):
        usage_file = (
            self.env["telecom.usage.file"]
            .with_company(self.company_id)
            .create({"filename": name, "telecom_file_kind": kind, "company_id": self.company_id.id})
        )
        usage_file._telecom_import(content)
        return self._telecom_result(
            usage_file,
            usage_file.read_count,
            [(r.line_no, r.reason) for r in usage_file.reject_ids.sorted("line_no")],
        )

    def _telecom_import_file_usage_retail(self, name, content):
        return self._telecom_import_usage(name, content, "retail")

    def _telecom_import_file_usage_interconnect(self, name, content):
        return self._telecom_import_usage(name, content, "interconnect")

    def _telecom_import_file_sim(self, name, content):
        sim_import = self.env["telecom.sim.import"]._telecom_import_csv(content, filename=name)
        return self._telecom_result(
            sim_import,
            sim_import.row_count,
            [(r.row_number, r.reason) for r in sim_import.reject_ids],
        )

    def _telecom_import_file_payment(self, name, content):
        payment_file = self.env["telecom.payment.file"].create(
            {"filename": name, "company_id": self.company_id.id}
        )
        payment_file._telecom_import(content)
        rejected = payment_file.line_ids.filtered(lambda line: line.state == "rejected")
        return self._telecom_result(
            payment_file,
            len(payment_file.line_ids),
            [(line.line_no, line.reason) for line in rejected],
        )

    def _telecom_import_file_legacy_numbers(self, name, content):
        migration = self.env["telecom.number.migration"]._telecom_migrate_csv(
            content, filename=name
        )
        return self._telecom_result(
            migration,
            migration.row_count,
            [(r.row_number, r.reason) for r in migration.reject_ids],
        )

    # ------------------------------------------------------------
    # BUSINESS: outbound
    # ------------------------------------------------------------

    def _telecom_export(self):
        """Build the files of this channel's ended periods and write what waits (the
        button; the cron does the same in two committed steps)."""
        self.env["telecom.file.export"]._telecom_build_due(channels=self)
        return self.env["telecom.file.channel.file"]._telecom_send_pending(channels=self)

    def _telecom_queue(self, attachments, export=None, date_from=None):
        """Queue ``attachments`` (any record's: a print batch's PDF, an extract) to be written
        to this outbound channel under their names, once each (a unique index); the cron or
        *Run Now* writes them. Returns the pending file logs, logged against the record the
        attachment belongs to."""
        self.ensure_one()
        if self.direction != "outbound":
            raise UserError(
                self.env._("Channel %(name)s does not write files.", name=self.display_name)
            )
        vals_list = []
        for attachment in attachments:
            content = attachment.raw or b""
            vals_list.append(
                {
                    "channel_id": self.id,
                    # a file of the channel's folder, never of another one
                    "name": attachment.name.replace("/", "_").replace("\\", "_"),
                    "state": "pending",
                    "attachment_id": attachment.id,
                    "checksum": hashlib.sha256(content).hexdigest(),
                    "size": len(content),
                    "export_id": export.id if export else False,
                    "period_start": date_from,
                    "res_model": attachment.res_model,
                    "res_id": attachment.res_id,
                }
            )
        return self.env["telecom.file.channel.file"].create(vals_list)
