import json
import re
from datetime import date

from odoo.tests import HttpCase, new_test_user, tagged

from .common import TelecomRegulatoryCase


@tagged("post_install", "-at_install")
class TestCpniHttp(TelecomRegulatoryCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        mobile = cls._service(cls._subscription(), cls.plan_basic, date(2025, 3, 1))
        cls.call = cls._usage(mobile, "T-CDR-HTTP-1")
        cls.agent = new_test_user(
            cls.env,
            login="t_rpc_agent",
            password="t_rpc_agent_pw1",
            groups="telecom_catalog.group_telecom_user",
        )
        cls.portal_user = new_test_user(
            cls.env,
            login="t_portal_cpni",
            password="t_portal_cpni_pw1",
            groups="base.group_portal",
            partner_id=cls.customer.id,
        )
        cls.other = cls.env["res.partner"].create({"name": "T Other", "email": "o@example.com"})
        cls._subscription(cls.other)
        cls.other.email = "other2@example.com"  # a notice of another account
        cls.other_notice = cls.env["telecom.cpni.notice"].search(
            [("partner_id", "=", cls.other.id)]
        )

    def _rpc(self, model, method, args, kwargs=None):
        response = self.url_open(
            "/web/dataset/call_kw",
            data=json.dumps(
                {
                    "jsonrpc": "2.0",
                    "method": "call",
                    "params": {
                        "model": model,
                        "method": method,
                        "args": args,
                        "kwargs": kwargs or {},
                    },
                }
            ),
            headers={"Content-Type": "application/json"},
        )
        return response.json()

    def test_json_rpc_denied_without_cpni_group(self):
        self.authenticate("t_rpc_agent", "t_rpc_agent_pw1")
        result = self._rpc(
            "res.partner", "read", [[self.customer.id], ["telecom_cpni_service_mix"]]
        )
        self.assertIn("error", result)
        self.assertEqual(result["error"]["data"]["name"], "odoo.exceptions.AccessError")
        result = self._rpc(
            "res.partner", "export_data", [[self.customer.id], ["telecom_cpni_service_mix"]]
        )
        self.assertIn("error", result)
        result = self._rpc("telecom.usage.record", "read", [[self.call.id], ["called_number"]])
        self.assertEqual(result["error"]["data"]["name"], "odoo.exceptions.AccessError")
        result = self._rpc(
            "telecom.usage.record",
            "search_read",
            [[("id", "=", self.call.id)]],
            {"fields": ["name"]},
        )
        self.assertEqual(result["result"], [])
        result = self._rpc(
            "telecom.usage.record", "export_data", [[self.call.id], ["called_number"]]
        )
        self.assertIn("error", result)
        # not CPNI: readable
        result = self._rpc("res.partner", "read", [[self.customer.id], ["name"]])
        self.assertEqual(result["result"][0]["name"], self.customer.name)

    def test_business_choice_only_by_its_authorized_contacts(self):
        self.assertTrue(self.customer.is_company)
        clerk = new_test_user(
            self.env,
            login="t_portal_clerk",
            password="t_portal_clerk_pw1",
            groups="base.group_portal",
        )
        clerk.partner_id.parent_id = self.customer
        approval = self.customer.telecom_cpni_approval

        def choose(choice):
            page = self.url_open("/my/privacy")
            token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
            self.url_open("/my/privacy", data={"choice": choice, "csrf_token": token})
            self.customer.invalidate_recordset()
            return self.customer.telecom_cpni_approval

        self.authenticate("t_portal_clerk", "t_portal_clerk_pw1")
        self.assertEqual(choose("opt_in"), approval, "a contact of the business: refused")
        clerk.partner_id.telecom_cpni_authorized_contact = True
        self.assertEqual(choose("opt_in"), "opt_in", "an authorized contact decides")

    def test_portal_privacy_choices(self):
        self.customer.email = "changed@example.com"  # a notice for this account
        self.authenticate("t_portal_cpni", "t_portal_cpni_pw1")
        page = self.url_open("/my/privacy")
        self.assertEqual(page.status_code, 200)
        self.assertIn("Privacy Choices", page.text)
        self.assertIn("o_cpni_notices", page.text)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        response = self.url_open("/my/privacy", data={"choice": "opt_out", "csrf_token": token})
        self.assertEqual(response.status_code, 200)
        self.customer.invalidate_recordset()
        self.assertEqual(self.customer.telecom_cpni_approval, "denied")
        self.assertEqual(self.customer.telecom_cpni_approval_channel, "portal")
        # a notice of another account is not shown
        response = self.url_open(f"/my/privacy/notice/{self.other_notice.id}")
        self.assertTrue(response.url.endswith("/my/privacy"))
        self.assertNotIn("Account change notice</h3>", response.text)

    def test_portal_reauthentication_is_recorded(self):
        self.authenticate("t_portal_cpni", "t_portal_cpni_pw1")
        page = self.url_open("/my/reauth?redirect=/my/privacy")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        for password in ("wrong-password", "t_portal_cpni_pw1"):
            self.url_open(
                "/my/reauth",
                data={"redirect": "/my/privacy", "password": password, "csrf_token": token},
            )
        auths = self.env["telecom.cpni.authentication"].search(
            [("partner_id", "=", self.customer.id), ("channel", "=", "portal")], order="id"
        )
        self.assertEqual(auths.mapped("result"), ["failed", "passed"])
        self.assertEqual(auths.mapped("method"), ["portal", "portal"])
