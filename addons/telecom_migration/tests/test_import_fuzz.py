"""Property: a legacy customers extract mixing valid rows with malformed ones (arbitrary
bytes, stray quotes, wrong column counts, out-of-range amounts and days) migrates every valid
row and rejects the others with a reason; the file check adds up. Never raises."""

import base64

from hypothesis import given
from hypothesis import strategies as st

from odoo.tests import tagged

from odoo.addons.telecom_billing.tests.common import TelecomBillingCase
from odoo.addons.telecom_catalog.tests.fuzz import FUZZ_SETTINGS, fuzz_file, rolled_back

HEADER = "legacy_id,name,email,street,city,state,zip,customer_type,bill_cycle_day,balance"
ROW = "{ref},Customer {ref},{ref}@fuzz.example,{n} Elm St,Denver,CO,80202,residential,5,12.50"
BAD = {
    0: [""],
    1: [""],
    7: ["martian"],
    8: ["0", "45", "9" * 40, "x"],
    9: ["9" * 40, "1e400", "NaN", "abc", "123456789012345"],
}


@tagged("post_install", "-at_install")
class TestMigrationImportFuzz(TelecomBillingCase):
    @FUZZ_SETTINGS
    @given(data=st.data())
    def test_customers_every_valid_row_migrated(self, data):
        valid = [(f"FZ-{i}", ROW.format(ref=f"FZ-{i}", n=i)) for i in range(10)]
        mutable = [ROW.format(ref=f"FB-{i}", n=i) for i in range(4)]
        content, keys, bad = data.draw(fuzz_file(HEADER, valid, mutable, BAD))
        with rolled_back(self.env):
            batch = self.env["telecom.migration.batch"].create(
                {"date": "2026-03-10", "customers_file": base64.b64encode(content)}
            )
            batch.action_run()
            landed = self.env["telecom.migration.map"].search(
                [("batch_id", "=", batch.id), ("kind", "=", "customer")]
            )
            self.assertEqual(set(landed.mapped("legacy_id")), keys)
            check = batch.file_check_ids.filtered(lambda c: c.file == "customers")
            self.assertEqual(check.legacy_rows, len(keys) + bad)
            self.assertEqual(check.legacy_rows, check.landed_rows + check.rejected_rows)
            self.assertTrue(all(batch.reject_ids.mapped("reason")))

    def test_reject_corrected_and_reimported(self):
        bad_row = ROW.format(ref="FX-2", n=2).replace(",5,", ",45,")
        content = f"{HEADER}\n{ROW.format(ref='FX-1', n=1)}\n{bad_row}\n".encode()
        batch = self.env["telecom.migration.batch"].create(
            {"date": "2026-03-10", "customers_file": base64.b64encode(content)}
        )
        batch.action_run()
        reject = batch.reject_ids
        self.assertIn("bill cycle day 45", reject.reason)
        reject.raw = reject.raw.replace(",45,", ",5,")
        reject.action_reimport()
        landed = self.env["telecom.migration.map"].search(
            [("batch_id", "=", batch.id), ("kind", "=", "customer")]
        )
        self.assertEqual(set(landed.mapped("legacy_id")), {"FX-1", "FX-2"})
        self.assertFalse(batch.reject_ids)
