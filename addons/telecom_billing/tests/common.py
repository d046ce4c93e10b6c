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

    def assertAmount(self, actual, expected, msg=None):
        self.assertEqual(
            self.currency.compare_amounts(actual, expected), 0, msg or f"{actual} != {expected}"
        )

    @staticmethod
    def d(year, month, day):
        return date(year, month, day)
