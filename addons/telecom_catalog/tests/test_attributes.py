from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import TelecomCatalogCase


@tagged("post_install", "-at_install")
class TestAttributes(TelecomCatalogCase):
    def _value(self, attribute, value, plan=None):
        return self.env["telecom.attribute.value"].create(
            {
                "product_tmpl_id": (plan or self.fiber_plan).id,
                "attribute_id": attribute.id,
                "value": value,
            }
        )

    def test_typed_values(self):
        self._value(self.attr_download, "500")
        self._value(self.attr_cap, "1.5")
        self._value(self.attr_tech, "fiber")
        self._value(self.attr_static_ip, "yes")
        self._value(self.attr_profile, "FTTH-RES")
        self.assertEqual(
            self.fiber_plan._telecom_attributes(),
            {
                "t_download_mbps": 500,
                "t_data_cap_gb": 1.5,
                "t_technology": "fiber",
                "t_static_ip": True,
                "t_profile": "FTTH-RES",
            },
        )
        self.assertEqual(self.fiber_plan._telecom_attribute("t_download_mbps"), 500)
        self.assertIsNone(self.mobile_plan._telecom_attribute("t_download_mbps"))

    def test_wrong_type_is_refused_with_a_clear_message(self):
        cases = [
            (self.attr_download, "fast", "a whole number"),
            (self.attr_download, "1.5", "a whole number"),
            (self.attr_cap, "lots", "a number"),
            (self.attr_tech, "satellite", "one of: fiber, cable, dsl"),
            (self.attr_static_ip, "maybe", "yes or no"),
        ]
        for attribute, value, expected in cases:
            with self.subTest(attribute=attribute.code, value=value):
                with self.assertRaises(ValidationError) as error:
                    self._value(attribute, value)
                self.assertIn(expected, str(error.exception))
                self.assertIn("Test Fiber 500", str(error.exception))
        self.assertFalse(self.fiber_plan.telecom_attribute_value_ids, "nothing was stored")

    def test_changing_a_value_is_checked_too(self):
        value = self._value(self.attr_download, "300")
        with self.assertRaises(ValidationError):
            value.value = "three hundred"

    def test_selection_attribute_needs_values(self):
        with self.assertRaises(ValidationError):
            self.env["telecom.attribute"].create(
                {"name": "Band", "code": "t_band", "value_type": "selection"}
            )

    def test_code_format(self):
        with self.assertRaises(ValidationError):
            self.env["telecom.attribute"].create(
                {"name": "Bad", "code": "Download Speed", "value_type": "char"}
            )
