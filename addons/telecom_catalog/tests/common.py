from odoo.tests import TransactionCase


class TelecomCatalogCase(TransactionCase):
    """Shared fixtures: a few attribute definitions and two plans."""

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
                "type": "service",
                "list_price": 60.0,
                "telecom_service_type": "broadband",
                "telecom_regulatory_class": "info_service",
            }
        )
        cls.mobile_plan = Product.create(
            {
                "name": "Test Mobile Unlimited",
                "type": "service",
                "list_price": 45.0,
                "telecom_service_type": "mobile",
                "telecom_regulatory_class": "interstate",
            }
        )
