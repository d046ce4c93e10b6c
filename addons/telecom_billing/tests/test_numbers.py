from datetime import timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common import TelecomBillingCase


@tagged("post_install", "-at_install")
class TestServiceNumbers(TelecomBillingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer.write(
            {
                "telecom_account_number": "TA-BILL-0001",
                "telecom_port_out_pin": "4321",
                "zip": "95814",
            }
        )
        Number = cls.env["telecom.number"]
        cls.number = Number.create({"name": "+19165550101", "status": "available"})
        cls.number_2 = Number.create({"name": "+19165550102", "status": "available"})
        cls.subscription = cls._subscription(cycle_day=1)

    def _voice_service(self, numbers, start=None):
        service = self._service(self.subscription, self.plan_basic)
        numbers.service_id = service
        if start:
            with freeze_time(start):
                service._telecom_request_activate()
        return service

    def test_activation_assigns_and_termination_disconnects(self):
        service = self._voice_service(self.number)
        self.assertEqual(self.number.status, "available", "nothing happens before activation")
        self.assertIn("+19165550101", service.display_name)
        with freeze_time("2026-03-02"):
            service._telecom_request_activate()
        self.assertEqual(self.number.status, "assigned")
        self.assertEqual(self.number.partner_id, self.customer)
        with freeze_time("2026-05-10"):
            service._telecom_request_terminate()
        self.assertEqual(self.number.status, "aging")
        self.assertEqual(self.number.disconnect_date, self.d(2026, 5, 10))
        self.assertTrue(self.number.aging_until > self.d(2026, 5, 10))

    def test_activation_picks_a_number_when_none_was_chosen(self):
        Number = self.env["telecom.number"]
        ny_number = Number.create(
            {"name": "+12125550199", "status": "available", "state_code": "NY"}
        )
        service = self._service(self.subscription, self.plan_basic, start="2026-03-02")
        ca_number = service.number_ids
        self.assertEqual(ca_number.state_code, "CA", "a number of the service address's state")
        self.assertEqual(ca_number.status, "assigned")
        self.customer.state_id = self.env.ref("base.state_us_48")  # Washington: none there
        Number.search([("status", "=", "available"), ("state_code", "=", "CA")]).write(
            {"status": "administrative"}
        )
        other = self._service(self.subscription, self.plan_voip, start="2026-03-02")
        self.assertTrue(other.number_ids, "else any available number")
        broadband = self._service(self.subscription, self.plan_fiber, start="2026-03-02")
        self.assertFalse(broadband.number_ids, "only voice services get numbers")
        Number.search([("status", "=", "available")]).write({"status": "administrative"})
        self.assertEqual(ny_number.status, "administrative")
        with self.assertRaisesRegex(UserError, "No telephone number is available"):
            self._service(self.subscription, self.plan_voip, start="2026-03-02")

    def test_a_suspended_service_keeps_its_number(self):
        service = self._voice_service(self.number, start="2026-03-02")
        service._telecom_request_suspend("non_payment")
        with self.assertRaises(UserError):
            self.number._telecom_disconnect(fields.Date.today(), "cleanup")
        self.assertEqual(self.number.status, "assigned", "a suspended service's number never ages")
        service.action_reactivate()
        self.assertEqual(self.number.status, "assigned")

    def test_one_active_service_per_number(self):
        first = self._voice_service(self.number, start="2026-03-02")
        second = self._service(self.subscription, self.plan_basic)
        with self.assertRaises(ValidationError):
            self.number.service_id = second
        with freeze_time("2026-03-20"):
            first._telecom_request_terminate()
        # once aged and released, the number may serve another service
        self.number.write({"aging_until": self.d(2026, 3, 21)})
        self.number._telecom_release("aged")
        self.number.service_id = second
        self.assertEqual(second.number_ids, self.number)

    def test_port_out_flags_the_service_for_termination(self):
        service = self._voice_service(self.number | self.number_2, start="2026-03-02")
        day = fields.Date.today() + timedelta(days=7)
        while day.weekday() >= 5:
            day += timedelta(days=1)
        request = self.env["telecom.port.request"].create(
            {
                "direction": "out",
                "number_input": self.number.name,
                "winning_carrier": "Other Wireless",
                "account_number": "TA-BILL-0001",
                "pin": "4321",
                "authorized_name": self.customer.name,
                "service_zip": "95814",
                "desired_due_date": day,
                "backend_id": False,
            }
        )
        request.action_submit()
        self.assertEqual(request.state, "foc", request.reject_code_id.display_name)
        request.action_activate()
        self.assertEqual(self.number.status, "ported_out")
        self.assertTrue(service.to_terminate)
        self.assertEqual(service.port_out_request_id, request)
        self.assertEqual(service.state, "active", "flagged, not terminated behind billing's back")
        self.assertEqual(service.history_ids.sorted("id")[-1:].action, "port_out")
        self.assertTrue(
            service.activity_ids.filtered(
                lambda a: (
                    a.activity_type_id
                    == self.env.ref("telecom_billing.mail_activity_telecom_terminate_service")
                )
            )
        )
        service._telecom_request_terminate()
        self.assertFalse(service.to_terminate)
        self.assertFalse(service.activity_ids)
        self.assertEqual(self.number.status, "ported_out", "gone: not disconnected again")
        self.assertEqual(self.number_2.status, "aging")
