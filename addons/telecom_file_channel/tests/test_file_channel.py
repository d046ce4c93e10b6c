import importlib.util
import os
import tempfile
import unittest

from odoo.tests import tagged

from odoo.addons.telecom_usage.tests.common import TelecomRatingCase


@tagged("post_install", "-at_install")
class TestFileChannel(TelecomRatingCase):
    """An inbound channel per kind of file over one folder layout; the same scenario runs
    on a local folder and on a real SFTP server."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bill = cls.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": cls.customer.id,
                "invoice_line_ids": [
                    (0, 0, {"name": "Mobile plan", "quantity": 1, "price_unit": 50.0,
                            "tax_ids": [(6, 0, [])]})
                ],
            }
        )  # fmt: skip
        cls.bill.action_post()

    def setUp(self):
        super().setUp()
        self.folder = tempfile.mkdtemp(prefix="h23-channel-")
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        for root, dirs, files in os.walk(self.folder, topdown=False):
            for name in files:
                os.remove(os.path.join(root, name))
            for name in dirs:
                os.rmdir(os.path.join(root, name))
        os.rmdir(self.folder)

    # ------------------------------------------------------------
    # helpers
    # ------------------------------------------------------------

    def _channel(self, importer, subfolder, **kw):
        os.makedirs(os.path.join(self.folder, subfolder), exist_ok=True)
        return self.env["telecom.file.channel"].create(
            {"name": f"T {importer}", "importer": importer, "pattern": "*.csv",
             "path": os.path.join(kw.pop("root", self.folder), subfolder), **kw}
        )  # fmt: skip

    def _drop(self, subfolder, name, content):
        with open(os.path.join(self.folder, subfolder, name), "wb") as handle:
            handle.write(content)

    def _files(self, subfolder):
        found = []
        base = os.path.join(self.folder, subfolder)
        for root, _dirs, files in os.walk(base):
            found += [os.path.relpath(os.path.join(root, f), base) for f in files]
        return sorted(found)

    def _poll(self, channel):
        logs = channel._telecom_poll()
        self.env.cr.postcommit.run()  # the cron runner commits, then the files move
        return logs

    def _cdr_file(self):
        return self._csv(
            [
                self._cdr("2026-03-02T15:00:00Z", 60, record_id="FC1"),
                self._cdr("2026-03-02T16:00:00Z", 120, record_id="FC2"),
                self._cdr("2026-03-02T17:00:00Z", 60, record_id="FC3", service="+19995550000"),
            ]
        )

    def _payment_file(self):
        return (
            "reference,amount,date,payer\n"
            f"{self.bill.name},50.00,2026-03-05,T Residential Customer\n"
            "INV/NOPE/0001,12.00,2026-03-05,Someone\n"
            f"{self.bill.name},abc,2026-03-05,Typo\n"
        ).encode()

    # ------------------------------------------------------------
    # scenario
    # ------------------------------------------------------------

    def _scenario(self, **channel_kw):
        cdrs = self._channel("usage_retail", "cdr", **channel_kw)
        payments = self._channel("payment", "lockbox", **channel_kw)
        self._drop("cdr", "cdr-001.csv", self._cdr_file())
        self._drop("cdr", "broken.csv", b"this,is\nnot,a cdr file\n")
        self._drop("cdr", "notes.txt", b"not taken: not *.csv")
        self._drop("lockbox", "lockbox-0305.csv", self._payment_file())

        logs = {log.name: log for log in self._poll(cdrs) + self._poll(payments)}
        self.assertEqual(sorted(logs), ["broken.csv", "cdr-001.csv", "lockbox-0305.csv"])
        # CDRs: good rows rated, the bad one listed
        cdr_log = logs["cdr-001.csv"]
        self.assertEqual((cdr_log.state, cdr_log.row_count, cdr_log.rejected_count),
                         ("done", 3, 1))  # fmt: skip
        usage_file = self.env["telecom.usage.file"].browse(cdr_log.res_id)
        self.assertEqual(usage_file.record_ids.mapped("name"), ["FC2", "FC1"])
        self.assertIn("unknown service number +19995550000", cdr_log.report)
        # a malformed file: error folder with its report, nothing imported
        broken = logs["broken.csv"]
        self.assertEqual(broken.state, "error")
        self.assertIn("lacks the column(s)", broken.report)
        # payments: the bill is paid, the unknown reference and the typo are rejected
        pay_log = logs["lockbox-0305.csv"]
        self.assertEqual((pay_log.state, pay_log.row_count, pay_log.rejected_count),
                         ("done", 3, 2))  # fmt: skip
        self.assertIn(self.bill.payment_state, ("paid", "in_payment"))
        payment_file = self.env["telecom.payment.file"].browse(pay_log.res_id)
        self.assertEqual(payment_file.amount_matched, 50.0)
        self.assertEqual(
            payment_file.line_ids.filtered(lambda line: line.state == "rejected").mapped("reason"),
            ["no open bill INV/NOPE/0001", "amount 'abc' or date '2026-03-05' is not readable"],
        )
        self.assertEqual(
            self._files("cdr"),
            ["done/cdr-001.csv", "done/cdr-001.csv.report.txt", "error/broken.csv",
             "error/broken.csv.report.txt", "notes.txt"],
        )  # fmt: skip
        with open(os.path.join(self.folder, "cdr", "error", "broken.csv.report.txt")) as f:
            self.assertIn("broken.csv was not imported", f.read())
        self.assertEqual(
            self._files("lockbox"), ["done/lockbox-0305.csv", "done/lockbox-0305.csv.report.txt"]
        )
        # the same file dropped again: skipped, not imported twice
        self._drop("cdr", "cdr-001.csv", self._cdr_file())
        (again,) = self._poll(cdrs)
        self.assertEqual(again.state, "duplicate")
        self.assertEqual(self.env["telecom.usage.file"].search_count(
            [("filename", "=", "cdr-001.csv")]), 1)  # fmt: skip
        self.assertIn("done/cdr-001.1.csv", self._files("cdr"))
        # nothing new: nothing taken
        self.assertFalse(self._poll(cdrs))
        return cdrs

    def test_local_folder_channel(self):
        self._scenario()

    def test_outbound_channel_writes_payments(self):
        self._scenario()
        out = self.env["telecom.file.channel"].create(
            {"name": "T bank report", "direction": "outbound",
             "path": os.path.join(self.folder, "out")}
        )  # fmt: skip
        os.makedirs(out.path)
        export = self.env["telecom.file.export"].create(
            {"name": "Payments", "channel_id": out.id, "extract": "payment_report",
             "filename_pattern": "payments-%Y%m%d.csv"}
        )  # fmt: skip
        (log,) = export._telecom_build_period()  # today's payments, as the cron does tomorrow
        self.assertEqual(log.state, "pending")
        self.assertEqual(os.listdir(out.path), [], "written once the file is committed")
        self.env["telecom.file.channel.file"]._telecom_send_pending()
        (name,) = os.listdir(out.path)
        self.assertEqual(name, export.file_ids.name)
        with open(os.path.join(out.path, name)) as handle:
            lines = handle.read().splitlines()
        self.assertEqual(len(lines), 2)
        self.assertTrue(lines[1].startswith(f"{self.bill.name},50.00,2026-03-05,"))
        self.assertEqual(out.file_ids.state, "sent")
        self.assertTrue(out.last_poll)

    def test_legacy_number_extract(self):
        channel = self._channel("legacy_numbers", "numbers")
        self._drop("numbers", "numbers-legacy.csv",
                   b"number,status\n+19165557001,available\n+1916555700X,available\n")  # fmt: skip
        (log,) = self._poll(channel)
        self.assertEqual((log.state, log.row_count, log.rejected_count), ("done", 2, 1))
        migration = self.env["telecom.number.migration"].browse(log.res_id)
        self.assertEqual(migration.created_count, 1)
        self.assertTrue(self.env["telecom.number"].search([("name", "=", "+19165557001")]))

    def test_file_larger_than_the_limit_is_refused_unread(self):
        channel = self._channel("legacy_numbers", "numbers", max_file_mb=1)
        self._drop(
            "numbers", "a-huge.csv", b"number,status\n" + b"+19165557002,available\n" * 50000
        )
        self._drop("numbers", "b-small.csv", b"number,status\n+19165557003,available\n")
        huge, small = sorted(self._poll(channel), key=lambda log: log.name)
        self.assertEqual((huge.state, small.state), ("error", "done"))
        self.assertIn("above this channel's limit of 1 MB", huge.report)
        self.assertIn("error/a-huge.csv", self._files("numbers"))
        self.assertFalse(self.env["telecom.number"].search([("name", "=", "+19165557002")]))

    def test_missing_folder_is_reported_on_the_channel(self):
        channel = self._channel("usage_retail", "cdr")
        channel.path = os.path.join(self.folder, "nowhere")
        channel.action_poll()
        self.assertIn("does not exist", channel.last_error)
        self.assertFalse(channel.file_ids)

    def test_credentials_hidden_from_non_noc_users(self):
        self.assertEqual(
            self.env["telecom.file.channel"]._fields["password"].groups,
            "telecom_catalog.group_telecom_noc,base.group_system",
        )
        user = self.env["res.users"].create(
            {"name": "T Billing", "login": "t-billing-fc",
             "groups_id": [(6, 0, [self.env.ref("telecom_catalog.group_telecom_billing").id,
                                   self.env.ref("telecom_catalog.group_telecom_user").id])]}
        )  # fmt: skip
        channel = self._channel("payment", "lockbox", kind="sftp", host="127.0.0.1",
                                username="noc", password="s3cret")  # fmt: skip
        self.assertNotIn("password", channel.with_user(user).fields_get())

    @unittest.skipIf(
        not importlib.util.find_spec("paramiko"), "paramiko is not installed (requirements.txt)"
    )
    def test_sftp_channel(self):
        from .sftp_server import PASSWORD, USER, SftpServer

        with SftpServer(self.folder) as server:
            sftp = {
                "kind": "sftp",
                "root": "/",
                "host": "127.0.0.1",
                "port": server.port,
                "username": USER,
                "password": PASSWORD,
                "host_key": server.host_key,
            }
            self._scenario(**sftp)
            # a server showing another host key is refused before any login
            other = self._channel("usage_retail", "cdr", **{**sftp, "host_key": "ssh-rsa AAAA"})
            self._drop("cdr", "cdr-002.csv", self._cdr_file())
            other.action_poll()
            self.assertIn("host key", other.last_error)
            self.assertIn("cdr-002.csv", self._files("cdr"))
            wrong = self._channel("usage_retail", "cdr", **{**sftp, "password": "nope"})
            wrong.action_poll()
            self.assertIn("authentication refused", wrong.last_error)
