from datetime import datetime

from odoo import Command
from odoo.tests import TransactionCase


class TelecomCatalogCase(TransactionCase):
    """Shared fixtures: attribute definitions, plans, add-ons and customers in three states."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Attribute = cls.env["telecom.attribute"]
        cls.attr_download = Attribute.create(
            {
                "name": "Download speed",
                "code": "t_download_mbps",
                "value_type": "integer",
                "unit": "Mbps",
            }
        )
        cls.attr_cap = Attribute.create(
            {"name": "Data cap", "code": "t_data_cap_gb", "value_type": "float", "unit": "GB"}
        )
        cls.attr_tech = Attribute.create(
            {
                "name": "Technology",
                "code": "t_technology",
                "value_type": "selection",
                "selection_values": "fiber, cable, dsl",
            }
        )
        cls.attr_static_ip = Attribute.create(
            {"name": "Static IP", "code": "t_static_ip", "value_type": "boolean"}
        )
        cls.attr_profile = Attribute.create(
            {"name": "Network profile", "code": "t_profile", "value_type": "char"}
        )
        Product = cls.env["product.template"]
        cls.fiber_plan = Product.create(
            {
                "name": "Test Fiber 500",
                "default_code": "TFIB500",
                "type": "service",
                "list_price": 60.0,
                "telecom_service_type": "broadband",
                "telecom_regulatory_class": "info_service",
                "taxes_id": [Command.clear()],
            }
        )
        cls.mobile_plan = Product.create(
            {
                "name": "Test Mobile Unlimited",
                "type": "service",
                "list_price": 45.0,
                "telecom_service_type": "mobile",
                "telecom_regulatory_class": "interstate",
                "taxes_id": [Command.clear()],
            }
        )

    # ------------------------------------------------------------
    # Helpers used by the add-on, promotion and grandfathering tests
    # ------------------------------------------------------------

    @classmethod
    def _setup_addons(cls):
        Product = cls.env["product.template"]
        Group = cls.env["telecom.addon.group"]
        cls.group_static_ip = Group.create({"name": "Test Static IP"})
        cls.group_intl = Group.create({"name": "Test International Calling"})

        def addon(name, price, **vals):
            return Product.create(
                {
                    "name": name,
                    "type": "service",
                    "list_price": price,
                    "telecom_service_type": "addon",
                    "telecom_regulatory_class": vals.pop("regulatory", "info_service"),
                    "taxes_id": [Command.clear()],
                    **vals,
                }
            )

        cls.static_ip = addon(
            "Test Static IP /32",
            10.0,
            telecom_compatible_plan_ids=[Command.set(cls.fiber_plan.ids)],
            telecom_addon_group_id=cls.group_static_ip.id,
        )
        cls.static_block = addon(
            "Test Static IP /29",
            25.0,
            telecom_compatible_plan_ids=[Command.set(cls.fiber_plan.ids)],
            telecom_addon_group_id=cls.group_static_ip.id,
        )
        cls.extra_data = addon(
            "Test Extra Data 10 GB",
            10.0,
            telecom_compatible_plan_ids=[Command.set(cls.mobile_plan.ids)],
            telecom_addon_max_qty=3,
            regulatory="interstate",
        )
        cls.intl_300 = addon(
            "Test International 300",
            5.0,
            telecom_addon_group_id=cls.group_intl.id,
            regulatory="international",
        )
        cls.intl_world = addon(
            "Test World Unlimited",
            15.0,
            telecom_addon_group_id=cls.group_intl.id,
            regulatory="international",
        )

    @classmethod
    def _setup_customers(cls):
        us = cls.env.ref("base.us")
        State = cls.env["res.country.state"]
        cls.state_ny = State.search([("country_id", "=", us.id), ("code", "=", "NY")])
        cls.state_tx = State.search([("country_id", "=", us.id), ("code", "=", "TX")])
        cls.state_ca = State.search([("country_id", "=", us.id), ("code", "=", "CA")])
        Partner = cls.env["res.partner"]

        def customer(name, customer_type, city, state, zip_code, is_company=False):
            return Partner.create(
                {
                    "name": name,
                    "is_company": is_company,
                    "telecom_customer_type": customer_type,
                    "street": "1 Test Street",
                    "city": city,
                    "state_id": state.id,
                    "zip": zip_code,
                    "country_id": us.id,
                }
            )

        cls.alice = customer("Test Alice Ny", "residential", "New York", cls.state_ny, "10001")
        cls.bob = customer("Test Bob Tx", "residential", "Austin", cls.state_tx, "78701")
        cls.acme = customer(
            "Test Acme Corp", "business", "San Jose", cls.state_ca, "95113", is_company=True
        )
        cls.carrier = customer(
            "Test Carrier Wholesale", "wholesale", "Dallas", cls.state_tx, "75201", True
        )

    @classmethod
    def _order(cls, partner, lines, **vals):
        """A quotation for ``partner`` with ``lines`` = [(product.template, quantity), ...]."""
        return cls.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "order_line": [
                    Command.create(
                        {"product_id": product.product_variant_id.id, "product_uom_qty": qty}
                    )
                    for product, qty in lines
                ],
                **vals,
            }
        )

    @classmethod
    def _confirmed_order(cls, partner, lines, date_order=None):
        """A confirmed order, dated ``date_order`` (a date) when given."""
        order = cls._order(partner, lines)
        order.action_confirm()
        if date_order:
            order.date_order = datetime.combine(date_order, datetime.min.time())
        return order


def label_values(plan, **overrides):
    """Values of a complete, valid broadband label of ``plan``."""
    return {
        "product_tmpl_id": plan.id,
        "plan_code": "FIB500",
        "monthly_price": 60.0,
        "intro_price": 45.0,
        "intro_months": 12,
        "early_termination_fee": 0.0,
        "typical_download_mbps": 480.0,
        "typical_upload_mbps": 470.0,
        "typical_latency_ms": 9.0,
        "data_included_gb": 0.0,
        "network_management_url": "https://example.com/network-management",
        "privacy_policy_url": "https://example.com/privacy",
        "customer_support_url": "https://example.com/support",
        "customer_support_phone": "+1 800 555 0100",
        "bundle_discounts_url": "https://example.com/bundles",
        "fee_ids": [
            Command.create({"fee_type": "one_time", "name": "Installation", "amount": 99.0}),
            Command.create({"fee_type": "one_time", "name": "Activation", "amount": 35.0}),
            Command.create({"fee_type": "monthly", "name": "Router Rental", "amount": 12.5}),
        ],
        **overrides,
    }
