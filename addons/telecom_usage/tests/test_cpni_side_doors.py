from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tests.common import JsonRpcException

from .common import TelecomRatingCase

CALLED = "+12125550100"


@tagged("post_install", "-at_install")
class TestCpniSideDoors(TelecomRatingCase, HttpCase):
    """Call detail (CPNI) reaches only the CPNI Authorized group, whatever the route a person
    takes: attachment download, JSON-RPC read, search_read, read_group or export. Billing and
    accounting staff see the amounts. telecom_usage protects its data by itself (no
    telecom_regulatory needed)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rate_plan.allowance_voice_minutes = 0
        cls.usage_file = cls.env["telecom.usage.file"]._telecom_import_csv(
            cls._csv(
                [
                    cls._cdr("2026-01-05T15:00:00Z", 600, CALLED, record_id="S-1"),
                    cls._cdr("2026-01-05T16:00:00Z", 60, CALLED, service="+19999999999"),
                ]
            ),
            store_file=True,
        )
        cls.move = cls._invoice(cls._bill(cls.d(2026, 2, 1)), cls.subscription)
        cls.call_detail = (
            cls.env["ir.attachment"]
            .sudo()
            .search(
                [
                    ("res_model", "=", "account.move"),
                    ("res_id", "=", cls.move.id),
                    ("res_field", "=", "telecom_call_detail_file"),
                ]
            )
        )
        cls.reject = cls.usage_file.reject_ids
        export = "base.group_allow_export"
        # billing staff work the invoices of their bill runs
        cls.billing = new_test_user(
            cls.env,
            login="t_side_billing",
            groups=f"telecom_catalog.group_telecom_billing,account.group_account_invoice,{export}",
        )
        cls.accountant = new_test_user(
            cls.env, login="t_side_accountant", groups=f"account.group_account_invoice,{export}"
        )
        cls.cpni = new_test_user(
            cls.env,
            login="t_side_cpni",
            groups="telecom_catalog.group_telecom_billing,telecom_catalog.group_telecom_cpni,"
            f"account.group_account_invoice,{export}",
        )

    def _rpc(self, model, method, *args, **kwargs):
        return self.make_jsonrpc_request(
            "/web/dataset/call_kw",
            {"model": model, "method": method, "args": list(args), "kwargs": kwargs},
        )

    def _assert_refused(self, model, method, *args, **kwargs):
        with self.assertRaises(JsonRpcException) as caught:
            self._rpc(model, method, *args, **kwargs)
        self.assertIn("AccessError", str(caught.exception))

    def test_fixtures(self):
        self.assertEqual(len(self.call_detail), 1)
        self.assertIn(CALLED, self.call_detail.raw.decode())
        self.assertEqual(len(self.reject), 1)
        self.assertEqual(self.reject.called_number, CALLED)

    def test_call_detail_of_the_invoice_is_not_downloaded_without_cpni(self):
        url = f"/web/content/{self.call_detail.id}?download=true"
        for login in ("t_side_billing", "t_side_accountant"):
            self.authenticate(login, login)
            # the invoice itself is readable (amounts), its call detail is not
            self.assertEqual(
                self._rpc("account.move", "read", self.move.ids, ["amount_total"])[0][
                    "amount_total"
                ],
                self.move.amount_total,
            )
            response = self.url_open(url)
            self.assertNotEqual(response.status_code, 200, login)
            self.assertNotIn(CALLED, response.text)
            self._assert_refused(
                "account.move", "read", self.move.ids, ["telecom_call_detail_file"]
            )
            self._assert_refused("ir.attachment", "read", self.call_detail.ids, ["raw", "datas"])
            listed = self._rpc(
                "ir.attachment",
                "search_read",
                [("res_model", "=", "account.move"), ("res_id", "=", self.move.id)],
                fields=["name"],
            )
            self.assertNotIn(self.call_detail.id, [row["id"] for row in listed])
        self.authenticate("t_side_cpni", "t_side_cpni")
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200)
        self.assertIn(CALLED, response.text)

    def test_rejects_show_billing_the_reason_not_the_call(self):
        self.authenticate("t_side_billing", "t_side_billing")
        rows = self._rpc("telecom.usage.reject", "search_read", [("id", "=", self.reject.id)])
        self.assertEqual(len(rows), 1)
        self.assertTrue(rows[0]["reason"])
        self.assertNotIn("called_number", rows[0])
        self.assertNotIn(CALLED, str(rows))
        reject = ("telecom.usage.reject", self.reject.ids)
        self._assert_refused(*reject[:1], "read", reject[1], ["called_number"])
        self._assert_refused(*reject[:1], "search_read", [], fields=["start_time"])
        self._assert_refused(*reject[:1], "export_data", reject[1], ["called_number"])
        self._assert_refused(*reject[:1], "export_data", reject[1], ["usage_file_id/file"])
        self._assert_refused(
            *reject[:1], "read_group", [], fields=["line_no:sum"], groupby=["called_number"]
        )
        self._assert_refused(
            *reject[:1], "web_read_group", [], fields=["line_no:sum"], groupby=["called_number"]
        )
        self.authenticate("t_side_cpni", "t_side_cpni")
        rows = self._rpc("telecom.usage.reject", "read", self.reject.ids, ["called_number"])
        self.assertEqual(rows[0]["called_number"], CALLED)

    def test_raw_cdr_file_is_not_downloaded_by_billing(self):
        self.authenticate("t_side_billing", "t_side_billing")
        rows = self._rpc("telecom.usage.file", "read", self.usage_file.ids, ["rated_count"])
        self.assertEqual(rows[0]["rated_count"], 1)
        self._assert_refused("telecom.usage.file", "read", self.usage_file.ids, ["file"])
        self._assert_refused("telecom.usage.file", "export_data", self.usage_file.ids, ["file"])
        response = self.url_open(f"/web/content/telecom.usage.file/{self.usage_file.id}/file")
        self.assertNotEqual(response.status_code, 200)
        self.assertNotIn(CALLED, response.text)
        self.authenticate("t_side_cpni", "t_side_cpni")
        response = self.url_open(f"/web/content/telecom.usage.file/{self.usage_file.id}/file")
        self.assertEqual(response.status_code, 200)
        self.assertIn(CALLED, response.text)

    def test_usage_records_hidden_from_staff_without_cpni(self):
        """The rule is telecom_usage's own: call detail is protected where it lives."""
        self.authenticate("t_side_billing", "t_side_billing")
        self.assertEqual(
            self._rpc("telecom.usage.record", "search_read", [], fields=["charge"]), []
        )
        self.assertEqual(
            self._rpc("telecom.usage.record", "read_group", [], ["charge:sum"], ["service_id"]), []
        )
        self._assert_refused(
            "telecom.usage.reject",
            "export_data",
            self.reject.ids,
            ["usage_record_id/called_number"],
        )
        self.authenticate("t_side_cpni", "t_side_cpni")
        rows = self._rpc(
            "telecom.usage.record", "search_read", [("name", "=", "S-1")], fields=["called_number"]
        )
        self.assertEqual(rows[0]["called_number"], CALLED)

    def test_portal_has_no_usage_rule_nor_access(self):
        """Customers read their usage on the portal pages (after a password check), not over
        RPC: no portal ACL, and no dead portal rule."""
        rules = self.env["ir.rule"].search(
            [
                ("model_id.model", "=", "telecom.usage.record"),
                ("groups", "in", self.env.ref("base.group_portal").ids),
            ]
        )
        self.assertFalse(rules)
        portal = new_test_user(self.env, login="t_side_portal", groups="base.group_portal")
        portal.partner_id.parent_id = self.customer
        self.authenticate("t_side_portal", "t_side_portal")
        self._assert_refused("telecom.usage.record", "search_read", [], fields=["charge"])
        self._assert_refused("telecom.usage.reject", "search_read", [], fields=["reason"])
