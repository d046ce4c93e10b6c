import base64
import csv
import importlib.util
import os
import shutil
import tempfile
import unittest
from datetime import date
from unittest.mock import patch

from freezegun import freeze_time
from psycopg2 import IntegrityError

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.telecom_interconnect.tests.common import TelecomInterconnectCase


@tagged("post_install", "-at_install")
class TestFileExport(TelecomInterconnectCase):
    """Scheduled files (E911, numbers, carrier statements) and a print batch stand-in written
    to outbound channels, once per period, on a local folder and on a real SFTP server."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.number = cls.env["telecom.number"].create(
            {"name": "+19165559001", "status": "assigned", "state_code": "CA", "ocn": "7351",
             "rate_center": "SACRAMENTO", "lata": "726"}
        )  # fmt: skip
        cls.location = cls.env["telecom.e911.location"].create(
            {"number_id": cls.number.id, "street": "1 Capitol Mall", "city": "Sacramento",
             "state_id": cls.state_ca.id, "zip": "95814", "unit": "Suite 300"}
        )  # fmt: skip
        cls.Export = cls.env["telecom.file.export"]

    def setUp(self):
        super().setUp()
        self.folder = tempfile.mkdtemp(prefix="h23-export-")
        self.addCleanup(shutil.rmtree, self.folder)

    # ------------------------------------------------------------
    # helpers
    # ------------------------------------------------------------

    def _channel(self, **kw):
        path = os.path.join(self.folder, "out")
        os.makedirs(path, exist_ok=True)
        return self.env["telecom.file.channel"].create(
            {"name": "T partner", "direction": "outbound", "path": kw.pop("path", path), **kw}
        )

    def _export(self, channel, extract, period, pattern, next_date, **kw):
        return self.Export.create(
            {"name": f"T {extract}", "channel_id": channel.id, "extract": extract,
             "period": period, "filename_pattern": pattern, "next_date": next_date, **kw}
        )  # fmt: skip

    def _rows(self, name, folder="out"):
        with open(os.path.join(self.folder, folder, name), newline="") as handle:
            return list(csv.DictReader(handle))

    def _written(self, folder="out"):
        return sorted(os.listdir(os.path.join(self.folder, folder)))

    def _cron(self):
        """One cron call: writes what the previous call built (committed), builds what is
        due."""
        return self.Export._cron_write_files()

    # ------------------------------------------------------------
    # tests
    # ------------------------------------------------------------

    def test_scheduled_extracts_once_per_period(self):
        self._import(
            [
                self._row("2026-03-02T10:00:00Z", "+12125550123", duration=600),
                self._row("2026-03-04T12:00:00Z", "+442071234567", "out", duration=1200),
            ]
        )
        settlement = self.env["telecom.interconnect.settlement"]._telecom_settle_month(
            self.agreement, date(2026, 3, 1)
        )
        other = self.env["res.partner"].create({"name": "T Other Carrier", "is_company": True})
        channel = self._channel()
        e911 = self._export(channel, "e911", "daily", "e911-%Y%m%d.csv", "2026-04-01")
        numbers = self._export(channel, "numbers", "weekly", "tn-%Y%m%d.csv", "2026-04-01")
        statement = self._export(channel, "carrier_statement", "monthly", "acme-%Y%m.csv",
                                 "2026-03-10", partner_id=self.carrier.id)  # fmt: skip
        self._export(channel, "carrier_statement", "monthly", "other-%Y%m.csv", "2026-03-01",
                     partner_id=other.id)  # fmt: skip
        self.assertEqual(numbers.next_date, date(2026, 3, 30), "a week starts on Monday")
        self.assertEqual(statement.next_date, date(2026, 3, 1))

        with freeze_time("2026-04-02 12:00:00"):
            sent, built = self._cron()
            self.assertFalse(sent)
            # April 1st's E911 file and March's statements; this week is not over yet
            expected = ["acme-202603.csv", "e911-20260401.csv", "other-202603.csv"]
            self.assertEqual(sorted(built.mapped("name")), expected)
            self.assertEqual(set(built.mapped("state")), {"pending"})
            self.assertEqual(self._written(), [], "written once the files are committed")
            sent, built = self._cron()
            self.assertEqual((len(sent), len(built)), (3, 0))
            self.assertEqual(self._cron(), (self.env["telecom.file.channel.file"],) * 2)
        self.assertEqual(self._written(), expected)
        self.assertEqual(set(sent.mapped("state")), {"sent"})
        self.assertEqual(e911.file_ids.period_start, date(2026, 4, 1))
        self.assertEqual(e911.next_date, date(2026, 4, 2))
        # E911: the dispatchable location of our number (not the removed ones)
        ours = [r for r in self._rows("e911-20260401.csv") if r["number"] == "+19165559001"]
        self.assertEqual(ours, [{
            "number": "+19165559001", "street": "1 Capitol Mall", "street2": "", "floor": "",
            "unit": "Suite 300", "city": "Sacramento", "state": "CA", "zip": "95814",
            "country": "US", "dispatchable": "N", "provider_status": "pending",
            "provider_ref": ""}])  # fmt: skip
        # the carrier's statement: the settlement's lines, nothing of another carrier
        self.assertEqual(
            [(r["settlement"], r["direction"], r["jurisdiction"], r["calls"], r["amount"])
             for r in self._rows("acme-202603.csv")],
            [(settlement.name, "in", "interstate", "1", "0.20"),
             (settlement.name, "out", "international", "1", "1.00")],
        )  # fmt: skip
        self.assertEqual(self._rows("other-202603.csv"), [])

        # a period is built once: the database refuses a second file of it
        e911.next_date = date(2026, 4, 1)
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"):
            with self.env.cr.savepoint():
                e911._telecom_build_period()

        # a week later: the days missed are caught up one per call, then the week's file
        e911.next_date = date(2026, 4, 2)
        with freeze_time("2026-04-07 12:00:00"):
            for _call in range(10):
                sent, built = self._cron()
                if not sent and not built:
                    break
        self.assertEqual(len(e911.file_ids), 6)  # April 1st to 6th
        self.assertIn("tn-20260330.csv", self._written())
        numbers_rows = self._rows("tn-20260330.csv")
        ours = [r for r in numbers_rows if r["number"] == "+19165559001"]
        self.assertEqual(
            [ours[0][c] for c in ("npa_nxx", "ocn", "rate_center", "status")],
            ["916-555", "7351", "SACRAMENTO", "assigned"],
        )
        self.assertNotIn("customer", numbers_rows[0], "no customer data in the number extract")
        self.assertFalse(self.env["telecom.file.channel.file"].search(
            [("channel_id", "=", channel.id), ("state", "=", "pending")]))  # fmt: skip

    def test_payment_report_days_are_the_users_days(self):
        """A day's payment report holds the payments matched that day where the period is
        dated (the user's time zone), whatever the hour in UTC."""
        payment_file = self.env["telecom.payment.file"].create({"filename": "tz.csv"})
        matched = {  # UTC creation time: New York's day
            "T-EVENING": "2026-03-05 23:30:00",  # 18:30 on the 5th
            "T-LATE": "2026-03-06 04:30:00",  # 23:30 on the 5th
            "T-MORNING": "2026-03-05 04:30:00",  # 23:30 on the 4th
        }
        lines = self.env["telecom.payment.file.line"].create(
            [
                {"payment_file_id": payment_file.id, "reference": ref, "amount": 10.0,
                 "state": "matched"}
                for ref in matched
            ]
        )  # fmt: skip
        for line, created in zip(lines, matched.values(), strict=True):
            self.env.cr.execute(
                "UPDATE telecom_payment_file_line SET create_date = %s WHERE id = %s",
                [created, line.id],
            )
        lines.invalidate_recordset(["create_date"])
        export = self._export(
            self._channel(), "payment_report", "daily", "pay-%Y%m%d.csv", date(2026, 3, 5)
        ).with_context(tz="America/New_York")
        content = export._telecom_extract_payment_report(date(2026, 3, 5), date(2026, 3, 5))
        rows = list(csv.DictReader(content.decode().splitlines()))
        self.assertEqual([row["reference"] for row in rows], ["T-EVENING", "T-LATE"])

    def test_filename_must_change_with_the_period(self):
        channel = self._channel()
        with self.assertRaises(ValidationError):
            self._export(channel, "e911", "daily", "e911-%Y%m.csv", "2026-04-01")
        with self.assertRaises(ValidationError):
            self._export(channel, "e911", "daily", "../e911-%Y%m%d.csv", "2026-04-01")
        self._export(channel, "e911", "monthly", "e911-%Y%m.csv", "2026-04-01")

    def test_unreachable_channel_keeps_the_file_and_retries_it(self):
        channel = self._channel(path=os.path.join(self.folder, "not-mounted"))
        export = self._export(channel, "e911", "daily", "e911-%Y%m%d.csv", "2026-04-01")
        with freeze_time("2026-04-02 12:00:00"):
            self._cron()
            sent, built = self._cron()
        self.assertFalse(sent)
        self.assertIn("does not exist", channel.last_error)
        (log,) = export.file_ids
        self.assertEqual(log.state, "pending")
        content = log.attachment_id.raw
        # the folder is back: the same file (name and content) is written, once
        os.makedirs(channel.path)
        with freeze_time("2026-04-02 13:00:00"):
            sent, built = self._cron()
        self.assertEqual((sent, built), (log, self.env["telecom.file.channel.file"]))
        self.assertFalse(channel.last_error)
        self.assertEqual(os.listdir(channel.path), ["e911-20260401.csv"])
        with open(os.path.join(channel.path, "e911-20260401.csv"), "rb") as handle:
            self.assertEqual(handle.read(), content)
        # a run rolled back after its write writes again under the same name: replaced
        log.state = "pending"
        self.env["telecom.file.channel.file"]._telecom_send_pending()
        self.assertEqual(os.listdir(channel.path), ["e911-20260401.csv"])

    def test_failing_extract_stays_due_with_its_error_on_the_channel(self):
        channel = self._channel()
        broken = self._export(channel, "payment_report", "daily", "pay-%Y%m%d.csv", "2026-04-01")
        e911 = self._export(channel, "e911", "daily", "e911-%Y%m%d.csv", "2026-04-01")

        def refuse(export, date_from, date_to):
            raise UserError("the bank's template is missing")

        with (
            patch.object(type(self.Export), "_telecom_extract_payment_report", refuse),
            freeze_time("2026-04-02 12:00:00"),
        ):
            _sent, built = self._cron()
        self.assertEqual(built.export_id, e911, "the other definitions go on")
        self.assertIn("the bank's template is missing", channel.last_error)
        self.assertEqual(broken.next_date, date(2026, 4, 1))
        self.assertFalse(broken.file_ids)

    def _print_batch_stand_in(self):
        """A record with its PDF attached, as the paper-bill print batch will be."""
        batch = self.env["res.partner"].create({"name": "T print batch 2026-04-01"})
        attachment = self.env["ir.attachment"].create(
            {"name": "print-batch-20260401.pdf", "raw": b"%PDF-1.4 stand-in",
             "res_model": batch._name, "res_id": batch.id}
        )  # fmt: skip
        return batch, attachment

    def _scenario_print_batch(self, channel, folder):
        batch, attachment = self._print_batch_stand_in()
        # 1. queued by the record's own process, written by the next run
        (log,) = channel._telecom_queue(attachment)
        self.assertEqual((log.res_model, log.res_id, log.state), ("res.partner", batch.id,
                                                                  "pending"))  # fmt: skip
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"):
            with self.env.cr.savepoint():
                channel._telecom_queue(attachment)  # once per channel
        channel.action_poll()
        self.assertEqual(log.state, "sent")
        with open(os.path.join(self.folder, folder, "print-batch-20260401.pdf"), "rb") as f:
            self.assertEqual(f.read(), b"%PDF-1.4 stand-in")
        # 2. the paper bills of the bill run's print batches, on schedule
        paper = self.env["telecom.bill.print.batch"].create(
            {"pdf_file": base64.b64encode(b"%PDF-1.4 bills"), "pdf_filename": "PB_0001.pdf",
             "csv_file": base64.b64encode(b"sequence,bill_number\n1,INV/1\n"),
             "csv_filename": "PB_0001.csv"}
        )  # fmt: skip
        export = self._export(channel, "print_batch", "daily", "bills-%Y%m%d.pdf", "2026-04-02")
        with freeze_time("2026-04-03 12:00:00"):
            channel.action_poll()
            channel.action_poll()  # the next day is not due: nothing more
        self.assertEqual(
            sorted(export.file_ids.mapped(lambda f: (f.name, f.state, f.period_start))),
            [("PB_0001.csv", "sent", date(2026, 4, 2)), ("PB_0001.pdf", "sent", date(2026, 4, 2))],
        )
        self.assertEqual(paper.state, "handed_over")
        with open(os.path.join(self.folder, folder, "PB_0001.pdf"), "rb") as f:
            self.assertEqual(f.read(), b"%PDF-1.4 bills")

    def test_print_batch_stand_in_to_local_folder(self):
        channel = self._channel()
        self._scenario_print_batch(channel, "out")
        _batch, attachment = self._print_batch_stand_in()
        attachment.name = "../outside.pdf"
        (log,) = channel._telecom_queue(attachment)
        self.assertEqual(log.name, ".._outside.pdf", "never a file of another folder")

    @unittest.skipIf(
        not importlib.util.find_spec("paramiko"), "paramiko is not installed (requirements.txt)"
    )
    def test_sftp_channel_writes_print_batch_and_extract(self):
        from .sftp_server import PASSWORD, USER, SftpServer

        os.makedirs(os.path.join(self.folder, "partner"))
        with SftpServer(self.folder) as server:
            channel = self._channel(kind="sftp", path="/partner", host="127.0.0.1",
                                    port=server.port, username=USER, password=PASSWORD,
                                    host_key=server.host_key)  # fmt: skip
            self._scenario_print_batch(channel, "partner")
            self._export(channel, "e911", "daily", "e911-%Y%m%d.csv", "2026-04-01")
            with freeze_time("2026-04-02 12:00:00"):
                self._cron()
                sent, _built = self._cron()
            self.assertEqual(sent.mapped("name"), ["e911-20260401.csv"])
            rows = self._rows("e911-20260401.csv", folder="partner")
            self.assertIn("+19165559001", [r["number"] for r in rows])
            # a refused login keeps the file pending, with the reason on the channel
            channel.password = "nope"
            (log,) = channel._telecom_queue(self._print_batch_stand_in()[1])
            with freeze_time("2026-04-02 13:00:00"):
                channel.action_poll()
            self.assertEqual(log.state, "pending")
            self.assertIn("authentication refused", channel.last_error)
