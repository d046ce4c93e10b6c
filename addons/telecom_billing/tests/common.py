from datetime import date

from freezegun import freeze_time

from odoo.tests import TransactionCase


class TelecomBillingCase(TransactionCase):
    """Shared fixtures: plans, add-ons, customers and helpers to start services on a date."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.company = cls.env.company
        cls.currency = cls.company.currency_id
        # Tests bill their own accounts only: demo subscriptions are archived (not billed).
        cls.env["telecom.subscription"].search([]).active = False
        # Tests bring their own tax tables: an empty one unless a test sets rates.
        cls.tax_engine = cls.env["telecom.tax.engine"].create(
            {"name": "Test tax table", "engine_type": "table"}
        )
        cls.company.write(
            {"telecom_tax_engine_id": cls.tax_engine.id, "telecom_bill_auto_post": False}
        )
        Product = cls.env["product.product"]

        def product(name, price, service_type, regulatory_class):
            return Product.create(
                {
                    "name": name,
                    "type": "service",
                    "list_price": price,
                    "telecom_service_type": service_type,
                    "telecom_regulatory_class": regulatory_class,
                    "taxes_id": [(6, 0, [])],
                }
            )

        cls.plan_basic = product("T Mobile Basic", 40.0, "mobile", "interstate")
        cls.plan_plus = product("T Mobile Plus", 60.0, "mobile", "interstate")
        cls.plan_fiber = product("T Fiber 300", 55.0, "broadband", "info_service")
        cls.plan_voip = product("T VoIP Line", 30.0, "voip", "voip")
        cls.addon_data = product("T Extra Data 10 GB", 15.0, "addon", "interstate")
        cls.addon_intl = product("T International Calling", 9.99, "addon", "international")
        # No catalog limit on add-on quantities in these tests (catalog defaults to 1 per plan).
        (cls.addon_data | cls.addon_intl).product_tmpl_id.telecom_addon_max_qty = 0
        State = cls.env["res.country.state"]
        cls.state_ca = State.search([("code", "=", "CA"), ("country_id.code", "=", "US")])
        cls.state_ny = State.search([("code", "=", "NY"), ("country_id.code", "=", "US")])
        cls.customer = cls.env["res.partner"].create(
            {
                "name": "T Residential Customer",
                "is_company": True,
                "street": "1 Main St",
                "city": "Sacramento",
                "zip": "95814",
                "state_id": cls.state_ca.id,
                "country_id": cls.env.ref("base.us").id,
                "telecom_customer_type": "residential",
                "email": "customer@example.com",
            }
        )

        # A pool of California numbers: voice services get one when they are activated.
        cls.env["telecom.number"].create(
            [
                {"name": f"+1916555{line:04d}", "status": "available", "state_code": "CA"}
                for line in range(2000, 2040)
            ]
        )

    # helpers -----------------------------------------------------------------------------

    @classmethod
    def _subscription(cls, partner=None, cycle_day=1):
        return cls.env["telecom.subscription"].create(
            {"partner_id": (partner or cls.customer).id, "bill_cycle_day": cycle_day}
        )

    @classmethod
    def _service(cls, subscription, plan, start=None, quantity=1, addons=()):
        """A service on ``plan``, activated on ``start`` (left pending without a date)."""
        service = cls.env["telecom.service"].create(
            {
                "subscription_id": subscription.id,
                "product_id": plan.id,
                "quantity": quantity,
                "service_address_id": subscription.partner_id.id,
            }
        )
        for addon, qty in addons:
            cls.env["telecom.service.addon"].create(
                {"service_id": service.id, "product_id": addon.id, "quantity": qty}
            )
        if start:
            with freeze_time(start):
                service._telecom_request_activate()
        return service

    @classmethod
    def _bill(cls, period_start, cycle_day=None, auto_post=True, batch_size=500):
        """Run the bill run of ``cycle_day`` for the period starting ``period_start``."""
        Run = cls.env["telecom.bill.run"]
        cycle_day = cycle_day or period_start.day
        run = Run.search([("cycle_day", "=", cycle_day), ("period_start", "=", period_start)])
        if not run:
            run = Run.create(
                {"cycle_day": cycle_day, "period_start": period_start, "auto_post": auto_post}
            )
            run.action_start()
        elif run.state != "running":
            run.action_resume()
        return run._telecom_run_to_end(batch_size)

    @staticmethod
    def _invoice(run, subscription):
        return run.move_ids.filtered(lambda m: m.telecom_subscription_id == subscription)

    @staticmethod
    def _lines(move, kind=None):
        """The invoice lines of ``kind``; for ``tax``, the tax lines (journal items)."""
        if kind == "tax":
            return move.line_ids.filtered(lambda x: x.display_type == "tax")
        lines = move.invoice_line_ids.filtered(lambda x: x.display_type == "product")
        if kind:
            lines = lines.filtered(lambda x: x.telecom_line_kind == kind)
        return lines

    @staticmethod
    def _tax_amount(lines):
        """Tax of the tax ``lines`` as their invoice or credit note shows it."""
        return sum(
            -line.amount_currency * (-1 if line.move_id.move_type == "out_refund" else 1)
            for line in lines
        )

    def assertAmount(self, actual, expected, msg=None):
        self.assertEqual(
            self.currency.compare_amounts(actual, expected), 0, msg or f"{actual} != {expected}"
        )

    @staticmethod
    def d(year, month, day):
        return date(year, month, day)
