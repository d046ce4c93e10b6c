"""Standard Odoo keeps working with the suite: accountants without telecom rights delete draft
entries as in standard Odoo, bill-run invoices included."""

from datetime import date

from odoo import Command
from odoo.tests import new_test_user, tagged

from .common import TelecomBillingCase


@tagged("post_install", "-at_install")
class TestStandardOdooUnchanged(TelecomBillingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.accountant = new_test_user(
            cls.env, login="test_std_billing_accountant", groups="account.group_account_invoice"
        )
        cls.desk = cls.env["product.product"].create(
            {"name": "T Office Desk", "type": "consu", "list_price": 300.0}
        )

    def test_accountant_deletes_an_ordinary_draft_invoice(self):
        self.assertFalse(self.accountant.has_group("telecom_catalog.group_telecom_user"))
        Move = self.env["account.move"].with_user(self.accountant)
        invoice = Move.create(
            {
                "move_type": "out_invoice",
                "partner_id": self.customer.id,
                "invoice_line_ids": [Command.create({"product_id": self.desk.id})],
            }
        )
        invoice.unlink()
        self.assertFalse(invoice.exists())

    def test_accountant_deletes_a_draft_bill_and_it_is_unbilled(self):
        subscription = self._subscription()
        service = self._service(subscription, self.plan_basic, start=date(2026, 3, 1))
        run = self._bill(date(2026, 3, 1), auto_post=False)
        move = self._invoice(run, subscription)
        self.assertEqual(service.charged_until, date(2026, 3, 31))
        move.with_user(self.accountant).unlink()
        self.assertFalse(move.exists())
        self.assertEqual(service.charged_until, date(2026, 2, 28), "billed again next run")
