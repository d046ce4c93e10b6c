from datetime import datetime, timedelta

from odoo.tests import tagged

from odoo.addons.telecom_billing.tests.test_portal import TelecomPortalCase


@tagged("post_install", "-at_install")
class TestPortalOutageCredits(TelecomPortalCase):
    """A customer sees the outage credits of their own services, never another's."""

    def test_customer_sees_own_outage_credits_only(self):
        self.env["telecom.provisioning.backend"].search([]).active = False
        end = datetime.combine(self.today, datetime.min.time()) - timedelta(days=1)
        outage = self.env["telecom.network.outage"].create(
            {
                "name": "Cell site down",
                "date_start": end - timedelta(hours=50),
                "date_end": end,
                "service_ids": [(6, 0, (self.service_a | self.service_b).ids)],
                "state": "closed",
            }
        )
        outage.action_credit_now()
        self.assertEqual(len(outage.credit_ids), 2)
        credit_a = outage.credit_ids.filtered(lambda c: c.service_id == self.service_a)
        self.authenticate("t_portal_alice", "t_portal_alice")
        page = self._get(f"/my/services/{self.service_a.id}")
        self.assertIn("o_telecom_outage_credits", page.text)
        self.assertIn("On your next bill", page.text)
        # 3 started days of (40.00 + 9.99) a month: 49.99 x 3 / 30 = 5.00
        self.assertEqual(credit_a.amount, 5.0)
        self.assertIn("5.00", page.text)
        Credit = self.env["telecom.network.outage.credit"].with_user(self.portal_a)
        self.assertEqual(Credit.search([]), credit_a)
