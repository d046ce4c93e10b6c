from odoo.tests import HttpCase, tagged

from odoo.addons.telecom_numbers.tests.portal_screenshots import take_screenshots

from .test_portal import TelecomPortalCase


@tagged("post_install", "-at_install")
class TestPortalTour(TelecomPortalCase):
    """The customer's journey in a real (headless Chromium) browser, and pictures of it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # No default NPAC vendor: a port-in from the portal is recorded as submitted by hand.
        cls.env["telecom.npac.backend"].search([]).write({"is_default": False})

    def test_portal_tour(self):
        self.start_tour("/my", "telecom_portal_tour", login="t_portal_alice")
        self.env.invalidate_all()
        self.assertEqual(self.service_a.product_id, self.plan_plus)
        data = self.service_a.addon_line_ids.filtered(lambda a: a.product_id == self.addon_data)
        self.assertEqual(data.state, "active")
        port = self.env["telecom.port.request"].search([("partner_id", "=", self.customer.id)])
        self.assertEqual(len(port), 1, "the request that failed validation was fixed, not doubled")
        self.assertEqual(port.state, "submitted")
        self.assertEqual(port.number_ids.name, "+13125550163")
        self.assertEqual(port.loa_filename, "loa.pdf")

    def test_screenshots(self):
        url = self.service_a.access_url
        files = take_screenshots(
            self,
            "t_portal_alice",
            [
                ("portal_home", "/my"),
                ("services", "/my/services"),
                ("service", url),
                ("plan_change_preview", f"{url}/plan?plan_id={self.plan_plus.id}&timing=now"),
                ("addon_preview", f"{url}/addons/add?addon_id={self.addon_data.id}&quantity=1"),
            ],
        )
        self.assertEqual(len(files), 5)
        for path in files:
            self.assertGreater(path.stat().st_size, 10000, f"{path} looks empty")


@tagged("post_install", "-at_install")
class TestPortalDemoScreenshots(HttpCase):
    """Pictures of the demo customer's portal (used in the README) when demo data is loaded."""

    def test_demo_screenshots(self):
        user = self.env.ref("telecom_billing.demo_user_portal_emily", raise_if_not_found=False)
        if not user:
            self.skipTest("no demo data")
        services = self.env["telecom.service"].search(
            [("partner_id", "=", user.partner_id.commercial_partner_id.id)]
        )
        mobile = services.filtered(lambda s: s.service_type == "mobile")[:1]
        fiber = services.filtered(lambda s: s.service_type == "broadband")[:1]
        pages = [("demo_portal_home", "/my"), ("demo_services", "/my/services")]
        if fiber:
            pages.append(("demo_service_broadband", fiber.access_url))
        if mobile:
            plan = mobile._telecom_available_plans()[-1:]
            pages.append(("demo_service_mobile", mobile.access_url))
            if plan:
                pages.append(
                    (
                        "demo_plan_change_preview",
                        f"{mobile.access_url}/plan?plan_id={plan.id}&timing=now",
                    )
                )
        files = take_screenshots(self, user.login, pages)
        self.assertEqual(len(files), len(pages))
