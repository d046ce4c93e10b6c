"""Property: a Fabric location file mixing valid rows with malformed ones (arbitrary bytes,
stray quotes, wrong column counts, out-of-range numbers, overlong codes) loads every valid
row and rejects the others with a reason; the counts add up. Never raises."""

from base64 import b64encode

from hypothesis import given
from hypothesis import strategies as st

from odoo.tests import tagged

from odoo.addons.telecom_catalog.tests.fuzz import FUZZ_SETTINGS, fuzz_file, rolled_back

from .common import TelecomRegulatoryCase

HEADER = (
    "location_id,address_primary,city,state,zip,unit_count,bsl_flag,block_geoid,latitude,longitude"
)
ROW = "{ref},{n} ELM ST,DENVER,CO,80202,1,True,080310001001000,39.7,-104.9"
BAD = {
    0: ["", "12345678901", "x"],
    1: [""],
    3: ["California", "xx"],
    4: ["9372"],
    5: ["0", "9" * 40, "x"],
    6: ["False", "maybe"],
    7: ["1" * 16],
    8: ["91", "1e400", "NaN", "9" * 40],
    9: ["-181"],
}


@tagged("post_install", "-at_install")
class TestFabricImportFuzz(TelecomRegulatoryCase):
    @FUZZ_SETTINGS
    @given(data=st.data())
    def test_every_valid_row_loaded_every_other_rejected(self, data):
        valid = [(str(2000000000 + i), ROW.format(ref=2000000000 + i, n=i)) for i in range(10)]
        mutable = [ROW.format(ref=3000000000 + i, n=i) for i in range(4)]
        content, keys, bad = data.draw(fuzz_file(HEADER, valid, mutable, BAD))
        with rolled_back(self.env):
            fabric = self.env["telecom.bdc.fabric.import"].create(
                {"fabric_version": "T fuzz", "filename": "fabric.csv", "file": b64encode(content)}
            )
            fabric.action_import()
            loaded = self.env["telecom.bdc.location"].search([("import_id", "=", fabric.id)])
            self.assertEqual(set(loaded.mapped("location_id")), keys)
            self.assertEqual(fabric.created_count + fabric.updated_count, len(keys))
            self.assertEqual(len(fabric.reject_ids), bad)
            self.assertTrue(all(fabric.reject_ids.mapped("reason")))

    def test_reject_corrected_and_reimported(self):
        content = (HEADER + "\n" + ROW.format(ref=4000000001, n=1).replace(",80202,", ",8020,")
                   + "\n").encode()  # fmt: skip
        fabric = self.env["telecom.bdc.fabric.import"].create(
            {"fabric_version": "T fix", "filename": "fabric.csv", "file": b64encode(content)}
        )
        fabric.action_import()
        reject = fabric.reject_ids
        reject.raw = reject.raw.replace(",8020,", ",80202,")
        reject.action_reimport()
        self.assertEqual(
            (reject.state, fabric.created_count, fabric.reject_count), ("reimported", 1, 0)
        )
