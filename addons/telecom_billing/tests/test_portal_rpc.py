from datetime import timedelta

from odoo.tests import tagged
from odoo.tests.common import JsonRpcException

from .test_portal import TelecomPortalCase


@tagged("post_install", "-at_install")
class TestPortalRpc(TelecomPortalCase):
    """What the portal pages do not show, a portal user does not get over JSON-RPC either."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.subscription_a.note = "<p>T internal: customer threatened to churn</p>"
        cls.version = cls.env["telecom.price.version"].create(
            {
                "product_tmpl_id": cls.plan_basic.product_tmpl_id.id,
                "date_start": cls.today + timedelta(days=60),
                "price": 99.0,
                "note": "T scheduled increase, notice not sent yet",
            }
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

    def test_subscription_internal_notes_stay_internal(self):
        self.authenticate("t_portal_alice", "t_portal_alice")
        subscription = ("telecom.subscription", self.subscription_a.ids)
        rows = self._rpc(*subscription[:1], "read", subscription[1], ["name"])
        self.assertEqual(rows[0]["name"], self.subscription_a.name, "her own account")
        self._assert_refused(*subscription[:1], "read", subscription[1], ["note"])
        self._assert_refused(*subscription[:1], "search_read", [], fields=["note"])
        self._assert_refused(*subscription[:1], "export_data", subscription[1], ["note"])
        self.assertNotIn("note", self._rpc(*subscription[:1], "fields_get", ["note", "name"]))

    def test_scheduled_price_versions_are_not_readable(self):
        self.authenticate("t_portal_alice", "t_portal_alice")
        self._assert_refused("telecom.price.version", "search_read", [], fields=["price"])
        self._assert_refused("telecom.price.version", "read", self.version.ids, ["price"])
        # the price in force still reaches her where the portal shows it (plan change)
        self.assertEqual(
            self.plan_basic.product_tmpl_id.with_user(self.portal_a)._telecom_price_at(
                self.today + timedelta(days=61)
            ),
            99.0,
        )
