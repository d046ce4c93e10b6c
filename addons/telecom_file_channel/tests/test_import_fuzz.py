"""Property: a payment (lockbox) file mixing valid rows with malformed ones (arbitrary bytes,
stray quotes, wrong column counts, out-of-range amounts) pays every valid row's bill and
rejects the others with a reason; the counts add up. Never raises."""

from hypothesis import given
from hypothesis import strategies as st

from odoo.tests import tagged

from odoo.addons.telecom_billing.tests.common import TelecomBillingCase
from odoo.addons.telecom_catalog.tests.fuzz import FUZZ_SETTINGS, fuzz_file, rolled_back

HEADER = "reference,amount,date,payer"
BAD = {
    0: [""],
    1: ["9" * 40, "1e400", "NaN", "abc", "-10.00", "0", "123456789012345"],
    2: ["2026-02-30", "yesterday", ""],
}


@tagged("post_install", "-at_install")
class TestPaymentFileFuzz(TelecomBillingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bills = cls.env["account.move"].create(
            [
                {
                    "move_type": "out_invoice",
                    "partner_id": cls.customer.id,
                    "invoice_line_ids": [
                        (0, 0, {"name": "Plan", "quantity": 1, "price_unit": 10.0,
                                "tax_ids": [(6, 0, [])]})
                    ],
                }
                for _i in range(5)
            ]
        )  # fmt: skip
        cls.bills.action_post()

    @FUZZ_SETTINGS
    @given(data=st.data())
    def test_every_valid_row_paid_every_other_rejected(self, data):
        valid = [(bill.name, f"{bill.name},10.00,2026-03-05,Payer") for bill in self.bills]
        mutable = [f"FZ-NOPE-{i},10.00,2026-03-05,Payer" for i in range(4)]
        content, keys, bad = data.draw(fuzz_file(HEADER, valid, mutable, BAD))
        with rolled_back(self.env):
            payment_file = self.env["telecom.payment.file"].create({"filename": "fuzz.csv"})
            payment_file._telecom_import(content)
            lines = payment_file.line_ids
            matched = lines.filtered(lambda line: line.state == "matched")
            self.assertEqual(set(matched.mapped("move_id.name")), keys)
            self.assertEqual(len(lines), len(keys) + bad)
            self.assertEqual(payment_file.matched_count + payment_file.rejected_count, len(lines))
            self.assertTrue(all((lines - matched).mapped("reason")))

    def test_rejected_payment_corrected_and_paid_again(self):
        bill = self.bills[0]
        payment_file = self.env["telecom.payment.file"].create({"filename": "typo.csv"})
        payment_file._telecom_import(
            f"reference,amount,date\n{bill.name},1O.00,2026-03-05\n".encode()
        )
        line = payment_file.line_ids
        self.assertEqual(line.state, "rejected")
        line.write({"amount": 10.0, "date": "2026-03-05"})
        line.action_pay_again()
        self.assertEqual((line.state, line.move_id), ("matched", bill))
        self.assertEqual((payment_file.matched_count, payment_file.rejected_count), (1, 0))
