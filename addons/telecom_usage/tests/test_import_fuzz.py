"""Property: a CDR file mixing valid rows with malformed ones (arbitrary bytes, stray quotes,
wrong column counts, out-of-range numbers) imports every valid row and rejects the others
with a reason; the file's counts add up. Never raises."""

from hypothesis import given
from hypothesis import strategies as st

from odoo.tests import tagged

from odoo.addons.telecom_catalog.tests.fuzz import FUZZ_SETTINGS, fuzz_file, rolled_back

from .common import TelecomRatingCase

HEADER = (
    "record_id,service,start_time,duration,called_number,direction,usage_type,volume_bytes,"
    "roaming,source_switch"
)
NUMERIC = ["9" * 40, "-1", "1e400", "NaN", "1.5", "99999999999999"]


@tagged("post_install", "-at_install")
class TestCdrImportFuzz(TelecomRatingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        row = "{rid},%s,2026-01-0{day}T15:00:00Z,{dur},+12125550100,out,voice,0,0,SW1" % cls.number
        cls.valid = [(f"V-{i}", row.format(rid=f"V-{i}", day=5 + i % 3, dur=i * 7))
                     for i in range(12)]  # fmt: skip
        cls.mutable = [row.format(rid=f"B-{i}", day=5, dur=60) for i in range(4)]
        cls.bad_values = {
            0: [""],
            1: ["", "+19995550000"],
            2: ["2026-02-30T10:00:00", "yesterday", ""],
            3: NUMERIC,
            4: ["abc", "", "+"],
            5: ["sideways"],
            6: ["fax", "\x00"],
            7: ["9" * 13, "-1", "x"],
            8: ["maybe"],
        }

    @FUZZ_SETTINGS
    @given(data=st.data())
    def test_every_valid_row_rated_every_other_rejected(self, data):
        content, valid, bad = data.draw(
            fuzz_file(HEADER, self.valid, self.mutable, self.bad_values)
        )
        with rolled_back(self.env):
            usage_file = self.env["telecom.usage.file"]._telecom_import_csv(content)
            imported = self.env["telecom.usage.record"].search(
                [("usage_file_id", "=", usage_file.id)]
            )
            self.assertEqual(set(imported.mapped("name")), valid)
            self.assertEqual(usage_file.read_count, len(valid) + bad)
            self.assertEqual(
                usage_file.read_count,
                usage_file.rated_count + usage_file.rejected_count + usage_file.duplicate_count,
            )
            self.assertEqual(len(usage_file.reject_ids), usage_file.rejected_count)
            self.assertTrue(all(usage_file.reject_ids.mapped("reason")))
