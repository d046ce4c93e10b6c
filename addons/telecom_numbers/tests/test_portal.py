import re
import time
from urllib.parse import urlparse

from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.telecom_catalog.controllers.portal import IDENTITY_SESSION_KEY

from .common import TelecomNumbersCase
from .portal_screenshots import take_screenshots


class TelecomPortingPortalCase(TelecomNumbersCase, HttpCase):
    """Alice works for Acme Widgets (business customer), Bob is Rita Resident's portal user."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Requests from the portal go to the default vendor: none in these tests (by hand).
        cls.env["telecom.npac.backend"].search([]).write({"is_default": False})
        cls.alice = new_test_user(
            cls.env, login="t_port_alice", groups="base.group_portal", name="Alice Acme"
        )
        cls.alice.partner_id.parent_id = cls.business
        cls.bob = new_test_user(cls.env, login="t_port_bob", groups="base.group_portal")
        cls.bob.partner_id.parent_id = cls.resident
        cls.form = {
            "number_input": "(312) 555-0100",
            "port_type": "simple",
            "subscriber_type": "business",
            "losing_carrier": "Old Telco",
            "account_number": "A-77",
            "pin": "1234",
            "authorized_name": "Acme Widgets Inc",
            "service_street": "233 S Wacker Dr",
            "service_city": "Chicago",
            "service_state_id": str(cls.state_il.id),
            "service_zip": "60606",
        }

    def _get(self, url, status=200):
        response = self.url_open(url, allow_redirects=False)
        self.assertEqual(response.status_code, status, f"{url}: {response.status_code}")
        return response

    def _token(self, url="/my/port-requests/new"):
        page = self._get(url).text
        return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)

    def _post(self, url, data, files=None, status=200, token_url=None):
        data = {**data, "csrf_token": self._token(token_url or "/my/port-requests/new")}
        response = self.url_open(url, data=data, files=files, allow_redirects=False)
        self.assertEqual(response.status_code, status, response.text[:3000])
        return response

    def _requests(self, partner):
        return self.env["telecom.port.request"].search([("partner_id", "=", partner.id)])


@tagged("post_install", "-at_install")
class TestPortalPortIn(TelecomPortingPortalCase):
    def test_port_in_with_errors_then_fixed_then_rejected_and_resubmitted(self):
        self.authenticate("t_port_alice", "t_port_alice")
        page = self._get("/my/port-requests/new").text
        self.assertIn("Acme Widgets Inc", page, "the form starts from the customer's records")
        # 1. too early a date and no letter of authorization: clear messages, nothing sent
        form = {**self.form, "desired_due_date": fields.Date.to_string(self.today)}
        page = self._post("/my/port-requests/new", form).text
        self.assertIn("Please fix the following", page)
        self.assertIn("is too early for a simple port", page)
        self.assertIn("Letter of Authorization", page)
        self.assertNotIn(f'value="{self.form["pin"]}"', page)
        request = self._requests(self.business)
        self.assertEqual(request.state, "draft", "what the customer typed is kept as a draft")
        self.assertEqual(request.account_number, "A-77")
        self.assertFalse(request.number_ids)
        self.assertIn(f"/my/port-requests/{request.id}/edit", page)
        # coming back to the draft later shows what is still missing
        page = self._get(f"/my/port-requests/{request.id}/edit").text
        self.assertIn("is too early for a simple port", page)
        # the PIN typed is kept, never written back into the page
        self.assertEqual(request._telecom_pin(), self.form["pin"])
        self.assertNotIn(f'value="{self.form["pin"]}"', page)
        self.assertIn("leave empty to keep it", page)
        # 2. fixed: a business day later and the signed letter
        form["desired_due_date"] = fields.Date.to_string(self.business_day(10))
        response = self._post(
            f"/my/port-requests/{request.id}/edit",
            form,
            files={"loa_file": ("loa.pdf", b"%PDF-1.4 signed", "application/pdf")},
            status=303,
        )
        self.assertTrue(response.headers["Location"].endswith("?message=submitted"))
        self.assertEqual(request.state, "submitted")
        self.assertEqual(request.loa_filename, "loa.pdf")
        self.assertIn(
            "Submitted by Alice Acme on the customer portal.", request.message_ids.mapped("preview")
        )
        self.assertEqual(request.number_ids.name, "+13125550100")
        self.assertEqual(request.number_ids.status, "porting_in")
        self.assertEqual(request.number_ids.partner_id, self.business)
        page = self._get(f"/my/port-requests/{request.id}").text
        self.assertIn("Submitted", page)
        self.assertIn("+13125550100", page)
        self.assertNotIn("Fix and Resubmit", page)
        # 3. the losing carrier rejects it: the customer sees why and how to fix it
        code = self.env.ref("telecom_numbers.reject_account_mismatch")
        request._telecom_reject(code, "Account A-77 not found at Old Telco")
        page = self._get(f"/my/port-requests/{request.id}").text
        self.assertIn(code.name, page)
        self.assertIn("Account A-77 not found at Old Telco", page)
        self.assertIn(code.customer_hint, page, "the hint is addressed to the customer")
        self.assertNotIn(code.fix_hint, page, "staff instructions stay in the backend")
        self.assertIn("Fix and Resubmit", page)
        edit = f"/my/port-requests/{request.id}/edit"
        self.assertIn("On file: loa.pdf", self._get(edit).text)
        # resubmitted without typing the PIN again: the PIN given is kept
        response = self._post(edit, {**form, "account_number": "A-77-01", "pin": ""}, status=303)
        self.assertEqual(request._telecom_pin(), self.form["pin"])
        self.assertTrue(response.headers["Location"].endswith("?message=resubmitted"))
        self.assertEqual(request.state, "resubmitted")
        self.assertEqual(request.account_number, "A-77-01")
        self.assertEqual(request.attempt_ids.mapped("kind"), ["resubmit", "submit"])
        # a sent request cannot be edited any more
        self.assertEqual(self._get(edit, status=303).headers["Location"], request.access_url)

    def test_bad_numbers_and_bad_date_are_reported(self):
        self.authenticate("t_port_alice", "t_port_alice")
        form = {**self.form, "number_input": "12345", "desired_due_date": "someday"}
        page = self._post("/my/port-requests/new", form).text
        self.assertIn("not a valid date", page)
        self.assertFalse(self._requests(self.business), "nothing saved from unreadable input")
        form["desired_due_date"] = fields.Date.to_string(self.business_day(10))
        page = self._post("/my/port-requests/new", form).text
        self.assertIn("These are not valid telephone numbers: 12345", page)

    def test_other_customer_cannot_open_port_requests_by_url(self):
        request = self.env["telecom.port.request"].create(
            {
                "direction": "in",
                "partner_id": self.business.id,
                "number_input": "+13125550177",
                "losing_carrier": "Secret Telco",
                "backend_id": False,
            }
        )
        self.authenticate("t_port_bob", "t_port_bob")
        for url in (f"/my/port-requests/{request.id}", f"/my/port-requests/{request.id}/edit"):
            response = self._get(url, status=404)
            self.assertNotIn("Secret Telco", response.text)
            self.assertNotIn("+13125550177", response.text)
        self.assertNotIn(request.name, self._get("/my/port-requests").text)
        response = self.url_open(
            f"/my/port-requests/{request.id}/cancel",
            data={"csrf_token": self._token()},
            allow_redirects=False,
        )
        self.assertEqual(response.status_code, 404)
        self.assertEqual(request.state, "draft")
        response = self._post(
            f"/my/port-requests/{request.id}/edit",
            {**self.form, "losing_carrier": "Hijack"},
            status=404,
        )
        self.assertEqual(request.losing_carrier, "Secret Telco")
        # the owner sees it
        self.authenticate("t_port_alice", "t_port_alice")
        self.assertIn("Secret Telco", self._get(f"/my/port-requests/{request.id}").text)


@tagged("post_install", "-at_install")
class TestPortalPortOut(TelecomPortingPortalCase):
    def test_pin_and_lock_need_a_recent_password(self):
        self.authenticate("t_port_alice", "t_port_alice")
        page = self._get("/my/port-out").text
        self.assertIn("TA-555-002", page, "the customer sees the account number to give")
        self.assertIn("Confirm Password", page)
        self.assertNotIn('action="/my/port-out/pin"', page)
        token = self._token()
        response = self.url_open(
            "/my/port-out/lock", data={"lock": "1", "csrf_token": token}, allow_redirects=False
        )
        self.assertEqual(response.status_code, 303)
        self.assertIn("/my/reauth?redirect=", response.headers["Location"])
        self.assertFalse(self.business.telecom_port_out_lock)
        # wrong password: refused
        page = self._post("/my/reauth", {"password": "nope", "redirect": "/my/port-out"}).text
        self.assertIn("Incorrect password", page)
        self._get("/my/port-out")
        self.assertNotIn('action="/my/port-out/pin"', self._get("/my/port-out").text)
        # right password: back to the page, forms available
        response = self._post(
            "/my/reauth",
            {"password": "t_port_alice", "redirect": "/my/port-out"},
            status=303,
        )
        self.assertTrue(response.headers["Location"].endswith("/my/port-out"))
        self.assertIn('action="/my/port-out/pin"', self._get("/my/port-out").text)
        # lock on
        self._post("/my/port-out/lock", {"lock": "1"}, status=303)
        self.assertTrue(self.business.telecom_port_out_lock)
        # PIN: mismatch and weak PINs refused, a good one saved (never shown back)
        page = self._post("/my/port-out/pin", {"pin": "4826", "pin_confirm": "4827"}).text
        self.assertIn("The two PINs are different.", page)
        page = self._post("/my/port-out/pin", {"pin": "1111", "pin_confirm": "1111"}).text
        self.assertIn("not the same digit repeated", page)
        self._post(
            "/my/port-out/pin",
            {"pin": "4826", "pin_confirm": "4826"},
            status=303,
        )
        self.assertTrue(self.business._telecom_port_out_pin_matches("4826"))
        page = self._get("/my/port-out?message=pin").text
        self.assertNotIn("4826", page)
        self.assertIn("Your port-out PIN was changed.", page)
        # the lock protects the numbers: a port-out request from another carrier is rejected
        number = self.make_number("assigned", partner_id=self.business.id)
        port_out = self.env["telecom.port.request"].create(
            {
                "direction": "out",
                "number_input": number.name,
                "winning_carrier": "New Telco",
                "account_number": "TA-555-002",
                "pin": "4826",
                "authorized_name": "Acme Widgets Inc",
                "service_zip": "60606",
                "backend_id": False,
            }
        )
        port_out.action_submit()
        self.assertEqual(port_out.state, "rejected")
        self.assertEqual(
            port_out.reject_code_id, self.env.ref("telecom_numbers.reject_account_locked")
        )
        # lock off
        self._post("/my/port-out/lock", {"lock": "0"}, status=303)
        self.assertFalse(self.business.telecom_port_out_lock)

    def test_reauth_never_redirects_off_site(self):
        self.authenticate("t_port_alice", "t_port_alice")
        response = self._post(
            "/my/reauth",
            {"password": "t_port_alice", "redirect": "https://evil.example.com/x"},
            status=303,
        )
        location = urlparse(response.headers["Location"])
        self.assertEqual(location.path, "/my")
        self.assertNotIn("evil", location.netloc)


@tagged("post_install", "-at_install")
class TestPortalPortingScreenshots(TelecomPortingPortalCase):
    def test_screenshots(self):
        request = self._port_in(pin=False, subscriber_type="residential")
        draft = request.copy(
            {"number_input": "+13125550188", "desired_due_date": self.today, "loa_file": False}
        )
        request.action_submit()
        request._telecom_reject(
            self.env.ref("telecom_numbers.reject_account_mismatch"),
            "Account A-77 not found at Old Telco",
        )
        files = take_screenshots(
            self,
            "t_port_alice",
            [
                ("port_in_form", "/my/port-requests/new"),
                ("port_in_errors", f"{draft.access_url}/edit"),
                ("port_request_rejected", request.access_url),
                ("port_out_protection", "/my/port-out"),
            ],
            session_values={IDENTITY_SESSION_KEY: time.time()},
        )
        self.assertEqual(len(files), 4)
        for path in files:
            self.assertGreater(path.stat().st_size, 10000, f"{path} looks empty")
