from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import TelecomBillingCase


@tagged("post_install", "-at_install")
class TestBillingSecurity(TelecomBillingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.billing_user = new_test_user(
            cls.env,
            login="t_billing",
            groups="base.group_user,telecom_catalog.group_telecom_billing",
        )
        cls.telecom_user = new_test_user(
            cls.env, login="t_telecom", groups="base.group_user,telecom_catalog.group_telecom_user"
        )
        cls.portal_user = new_test_user(cls.env, login="t_portal", groups="base.group_portal")
        cls.subscription = cls._subscription()
        cls.service = cls._service(cls.subscription, cls.plan_basic, start="2026-03-01")
        cls.service.charged_until = cls.d(2026, 3, 31)

    def test_billing_user_runs_the_lifecycle(self):
        service = self.service.with_user(self.billing_user)
        with freeze_time("2026-03-11"):
            service._telecom_request_change_plan(self.plan_plus)
            service._telecom_request_suspend("customer")
            service.action_reactivate()
            service._telecom_request_terminate()
        self.assertEqual(self.service.state, "terminated")
        self.assertEqual(len(self.service.charge_ids), 2, "plan change and termination credits")

    def test_telecom_user_reads_but_cannot_change(self):
        service = self.service.with_user(self.telecom_user)
        self.assertEqual(service.state, "active")
        with self.assertRaises(AccessError):
            service._telecom_request_suspend("customer")
        with self.assertRaises(AccessError):
            self.env["telecom.bill.run"].with_user(self.telecom_user).create(
                {"cycle_day": 1, "period_start": "2026-04-01"}
            )

    def test_portal_user_sees_only_own_services(self):
        stranger = new_test_user(self.env, login="t_portal_other", groups="base.group_portal")
        self.portal_user.partner_id.parent_id = self.customer
        domain = [("id", "=", self.service.id)]
        Service = self.env["telecom.service"]
        mine = Service.with_user(self.portal_user).search(domain)
        self.assertEqual(mine, self.service)
        self.assertIn(self.service.number_ids.name, mine.display_name)
        self.assertFalse(Service.with_user(stranger).search(domain))
        with self.assertRaises(AccessError):
            self.env["telecom.charge"].with_user(self.portal_user).search([])
