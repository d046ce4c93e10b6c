import csv
import io

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from odoo.addons.telecom_catalog.models.telecom_broadband_label import CSV_COLUMNS

from .common import TelecomCatalogCase, label_values

EXPECTED_HEADER = (
    "unique_plan_identifier,provider_name,plan_name,connection_type,status,currency,"
    "monthly_price,introductory_price,introductory_period_months,contract_required,"
    "contract_months,contract_terms_url,monthly_provider_fees,one_time_fees,"
    "early_termination_fee,government_taxes,typical_download_mbps,typical_upload_mbps,"
    "typical_latency_ms,data_included_gb,overage_charge,overage_increment_gb,"
    "network_management_url,privacy_policy_url,customer_support_url,customer_support_phone,"
    "bundle_discounts_url,label_url"
)


@tagged("post_install", "-at_install")
class TestBroadbandLabels(TelecomCatalogCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.company.telecom_frn = "0012345678"
        cls.Label = cls.env["telecom.broadband.label"]
        cls.label = cls.Label.create(label_values(cls.fiber_plan))

    def _rows(self, labels):
        return list(csv.DictReader(io.StringIO(self.Label._telecom_csv(labels))))

    def test_unique_identifier_is_f_frn_plan(self):
        self.assertEqual(self.label.unique_identifier, "F0012345678FIB500")
        self.assertTrue(self.label.label_url.endswith("/telecom/label/F0012345678FIB500"))
        self.assertEqual(self.label.connection_type, "fixed")

    def test_plan_identifier_defaults_to_internal_reference(self):
        plan = self.fiber_plan.copy({"name": "Test Fiber 1G", "default_code": "T-FIB-1G"})
        values = label_values(plan)
        del values["plan_code"]
        label = self.Label.create(values)
        self.assertEqual(label.unique_identifier, "F0012345678TFIB1G")

    def test_csv_columns_and_row(self):
        content = self.Label._telecom_csv(self.label)
        self.assertEqual(content.splitlines()[0], EXPECTED_HEADER)
        self.assertEqual(EXPECTED_HEADER.split(","), CSV_COLUMNS)
        (row,) = self._rows(self.label)
        base_url = self.label.get_base_url()
        self.assertEqual(
            row,
            {
                "unique_plan_identifier": "F0012345678FIB500",
                "provider_name": self.company.name,
                "plan_name": "Test Fiber 500",
                "connection_type": "fixed",
                "status": "current",
                "currency": "USD",
                "monthly_price": "60.00",
                "introductory_price": "45.00",
                "introductory_period_months": "12",
                "contract_required": "no",
                "contract_months": "",
                "contract_terms_url": "",
                "monthly_provider_fees": "Router Rental: 12.50",
                "one_time_fees": "Installation: 99.00; Activation: 35.00",
                "early_termination_fee": "0.00",
                "government_taxes": "Varies by location",
                "typical_download_mbps": "480",
                "typical_upload_mbps": "470",
                "typical_latency_ms": "9",
                "data_included_gb": "unlimited",
                "overage_charge": "",
                "overage_increment_gb": "",
                "network_management_url": "https://example.com/network-management",
                "privacy_policy_url": "https://example.com/privacy",
                "customer_support_url": "https://example.com/support",
                "customer_support_phone": "+1 800 555 0100",
                "bundle_discounts_url": "https://example.com/bundles",
                "label_url": f"{base_url}/telecom/label/F0012345678FIB500",
            },
        )

    def test_csv_lists_archived_labels_of_grandfathered_plans(self):
        successor = self.fiber_plan.copy({"name": "Test Fiber 1G", "default_code": "TFIB1G"})
        self.fiber_plan.write({"telecom_grandfathered": True, "telecom_successor_id": successor.id})
        self.assertFalse(self.label.active, "the label of a grandfathered plan is archived")
        rows = {row["unique_plan_identifier"]: row for row in self._rows(None)}
        self.assertEqual(rows["F0012345678FIB500"]["status"], "archived")
        self.fiber_plan.telecom_grandfathered = False
        self.assertTrue(self.label.active, "back on sale, back on the label list")

    def test_data_allowance_and_contract_in_csv(self):
        self.label.write(
            {
                "data_included_gb": 1229.0,
                "overage_charge": 10.0,
                "overage_increment_gb": 50.0,
                "contract_required": True,
                "contract_months": 24,
                "contract_terms_url": "https://example.com/contract",
            }
        )
        (row,) = self._rows(self.label)
        self.assertEqual(
            (row["data_included_gb"], row["overage_charge"], row["overage_increment_gb"]),
            ("1229", "10.00", "50"),
        )
        self.assertEqual((row["contract_required"], row["contract_months"]), ("yes", "24"))

    def test_bad_label_data_is_refused_with_a_clear_error(self):
        plan = self.fiber_plan.copy({"name": "Test Fiber 2G", "default_code": "TFIB2G"})
        cases = [
            (
                {"monthly_price": -5.0},
                "monthly price on the broadband label of Test Fiber 2G cannot be negative",
            ),
            ({"intro_price": -1.0}, "introductory price on the broadband label"),
            ({"intro_months": 0}, "needs both an introductory price and an introductory period"),
            (
                {"typical_download_mbps": -100.0},
                (
                    "typical download speed on the broadband label "
                    "of Test Fiber 2G must be greater than zero"
                ),
            ),
            ({"typical_upload_mbps": 0.0}, "typical upload speed"),
            ({"typical_latency_ms": -3.0}, "typical latency"),
            ({"data_included_gb": -1.0}, "cannot be negative (0 GB means unlimited data)"),
            ({"privacy_policy_url": False}, "needs links to the privacy policy"),
            (
                {"network_management_url": False, "customer_support_url": False},
                "needs links to the network management policy, customer support",
            ),
            ({"privacy_policy_url": "example.com/privacy"}, "is not a web link"),
            ({"plan_code": "FIBER-2G"}, "must be 1 to 15 letters or digits"),
            ({"plan_code": "F" * 16}, "must be 1 to 15 letters or digits"),
            ({"contract_required": True, "contract_months": 0}, "give its length in months"),
        ]
        for overrides, expected in cases:
            with self.subTest(overrides=overrides):
                values = label_values(plan, **{"plan_code": "TFIB2G", **overrides})
                with self.assertRaises(ValidationError) as error, self.env.cr.savepoint():
                    self.Label.create(values)
                self.assertIn(expected, str(error.exception))
        self.assertFalse(
            self.Label.with_context(active_test=False).search([("product_tmpl_id", "=", plan.id)]),
            "nothing was stored",
        )

    def test_negative_fee_is_refused(self):
        with self.assertRaises(ValidationError) as error, self.env.cr.savepoint():
            self.label.write({"fee_ids": [(0, 0, {"name": "Refund", "amount": -5.0})]})
        self.assertIn(
            "The fee Refund on the broadband label of Test Fiber 500 cannot be negative",
            str(error.exception),
        )

    def test_only_broadband_and_mobile_plans_take_a_label(self):
        tv = self.fiber_plan.copy({"name": "Test TV", "telecom_service_type": "tv"})
        with self.assertRaises(ValidationError) as error:
            self.Label.create(label_values(tv, plan_code="TTV"))
        self.assertIn("Test TV is not a broadband or mobile broadband plan", str(error.exception))
        mobile = self.Label.create(label_values(self.mobile_plan, plan_code="TMOBUNL"))
        self.assertEqual(mobile.connection_type, "mobile")

    def test_frn_is_required_and_validated(self):
        with self.assertRaises(ValidationError) as error:
            self.company.telecom_frn = "12345"
        self.assertIn("must be exactly 10 digits", str(error.exception))
        with self.assertRaises(ValidationError) as error:
            self.company.telecom_frn = "00123456AB"
        self.company.telecom_frn = False
        plan = self.fiber_plan.copy({"name": "Test Other Fiber", "default_code": "TOTHER"})
        with self.assertRaises(ValidationError) as error:
            self.Label.create(label_values(plan, plan_code="TOTHER"))
        self.assertIn(
            f"Set the FCC Registration Number (FRN) of {self.company.name}", str(error.exception)
        )

    def test_speeds_default_to_the_plan_attributes(self):
        download = self.env["telecom.attribute"].search([("code", "=", "download_mbps")])
        upload = self.env["telecom.attribute"].search([("code", "=", "upload_mbps")])
        plan = self.fiber_plan.copy({"name": "Test Fiber 300", "default_code": "TFIB300"})
        self.env["telecom.attribute.value"].create(
            [
                {"product_tmpl_id": plan.id, "attribute_id": download.id, "value": "300"},
                {"product_tmpl_id": plan.id, "attribute_id": upload.id, "value": "300"},
            ]
        )
        values = label_values(plan, plan_code="TFIB300")
        del values["typical_download_mbps"], values["typical_upload_mbps"]
        label = self.Label.create(values)
        self.assertEqual((label.typical_download_mbps, label.typical_upload_mbps), (300.0, 300.0))
