"""Screenshots of the regulatory screens for the README (run with TELECOM_SCREENSHOTS=1)."""

import base64
import os
import time
import unittest

from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tests.common import HOST, ChromeBrowser

from odoo.addons.telecom_numbers.tests.portal_screenshots import screenshots_dir, take_screenshots

from . import test_form499


@unittest.skipUnless(os.environ.get("TELECOM_SCREENSHOTS"), "screenshots on demand only")
@tagged("post_install", "-at_install")
class TestRegulatoryScreenshots(test_form499.TestForm499, HttpCase):
    def test_screenshots(self):
        new_test_user(
            self.env,
            login="t_shot_officer",
            password="t_shot_officer",
            groups="telecom_catalog.group_telecom_regulatory,account.group_account_readonly",
        )
        self._mobile_traffic_study()
        filing = self._filing()
        filing.action_generate()
        action = "telecom_regulatory.action_telecom_regulatory_filing"
        self._backend_screenshot(
            "t_shot_officer", "regulatory_499a_worksheet", f"/odoo/action-{action}/{filing.id}"
        )
        cpni_officer = new_test_user(
            self.env,
            login="t_shot_cpni",
            password="t_shot_cpni",
            groups="telecom_catalog.group_telecom_regulatory,telecom_catalog.group_telecom_cpni",
        )
        self.customer.write(
            {"telecom_census_tract": "06067001101", "telecom_cpni_approval": "opt_out"}
        )
        self._backend_screenshot(
            cpni_officer.login,
            "regulatory_partner_tab",
            f"/odoo/contacts/{self.customer.id}",
            click=".o_notebook a[name='telecom_regulatory']",
        )
        new_test_user(
            self.env,
            login="t_shot_portal",
            password="t_shot_portal",
            groups="base.group_portal",
            partner_id=self.customer.id,
        )
        self._subscription()
        self.customer.email = "new-address@example.com"
        self.customer.write(
            {"telecom_cpni_approval": "opt_in", "telecom_cpni_approval_channel": "portal"}
        )
        take_screenshots(self, "t_shot_portal", [("regulatory_portal_privacy", "/my/privacy")])

    def _backend_screenshot(self, login, name, url_path, width=1280, height=1500, click=None):
        """Open a backend page once its form is drawn and save ``name.png``."""
        browser = ChromeBrowser(self, headless=True)
        try:
            self.authenticate(login, login, browser=browser)
            browser._websocket_request("Page.enable")
            browser._websocket_request(
                "Emulation.setDeviceMetricsOverride",
                params={"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
            )
            browser.navigate_to(f"{self.base_url()}{url_path}", wait_stop=True)
            deadline = time.time() + 120
            drawn = "!!document.querySelector('.o_form_sheet .o_field_widget')"
            while time.time() < deadline:
                found = browser._websocket_request(
                    "Runtime.evaluate", params={"expression": drawn}, timeout=30.0
                )
                if found.get("result", {}).get("value"):
                    break
                time.sleep(1)
            if click:
                browser._websocket_request(
                    "Runtime.evaluate",
                    params={"expression": f"document.querySelector({click!r}).click()"},
                    timeout=30.0,
                )
            time.sleep(1)
            shot = browser._websocket_request(
                "Page.captureScreenshot", params={"format": "png"}, timeout=30.0
            )
            (screenshots_dir() / f"{name}.png").write_bytes(base64.b64decode(shot["data"]))
        finally:
            browser.delete_cookie("session_id", domain=HOST)
            browser.stop()
            self._wait_remaining_requests()
