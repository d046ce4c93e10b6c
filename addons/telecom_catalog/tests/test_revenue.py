from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import TelecomCatalogCase


@tagged("post_install", "-at_install")
class TestRevenueAccounting(TelecomCatalogCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_addons()
        cls._setup_customers()
        Account = cls.env["account.account"]

        def account(code, name):
            return Account.create({"code": code, "name": name, "account_type": "income"})

        cls.acc_bb_res = account("T40410", "Test Broadband Residential")
        cls.acc_bb_bus = account("T40420", "Test Broadband Business")
        cls.acc_mobile = account("T40100", "Test Mobile Revenue")
        cls.acc_wholesale = account("T40800", "Test Wholesale Revenue")
        cls.acc_interconnect = account("T40900", "Test Interconnect Revenue")
        cls.acc_default = account("T40000", "Test Default Income")
        Rule = cls.env["telecom.revenue.rule"]
        # Rules of the demo chart would interfere: start from a clean set.
        Rule.search([]).active = False
        Rule.create(
            [
                {"sequence": 1, "interconnect": True, "account_id": cls.acc_interconnect.id},
                {"sequence": 2, "segment": "wholesale", "account_id": cls.acc_wholesale.id},
                {
                    "sequence": 10,
                    "service_type": "broadband",
                    "segment": "residential",
                    "account_id": cls.acc_bb_res.id,
                },
                {
                    "sequence": 11,
                    "service_type": "broadband",
                    "segment": "business",
                    "account_id": cls.acc_bb_bus.id,
                },
                {"sequence": 20, "service_type": "mobile", "account_id": cls.acc_mobile.id},
            ]
        )
        cls.interconnect = cls.env["product.template"].create(
            {
                "name": "Test Terminating Access",
                "type": "service",
                "telecom_interconnect": True,
                "telecom_regulatory_class": "interstate",
                "property_account_income_id": cls.acc_default.id,
            }
        )
        cls.equipment = cls.env["product.template"].create(
            {
                "name": "Test Router",
                "type": "consu",
                "telecom_service_type": "equipment",
                "telecom_regulatory_class": "equipment",
                "property_account_income_id": cls.acc_default.id,
            }
        )
        Analytic = cls.env["account.analytic.account"]
        # The demo data has an account per state already: these tests bring their own.
        Analytic.search([("telecom_state_id", "!=", False)]).telecom_state_id = False
        plan = cls.env["account.analytic.plan"].create({"name": "Test Geography"})
        cls.analytic_ny = Analytic.create(
            {"name": "Test NY", "plan_id": plan.id, "telecom_state_id": cls.state_ny.id}
        )
        cls.analytic_tx = Analytic.create(
            {"name": "Test TX", "plan_id": plan.id, "telecom_state_id": cls.state_tx.id}
        )

    def _account(self, product, partner):
        return product.product_variant_id._telecom_income_account(partner)

    def test_income_account_by_service_type_and_segment(self):
        self.assertEqual(self._account(self.fiber_plan, self.alice), self.acc_bb_res)
        self.assertEqual(self._account(self.fiber_plan, self.acme), self.acc_bb_bus)
        self.assertEqual(self._account(self.mobile_plan, self.alice), self.acc_mobile)
        self.assertEqual(self._account(self.mobile_plan, self.acme), self.acc_mobile)

    def test_wholesale_and_interconnect_revenue_are_separate(self):
        self.assertEqual(self._account(self.fiber_plan, self.carrier), self.acc_wholesale)
        self.assertEqual(self._account(self.mobile_plan, self.carrier), self.acc_wholesale)
        self.assertEqual(self._account(self.interconnect, self.carrier), self.acc_interconnect)
        self.assertEqual(self._account(self.interconnect, self.alice), self.acc_interconnect)

    def test_without_rule_the_product_account_applies(self):
        self.assertEqual(self._account(self.equipment, self.alice), self.acc_default)

    def test_contact_uses_its_company_segment(self):
        employee = self.env["res.partner"].create({"name": "Test Buyer", "parent_id": self.acme.id})
        self.assertEqual(self._account(self.fiber_plan, employee), self.acc_bb_bus)

    def test_analytic_distribution_by_state(self):
        self.assertEqual(
            self.alice._telecom_analytic_distribution(), {str(self.analytic_ny.id): 100.0}
        )
        self.assertEqual(
            self.bob._telecom_analytic_distribution(), {str(self.analytic_tx.id): 100.0}
        )
        self.assertEqual(self.acme._telecom_analytic_distribution(), {}, "no account for CA")
        nowhere = self.env["res.partner"].create({"name": "Test No State"})
        self.assertEqual(nowhere._telecom_analytic_distribution(), {})

    def test_one_analytic_account_per_state(self):
        with self.assertRaises(ValidationError) as error:
            self.env["account.analytic.account"].create(
                {
                    "name": "Test NY again",
                    "plan_id": self.analytic_ny.plan_id.id,
                    "telecom_state_id": self.state_ny.id,
                }
            )
        self.assertIn("New York already goes to analytic account", str(error.exception))

    def test_invoice_lines_get_the_accounts_and_the_state(self):
        order = self._order(
            self.alice,
            [(self.fiber_plan, 1), (self.static_ip, 1)],
            partner_shipping_id=self.bob.id,  # service address in Texas
        )
        plan_line = order.order_line[0]
        self.assertEqual(plan_line.analytic_distribution, {str(self.analytic_tx.id): 100.0})
        order.action_confirm()
        # Plans may be invoiced by the order or by telecom_billing's bill run: invoice the
        # order line's own invoice values so the test holds for both.
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": order.partner_invoice_id.id,
                "partner_shipping_id": order.partner_shipping_id.id,
                "invoice_line_ids": [Command.create(plan_line._prepare_invoice_line())],
            }
        )
        line = invoice.invoice_line_ids
        self.assertEqual(line.account_id, self.acc_bb_res)
        self.assertEqual(line.analytic_distribution, {str(self.analytic_tx.id): 100.0})

    def test_analytic_follows_the_service_address(self):
        order = self._order(self.alice, [(self.fiber_plan, 1)])
        line = order.order_line
        self.assertEqual(line.analytic_distribution, {str(self.analytic_ny.id): 100.0})
        order.partner_shipping_id = self.bob
        self.assertEqual(line.analytic_distribution, {str(self.analytic_tx.id): 100.0})
        order.partner_shipping_id = self.acme  # California: no state account
        self.assertFalse(line.analytic_distribution)

    def test_invoice_created_directly_gets_the_accounts(self):
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.carrier.id,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "product_id": self.interconnect.product_variant_id.id,
                            "quantity": 1000,
                            "price_unit": 0.002,
                        }
                    ),
                    Command.create(
                        {"product_id": self.fiber_plan.product_variant_id.id, "price_unit": 40.0}
                    ),
                ],
            }
        )
        accounts = invoice.invoice_line_ids.mapped("account_id")
        self.assertEqual(accounts, self.acc_interconnect | self.acc_wholesale)
        self.assertEqual(
            invoice.invoice_line_ids[0].analytic_distribution, {str(self.analytic_tx.id): 100.0}
        )
