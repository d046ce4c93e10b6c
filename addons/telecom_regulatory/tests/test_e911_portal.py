from odoo.tests import HttpCase, new_test_user, tagged

from .common import TelecomRegulatoryCase
from .e911_simulator import E911Simulator


@tagged("post_install", "-at_install")
class TestE911Portal(TelecomRegulatoryCase, HttpCase):
    """The customer sees on the portal why a VoIP line is not live yet."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.simulator = E911Simulator().start()
        cls.addClassCleanup(cls.simulator.stop)
        cls.env["telecom.e911.provider"].create(
            {"name": "T 911 provider", "url": cls.simulator.url, "api_key": "t-key", "timeout": 5}
        )
        cls.customer.zip = "00000"  # the provider refuses it
        cls.portal_user = new_test_user(
            cls.env,
            login="t_portal_e911",
            password="t_portal_e911_pw1",
            groups="base.group_portal",
            partner_id=cls.customer.id,
        )
        cls.voip = cls.env["telecom.service"].create(
            {
                "subscription_id": cls._subscription().id,
                "product_id": cls.plan_voip.id,
                "service_address_id": cls.customer.id,
            }
        )
        cls.voip.action_activate()

    def test_portal_shows_why_the_line_waits(self):
        self.assertEqual((self.voip.state, self.voip.e911_state), ("pending", "failed"))
        self.authenticate("t_portal_e911", "t_portal_e911_pw1")
        page = self.url_open(f"/my/services/{self.voip.id}").text
        self.assertIn("911 Location", page)
        self.assertIn("could not validate your address", page)
        # corrected and validated: the page says so
        location = self.env["telecom.e911.location"].search(
            [("number_id", "in", self.voip.number_ids.ids)]
        )
        location.zip = "95814"
        self.env["telecom.e911.location"]._cron_e911_sync()
        self.assertEqual(self.voip.state, "active")
        page = self.url_open(f"/my/services/{self.voip.id}").text
        self.assertIn("Validated by the 911 provider", page)
