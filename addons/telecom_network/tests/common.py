from odoo.addons.telecom_provisioning.tests.common import ProvisioningServiceCase


class NetworkCase(ProvisioningServiceCase):
    """The provisioning fixtures (REST and SOAP platform simulators on 127.0.0.1, plans,
    a subscription) plus reconciliation helpers.

    ``platform_kind`` names the platform broadband and mobile services are provisioned on and
    reconciled against (``self.platform``, ``self.backend``): the REST one, or with ``"soap"``
    the SOAP one (VoIP then goes to the REST platform)."""

    platform_kind = "rest"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if cls.platform_kind == "soap":
            rest_types = cls.rest_backend.service_type_ids
            cls.rest_backend.service_type_ids = cls.soap_backend.service_type_ids
            cls.soap_backend.service_type_ids = rest_types
            cls.soap_backend.mapping_ids = [
                (0, 0, {"kind": "field", "source": "network_profile", "target": "profile"})
            ]
            cls.platform, cls.backend = cls.soap, cls.soap_backend
        else:
            cls.platform, cls.backend = cls.rest, cls.rest_backend
        cls.backend.reconcile_page_size = 2
        # a network profile of the 1 Gb/s plan bills 30.00 a month more than the 300 Mb/s one
        cls.plan_fiber_1g.lst_price = 80.0

    def _reconcile(self, backend=None, **values):
        run = self.env["telecom.network.reconciliation"].create(
            dict({"backend_id": (backend or self.backend).id, "source": "api"}, **values)
        )
        run.action_start()
        run._telecom_run_to_end()
        return run

    def _findings(self, state="open"):
        """Open network findings of this test's account (demo services are not ours)."""
        return self.env["telecom.ra.finding"].search(
            [
                ("check", "like", "net_"),
                ("state", "=", state),
                ("subscription_id", "in", [self.subscription.id, False]),
                ("backend_id", "=", self.backend.id),
            ]
        )
