from odoo.tests import HttpCase, tagged

from .common import label_values


@tagged("post_install", "-at_install")
class TestBroadbandLabelPages(HttpCase):
    """The public page of each label and the CSV file, readable without logging in."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.telecom_frn = "0012345678"
        Product = cls.env["product.template"]
        plan_values = {
            "type": "service",
            "telecom_service_type": "broadband",
            "telecom_regulatory_class": "info_service",
        }
        cls.plan = Product.create(
            {"name": "Test Page Fiber 500", "list_price": 60.0, **plan_values}
        )
        cls.old_plan = Product.create(
            {"name": "Test Page Fiber 50", "list_price": 30.0, **plan_values}
        )
        Label = cls.env["telecom.broadband.label"]
        cls.label = Label.create(label_values(cls.plan, plan_code="TPAGE500"))
        cls.old_label = Label.create(
            label_values(cls.old_plan, plan_code="TPAGE50", monthly_price=30.0)
        )
        cls.old_plan.write({"telecom_grandfathered": True, "telecom_successor_id": cls.plan.id})

    def test_label_page_is_public(self):
        response = self.url_open("/telecom/label/F0012345678TPAGE500")
        self.assertEqual(response.status_code, 200)
        self.assertIn("text/html", response.headers["Content-Type"])
        page = response.text
        for expected in (
            "Broadband Facts",
            "Test Page Fiber 500",
            "F0012345678TPAGE500",
            "60.00",
            "Installation",
            "480 Mbps",
            "https://example.com/privacy",
        ):
            self.assertIn(expected, page)
        self.assertNotIn("no longer offered", page)

    def test_archived_label_of_grandfathered_plan_stays_viewable(self):
        self.assertFalse(self.old_label.active)
        response = self.url_open("/telecom/label/F0012345678TPAGE50")
        self.assertEqual(response.status_code, 200)
        self.assertIn("This plan is no longer offered to new customers", response.text)

    def test_unknown_label_is_404(self):
        response = self.url_open("/telecom/label/F0012345678NOSUCHPLAN")
        self.assertEqual(response.status_code, 404)

    def test_csv_export_is_public(self):
        response = self.url_open("/telecom/labels.csv")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.headers["Content-Type"], "text/csv; charset=utf-8")
        lines = response.text.splitlines()
        self.assertTrue(lines[0].startswith("unique_plan_identifier,provider_name,plan_name,"))
        ours = [line for line in lines if line.startswith("F0012345678TPAGE")]
        self.assertEqual(len(ours), 2)
        self.assertIn(",archived,", next(line for line in ours if "TPAGE50," in line))

    def test_backend_export_button_points_to_the_file(self):
        action = self.env["telecom.broadband.label"].action_export_csv()
        self.assertEqual(action["url"], "/telecom/labels.csv")
