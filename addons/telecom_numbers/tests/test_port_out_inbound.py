from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo.tests import tagged

from .common import TelecomNumbersCase
from .npac_simulator import SimulatorMixin


@tagged("post_install", "-at_install")
class TestInboundPortOut(SimulatorMixin, TelecomNumbersCase):
    """Port-out requests of gaining carriers arrive through the SOA vendor and are answered
    automatically within the port interval."""

    def setUp(self):
        super().setUp()
        self.sim = self.start_simulator()
        self.env["telecom.npac.backend"].search([]).write({"active": False})
        self.backend = self.env["telecom.npac.backend"].create(
            {"name": "T SOA", "base_url": self.sim.url, "api_key": self.sim.api_key, "timeout": 5}
        )
        self.number = self.make_number("assigned", partner_id=self.resident.id)
        self.Request = self.env["telecom.port.request"]

    def _send(self, **values):
        request = {
            "numbers": [self.number.name],
            "account_number": "TA-555-001",
            "pin": "2580",
            "authorized_name": "Rita Resident",
            "zip": "20001",
            "winning_carrier": "New Wireless",
            "due_date": str(self.business_day(5)),
            "port_type": "simple",
        }
        request.update(values)
        return self.sim.add_port_out(**request)

    def _receive_and_validate(self):
        received = self.Request._cron_poll_port_outs()
        self.Request._cron_validate_port_outs()
        return received

    def _customer_emails(self, request):
        return request.message_ids.filtered(
            lambda m: self.resident in m.partner_ids and m.message_type == "comment"
        )

    def test_matching_request_is_accepted_automatically(self):
        reference = self._send()
        request = self._receive_and_validate()
        self.assertEqual(request.vendor_reference, reference)
        self.assertEqual(request.direction, "out")
        self.assertEqual(request.state, "foc")
        self.assertEqual(self.number.status, "porting_out")
        self.assertLessEqual(request.answered_date, request.response_deadline)
        answer = self.sim.port_outs[reference]["answer"]
        self.assertEqual(answer["decision"], "concur")
        self.assertEqual(answer["foc_date"], str(request.foc_date))
        self.assertEqual(len(self._customer_emails(request)), 1, "the customer is told")
        # polled again: nothing new (answered), nothing twice
        self.assertFalse(self.Request._cron_poll_port_outs())

    def test_pin_mismatch_is_rejected_automatically(self):
        reference = self._send(pin="0000")
        request = self._receive_and_validate()
        self.assertEqual(request.state, "rejected")
        self.assertEqual(request.reject_code_id.code, "PIN_MISMATCH")
        answer = self.sim.port_outs[reference]["answer"]
        self.assertEqual((answer["decision"], answer["reject_code"]), ("reject", "PIN_MISMATCH"))
        self.assertEqual(self.number.status, "assigned")
        self.assertEqual(len(self._customer_emails(request)), 1)

    def test_missing_pin_is_rejected(self):
        self._send(pin="")
        request = self._receive_and_validate()
        self.assertEqual(request.reject_code_id.code, "PIN_MISMATCH")

    def test_locked_account_is_rejected(self):
        self.resident.telecom_port_out_lock = True
        reference = self._send()
        request = self._receive_and_validate()
        self.assertEqual(request.reject_code_id.code, "ACCOUNT_LOCKED")
        self.assertEqual(self.sim.port_outs[reference]["answer"]["reject_code"], "ACCOUNT_LOCKED")
        self.assertEqual(len(self._customer_emails(request)), 1)

    def test_customer_without_pin_goes_to_staff(self):
        number = self.make_number("assigned", partner_id=self.business.id)
        reference = self._send(
            numbers=[number.name],
            account_number="TA-555-002",
            pin="1111",
            authorized_name="Acme Widgets Inc",
            zip="60606",
        )
        request = self._receive_and_validate()
        self.assertEqual(request.state, "draft")
        self.assertTrue(request.needs_review)
        self.assertIsNone(self.sim.port_outs[reference]["answer"], "not answered yet")
        self.assertEqual(
            request.activity_ids.activity_type_id,
            self.env.ref("telecom_numbers.mail_activity_port_out_review"),
        )
        self.Request._cron_validate_port_outs()
        self.assertTrue(request.needs_review, "the job leaves it to staff")
        request.action_review_concur()
        self.assertEqual(request.state, "foc")
        self.assertEqual(self.sim.port_outs[reference]["answer"]["decision"], "concur")
        self.assertFalse(request.activity_ids)

    def test_deadline_skips_federal_holidays_and_alerts_before_it_lapses(self):
        # received Wednesday 2026-11-25 at 14:00 New York time (19:00 UTC): Thanksgiving is
        # Thursday, so the answer is due Friday 2026-11-27 at 14:00 New York time
        received = datetime(2026, 11, 25, 19, 0)
        deadline = self.Request._telecom_response_deadline(received)
        self.assertEqual(deadline, datetime(2026, 11, 27, 19, 0))
        # received on a Saturday: counts from Monday 9:00
        self.assertEqual(
            self.Request._telecom_response_deadline(datetime(2026, 12, 5, 15, 0)),
            datetime(2026, 12, 8, 14, 0),
        )
        self._send(received_at="2026-11-25T19:00:00", pin="")
        self.resident.telecom_port_out_pin = False  # cannot be decided: staff must answer
        request = self._receive_and_validate()
        self.assertTrue(request.needs_review)
        self.assertEqual(request.response_deadline, deadline)
        with freeze_time(deadline - timedelta(hours=3)):
            self.assertFalse(self.Request._cron_alert_port_out_deadlines())
        with freeze_time(deadline - timedelta(hours=1)):
            self.assertEqual(self.Request._cron_alert_port_out_deadlines(), request)
            self.assertFalse(self.Request._cron_alert_port_out_deadlines(), "alerted once")
        self.assertIn(
            self.env.ref("telecom_numbers.mail_activity_port_out_deadline"),
            request.activity_ids.activity_type_id,
        )

    def test_vendor_down_while_answering_is_retried(self):
        reference = self._send()
        self.Request._cron_poll_port_outs()
        self.sim.fail_next = 1
        request = self.Request.search([("vendor_reference", "=", reference)])
        self.Request._cron_validate_port_outs()
        self.assertEqual(request.state, "draft")
        self.assertTrue(request.transport_error)
        self.assertEqual(self.number.status, "assigned", "nothing changed")
        self.Request._cron_validate_port_outs()
        self.assertEqual(request.state, "foc")
