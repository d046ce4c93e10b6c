from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import TelecomNumbersCase
from .npac_simulator import SimulatorMixin


@tagged("post_install", "-at_install")
class TestPortIn(SimulatorMixin, TelecomNumbersCase):
    def test_happy_path_by_hand(self):
        request = self._port_in("(312) 555-0100")
        request.action_submit()
        self.assertEqual(request.state, "submitted")
        number = request.number_ids
        self.assertEqual(number.name, "+13125550100")
        self.assertEqual(number.status, "porting_in")
        self.assertEqual(number.source, "ported_in")
        self.assertEqual(number.partner_id, self.business)
        self.assertEqual(request.attempt_ids.result, "sent")
        self.assertEqual(request.attempt_ids.numbers, "+13125550100")
        request.foc_date = request.desired_due_date
        request.action_record_foc()
        self.assertEqual(request.state, "foc")
        self.assertEqual(request.attempt_ids.result, "foc")
        request.action_activate()
        self.assertEqual(request.state, "activated")
        self.assertEqual(number.status, "assigned")
        self.assertEqual(number.partner_id, self.business)
        self.assertTrue(number.aging_required)
        last = number.history_ids[:1]
        self.assertEqual((last.from_status, last.to_status), ("porting_in", "assigned"))
        self.assertEqual(last.port_request_id, request)

    def test_validation_before_submission(self):
        ours = self.make_number("available")
        request = self._port_in(
            f"{ours.name}\n+13125550101, not-a-number",
            loa_file=False,
            desired_due_date=self.today,
            account_number=False,
        )
        with self.assertRaisesRegex(UserError, "not valid telephone numbers: not-a-number"):
            request.action_submit()
        request.number_input = f"{ours.name}\n+13125550101"
        with self.assertRaises(UserError) as caught:
            request.action_submit()
        message = str(caught.exception)
        self.assertIn("A simple port covers a single line", message)
        self.assertIn(f"{ours.name} is already ours (Available)", message)
        self.assertIn("Fill in: Account Number, Letter of Authorization.", message)
        self.assertIn("is too early for a simple port", message)
        self.assertEqual(request.state, "draft")
        self.assertFalse(request.number_ids)
        self.assertFalse(request.attempt_ids)

    def test_simple_port_due_date_is_one_business_day(self):
        request = self._port_in()
        # Monday 10:00 in New York (15:00 UTC): due Tuesday.
        self.assertEqual(
            str(request._telecom_earliest_due_date(self._utc("2026-03-02 15:00"))), "2026-03-03"
        )
        # Monday 14:00 in New York, after the 1 pm cut-off: due Wednesday.
        self.assertEqual(
            str(request._telecom_earliest_due_date(self._utc("2026-03-02 19:00"))), "2026-03-04"
        )
        # Friday 11:00: due Monday. Saturday: counted from Monday, due Tuesday.
        self.assertEqual(
            str(request._telecom_earliest_due_date(self._utc("2026-03-06 16:00"))), "2026-03-09"
        )
        self.assertEqual(
            str(request._telecom_earliest_due_date(self._utc("2026-03-07 16:00"))), "2026-03-10"
        )
        request.port_type = "complex"
        self.assertEqual(
            str(request._telecom_earliest_due_date(self._utc("2026-03-02 15:00"))), "2026-03-06"
        )

    def _utc(self, text):
        from odoo import fields

        return fields.Datetime.to_datetime(text)

    def test_rejection_fix_resubmit_activate_through_vendor(self):
        sim = self.start_simulator()
        backend = self.env["telecom.npac.backend"].create(
            {"name": "Sim", "base_url": sim.url, "api_key": sim.api_key, "timeout": 5}
        )
        request = self._port_in(pin="9999", backend_id=backend.id)
        request.action_submit()
        self.assertEqual(request.state, "submitted")
        first_reference = request.vendor_reference
        self.assertTrue(first_reference.startswith("SIM-"))
        self.env["telecom.port.request"]._cron_poll_npac_status()
        self.assertEqual(request.state, "rejected")
        self.assertEqual(
            request.reject_code_id, self.env.ref("telecom_numbers.reject_pin_mismatch")
        )
        self.assertIn("transfer PIN", request.reject_hint)
        self.assertEqual(request.number_ids.status, "porting_in", "numbers wait in porting in")
        activity = request.activity_ids
        self.assertEqual(
            activity.activity_type_id, self.env.ref("telecom_numbers.mail_activity_port_rejected")
        )
        # Staff fix the PIN and resubmit.
        request.pin = "1234"
        request.action_resubmit()
        self.assertEqual(request.state, "resubmitted")
        self.assertFalse(request.activity_ids)
        self.assertNotEqual(request.vendor_reference, first_reference)
        request.action_poll_status()
        self.assertEqual(request.state, "foc")
        self.assertEqual(request.foc_date, request.desired_due_date)
        sim.activate(request.vendor_reference)
        request.action_poll_status()
        self.assertEqual(request.state, "activated")
        self.assertEqual(request.number_ids.status, "assigned")
        attempts = request.attempt_ids.sorted("attempt_number")
        self.assertEqual(
            [(a.kind, a.result, a.reject_code_id.code or None) for a in attempts],
            [("submit", "rejected", "PIN_MISMATCH"), ("resubmit", "activated", None)],
        )
        self.assertEqual(
            attempts.mapped("idempotency_key"), [f"{request.name}/1", f"{request.name}/2"]
        )
        sent = [call for call in sim.calls if call[0] == "POST"]
        self.assertEqual(len(sent), 2)

    def test_resubmission_changes_numbers(self):
        request = self._port_in("+13125550100")
        request.action_submit()
        request._telecom_reject(self.env.ref("telecom_numbers.reject_not_on_account"), "")
        request.number_input = "+13125550101"
        request.action_resubmit()
        self.assertEqual(request.number_ids.mapped("name"), ["+13125550101"])
        self.assertFalse(self.env["telecom.number"].search([("name", "=", "+13125550100")]))

    def test_cancel_removes_new_numbers_and_returns_win_backs(self):
        former = self.make_number("ported_out", name="+13125550199")
        request = self._port_in(f"+13125550100\n{former.name}", port_type="complex")
        request.action_submit()
        self.assertEqual(set(request.number_ids.mapped("status")), {"porting_in"})
        self.assertEqual(former.partner_id, self.business)
        request.action_cancel()
        self.assertEqual(request.state, "cancelled")
        self.assertEqual(former.status, "ported_out")
        self.assertFalse(former.partner_id)
        self.assertFalse(self.env["telecom.number"].search([("name", "=", "+13125550100")]))
        self.assertEqual(request.attempt_ids[:1].result, "cancelled")

    def test_win_back_activation(self):
        former = self.make_number("ported_out", name="+13125550198")
        request = self._port_in(former.name)
        request.action_submit()
        request.foc_date = request.desired_due_date
        request.action_record_foc()
        request.action_activate()
        self.assertEqual(former.status, "assigned")
        self.assertEqual(former.source, "ported_in")
        self.assertEqual(former.partner_id, self.business)

    def test_manual_rejection_wizard(self):
        request = self._port_in()
        request.action_submit()
        wizard = self.env["telecom.port.reject.wizard"].create(
            {
                "request_id": request.id,
                "reject_code_id": self.env.ref("telecom_numbers.reject_name_mismatch").id,
                "message": "Name on the bill is ACME WIDGETS INCORPORATED",
            }
        )
        wizard.action_reject()
        self.assertEqual(request.state, "rejected")
        self.assertEqual(request.attempt_ids.reject_code_id.code, "NAME_MISMATCH")
        with self.assertRaisesRegex(UserError, "only after its FOC"):
            request.action_activate()
