import os
import shutil
import tempfile

from odoo.tests import TransactionCase, tagged

from .common import legacy_file


@tagged("post_install", "-at_install")
class TestLegacyExtractChannel(TransactionCase):
    """Legacy extracts dropped on a channel land on the draft migration, by file name;
    nothing is migrated on arrival."""

    def setUp(self):
        super().setUp()
        self.folder = tempfile.mkdtemp(prefix="h23-legacy-")
        self.addCleanup(shutil.rmtree, self.folder)
        self.channel = self.env["telecom.file.channel"].create(
            {"name": "T legacy drop", "importer": "legacy_extract", "path": self.folder,
             "pattern": "*"}
        )  # fmt: skip
        self.Batch = self.env["telecom.migration.batch"]
        self.Batch.search([("state", "=", "draft")]).state = "failed"  # none open before

    def _drop(self, name, content):
        with open(os.path.join(self.folder, name), "wb") as handle:
            handle.write(content)

    def _poll(self):
        logs = self.channel._telecom_poll()
        self.env.cr.postcommit.run()
        return {log.name: log for log in logs}

    def test_extracts_land_on_the_draft_migration(self):
        self._drop("customers-20260310.csv", legacy_file("legacy_customers.csv"))
        self._drop("services-20260310.csv", legacy_file("legacy_services.csv"))
        self._drop("plan-map.csv", legacy_file("legacy_plan_map.csv"))
        self._drop("invoices-20260310.csv", legacy_file("legacy_invoices.csv"))
        self._drop("invoice_lines-20260310.csv", legacy_file("legacy_invoice_lines.csv"))
        self._drop("invoice-pdfs.zip", legacy_file("legacy_invoice_pdfs.zip"))
        self._drop("customers-wrong.csv", b"id,name\n1,Jane\n")
        self._drop("readme.txt", b"not an extract")
        logs = self._poll()
        self.assertEqual(
            {name: log.state for name, log in logs.items()},
            {"customers-20260310.csv": "done", "services-20260310.csv": "done",
             "plan-map.csv": "done", "invoices-20260310.csv": "done",
             "invoice_lines-20260310.csv": "done", "invoice-pdfs.zip": "done",
             "customers-wrong.csv": "error", "readme.txt": "error"},
        )  # fmt: skip
        self.assertIn("lacks the column legacy_id", logs["customers-wrong.csv"].report)
        self.assertIn("is not a legacy extract", logs["readme.txt"].report)
        batch = self.Batch.search([("state", "=", "draft")])
        self.assertEqual(len(batch), 1)
        self.assertEqual(set(logs["customers-20260310.csv"].mapped("res_id")), {batch.id})
        self.assertEqual(
            [batch.customers_filename, batch.services_filename, batch.plan_map_filename,
             batch.invoices_filename, batch.invoice_lines_filename, batch.pdf_archive_filename],
            ["customers-20260310.csv", "services-20260310.csv", "plan-map.csv",
             "invoices-20260310.csv", "invoice_lines-20260310.csv", "invoice-pdfs.zip"],
        )  # fmt: skip
        rows = len(batch._read_csv("customers_file"))
        self.assertEqual(logs["customers-20260310.csv"].row_count, rows)
        self.assertFalse(batch.customer_count, "nothing migrated on arrival")
        self.assertEqual(sorted(os.listdir(self.folder)), ["done", "error"])
        # a corrected extract replaces the one before, on the same migration
        self._drop("customers-20260311.csv", legacy_file("legacy_customers.csv"))
        (log,) = self._poll().values()
        self.assertEqual(log.res_id, batch.id)
        self.assertEqual(batch.customers_filename, "customers-20260311.csv")
        self.assertIn("replacing customers-20260310.csv", batch.message_ids[0].body)
