from odoo.tests import tagged

from .sim_fixtures import make_sims
from .test_portal import TelecomPortingPortalCase


@tagged("post_install", "-at_install")
class TestSimPortal(TelecomPortingPortalCase):
    """Bob (Rita Resident's portal user): his eSIM QR code, and a SIM swap that needs his
    password first."""

    def setUp(self):
        super().setUp()
        self.number = self.make_number("assigned", partner_id=self.resident.id)
        self.esim = make_sims(self.env, 1, start=6001, kind="esim")
        self.esim._telecom_assign(self.number, self.resident, "T activation")
        self.esim._telecom_set_state("active", "T in service")
        self.other = make_sims(self.env, 1, start=6002, kind="esim", partner_id=self.business.id)

    def test_esim_qr_code_on_the_portal(self):
        self.authenticate("t_port_bob", "t_port_bob")
        self.assertIn(self.esim.name, self._get("/my/sims").text)
        page = self._get(f"/my/sims/{self.esim.id}").text
        self.assertIn(f"/my/sims/{self.esim.id}/qr.png", page)
        self.assertNotIn(self.esim.sudo().matching_id, page, "the code is only in the image")
        image = self._get(f"/my/sims/{self.esim.id}/qr.png")
        self.assertEqual(image.headers["Content-Type"], "image/png")
        self.assertTrue(image.content.startswith(b"\x89PNG"))
        # another customer's SIM: not found
        self._get(f"/my/sims/{self.other.id}", status=404)
        self._get(f"/my/sims/{self.other.id}/qr.png", status=404)

    def test_swap_needs_the_password_first(self):
        make_sims(self.env, 1, start=6100, kind="esim")._telecom_reserve(self.resident)
        self.authenticate("t_port_bob", "t_port_bob")
        url = f"/my/sims/{self.esim.id}"
        self.assertIn("Confirm Password", self._get(url).text)
        response = self._post(f"{url}/swap", {}, status=303)
        self.assertIn("/my/reauth?redirect=", response.headers["Location"])
        self.assertEqual(self.esim.state, "active")
        self.assertFalse(self.env["telecom.sim.swap"].search([("old_sim_id", "=", self.esim.id)]))
        self._post("/my/reauth", {"password": "t_port_bob", "redirect": url}, status=303)
        response = self._post(f"{url}/swap", {}, status=303)
        swap = self.env["telecom.sim.swap"].search([("old_sim_id", "=", self.esim.id)])
        self.assertEqual(
            (swap.state, swap.channel, swap.auth_method), ("done", "portal", "portal_password")
        )
        self.assertEqual(self.esim.state, "retired")
        self.assertEqual(swap.new_sim_id.state, "active")
        self.assertTrue(
            response.headers["Location"].endswith(f"/my/sims/{swap.new_sim_id.id}?message=swapped")
        )
        notices = swap.message_ids.filtered(lambda m: self.resident in m.partner_ids)
        self.assertEqual(len(notices), 1, "the customer is told on their email")

    def test_swap_refused_when_locked(self):
        self.authenticate("t_port_bob", "t_port_bob")
        url = f"/my/sims/{self.esim.id}"
        # the customer locks SIM changes themselves (password confirmed first)
        response = self._post("/my/port-out/sim-lock", {"lock": "1"}, status=303)
        self.assertIn("/my/reauth?redirect=", response.headers["Location"])
        self.assertFalse(self.resident.telecom_sim_lock)
        self._post("/my/reauth", {"password": "t_port_bob", "redirect": url}, status=303)
        self._post("/my/port-out/sim-lock", {"lock": "1"}, status=303)
        self.assertTrue(self.resident.telecom_sim_lock)
        self.assertIn("SIM change lock", self._get("/my/port-out").text)
        response = self._post(f"{url}/swap", {}, status=303)
        self.assertTrue(response.headers["Location"].endswith("?message=refused"))
        swap = self.env["telecom.sim.swap"].search([("old_sim_id", "=", self.esim.id)])
        self.assertEqual(swap.state, "refused")
        self.assertEqual(self.esim.state, "active")
