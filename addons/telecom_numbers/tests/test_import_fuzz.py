"""Property: number block, SIM vendor and inventory migration files mixing valid rows with
malformed ones (arbitrary bytes, stray quotes, wrong column counts, bad values) import every
valid row and reject the others with a reason; the counts add up. Never raises."""

from hypothesis import given
from hypothesis import strategies as st

from odoo.tests import tagged

from odoo.addons.telecom_catalog.tests.fuzz import FUZZ_SETTINGS, fuzz_file, rolled_back

from .common import TelecomNumbersCase
from .sim_fixtures import iccid, imsi

BLOCK_HEADER = "number,rate_center,lata,state,ocn,number_type"
BLOCK_ROW = "+1303555{line},DENVER,656,CO,7531,geographic"
BLOCK_BAD = {
    0: ["", "12345", "+44 20 7946 0958", "303-511-2004", "abc", "9" * 40],
    1: [""],
    2: ["65", "x" * 300],
    3: ["XX", "\x00"],
    4: ["75"],
    5: ["satellite"],
}
SIM_HEADER = "iccid,imsi,pin1,puk1,kind,smdp_address,matching_id"
SIM_BAD = {
    0: ["", "89012609912345678", "x", "9" * 40],
    1: ["310", "", "abc"],
    2: ["12", "x"],
    3: ["1"],
    4: ["satellite", "esim"],
}
MIGRATION_HEADER = "number,status,customer,source,rate_center,state,reserved_until"
MIGRATION_ROW = "+1303555{line},available,,native,DENVER,CO,"
MIGRATION_BAD = {
    0: ["", "12345", "abc"],
    1: ["porting_out", "", "assigned"],
    2: ["NO-SUCH"],
    3: ["martian"],
    5: ["XX"],
    6: ["2026-02-30", "9" * 40],
}


@tagged("post_install", "-at_install")
class TestImportFuzz(TelecomNumbersCase):
    def _assert_counts(self, record, keys, bad):
        self.assertEqual(record.row_count, len(keys) + bad)
        self.assertEqual(record.rejected_count, len(record.reject_ids))
        self.assertTrue(all(record.reject_ids.mapped("reason")))

    @FUZZ_SETTINGS
    @given(data=st.data())
    def test_number_block_every_valid_row_imported(self, data):
        valid = [(f"+1303555{3000 + i}", BLOCK_ROW.format(line=3000 + i)) for i in range(12)]
        mutable = [BLOCK_ROW.format(line=4000 + i) for i in range(4)]
        content, keys, bad = data.draw(fuzz_file(BLOCK_HEADER, valid, mutable, BLOCK_BAD))
        with rolled_back(self.env):
            record = self.env["telecom.number.import"]._telecom_import_csv(content)
            self.assertEqual(set(record.number_ids.mapped("name")), keys)
            self._assert_counts(record, keys, bad)
            self.assertEqual(
                record.row_count,
                record.created_count + record.rejected_count + record.existing_count,
            )

    @FUZZ_SETTINGS
    @given(data=st.data())
    def test_sim_file_every_valid_row_imported(self, data):
        valid = [(iccid(5000 + i), f"{iccid(5000 + i)},{imsi(5000 + i)},1234,12345678,,,")
                 for i in range(12)]  # fmt: skip
        mutable = [f"{iccid(6000 + i)},{imsi(6000 + i)},1234,12345678,,," for i in range(4)]
        content, keys, bad = data.draw(fuzz_file(SIM_HEADER, valid, mutable, SIM_BAD))
        with rolled_back(self.env):
            record = self.env["telecom.sim.import"]._telecom_import_csv(content)
            self.assertEqual(set(record.sim_ids.mapped("name")), keys)
            self._assert_counts(record, keys, bad)
            self.assertEqual(
                record.row_count,
                record.created_count + record.rejected_count + record.existing_count,
            )

    @FUZZ_SETTINGS
    @given(data=st.data())
    def test_number_migration_every_valid_row_migrated(self, data):
        valid = [(f"+1303555{7000 + i}", MIGRATION_ROW.format(line=7000 + i)) for i in range(12)]
        mutable = [MIGRATION_ROW.format(line=8000 + i) for i in range(4)]
        content, keys, bad = data.draw(fuzz_file(MIGRATION_HEADER, valid, mutable, MIGRATION_BAD))
        with rolled_back(self.env):
            record = self.env["telecom.number.migration"]._telecom_migrate_csv(content)
            pool = [f"+1303555{line}" for line in range(7000, 7012)]
            pool += [f"+1303555{line}" for line in range(8000, 8004)]
            created = self.env["telecom.number"].search([("name", "in", pool)])
            self.assertEqual(set(created.mapped("name")), keys)
            self._assert_counts(record, keys, bad)
            self.assertEqual(record.row_count, record.created_count + record.rejected_count)


@tagged("post_install", "-at_install")
class TestRejectsCorrected(TelecomNumbersCase):
    def test_number_block_reject_corrected_and_reimported(self):
        record = self.env["telecom.number.import"]._telecom_import_csv(
            b"rate_center,number\nDENVER,303-555-31x0\nDENVER,303-555-3101\n"
        )
        reject = record.reject_ids
        self.assertEqual(reject.raw, "303-555-31x0,DENVER,,,,")
        reject.raw = "303-555-3100,DENVER,,,,"
        reject.action_reimport()
        self.assertEqual(reject.state, "reimported")
        self.assertTrue(self.env["telecom.number"].search([("name", "=", "+13035553100")]))

    def test_sim_reject_corrected_and_reimported(self):
        good, bad = iccid(7001), iccid(7002)
        record = self.env["telecom.sim.import"]._telecom_import_csv(
            f"iccid,imsi\n{good},{imsi(7001)}\n{bad},310\n".encode()
        )
        reject = record.reject_ids
        reject.raw = reject.raw.replace(",310,", f",{imsi(7002)},")
        reject.action_reimport()
        self.assertEqual(reject.state, "reimported")
        self.assertTrue(self.env["telecom.sim"].search([("name", "=", bad)]))

    def test_migration_reject_corrected_and_reimported(self):
        migration = self.env["telecom.number.migration"]._telecom_migrate_csv(
            b"number,status\n+13035558100,available\n+13035558101,availabel\n"
        )
        reject = migration.reject_ids
        self.assertIn("'availabel' is not one of", reject.reason)
        reject.raw = reject.raw.replace("availabel", "available")
        reject.action_reimport()
        self.assertTrue(self.env["telecom.number"].search([("name", "=", "+13035558101")]))
