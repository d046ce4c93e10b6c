import csv
import io
from datetime import datetime, time

import pytz
from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from odoo.addons.telecom_catalog.tools.adapter_errors import RECORD_ERRORS
from odoo.addons.telecom_catalog.tools.locking import lock_ids

EXPORT_PERIODS = [("daily", "Daily"), ("weekly", "Weekly (from Monday)"), ("monthly", "Monthly")]
PERIOD_STEP = {
    "daily": relativedelta(days=1),
    "weekly": relativedelta(weeks=1),
    "monthly": relativedelta(months=1),
}


def period_start(day, period):
    """First day of the period of ``period`` kind that contains ``day``."""
    if period == "monthly":
        return day + relativedelta(day=1)
    if period == "weekly":
        return day - relativedelta(days=day.weekday())
    return day


def csv_bytes(header, rows):
    """A CSV file (UTF-8, ``\\n`` line ends) of ``header`` and ``rows``."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode()


class TelecomFileExport(models.Model):
    """A file a partner wants from us on schedule, written to an outbound channel: which
    extract, per day, week or month, under a file name with the period's date. Each period
    is written once: the cron builds the file of a period that has ended (a database
    constraint refuses a second file of the same period), commits it, then writes it to the
    channel's folder; a write that fails is retried with the same name and content.

    Extracts are pluggable: a module adds ``(code, label)`` to ``_telecom_extracts()`` and a
    method ``_telecom_extract_<code>(date_from, date_to)`` returning the file's content
    (bytes) or ``ir.attachment`` records to write as they are (e.g. a print batch's PDF)."""

    _name = "telecom.file.export"
    _description = "Scheduled File"
    _order = "channel_id, sequence, id"
    _check_company_auto = True

    # ------------------------------------------------------------
    # FIELDS
    # ------------------------------------------------------------

    sequence = fields.Integer(default=10)
    name = fields.Char(required=True)
    active = fields.Boolean(default=True)
    channel_id = fields.Many2one(
        "telecom.file.channel",
        required=True,
        ondelete="cascade",
        index=True,
        domain="[('direction', '=', 'outbound')]",
        check_company=True,
    )
    company_id = fields.Many2one(related="channel_id.company_id", store=True, index=True)
    extract = fields.Selection(selection="_selection_extracts", required=True)
    partner_id = fields.Many2one(
        "res.partner",
        string="Only for",
        help="Extracts of a partner's records (carrier statements): only this partner's.",
    )
    period = fields.Selection(EXPORT_PERIODS, required=True, default="daily")
    filename_pattern = fields.Char(
        string="File Name",
        required=True,
        default="extract-%Y%m%d.csv",
        help="Name of the file of a period, with the period's first day in strftime codes: "
        "%Y year, %m month, %d day (e.g. e911-%Y%m%d.csv). It must change from one period "
        "to the next.",
    )
    next_date = fields.Date(
        string="Next Period",
        required=True,
        default=fields.Date.context_today,
        help="First day of the next period to write; its file is written once the period "
        "has ended. Moved on by the cron.",
    )
    file_ids = fields.One2many("telecom.file.channel.file", "export_id", string="Files")

    # ------------------------------------------------------------
    # SELECTION: the plug-in registry
    # ------------------------------------------------------------

    @api.model
    def _telecom_extracts(self):
        return [
            ("payment_report", self.env._("Payments received")),
            ("numbers", self.env._("Numbers in service (NPAC / number extract)")),
            ("carrier_statement", self.env._("Carrier settlement statements")),
            ("e911", self.env._("E911 locations")),
            ("print_batch", self.env._("Paper bills for the print vendor")),
        ]

    @api.model
    def _selection_extracts(self):
        return self._telecom_extracts()

    # ------------------------------------------------------------
    # CONSTRAINT / ONCHANGE
    # ------------------------------------------------------------

    @api.constrains("filename_pattern", "period")
    def _check_filename_pattern(self):
        for export in self:
            first = period_start(fields.Date.to_date("2026-01-05"), export.period)
            second = first + PERIOD_STEP[export.period]
            try:
                names = {export._telecom_filename(first), export._telecom_filename(second)}
            except ValueError as error:
                raise ValidationError(
                    self.env._("File name %(name)s: %(error)s", name=export.filename_pattern,
                               error=error)
                ) from error  # fmt: skip
            if len(names) == 1 or any("/" in name for name in names):
                raise ValidationError(
                    self.env._(
                        "The file name %(name)s must hold the period's date (e.g. "
                        "extract-%%Y%%m%%d.csv) so that every period has its own file, and no "
                        "folder.",
                        name=export.filename_pattern,
                    )
                )

    @api.constrains("channel_id")
    def _check_channel_outbound(self):
        for export in self:
            if export.channel_id.direction != "outbound":
                raise ValidationError(
                    self.env._(
                        "Channel %(name)s takes files in: schedule files on an outbound channel.",
                        name=export.channel_id.display_name,
                    )
                )

    @api.onchange("extract")
    def _onchange_extract(self):
        if self.extract:
            self.filename_pattern = f"{self.extract.replace('_', '-')}-%Y%m%d.csv"
            if not self.name:
                self.name = dict(self._telecom_extracts())[self.extract]

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        exports = super().create(vals_list)
        for export in exports:  # a period starts on its first day
            export.next_date = period_start(export.next_date, export.period)
        return exports

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    def _telecom_filename(self, date_from):
        return date_from.strftime(self.filename_pattern)

    def _telecom_due_sql(self, today):
        """Active definitions of active outbound channels whose next period has ended."""
        return SQL(
            """e.active AND e.next_date + CASE e.period WHEN 'daily' THEN interval '1 day'
                                                        WHEN 'weekly' THEN interval '1 week'
                                                        ELSE interval '1 month' END <= %s
               AND EXISTS (SELECT 1 FROM telecom_file_channel c
                            WHERE c.id = e.channel_id AND c.active)""",
            today,
        )

    @api.model
    def _cron_write_files(self, batch_size=20):
        """One batch: write the files built by the calls before (committed), then build the
        files of the periods that have ended, one period per definition. The cron runner
        commits and calls again while files wait or periods are due."""
        sent = self.env["telecom.file.channel.file"]._telecom_send_pending(limit=batch_size)
        built = self._telecom_build_due(limit=batch_size)
        today = fields.Date.context_today(self)
        self.flush_model()
        self.env.cr.execute(
            SQL("SELECT COUNT(*) FROM telecom_file_export e WHERE %s", self._telecom_due_sql(today))
        )
        remaining = self.env.cr.fetchone()[0] + len(built)
        self.env["ir.cron"]._notify_progress(done=len(sent) + len(built), remaining=remaining)
        return sent, built

    @api.model
    def _telecom_build_due(self, limit=None, channels=None):
        """Build the file(s) of the next ended period of each due definition (locked: a
        definition another worker holds is left to it). Returns the pending file logs."""
        self.flush_model()
        where = self._telecom_due_sql(fields.Date.context_today(self))
        if channels:
            where = SQL("%s AND e.channel_id IN %s", where, tuple(channels.ids))
        exports = self.browse(
            lock_ids(self.env, self._table, where, limit=limit, order="e.id", alias="e")
        )
        logs = self.env["telecom.file.channel.file"]
        for export in exports:
            try:
                with self.env.cr.savepoint():
                    logs |= export._telecom_build_period()
            except RECORD_ERRORS as error:
                # the definition stays due; the error is on its channel for the NOC
                export.channel_id.write({"last_error": self.env._(
                    "%(file)s: %(error)s", file=export.name, error=error)})  # fmt: skip
        return logs

    def _telecom_build_period(self):
        """The file(s) of the period starting on ``next_date``, as pending logs; the next
        period becomes due. The unique index on (definition, period, name) refuses a period
        built twice."""
        self.ensure_one()
        date_from = self.next_date
        date_to = date_from + PERIOD_STEP[self.period] - relativedelta(days=1)
        content = getattr(self.with_company(self.company_id), f"_telecom_extract_{self.extract}")(
            date_from, date_to
        )
        if isinstance(content, bytes):
            name = self._telecom_filename(date_from)
            attachments = self.env["ir.attachment"].create(
                {"name": name, "raw": content, "res_model": self._name, "res_id": self.id}
            )
        else:
            attachments = content
        logs = self.channel_id._telecom_queue(attachments, export=self, date_from=date_from)
        self.next_date = date_from + PERIOD_STEP[self.period]
        return logs

    # ------------------------------------------------------------
    # BUSINESS: extracts
    # ------------------------------------------------------------

    def _telecom_local_start(self, day):
        """The start of ``day`` in the time zone its period is dated in (that of
        ``fields.Date.context_today``, the user's), as a UTC datetime."""
        tz = pytz.timezone(self.env.context.get("tz") or self.env.user.tz or "UTC")
        return (
            tz.localize(datetime.combine(day, time.min)).astimezone(pytz.utc).replace(tzinfo=None)
        )

    def _telecom_extract_payment_report(self, date_from, date_to):
        """Payments matched by payment files during the period (its days in the user's time
        zone, as the periods are dated)."""
        lines = self.env["telecom.payment.file.line"].search(
            [
                ("state", "=", "matched"),
                ("company_id", "=", self.company_id.id),
                ("create_date", ">=", self._telecom_local_start(date_from)),
                ("create_date", "<", self._telecom_local_start(date_to + relativedelta(days=1))),
            ],
            order="id",
        )
        return csv_bytes(
            ["reference", "amount", "date", "invoice", "payment"],
            [
                [line.reference, f"{line.amount:.2f}", line.date, line.move_id.name,
                 line.payment_id.name]
                for line in lines
            ],
        )  # fmt: skip

    def _telecom_extract_numbers(self, date_from, date_to):
        """Our numbers in service when the file is built (assigned, or being ported in), as
        the NPAC/SOA vendor or a directory partner reads them: no customer data."""
        numbers = self.env["telecom.number"].search(
            [("status", "in", ("assigned", "porting_in"))], order="name"
        )
        return csv_bytes(
            ["number", "npa_nxx", "rate_center", "lata", "state", "ocn", "number_type", "source",
             "status", "assigned_date"],
            [
                [n.name, n.npa_nxx, n.rate_center or "", n.lata or "", n.state_code or "",
                 n.ocn or "", n.number_type, n.source, n.status, n.assigned_date or ""]
                for n in numbers
            ],
        )  # fmt: skip

    def _telecom_extract_carrier_statement(self, date_from, date_to):
        """Interconnect settlement statements of the months starting in the period, per
        carrier, direction and jurisdiction (the definition's partner only, when set)."""
        domain = [
            ("company_id", "=", self.company_id.id),
            ("date_from", ">=", date_from),
            ("date_from", "<=", date_to),
        ]
        if self.partner_id:
            domain.append(("partner_id", "=", self.partner_id.commercial_partner_id.id))
        settlements = self.env["telecom.interconnect.settlement"].search(
            domain, order="date_from, partner_id, id"
        )
        return csv_bytes(
            ["settlement", "carrier", "month", "direction", "jurisdiction", "calls", "minutes",
             "amount", "currency"],
            [
                [s.name, s.partner_id.name, s.date_from.strftime("%Y-%m"), line.direction,
                 line.jurisdiction or "", line.call_count, f"{line.minutes:.2f}",
                 f"{line.amount:.2f}", s.currency_id.name]
                for s in settlements
                for line in s.line_ids.sorted(lambda x: (x.direction, x.jurisdiction or ""))
            ],
        )  # fmt: skip

    def _telecom_extract_print_batch(self, date_from, date_to):
        """The paper bills of every print batch not handed over yet: its bills PDF and its
        mailing file, under their own names; the batches are then handed over."""
        batches = self.env["telecom.bill.print.batch"].search(
            [("company_id", "=", self.company_id.id), ("state", "=", "ready")], order="id"
        )
        return batches._telecom_hand_over()

    def _telecom_extract_e911(self, date_from, date_to):
        """The registered 911 locations of the company's voice numbers (those not removed),
        with their dispatchable location and provider status, as at the end of the run."""
        locations = self.env["telecom.e911.location"].search(
            [("company_id", "=", self.company_id.id),
             ("sync_state", "not in", ("to_remove", "removed"))],
        ).sorted(lambda loc: loc.number_id.name)  # fmt: skip
        return csv_bytes(
            ["number", "street", "street2", "floor", "unit", "city", "state", "zip", "country",
             "dispatchable", "provider_status", "provider_ref"],
            [
                [loc.number_id.name, loc.street, loc.street2 or "", loc.floor or "",
                 loc.unit or "", loc.city, loc.state_id.code, loc.zip, loc.country_id.code,
                 "Y" if loc.dispatchable else "N", loc.sync_state, loc.provider_ref or ""]
                for loc in locations
            ],
        )  # fmt: skip
