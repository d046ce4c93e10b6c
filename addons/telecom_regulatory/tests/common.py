from odoo.fields import Command

from odoo.addons.telecom_billing.tests.common import TelecomBillingCase


class TelecomRegulatoryCase(TelecomBillingCase):
    """Billing fixtures plus plans with BDC attributes and addresses with census tracts."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.telecom_bdc_provider_id = "131425"
        # tests file their own reports and use their own 911 provider (not the demo ones)
        cls.env["telecom.regulatory.filing"].search([]).unlink()
        cls.env["telecom.e911.provider"].search([]).active = False
        Attribute = cls.env["telecom.attribute"]
        cls.attr = {a.code: a for a in Attribute.search([])}

        def attributes(**values):
            return [
                Command.create({"attribute_id": cls.attr[code].id, "value": str(value)})
                for code, value in values.items()
            ]

        cls.plan_fiber.product_tmpl_id.telecom_attribute_value_ids = attributes(
            technology="fiber", download_mbps=300, upload_mbps=300
        )
        cls.plan_cable = cls.env["product.product"].create(
            {
                "name": "T Cable 100",
                "type": "service",
                "list_price": 45.0,
                "telecom_service_type": "broadband",
                "telecom_regulatory_class": "info_service",
                "taxes_id": [Command.clear()],
                "telecom_attribute_value_ids": attributes(
                    technology="cable", download_mbps=100, upload_mbps=10
                ),
            }
        )
        cls.plan_basic.product_tmpl_id.telecom_attribute_value_ids = attributes(
            technology="5g", download_mbps=150, upload_mbps=20, included_data_gb=10
        )
        cls.plan_fixed_voice = cls.env["product.product"].create(
            {
                "name": "T Business Line",
                "type": "service",
                "list_price": 35.0,
                "telecom_service_type": "fixed_voice",
                "telecom_regulatory_class": "intrastate",
                "taxes_id": [Command.clear()],
            }
        )
        # BDC: whom each plan is designed for, minimum advertised mobile speeds (5/1 Mbps,
        # well below the 150/20 headline speeds)
        for plan in (cls.plan_fiber, cls.plan_cable, cls.plan_basic, cls.plan_voip):
            plan.telecom_bdc_market = "residential"
        cls.plan_fixed_voice.telecom_bdc_market = "business"
        cls.plan_basic.write({"telecom_bdc_min_download_mbps": 5, "telecom_bdc_min_upload_mbps": 1})
        cls.customer.telecom_census_tract = "06067001101"
        cls.business = cls.env["res.partner"].create(
            {
                "name": "T Business Customer",
                "is_company": True,
                "street": "5 Market St",
                "city": "San Francisco",
                "zip": "94105",
                "state_id": cls.state_ca.id,
                "country_id": cls.env.ref("base.us").id,
                "telecom_customer_type": "business",
                "telecom_census_tract": "06075061500",
                "email": "business@example.com",
            }
        )

    @classmethod
    def _usage(cls, service, name, called="+12125550100", duration=120):
        return cls.env["telecom.usage.record"].create(
            {
                "name": name,
                "service_id": service.id,
                "subscription_id": service.subscription_id.id,
                "partner_id": service.partner_id.commercial_partner_id.id,
                "company_id": service.company_id.id,
                "start_time": "2025-03-05 10:00:00",
                "usage_type": "voice",
                "duration": duration,
                "called_number": called,
            }
        )
