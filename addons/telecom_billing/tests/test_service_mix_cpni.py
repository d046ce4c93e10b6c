from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tests.common import JsonRpcException

from .common import TelecomBillingCase


@tagged("post_install", "-at_install")
class TestServiceMixCpni(TelecomBillingCase, HttpCase):
    """A customer's service mix (plans, add-ons, their history) is CPNI: telecom users and
    salespeople see the service lines, not what they are made of; Billing and the NOC, whose
    work needs it, and CPNI Authorized staff see it. Through the routes the web client uses."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.service = cls._service(
            cls._subscription(), cls.plan_basic, "2026-03-01", addons=[(cls.addon_intl, 2)]
        )
        cls.addon_line = cls.service.addon_line_ids
        for login, groups in (
            ("t_mix_user", "telecom_catalog.group_telecom_user"),
            ("t_mix_sales", "sales_team.group_sale_salesman"),
            ("t_mix_billing", "telecom_catalog.group_telecom_billing"),
            ("t_mix_noc", "telecom_catalog.group_telecom_noc"),
            ("t_mix_cpni", "telecom_catalog.group_telecom_cpni"),
        ):
            new_test_user(cls.env, login=login, groups=f"{groups},base.group_allow_export")

    def _rpc(self, model, method, *args, **kwargs):
        return self.make_jsonrpc_request(
            "/web/dataset/call_kw",
            {"model": model, "method": method, "args": list(args), "kwargs": kwargs},
        )

    def _refused(self, model, method, *args, **kwargs):
        with self.assertRaises(JsonRpcException) as caught:
            self._rpc(model, method, *args, **kwargs)
        self.assertIn("AccessError", str(caught.exception))

    def test_service_lines_without_their_mix(self):
        for login in ("t_mix_user", "t_mix_sales"):
            with self.subTest(login=login):
                self.authenticate(login, login)
                rows = self._rpc(
                    "telecom.service",
                    "web_search_read",
                    [("id", "=", self.service.id)],
                    {"name": {}, "state": {}, "service_type": {}, "display_name": {}},
                )["records"]
                self.assertEqual(rows[0]["state"], "active")
                self.assertNotIn(self.plan_basic.name, rows[0]["display_name"])
                for field in ("product_id", "quantity", "addon_line_ids", "history_ids"):
                    self._refused("telecom.service", "read", self.service.ids, [field])
                self._refused("telecom.service", "export_data", self.service.ids, ["product_id"])
                self._refused("telecom.service", "web_read_group", [], ["__count"], ["product_id"])
                self._refused("telecom.service.addon", "read", self.addon_line.ids, ["product_id"])

    def test_billing_noc_and_cpni_staff_see_the_mix(self):
        for login in ("t_mix_billing", "t_mix_noc", "t_mix_cpni"):
            with self.subTest(login=login):
                self.authenticate(login, login)
                row = self._rpc(
                    "telecom.service", "read", self.service.ids, ["product_id", "display_name"]
                )[0]
                self.assertEqual(row["product_id"][0], self.plan_basic.id)
                self.assertIn(self.plan_basic.name, row["display_name"])
