from datetime import timedelta
from unittest.mock import patch

from psycopg2 import IntegrityError

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.telecom_numbers.models.telecom_number import STATUS_TRANSITIONS

from .common import ALL_STATUSES, TelecomNumbersCase


@tagged("post_install", "-at_install")
class TestNumberLifecycle(TelecomNumbersCase):
    def test_every_allowed_transition(self):
        for old, targets in STATUS_TRANSITIONS.items():
            for new in targets:
                with self.subTest(old=old, new=new):
                    # "available" needs a number that passed aging or was never assigned.
                    number = self.make_number(old, aging_required=False)
                    values = {}
                    if new == "reserved":
                        values = {"reserved_until": self.today, "partner_id": self.resident.id}
                    number._telecom_set_status(new, "test", values)
                    self.assertEqual(number.status, new)
                    last = number.history_ids[:1]
                    self.assertEqual((last.from_status, last.to_status), (old, new))

    def test_every_forbidden_transition(self):
        for old in ALL_STATUSES:
            for new in ALL_STATUSES:
                if new == old or new in STATUS_TRANSITIONS[old]:
                    continue
                with self.subTest(old=old, new=new):
                    number = self.make_number(old)
                    with self.assertRaisesRegex(UserError, "cannot go from"):
                        number._telecom_set_status(new, "test")
                    self.assertEqual(number.status, old)

    def test_direct_write_is_validated_too(self):
        number = self.make_number("available")
        with self.assertRaisesRegex(UserError, "cannot go from Available to Aging"):
            number.write({"status": "aging"})
        number.write({"status": "administrative"})
        self.assertEqual(number.history_ids[:1].to_status, "administrative")

    def test_assigned_number_never_returns_to_available_without_aging(self):
        number = self.make_number("available")
        number._telecom_assign(self.resident, "new line")
        self.assertTrue(number.aging_required)
        number._telecom_set_status("porting_out", "port")
        number._telecom_set_status("assigned", "port cancelled")
        # No path from assigned to available but aging.
        with self.assertRaises(UserError):
            number._telecom_release("try")
        number._telecom_disconnect(self.today, "customer left")
        with self.assertRaisesRegex(UserError, "aging until"):
            number._telecom_release("too early")
        number.aging_until = self.today
        number._telecom_release("aging ended")
        self.assertEqual(number.status, "available")
        self.assertFalse(number.aging_required)
        self.assertFalse(number.partner_id)

    def test_intermediate_number_once_assigned_must_age(self):
        number = self.make_number("intermediate")
        number._telecom_release("never used by the reseller")
        self.assertEqual(number.status, "available")
        number._telecom_set_status("intermediate", "again", {"partner_id": self.business.id})
        number._telecom_assign(self.business, "reseller end user")
        number._telecom_disconnect(self.today, "gone")
        self.assertEqual(number.status, "aging")

    def test_reserve_assign_disconnect_release_with_history(self):
        number = self.make_number("available")
        number._telecom_reserve(self.resident, self.today + timedelta(days=5))
        self.assertEqual(number.partner_id, self.resident)
        with self.assertRaisesRegex(UserError, "reserved for Rita Resident"):
            number._telecom_assign(self.other, "wrong customer")
        number._telecom_assign(self.resident, "Order S00042")
        self.assertEqual(number.status, "assigned")
        self.assertFalse(number.reserved_until)
        self.assertEqual(number.assigned_date, self.today)
        self.assertTrue(self.resident.telecom_account_number)
        number._telecom_disconnect(self.today, "moved away")
        self.assertEqual(number.disconnect_date, self.today)
        self.assertEqual(number.aging_until, self.today + timedelta(days=90))
        history = number.history_ids.sorted("id")
        self.assertEqual(
            [(h.from_status, h.to_status) for h in history],
            [
                (False, "available"),
                ("available", "reserved"),
                ("reserved", "assigned"),
                ("assigned", "aging"),
            ],
        )
        self.assertEqual(history[2].partner_id, self.resident)
        self.assertEqual(history[2].reason, "Order S00042")
        self.assertEqual(history[3].partner_id, self.resident)
        self.assertIn("moved away", history[3].reason)
        self.assertTrue(all(h.user_id == self.env.user for h in history))

    def test_aging_number_goes_back_only_to_its_customer(self):
        number = self.make_number("aging", aging_until=self.today + timedelta(days=30))
        with self.assertRaisesRegex(UserError, "aging for Rita Resident"):
            number._telecom_assign(self.other, "reuse")
        number._telecom_assign(self.resident, "customer came back")
        self.assertEqual(number.status, "assigned")
        self.assertFalse(number.aging_until)

    def test_assigned_number_cannot_be_assigned_again(self):
        number = self.make_number("assigned")
        with self.assertRaisesRegex(UserError, "is already assigned"):
            number._telecom_assign(self.other, "second service")

    def test_suspended_service_number_is_not_disconnected(self):
        number = self.make_number("assigned")
        model = type(self.env["telecom.number"])
        # telecom_billing overrides this hook; here we play its part.
        with patch.object(model, "_telecom_service_suspended", lambda rec: True):
            with self.assertRaisesRegex(UserError, "suspended service"):
                number._telecom_disconnect(self.today, "non-payment")
        self.assertEqual(number.status, "assigned")
        self.assertFalse(number.aging_until)

    def test_e164_normalised_and_validated(self):
        number = self.env["telecom.number"].create({"name": "(202) 556-7777"})
        self.assertEqual(number.name, "+12025567777")
        self.assertEqual(number.national_number, "(202) 556-7777")
        self.assertEqual((number.npa, number.nxx, number.line), ("202", "556", "7777"))
        toll_free = self.env["telecom.number"].create({"name": "1-888-556-0001"})
        self.assertEqual(toll_free.number_type, "toll_free")
        for bad in ("12345", "+1 999 555 0100", "not a number"):
            with self.subTest(bad=bad), self.assertRaises(ValidationError):
                self.env["telecom.number"].create({"name": bad})

    def test_unique_e164(self):
        self.env["telecom.number"].create({"name": "+12025567000"})
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError):
            with self.env.cr.savepoint():
                self.env["telecom.number"].create({"name": "202.556.7000"})

    def test_used_numbers_cannot_be_deleted(self):
        with self.assertRaisesRegex(UserError, "cannot be deleted"):
            self.make_number("assigned").unlink()
        self.make_number("available").unlink()

    def test_status_wizard(self):
        numbers = self.make_number("available") | self.make_number("available")
        wizard = self.env["telecom.number.status.wizard"].create(
            {
                "number_ids": [(6, 0, numbers.ids)],
                "action": "reserve",
                "partner_id": self.business.id,
                "reserved_until": self.today + timedelta(days=20),
                "reason": "Quote for Acme",
            }
        )
        wizard.action_apply()
        self.assertEqual(set(numbers.mapped("status")), {"reserved"})
        self.assertEqual(
            numbers.history_ids.filtered(lambda h: h.to_status == "reserved")[:1].reason,
            "Quote for Acme",
        )
