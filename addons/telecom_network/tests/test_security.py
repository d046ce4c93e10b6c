from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import NetworkCase


@tagged("post_install", "-at_install")
class TestNetworkSecurity(NetworkCase):
    """NOC manages the network records; Billing sees runs, findings and credits; users read."""

    def test_roles(self):
        billing = new_test_user(
            self.env, login="t_net_billing", groups="telecom_catalog.group_telecom_billing"
        )
        outage_vals = {"name": "Cut", "date_start": "2026-01-01 00:00:00"}
        outage = self.env["telecom.network.outage"].with_user(self.noc_user).create(outage_vals)
        self.env["telecom.network.equipment"].with_user(self.noc_user).create({"kind": "cpe"})
        run = (
            self.env["telecom.network.reconciliation"]
            .with_user(self.noc_user)
            .create({"backend_id": self.rest_backend.id})
        )
        self.assertTrue(run.with_user(billing).name)
        self.assertTrue(outage.with_user(billing).name)
        with self.assertRaises(AccessError):
            self.env["telecom.network.outage"].with_user(billing).create(outage_vals)
        with self.assertRaises(AccessError):
            self.env["telecom.network.reconciliation"].with_user(self.plain_user).search([])
        with self.assertRaises(AccessError):
            self.env["telecom.network.equipment"].with_user(self.plain_user).create({"kind": "cpe"})
        with self.assertRaises(AccessError):
            self.env["telecom.network.outage.credit"].with_user(self.plain_user).search([])
        self.env["telecom.network.outage.policy"].with_user(billing).create(
            {"name": "Gov", "customer_type": "government", "threshold_hours": 8}
        )
