"""Screenshots of portal pages taken by the tests with Odoo's headless Chromium.

Pages are opened in the test server with the test user's session and saved as PNG files under
``<repository>/.local/test-output/screenshots`` (or ``$TELECOM_TEST_OUTPUT/screenshots``), so
every test run leaves pictures of what a customer sees; the best ones are copied to
``docs/screenshots`` for the README.
"""

import base64
import logging
import os
import pathlib
import time

import odoo.http
from odoo.tests.common import HOST, ChromeBrowser

_logger = logging.getLogger(__name__)

REPOSITORY = pathlib.Path(__file__).resolve().parents[3]


def screenshots_dir():
    root = os.environ.get("TELECOM_TEST_OUTPUT") or REPOSITORY / ".local" / "test-output"
    path = pathlib.Path(root) / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path


def take_screenshots(
    test_case, login, pages, session_values=None, width=1280, min_height=800, max_height=2400
):
    """Open each ``(name, url_path)`` of ``pages`` as ``login`` and save ``name.png``.

    ``session_values`` are added to the HTTP session first (e.g. a recent password check).
    Returns the list of files written. The page is sized to its content (within the bounds)
    so the picture shows the whole page.
    """
    browser = ChromeBrowser(test_case, headless=True)
    written = []
    try:
        session = test_case.authenticate(login, login, browser=browser)
        if session_values:
            session.update(session_values)
            odoo.http.root.session_store.save(session)
        browser._websocket_request("Page.enable")
        for name, url_path in pages:
            browser._websocket_request(
                "Emulation.setDeviceMetricsOverride",
                params={
                    "width": width,
                    "height": min_height,
                    "deviceScaleFactor": 1,
                    "mobile": False,
                },
            )
            browser.navigate_to(f"{test_case.base_url()}{url_path}", wait_stop=True)
            browser._wait_ready()
            # the portal home fills its cards (counters) after the document has loaded
            browser._wait_ready("!document.querySelector('.o_portal_doc_spinner')", timeout=20)
            time.sleep(0.5)  # fonts and images
            metrics = browser._websocket_request("Page.getLayoutMetrics")
            content = metrics.get("cssContentSize") or metrics.get("contentSize") or {}
            height = int(min(max(content.get("height", min_height), min_height), max_height))
            browser._websocket_request(
                "Emulation.setDeviceMetricsOverride",
                params={"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
            )
            shot = browser._websocket_request(
                "Page.captureScreenshot", params={"format": "png"}, timeout=30.0
            )
            path = screenshots_dir() / f"{name}.png"
            path.write_bytes(base64.b64decode(shot["data"]))
            written.append(path)
            _logger.info("Screenshot of %s saved to %s", url_path, path)
    finally:
        browser.delete_cookie("session_id", domain=HOST)
        browser.stop()
        test_case._wait_remaining_requests()
    return written
