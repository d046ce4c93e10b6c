from odoo.tests import tagged

from .common import NetworkCase


@tagged("post_install", "-at_install")
class TestInventory(NetworkCase):
    """Equipment and circuits of a service read through the platform's inventory API."""

    def test_inventory_read_through_the_adapter(self):
        """Over REST (a fiber service) and over SOAP (a VoIP service, ListInventory)."""
        for platform, plan in ((self.rest, self.plan_fiber_300), (self.soap, self.plan_voip)):
            with self.subTest(platform=platform.__class__.__name__):
                self._check_inventory_read(platform, self._service(plan, activate=True))

    def _check_inventory_read(self, platform, service):
        items = [
            {"inventory_id": "INV-1", "kind": "ont", "model": "G-010G",
             "serial": f"ALCL-{service.name}", "mac": "00:11:22:33:44:55"},
            {"inventory_id": "INV-2", "kind": "ip", "ip_address": "203.0.113.9/32"},
            {"inventory_id": "INV-3", "kind": "vlan", "vlan": 412},
            {"inventory_id": "INV-4", "kind": "circuit", "circuit": f"FBR-{service.name}",
             "port": "OLT1/1/3", "bandwidth_mbps": 1000},
        ]  # fmt: skip
        platform.seed_inventory(service.name, items)
        service.action_fetch_network_inventory()
        equipment = service.network_equipment_ids
        self.assertEqual(sorted(equipment.mapped("inventory_ref")), ["INV-1", "INV-2", "INV-3"])
        ont = equipment.filtered(lambda e: e.kind == "ont")
        self.assertEqual(
            (ont.serial, ont.mac, ont.state),
            (f"ALCL-{service.name}", "00:11:22:33:44:55", "installed"),
        )
        self.assertEqual(equipment.filtered(lambda e: e.kind == "vlan").vlan, 412)
        circuit = service.circuit_record_id
        self.assertEqual(
            (circuit.name, circuit.inventory_ref, circuit.port),
            (f"FBR-{service.name}", "INV-4", "OLT1/1/3"),
        )
        self.assertEqual(service.circuit_id, circuit.name, "the circuit text follows the record")
        # read again: updated, not duplicated
        items[0]["mac"] = "00:11:22:33:44:66"
        platform.seed_inventory(service.name, items)
        service.action_fetch_network_inventory()
        self.assertEqual(len(service.network_equipment_ids), 3)
        self.assertEqual(ont.mac, "00:11:22:33:44:66")

    def test_customer_equipment_installed_and_returned(self):
        service = self._service(activate=True)
        router = self.env["telecom.network.equipment"].create(
            {"kind": "cpe", "serial": "RTR-1", "service_id": service.id}
        )
        self.assertEqual(router.state, "in_stock")
        router.action_install()
        self.assertEqual(router.state, "installed")
        self.assertTrue(router.date_installed)
        router.action_return()
        self.assertEqual(router.state, "returned")
        self.assertTrue(router.date_returned)

    def test_free_text_circuit_and_record_stay_in_step(self):
        service = self._service()
        service.circuit_id = "SIP-NYC-1"
        circuit = service.circuit_record_id
        self.assertEqual((circuit.name, circuit.service_id), ("SIP-NYC-1", service))
        circuit.name = "SIP-NYC-2"
        self.assertEqual(service.circuit_id, "SIP-NYC-2")
        other = self._service()
        other.circuit_record_id = circuit
        self.assertEqual(other.circuit_id, "SIP-NYC-2")
        service.circuit_id = False
        self.assertFalse(service.circuit_record_id)

    def test_existing_circuit_texts_became_records(self):
        """The post-init hook turned the demo data's free-text circuit ids into records."""
        demo = self.env.ref("telecom_billing.demo_service_hudson_trunk", raise_if_not_found=False)
        if not demo:
            self.skipTest("no demo data")
        self.assertEqual(demo.circuit_record_id.name, demo.circuit_id)

    def test_subscriber_lookup_through_the_adapter(self):
        for backend, plan, profile in (
            (self.rest_backend, self.plan_fiber_300, "FTTH-300"),
            (self.soap_backend, self.plan_voip, None),
        ):
            with self.subTest(backend=backend.kind):
                service = self._service(plan, activate=True)
                adapter = backend._network_read_adapter()
                found = adapter.lookup_subscriber(service.name)
                self.assertEqual(
                    (found["service_ref"], found["state"], found["profile"]),
                    (service.name, "active", profile),
                )
                self.assertIsNone(adapter.lookup_subscriber("NO-SUCH-REF"))

    def test_termination_asks_for_the_equipment_back(self):
        service = self._service(activate=True)
        ont, ip = self.env["telecom.network.equipment"].create(
            [
                {"kind": "ont", "serial": "ONT-9", "service_id": service.id},
                {"kind": "ip", "ip_address": "198.51.100.7", "service_id": service.id},
            ]
        )
        (ont | ip).action_install()
        service._telecom_request_terminate()
        self._process()
        self.assertEqual(service.state, "terminated")
        activity_type = self.env.ref("telecom_network.mail_activity_type_equipment_return")
        self.assertEqual(ont.activity_ids.activity_type_id, activity_type)
        self.assertEqual(ont.activity_ids.user_id, self.noc_user)
        self.assertFalse(ip.activity_ids, "an IP assignment is not shipped back")
        ont.action_return()
        self.assertFalse(ont.activity_ids)
