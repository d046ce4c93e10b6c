from odoo.tests import tagged

from .common import NetworkCase


@tagged("post_install", "-at_install")
class TestNetworkIdentity(NetworkCase):
    """The platform's ids of a service are kept per backend and sent by later orders."""

    def test_activation_keeps_the_platform_ids_and_later_orders_send_them(self):
        service = self._service(activate=True)
        xref = service.network_xref_ids
        self.assertEqual(len(xref), 1)
        platform_id = self.rest.subscribers[service.name]["platform_id"]
        self.assertEqual(
            (xref.backend_id, xref.subscriber_ref, xref.source),
            (self.rest_backend, platform_id, "order"),
        )
        self.assertEqual(xref.last_order_id, self._orders(service, "activate"))
        # searchable: a NOC agent finds the service by the platform's id
        found = self.env["telecom.service"].search([("network_subscriber_ref", "=", platform_id)])
        self.assertEqual(found, service)
        # a later order carries the id instead of deriving it again
        service._telecom_request_suspend()
        self._process()
        self.assertEqual(self.rest.last_payload("suspend")["platform_subscriber_id"], platform_id)
        self.assertEqual(len(service.network_xref_ids), 1, "one identity per service and backend")

    def test_migration_imports_the_ids(self):
        service = self._service()
        result = self.env["telecom.network.xref"].load(
            ["service_id/.id", "backend_id/.id", "subscriber_ref", "circuit_ref", "source"],
            [[str(service.id), str(self.rest_backend.id), "LEGACY-77", "CKT-9", "migration"]],
        )
        self.assertFalse(result["messages"])
        service._telecom_request_activate()
        payload = self.rest.last_payload("activate")
        self.assertEqual(
            (payload["platform_subscriber_id"], payload["platform_circuit_id"]),
            ("LEGACY-77", "CKT-9"),
        )
