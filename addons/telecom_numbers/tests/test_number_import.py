from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import TelecomNumbersCase

GOOD_AND_BAD = """number,rate_center,lata,state,ocn,number_type
+1 (303) 555-2000,denver,656,CO,7531,geographic
303-555-2001,DENVER,656,CO,7531,
13035552002,DENVER,656,CO,7531,mobile
3035552001,DENVER,656,CO,7531,
12345,DENVER,656,CO,7531,
+44 20 7946 0958,DENVER,656,CO,7531,
155-555-2003,DENVER,656,CO,7531,
303-511-2004,DENVER,656,CO,7531,
303-555-ABCD,DENVER,656,CO,7531,
303-555-2005,DENVER,656,XX,7531,
303-555-2006,DENVER,65,CO,7531,
303-555-2007,DENVER,656,CO,75,
303-555-2008,DENVER,656,CO,7531,satellite
303-555-2009,,656,CO,7531,
303-555-2010,DENVER,656,CO
,DENVER,656,CO,7531,
999-555-2011,DENVER,656,CO,7531,
888-555-2012,,,,7531,
"""


@tagged("post_install", "-at_install")
class TestNumberImport(TelecomNumbersCase):
    def _import(self, text, company=None, **kwargs):
        Import = self.env["telecom.number.import"]
        if company:
            Import = Import.with_company(company)
        return Import._telecom_import_csv(text.encode(), "test.csv", **kwargs)

    def test_good_bad_and_duplicate_rows(self):
        record = self._import(GOOD_AND_BAD)
        self.assertEqual(record.state, "done")
        self.assertEqual(record.row_count, 18)
        self.assertEqual(record.created_count, 4)
        self.assertEqual(record.rejected_count, 14)
        self.assertEqual(record.existing_count, 0)
        reasons = {r.row_number: r.reason for r in record.reject_ids}
        expected = {
            5: "Duplicate of row 3",
            6: "does not have 10 digits",
            7: "not a North American (+1) number",
            8: "Area code 155 is not valid",
            9: "Exchange 511 is not valid",
            10: "has characters other than digits",
            11: "Unknown state code 'XX'",
            12: "LATA '65' must be 3 digits",
            13: "OCN '75' must be 4 letters or digits",
            14: "Number type 'satellite'",
            15: "rate center is missing",
            16: "Line 16: 4 columns; the header has 6",
            17: "The number is empty",
            18: "999-555 is not a valid North American number range",
        }
        self.assertEqual(set(reasons), set(expected))
        for row, reason in expected.items():
            self.assertIn(reason, reasons[row], f"row {row}")
        numbers = self.env["telecom.number"].search([("import_id", "=", record.id)])
        self.assertEqual(
            sorted(numbers.mapped("name")),
            ["+13035552000", "+13035552001", "+13035552002", "+18885552012"],
        )
        first = numbers.filtered(lambda n: n.name == "+13035552000")
        self.assertEqual(first.national_number, "(303) 555-2000")
        self.assertEqual((first.npa, first.nxx, first.line), ("303", "555", "2000"))
        self.assertEqual(first.rate_center, "DENVER")
        self.assertEqual(first.state_code, "CO")
        self.assertEqual(first.state_id, self.env.ref("base.state_us_6"))
        self.assertEqual(first.block_id.state_id, self.env.ref("base.state_us_6"))
        self.assertEqual(first.status, "available")
        self.assertEqual(numbers.filtered(lambda n: n.line == "2002").number_type, "mobile")
        self.assertEqual(numbers.filtered(lambda n: n.npa == "888").number_type, "toll_free")
        # A thousands-block was created for the numbers no block covered.
        self.assertEqual(first.block_id.name, "303-555-2000..2999")
        self.assertEqual(first.block_id.block_type, "thousands")
        self.assertEqual(first.block_id.rate_center, "DENVER")
        self.assertEqual(record.block_created_count, 2)

    def test_reimport_creates_no_duplicates(self):
        first = self._import(GOOD_AND_BAD)
        second = self._import(GOOD_AND_BAD)
        self.assertEqual(second.created_count, 0)
        self.assertEqual(second.existing_count, 4)
        self.assertEqual(second.rejected_count, 14)
        self.assertEqual(second.block_created_count, 0)
        count = self.env["telecom.number"].search_count([("name", "=like", "+1303555200%")])
        self.assertEqual(count, 3)
        self.assertEqual(first.created_count, 4)

    def test_import_into_a_block(self):
        text = "tn\n202-556-1500\n202-556-1501\n202-557-0001\n"
        record = self._import(text, block=self.block)
        self.assertEqual(record.created_count, 2)
        self.assertEqual(record.reject_ids.row_number, 4)
        self.assertIn("outside block 202-556-1000..1999", record.reject_ids.reason)
        number = self.env["telecom.number"].search([("name", "=", "+12025561500")])
        self.assertEqual(number.block_id, self.block)
        self.assertEqual(number.rate_center, "WASHINGTON")
        self.assertEqual(number.lata, "236")
        self.assertEqual(number.ocn, "7531")

    def test_numbers_belong_to_the_company_of_their_import_or_block(self):
        """The set-based inserts (import, new blocks, block generation) fill the company."""
        company_b = self.env["res.company"].create({"name": "T Numbers Company B"})
        record = self._import(GOOD_AND_BAD.replace("555-20", "556-20"), company=company_b)
        numbers = self.env["telecom.number"].search([("import_id", "=", record.id)])
        self.assertTrue(numbers)
        self.assertEqual(record.company_id, company_b)
        self.assertEqual(numbers.company_id, company_b)
        self.assertEqual(numbers.block_id.company_id, company_b)
        self.assertEqual(numbers.history_ids.company_id, company_b)
        self.assertEqual(record.reject_ids.company_id, company_b)
        block = (
            self.env["telecom.number.block"]
            .with_company(company_b)
            .create(
                {
                    "npa": "719",
                    "nxx": "556",
                    "line_from": "0100",
                    "line_to": "0109",
                    "rate_center": "PUEBLO",
                    "state_id": self.env.ref("base.state_us_6").id,
                }
            )
        )
        block._telecom_generate_numbers()
        self.assertEqual(block.company_id, company_b)
        self.assertEqual(block.number_ids.company_id, company_b)

    def test_file_level_errors(self):
        with self.assertRaisesRegex(UserError, "empty"):
            self._import("")
        with self.assertRaisesRegex(UserError, "lacks the column.s. number"):
            self._import("phone_no,rate_center\n2025550100,X\n")
        with self.assertRaisesRegex(UserError, "UTF-16"):
            self.env["telecom.number.import"]._telecom_import_csv(b"\xff\xfen\x00u\x00")
        # a row that is not UTF-8 is rejected, the others are imported
        record = self.env["telecom.number.import"]._telecom_import_csv(
            b"number,rate_center\n\xff\xfe\n7195550100,PUEBLO\n"
        )
        self.assertEqual((record.created_count, record.rejected_count), (1, 1))
        self.assertIn("Line 2: bytes that are not UTF-8", record.reject_ids.reason)

    def test_wizard_imports_small_file(self):
        import base64

        wizard = self.env["telecom.number.import.wizard"].create(
            {
                "file": base64.b64encode(b"number,rate_center\n7195550100,PUEBLO\n"),
                "filename": "small.csv",
            }
        )
        action = wizard.action_import()
        record = self.env["telecom.number.import"].browse(action["res_id"])
        self.assertEqual(record.state, "done")
        self.assertEqual(record.created_count, 1)

    def test_generate_block_numbers_is_idempotent(self):
        block = self.env["telecom.number.block"].create(
            {
                "npa": "719",
                "nxx": "555",
                "line_from": "0100",
                "line_to": "0199",
                "rate_center": "PUEBLO",
                "state_id": self.env.ref("base.state_us_6").id,
            }
        )
        self.assertEqual(block._telecom_generate_numbers(), {block.id: 100})
        self.assertEqual(block._telecom_generate_numbers(), {block.id: 0})
        self.assertEqual(block.number_count, 100)
        self.assertEqual(block.available_count, 100)
        self.assertEqual(block.number_ids[:1].national_number, "(719) 555-0100")

    def test_overlapping_blocks_refused(self):
        from odoo.exceptions import ValidationError

        with self.assertRaisesRegex(ValidationError, "overlaps"):
            self.env["telecom.number.block"].create(
                {"npa": "202", "nxx": "556", "line_from": "1500", "line_to": "2500"}
            )

    def test_available_number_search(self):
        self._import(
            "number,rate_center,state\n"
            "7195552255,PUEBLO,CO\n7195550000,PUEBLO,CO\n3035552255,DENVER,CO\n"
            "2025561234,WASHINGTON,DC\n"
        )
        taken = self.env["telecom.number"].search([("name", "=", "+17195550000")])
        taken._telecom_assign(self.resident, "taken")
        Number = self.env["telecom.number"]
        by_state = Number._telecom_search_available(state="CO")
        self.assertIn("+17195552255", by_state.mapped("name"))
        self.assertNotIn("+17195550000", by_state.mapped("name"), "assigned numbers are excluded")
        self.assertEqual(
            Number._telecom_search_available(rate_center="pueblo").mapped("name"),
            ["+17195552255"],
        )
        self.assertEqual(
            Number._telecom_search_available(npa_nxx="719-555").mapped("name"), ["+17195552255"]
        )
        vanity = Number._telecom_search_available(vanity="CALL", state="CO").mapped("name")
        self.assertEqual(vanity, ["+13035552255", "+17195552255"])
        # The same searches from the search view fields.
        self.assertEqual(
            Number.search(
                [("status", "=", "available"), ("vanity", "=", "call"), ("npa_nxx", "=", "303")]
            ).mapped("name"),
            ["+13035552255"],
        )

    def test_queued_imports_run_by_the_cron(self):
        import base64

        Import = self.env["telecom.number.import"]
        good = Import.create(
            {
                "file": base64.b64encode(b"number,rate_center\n7195550300,PUEBLO\n"),
                "state": "queued",
            }
        )
        bad = Import.create(
            {"file": base64.b64encode(b"phone_no\n7195550301\n"), "state": "queued"}
        )
        Import._cron_run_number_imports(batch_size=5)
        self.assertEqual(good.state, "done")
        self.assertEqual(good.created_count, 1)
        self.assertEqual(bad.state, "failed")
        self.assertIn("lacks the column(s) number", bad.error)
