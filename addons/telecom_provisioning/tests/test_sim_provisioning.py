from odoo.tests import tagged

from odoo.addons.telecom_numbers.tests.sim_fixtures import make_sims

from .common import ProvisioningServiceCase


@tagged("post_install", "-at_install")
class TestSimProvisioning(ProvisioningServiceCase):
    """A mobile line's SIM goes to the network on activation; a SIM swap is a provisioning
    order (REST platform simulator on 127.0.0.1)."""

    def setUp(self):
        super().setUp()
        self.number = self.env["telecom.number"].create(
            {"name": "+19165550142", "rate_center": "SACRAMENTO", "state_code": "CA"}
        )
        self.customer.email = "p.customer@example.com"

    def _mobile_line(self):
        service = self._service(self.plan_mobile)
        self.number.service_id = service
        service._telecom_request_activate()
        self.assertEqual(service.state, "active")
        return service

    def test_activation_payload_carries_the_sim_and_its_number(self):
        sim = make_sims(self.env, 1, start=7001)
        sim._telecom_reserve(self.customer)
        service = self._mobile_line()
        payload = self.rest.last_payload("activate")
        self.assertEqual(payload["msisdn"], "+19165550142")
        self.assertEqual(payload["iccid"], sim.name)
        self.assertEqual(payload["imsi"], sim.imsi)
        self.assertEqual(payload["sim"]["sim_type"], "physical")
        self.assertNotIn("pin1", payload["sim"], "SIM secrets never leave the BSS")
        self.assertEqual(self.rest.subscribers[service.name]["iccid"], sim.name)
        self.assertEqual((sim.state, sim.number_id), ("active", self.number))
        self.assertEqual(self.number.status, "assigned")

    def test_esim_activation_sends_the_qr_code(self):
        profile = make_sims(self.env, 1, start=7101, kind="esim")
        profile._telecom_reserve(self.customer)
        self._mobile_line()
        payload = self.rest.last_payload("activate")
        self.assertEqual(payload["sim"]["smdp_address"], "smdp.example.com")
        self.assertEqual(payload["sim"]["matching_id"], profile.sudo().matching_id)
        mail = profile.message_ids.filtered(lambda m: m.message_type == "comment")
        self.assertEqual(len(mail), 1)
        self.assertIn(self.customer, mail.partner_ids)
        self.assertTrue(mail.attachment_ids.raw.startswith(b"\x89PNG"))

    def test_sim_swap_is_a_provisioning_order(self):
        old = make_sims(self.env, 1, start=7201)
        old._telecom_reserve(self.customer)
        service = self._mobile_line()
        new = make_sims(self.env, 1, start=7202)
        self.customer.sudo().telecom_port_out_pin = "8642"
        swap = self.env["telecom.sim.swap"].create(
            {
                "old_sim_id": old.id,
                "new_sim_id": new.id,
                "new_kind": "physical",
                "auth_method": "account_pin",
                "pin_given": "8642",
            }
        )
        swap.action_confirm()
        self.assertEqual(swap.state, "pending", "waits for the network")
        self.assertEqual((old.state, new.state), ("swapped", "assigned"))
        order = self._orders(service, "sim_swap")
        self.assertEqual(len(order), 1)
        self._process()
        self.assertEqual(order.state, "done")
        self.assertEqual(swap.state, "done")
        self.assertEqual((old.state, new.state), ("retired", "active"))
        payload = self.rest.last_payload("sim_swap")
        self.assertEqual((payload["iccid"], payload["old_iccid"]), (new.name, old.name))
        self.assertEqual(self.rest.subscribers[service.name]["iccid"], new.name)
        self.assertEqual(service.state, "active", "the service itself is unchanged")
