from odoo.tests import tagged

from .common import TelecomBillingCase


class RevenueAssuranceCase(TelecomBillingCase):
    """A mobile service billed on 1 February 2026; findings escalate from $30."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Finding = cls.env["telecom.ra.finding"]
        cls._ra_fixtures()
        cls.bill_run = cls._bill(cls.d(2026, 2, 1))
        cls.move = cls._invoice(cls.bill_run, cls.subscription)
        cls.env["ir.config_parameter"].sudo().set_param(
            "telecom_billing.ra_escalation_amount", "30"
        )
        cls.manager = cls.env["res.users"].create(
            {
                "name": "T Billing Manager",
                "login": "t_billing_manager",
                "groups_id": [
                    (4, cls.env.ref("telecom_catalog.group_telecom_billing").id),
                    (4, cls.env.ref("telecom_catalog.group_telecom_manager").id),
                ],
            }
        )

    @classmethod
    def _ra_fixtures(cls):
        """What is billed on 1 February; a module adding checks adds its records here."""
        if not hasattr(cls, "service"):
            cls.subscription = cls._subscription(cycle_day=1)
            cls.service = cls._service(cls.subscription, cls.plan_basic, start="2026-01-01")
            cls.number = cls.service.number_ids[:1].name

    def _sql(self, query, params=None):
        self.env.flush_all()
        self.env.cr.execute(query, params or [])
        self.env.invalidate_all()

    def _findings(self, check):
        return self.Finding.search([("check", "=", check), ("state", "=", "open")])


@tagged("post_install", "-at_install")
class TestRevenueAssurance(RevenueAssuranceCase):
    def test_clean_books_no_findings(self):
        self.Finding._cron_telecom_ra_checks()
        self.assertFalse(self.Finding.search([("subscription_id", "=", self.subscription.id)]))

    def test_active_service_not_billed(self):
        self._sql(
            "UPDATE telecom_service SET charged_until = '2026-01-31' WHERE id = %s",
            [self.service.id],
        )
        self.Finding._telecom_check_active_not_billed()
        finding = self._findings("active_not_billed")
        self.assertEqual(finding.service_id, self.service)
        self.assertAmount(finding.amount, 40.00)
        self.assertTrue(finding.activity_ids)

    def test_billed_but_terminated(self):
        self._sql(
            "UPDATE telecom_service SET state = 'terminated', date_end = '2026-01-31' "
            "WHERE id = %s",
            [self.service.id],
        )
        self.Finding._telecom_check_billed_terminated()
        finding = self._findings("billed_terminated")
        self.assertEqual(finding.service_id, self.service)
        self.assertEqual(finding.move_id, self.move)
        self.assertAmount(finding.amount, 40.00)

    def test_number_assigned_to_terminated_service(self):
        self._sql(
            "UPDATE telecom_service SET state = 'terminated', date_end = '2026-01-31' "
            "WHERE id = %s",
            [self.service.id],
        )
        self.Finding._telecom_check_numbers()
        finding = self._findings("number_terminated")
        self.assertEqual(finding.number_id.name, self.number)
        self.assertEqual(finding.severity, "low")

    def test_discount_without_eligibility(self):
        business = self.env["telecom.customer.type"].search([("code", "=", "business")])
        residential = self.env["telecom.customer.type"].search([("code", "=", "residential")])
        promotion = self.env["telecom.promotion"].create(
            {
                "name": "T Residential 25% off",
                "discount_type": "percent",
                "discount_value": 25.0,
                "duration_months": 12,
                "customer_type_ids": [(6, 0, residential.ids)],
            }
        )
        self.env["telecom.service.promotion"].create(
            {"service_id": self.service.id, "promotion_id": promotion.id}
        )
        move = self._invoice(self._bill(self.d(2026, 3, 1)), self.subscription)
        discount = self._lines(move, "discount")
        self.assertAmount(discount.price_subtotal, -10.00)
        self.Finding._telecom_check_discounts(days=100000)
        self.assertFalse(self._findings("discount_ineligible"))
        self.assertTrue(business)
        self.customer.telecom_customer_type = "business"
        self.Finding._telecom_check_discounts(days=100000)
        finding = self._findings("discount_ineligible")
        self.assertEqual(finding.move_line_id, discount)
        self.assertAmount(finding.amount, 10.00)
        self.assertTrue(finding.description)
