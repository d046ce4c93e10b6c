from unittest.mock import patch

from odoo.tests import tagged

from .common import TelecomNumbersCase


@tagged("post_install", "-at_install")
class TestPortOut(TelecomNumbersCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.number = cls.make_number("assigned", partner_id=cls.resident.id)

    def _port_out(self, **values):
        vals = {
            "direction": "out",
            "number_input": self.number.national_number,
            "winning_carrier": "New Wireless",
            "account_number": "TA-555-001",
            "pin": "2580",
            "authorized_name": "Rita Resident",
            "service_zip": "20001",
            "desired_due_date": self.business_day(5),
            "backend_id": False,
        }
        vals.update(values)
        return self.env["telecom.port.request"].create(vals)

    def _customer_emails(self, request):
        return request.message_ids.filtered(
            lambda m: self.resident in m.partner_ids and m.message_type == "comment"
        )

    def test_pin_mismatch_rejects_and_notifies(self):
        request = self._port_out(pin="0000")
        request.action_submit()
        self.assertEqual(request.state, "rejected")
        self.assertEqual(request.reject_code_id.code, "PIN_MISMATCH")
        self.assertEqual(request.partner_id, self.resident)
        self.assertEqual(self.number.status, "assigned")
        self.assertEqual(request.attempt_ids.result, "rejected")
        emails = self._customer_emails(request)
        self.assertEqual(len(emails), 1)
        self.assertIn("transfer (port)", emails.body)
        self.assertIn("We did not accept it", emails.body)
        self.assertEqual(emails.notification_ids.res_partner_id, self.resident)
        self.assertEqual(emails.notification_ids.notification_type, "email")
        # The carrier fixes the PIN and sends it again: validated, the customer is told again.
        request.pin = "2580"
        request.action_resubmit()
        self.assertEqual(request.state, "foc")
        self.assertEqual(self.number.status, "porting_out")
        self.assertEqual(len(self._customer_emails(request)), 2)

    def test_locked_account_rejects(self):
        self.resident.telecom_port_out_lock = True
        request = self._port_out()
        request.action_submit()
        self.assertEqual(request.state, "rejected")
        self.assertEqual(request.reject_code_id.code, "ACCOUNT_LOCKED")
        self.assertEqual(self.number.status, "assigned")
        self.assertEqual(len(self._customer_emails(request)), 1)

    def test_each_mismatch_has_its_code(self):
        other = self.make_number("assigned", partner_id=self.business.id)
        cases = [
            ({"account_number": "TA-999"}, "ACCOUNT_MISMATCH"),
            ({"authorized_name": "Robert Resident"}, "NAME_MISMATCH"),
            ({"service_zip": "90210"}, "ADDRESS_MISMATCH"),
            ({"billing_telephone_number": "+12025559999"}, "BTN_MISMATCH"),
            ({"number_input": "+13125550111"}, "NOT_ON_ACCOUNT"),
            ({"number_input": f"{self.number.name}, {other.name}"}, "NOT_ON_ACCOUNT"),
            ({"number_input": self.make_number("aging").name}, "NUMBER_INACTIVE"),
            ({"number_input": self.make_number("porting_out").name}, "PENDING_ORDER"),
            ({"desired_due_date": self.today}, "INVALID_DUE_DATE"),
        ]
        for values, code in cases:
            with self.subTest(code=code, values=values):
                request = self._port_out(**values)
                request.action_submit()
                self.assertEqual(request.state, "rejected")
                self.assertEqual(request.reject_code_id.code, code)

    def test_matching_request_is_completed(self):
        request = self._port_out(pin="2580", account_number="ta 555 001", service_zip="20001-1234")
        request.action_submit()
        self.assertEqual(request.state, "foc")
        self.assertEqual(request.foc_date, request.desired_due_date)
        self.assertEqual(request.number_ids, self.number)
        self.assertEqual(self.number.status, "porting_out")
        self.assertIn("scheduled for", self._customer_emails(request).body)
        model = type(self.env["telecom.port.request"])
        with patch.object(model, "_telecom_port_out_completed", autospec=True) as hook:
            request.action_activate()
        hook.assert_called_once_with(request)
        self.assertEqual(request.state, "activated")
        self.assertEqual(self.number.status, "ported_out")
        self.assertFalse(self.number.partner_id)
        last = self.number.history_ids[:1]
        self.assertEqual((last.from_status, last.to_status), ("porting_out", "ported_out"))
        self.assertEqual(last.partner_id, self.resident)
        self.assertEqual(last.port_request_id, request)

    def test_cancelled_port_out_gives_the_number_back(self):
        request = self._port_out()
        request.action_submit()
        request.action_cancel()
        self.assertEqual(request.state, "cancelled")
        self.assertEqual(self.number.status, "assigned")
        self.assertEqual(self.number.partner_id, self.resident)
