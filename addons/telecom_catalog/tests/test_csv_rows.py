"""The shared row reader of the importers: any bytes after a header give one row per
non-blank line, readable rows with the header's width, the others with a reason."""

import re

from hypothesis import given
from hypothesis import strategies as st

from odoo.exceptions import UserError
from odoo.tests import TransactionCase, tagged

from odoo.addons.telecom_catalog.tests.fuzz import FUZZ_SETTINGS
from odoo.addons.telecom_catalog.tools.csv_rows import (
    CsvRows,
    shown,
    to_decimal,
    to_int,
    to_text,
)

LINE_END = re.compile(rb"\r\n|\r|\n")


@tagged("post_install", "-at_install")
class TestCsvRows(TransactionCase):
    @FUZZ_SETTINGS
    @given(body=st.binary(max_size=400), bom=st.booleans())
    def test_any_bytes_give_one_row_per_line(self, body, bom):
        content = (b"\xef\xbb\xbf" if bom else b"") + b"a,b,c\n" + body
        rows = CsvRows(self.env, content)
        read = list(rows)
        self.assertEqual(rows.count, len(read))
        lines = LINE_END.split(body)
        self.assertLessEqual(len(read), len([line for line in lines if line.strip()]) + 1)
        for row in read:
            if row.reason is None:
                self.assertEqual(len(row.values), 3)
                self.assertFalse(any("\x00" in v for v in row.values))
                "".join(row.values).encode()  # no undecodable bytes left
            else:
                self.assertTrue(row.reason.startswith(f"Line {row.line_no}:"))

    def test_line_ends_quotes_and_bytes(self):
        content = (
            b'\xef\xbb\xbfa,b\r\n1,2\r3,"4"\n"5,6\n7,8\r\n9,\xff\n10,11,12\n\n13,"x\x00"\n14,15'
        )
        rows = [(row.line_no, row.values, row.reason) for row in CsvRows(self.env, content)]
        self.assertEqual(rows[0], (2, ["1", "2"], None))
        self.assertEqual(rows[1], (3, ["3", "4"], None))
        self.assertIn("quote", rows[2][2])
        self.assertEqual(rows[3], (5, ["7", "8"], None))
        self.assertIn("Line 6: bytes that are not UTF-8", rows[4][2])
        self.assertIn("Line 7: 3 columns; the header has 2", rows[5][2])
        self.assertIn("Line 9: a NUL byte", rows[6][2])
        self.assertEqual(rows[7], (10, ["14", "15"], None))

    def test_files_refused_up_front(self):
        for content, message in (
            (b"", "empty"),
            (b"\n \n", "empty"),
            (b"\xff\xfea\x00,\x00b\x00", "UTF-16"),
            (b"a,\xff\n1,2\n", "header .line 1. has bytes that are not UTF-8"),
            (b"a,b\n1,2\n", "lacks the column.s. c"),
        ):
            with self.subTest(content=content), self.assertRaisesRegex(UserError, message):
                list(CsvRows(self.env, content, ["c"] if b"a,b" in content else ()))
        self.assertEqual(list(CsvRows(self.env, b"a,b\n")), [])

    def test_range_checks(self):
        self.assertEqual(to_int(" 42 ", "duration"), 42)
        self.assertEqual(to_int("", "duration", default=0), 0)
        for value in ("2147483648", "-1", "1.5", "1e3", "x", "9" * 40):
            with self.subTest(value=value), self.assertRaisesRegex(ValueError, "duration"):
                to_int(value, "duration")
        self.assertEqual(str(to_decimal("12.345", "rate", digits=(16, 6))), "12.345")
        for value in ("NaN", "Infinity", "1e400", "1" * 15, "-0.01", ""):
            with self.subTest(value=value), self.assertRaisesRegex(ValueError, "amount"):
                to_decimal(value, "amount")
        with self.assertRaisesRegex(ValueError, "longer than 5"):
            to_text("123456", "zip", 5)
        self.assertEqual(shown("a\x00b" + "c" * 100, 5), "'a\\\\x00…'")
