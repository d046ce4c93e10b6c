"""Property: interconnect trunk-record files and carrier rate decks mixing valid rows with
malformed ones (arbitrary bytes, stray quotes, wrong column counts, out-of-range numbers)
import every valid row and reject the others with a reason; the counts add up."""

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from odoo.tests import tagged

from odoo.addons.telecom_catalog.tests.fuzz import FUZZ_SETTINGS, fuzz_file, rolled_back

from .common import TelecomInterconnectCase

NUMERIC = ["9" * 40, "-1", "1e400", "NaN", "1.5", "99999999999999"]
CDR_HEADER = (
    "record_id,trunk_group,start_time,duration,calling_number,called_number,direction,jurisdiction"
)
CDR_ROW = "{rid},ACME-01,2026-03-1{day}T15:00:00Z,{dur},+13035550100,+12125550100,in,"
CDR_BAD = {
    0: [""],
    1: ["", "NOPE-99"],
    2: ["2026-02-30T10:00:00", "yesterday", ""],
    3: NUMERIC,
    4: ["abc", "+"],
    5: ["", "abc"],
    6: ["sideways", ""],
    7: ["galactic"],
}
DECK_HEADER = "prefix,jurisdiction,rate,first_increment,next_increment,minimum_charge"
DECK_ROW = "{prefix},interstate,0.0{i},60,6,0"
DECK_BAD = {
    0: ["", "12a", "1" * 16, "+"],
    1: ["galactic", ""],
    2: [*NUMERIC[:4], "", "x"],
    3: ["0", "9" * 12, "-60", "1.5"],
    4: ["0", "86401"],
    5: ["-0.01", "1e400", "123456789012345"],
}


@tagged("post_install", "-at_install")
class TestInterconnectImportFuzz(TelecomInterconnectCase):
    @FUZZ_SETTINGS
    @given(data=st.data())
    def test_trunk_records_every_valid_row_rated(self, data):
        valid = [(f"IV-{i}", CDR_ROW.format(rid=f"IV-{i}", day=i % 9, dur=i * 7))
                 for i in range(12)]  # fmt: skip
        mutable = [CDR_ROW.format(rid=f"IB-{i}", day=1, dur=60) for i in range(4)]
        content, keys, bad = data.draw(fuzz_file(CDR_HEADER, valid, mutable, CDR_BAD))
        with rolled_back(self.env):
            usage_file = self.env["telecom.usage.file"].create(
                {"telecom_file_kind": "interconnect", "filename": "trunks.csv"}
            )
            usage_file._telecom_import(content)
            self.assertEqual(set(usage_file.interconnect_cdr_ids.mapped("name")), keys)
            self.assertEqual(usage_file.read_count, len(keys) + bad)
            self.assertEqual(
                usage_file.read_count,
                usage_file.rated_count + usage_file.rejected_count + usage_file.duplicate_count,
            )
            self.assertEqual(len(usage_file.reject_ids), usage_file.rejected_count)
            self.assertTrue(all(usage_file.reject_ids.mapped("reason")))

    @FUZZ_SETTINGS
    @given(data=st.data())
    def test_deck_every_valid_row_imported(self, data):
        valid = [(f"1720{i:03d}", DECK_ROW.format(prefix=f"1720{i:03d}", i=i + 1))
                 for i in range(12)]  # fmt: skip
        mutable = [DECK_ROW.format(prefix=f"1930{i:03d}", i=1) for i in range(4)]
        content, keys, bad = data.draw(fuzz_file(DECK_HEADER, valid, mutable, DECK_BAD))
        with rolled_back(self.env):
            deck = self._deck("in", content, date_from=date(2026, 5, 1))
            self.assertEqual(set(deck.rate_ids.mapped("prefix")), keys)
            self.assertEqual(deck.read_count, len(keys) + bad)
            self.assertEqual(deck.read_count, deck.imported_count + deck.rejected_count)
            self.assertEqual(len(deck.reject_ids), deck.rejected_count)
            self.assertTrue(all(deck.reject_ids.mapped("reason")))

    def test_deck_reject_corrected_and_reimported(self):
        deck = self._deck(
            "in", b"prefix,jurisdiction,rate\n1303,interstate,0.01\n1720,interstate,1e400\n",
            date_from=date(2026, 5, 1),
        )  # fmt: skip
        reject = deck.reject_ids
        self.assertIn("more than 10 digits before the point", reject.reason)
        reject.raw = reject.raw.replace("1e400", "0.02")
        reject.action_reimport()
        self.assertEqual(reject.state, "reimported")
        self.assertEqual(deck.rate_ids.filtered(lambda r: r.prefix == "1720").price, 0.02)
        self.assertEqual((deck.imported_count, deck.rejected_count), (2, 0))
