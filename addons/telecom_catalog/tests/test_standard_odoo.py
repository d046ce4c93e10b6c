"""Standard Odoo keeps working with the suite: telecom overrides of standard computes and
views touch telecom lines and telecom users only."""

from odoo import Command
from odoo.tests import Form, new_test_user, tagged

from .common import TelecomCatalogCase


@tagged("post_install", "-at_install")
class TestStandardOdooUnchanged(TelecomCatalogCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_customers()
        Analytic = cls.env["account.analytic.account"]
        # The demo data has an account per state already: these tests bring their own.
        Analytic.search([("telecom_state_id", "!=", False)]).telecom_state_id = False
        plan = cls.env["account.analytic.plan"].create({"name": "Test Standard Odoo"})

        def account(name, state=None):
            return Analytic.create(
                {
                    "name": name,
                    "plan_id": plan.id,
                    "company_id": False,  # the distribution model is shared between companies
                    "telecom_state_id": state and state.id,
                }
            )

        cls.analytic_ny = account("Test NY", cls.state_ny)
        cls.analytic_tx = account("Test TX", cls.state_tx)
        cls.analytic_model = account("Test Distribution Model")
        cls.analytic_manual = account("Test Set By Hand")
        cls.env["account.analytic.distribution.model"].create(
            {
                "partner_id": cls.alice.id,
                "analytic_distribution": {cls.analytic_model.id: 100},
                "company_id": False,
            }
        )
        cls.desk = cls.env["product.product"].create(
            {"name": "Test Office Desk", "type": "consu", "list_price": 300.0}
        )

    def _invoice(self, partner, product):
        return self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": partner.id,
                "invoice_line_ids": [Command.create({"product_id": product.id})],
            }
        )

    def _show_addresses_and_analytics(self):
        """Delivery addresses and analytic distributions appear on forms (Form needs them)."""
        self.env.user.groups_id += self.env.ref(
            "account.group_delivery_invoice_address"
        ) | self.env.ref("analytic.group_analytic_accounting")

    # ------------------------------------------------------------
    # Analytic distribution
    # ------------------------------------------------------------

    def test_ordinary_invoice_line_keeps_its_distribution_on_address_change(self):
        """Odoo recomputes an invoice line's distribution when its product, account or partner
        changes, not when the delivery address does: a value set by hand stays."""
        invoice = self._invoice(self.alice, self.desk)
        line = invoice.invoice_line_ids
        self.assertEqual(line.analytic_distribution, {str(self.analytic_model.id): 100})
        line.analytic_distribution = {str(self.analytic_manual.id): 100}
        invoice.partner_shipping_id = self.bob
        self.assertEqual(line.analytic_distribution, {str(self.analytic_manual.id): 100})

    def test_ordinary_order_line_keeps_its_distribution_on_address_change(self):
        order = self.env["sale.order"].create(
            {
                "partner_id": self.alice.id,
                "order_line": [Command.create({"product_id": self.desk.id})],
            }
        )
        line = order.order_line
        self.assertEqual(line.analytic_distribution, {str(self.analytic_model.id): 100})
        line.analytic_distribution = {str(self.analytic_manual.id): 100}
        order.partner_shipping_id = self.bob
        self.assertEqual(line.analytic_distribution, {str(self.analytic_manual.id): 100})

    def test_telecom_invoice_line_follows_the_service_address(self):
        invoice = self._invoice(self.bob, self.fiber_plan.product_variant_id)
        line = invoice.invoice_line_ids
        self.assertEqual(line.analytic_distribution, {str(self.analytic_tx.id): 100.0})
        invoice.partner_shipping_id = self.alice
        self.assertEqual(line.analytic_distribution, {str(self.analytic_ny.id): 100.0})
        self._show_addresses_and_analytics()
        with Form(invoice) as invoice_form:
            invoice_form.partner_shipping_id = self.bob
            with invoice_form.invoice_line_ids.edit(0) as line_form:
                self.assertEqual(line_form.analytic_distribution, {str(self.analytic_tx.id): 100.0})
        self.assertEqual(line.analytic_distribution, {str(self.analytic_tx.id): 100.0})

    def test_telecom_order_line_follows_the_service_address_in_the_form(self):
        order = self._order(self.bob, [(self.fiber_plan, 1)])
        self._show_addresses_and_analytics()
        with Form(order) as order_form:
            order_form.partner_shipping_id = self.alice
            with order_form.order_line.edit(0) as line_form:
                self.assertEqual(line_form.analytic_distribution, {str(self.analytic_ny.id): 100.0})
        self.assertEqual(order.order_line.analytic_distribution, {str(self.analytic_ny.id): 100.0})

    # ------------------------------------------------------------
    # Product form
    # ------------------------------------------------------------

    def test_product_form_opens_without_telecom_rights(self):
        """An invoicing user who is no telecom user opens products, plans included, and
        does not see the telecom tab."""
        self.fiber_plan.telecom_price_version_ids = [
            Command.create({"date_start": "2026-01-01", "price": 55.0})
        ]
        accountant = new_test_user(
            self.env, login="test_std_accountant", groups="account.group_account_invoice"
        )
        self.assertFalse(accountant.has_group("telecom_catalog.group_telecom_user"))
        for product in (self.desk.product_tmpl_id, self.fiber_plan):
            product_form = Form(product.with_user(accountant))
            self.assertEqual(product_form.name, product.name)
            self.assertNotIn("telecom_price_version_ids", product_form._view["fields"])

    def test_product_form_shows_the_telecom_tab_to_telecom_users(self):
        self.fiber_plan.telecom_price_version_ids = [
            Command.create({"date_start": "2026-01-01", "price": 55.0})
        ]
        telecom_user = new_test_user(
            self.env, login="test_std_telecom_user", groups="telecom_catalog.group_telecom_user"
        )
        product_form = Form(self.fiber_plan.with_user(telecom_user))
        self.assertEqual(len(product_form.telecom_price_version_ids), 1)
