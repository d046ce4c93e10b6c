from datetime import timedelta

from odoo import fields
from odoo.tests import TransactionCase

from .platform_simulators import RestPlatformSimulator, SoapPlatformSimulator

REST_TOKEN = "Bearer rest-secret-token-42"
SOAP_PASSWORD = "soap-secret-pw-42"


class ProvisioningCase(TransactionCase):
    """A REST and a SOAP platform simulator on 127.0.0.1 and a backend for each."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rest = RestPlatformSimulator(
            credentials=("header", "Authorization", REST_TOKEN), prefix="REST"
        ).start()
        cls.addClassCleanup(cls.rest.stop)
        cls.soap = SoapPlatformSimulator(
            credentials=("basic", "bss", SOAP_PASSWORD), prefix="SOAP"
        ).start()
        cls.addClassCleanup(cls.soap.stop)
        cls.noc_user = cls.env["res.users"].create(
            {
                "name": "Nora NOC",
                "login": "nora.noc@example.com",
                "groups_id": [(6, 0, [cls.env.ref("telecom_catalog.group_telecom_noc").id])],
            }
        )
        cls.plain_user = cls.env["res.users"].create(
            {
                "name": "Ulysses User",
                "login": "ulysses.user@example.com",
                "groups_id": [(6, 0, [cls.env.ref("telecom_catalog.group_telecom_user").id])],
            }
        )
        Backend = cls.env["telecom.provisioning.backend"]
        # the tests own the queue: backends and open orders of the demo data step aside
        Backend.search([]).active = False
        cls.env["telecom.provisioning.order"].search(
            [("state", "in", ("queued", "running", "failed_retrying"))]
        ).state = "cancelled"
        common = {
            "connect_timeout": 1.0,
            "read_timeout": 1.0,
            "sync_timeout": 1.0,
            "retry_base_delay": 10.0,
            "retry_max_delay": 600.0,
            "retry_jitter": 0.25,
            "retry_max_attempts": 5,
            "max_concurrency": 4,
            "responsible_id": cls.noc_user.id,
        }
        cls.rest_backend = Backend.create(
            dict(
                common,
                name="Test REST platform",
                kind="rest",
                base_url=cls.rest.url + "/api/v1",
                auth_type="header",
                auth_header_name="Authorization",
                auth_token=REST_TOKEN,
                sequence=1,
            )
        )
        cls.soap_backend = Backend.create(
            dict(
                common,
                name="Test SOAP platform",
                kind="soap",
                wsdl_url=cls.soap.wsdl_url,
                auth_type="basic",
                username="bss",
                password=SOAP_PASSWORD,
                sequence=2,
                mapping_ids=[
                    (0, 0, {"kind": "field", "source": "service_ref", "target": "subscriberId",
                            "required": True}),
                    (0, 0, {"kind": "field", "source": "account_ref", "target": "accountId"}),
                    (0, 0, {"kind": "field", "source": "msisdn", "target": "msisdn"}),
                    (0, 0, {"kind": "field", "source": "plan_code", "target": "planCode"}),
                    (0, 0, {"kind": "field", "source": "addon_code", "target": "featureCode"}),
                    (0, 0, {"kind": "field", "source": "reason", "target": "reason"}),
                    (0, 0, {"kind": "field", "source": "keep_emergency_calling",
                            "target": "keepEmergencyCalling"}),
                    (0, 0, {"kind": "field", "source": "download_mbps", "target": "downloadMbps"}),
                    (0, 0, {"kind": "field", "action": "change_plan", "source": "new_plan_code",
                            "target": "planCode"}),
                    (0, 0, {"kind": "constant", "target": "channel", "value": "BSS"}),
                ],
            )
        )  # fmt: skip

    def setUp(self):
        super().setUp()
        self.rest.reset()
        self.soap.reset()
        self.rest.set_default("ok")
        self.soap.set_default("ok")

    # ------------------------------------------------------------
    # helpers
    # ------------------------------------------------------------

    def _order(self, backend=None, action="activate", payload=None, **values):
        vals = {
            "backend_id": (backend or self.rest_backend).id,
            "action": action,
            "payload": payload if payload is not None else {"service_ref": "SVC-1"},
        }
        vals.update(values)
        return self.env["telecom.provisioning.order"].create(vals)

    def _process(self, batch_size=200):
        return self.env["telecom.provisioning.order"]._cron_process_orders(batch_size=batch_size)

    def _make_due(self, orders):
        """Time passes: the orders' backoff delay is over."""
        orders.write({"next_retry_at": fields.Datetime.now() - timedelta(seconds=1)})


class ProvisioningServiceCase(ProvisioningCase):
    """Plus plans with provisioning attributes, a subscription and routing: mobile and
    broadband on the REST platform, VoIP on the SOAP platform."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        ServiceType = cls.env["telecom.provisioning.service.type"]
        cls.rest_backend.service_type_ids = ServiceType.search(
            [("code", "in", ("mobile", "broadband"))]
        )
        cls.soap_backend.service_type_ids = ServiceType.search([("code", "=", "voip")])
        Attribute = cls.env["telecom.attribute"]

        def attribute(code, value_type):
            return Attribute.search([("code", "=", code)]) or Attribute.create(
                {"name": code.replace("_", " ").title(), "code": code, "value_type": value_type}
            )

        cls.attr_download = attribute("download_mbps", "integer")
        cls.attr_profile = attribute("network_profile", "char")

        def plan(name, code, service_type, regulatory_class, attributes=()):
            product = cls.env["product.product"].create(
                {
                    "name": name,
                    "default_code": code,
                    "type": "service",
                    "list_price": 50.0,
                    "telecom_service_type": service_type,
                    "telecom_regulatory_class": regulatory_class,
                    "taxes_id": [(6, 0, [])],
                }
            )
            for attr, value in attributes:
                cls.env["telecom.attribute.value"].create(
                    {
                        "product_tmpl_id": product.product_tmpl_id.id,
                        "attribute_id": attr.id,
                        "value": value,
                    }
                )
            return product

        cls.plan_fiber_300 = plan(
            "P Fiber 300",
            "FIB-300",
            "broadband",
            "info_service",
            [(cls.attr_download, "300"), (cls.attr_profile, "FTTH-300")],
        )
        cls.plan_fiber_1g = plan(
            "P Fiber 1G",
            "FIB-1G",
            "broadband",
            "info_service",
            [(cls.attr_download, "1000"), (cls.attr_profile, "FTTH-1G")],
        )
        cls.plan_mobile = plan("P Mobile Unlimited", "MOB-UNL", "mobile", "interstate")
        cls.plan_voip = plan("P VoIP Line", "VOIP-1", "voip", "voip")
        cls.plan_tv = plan("P TV Basic", "TV-1", "tv", "info_service")
        cls.addon_static_ip = cls.env["product.product"].create(
            {
                "name": "P Static IP",
                "default_code": "ADD-STATIC-IP",
                "type": "service",
                "list_price": 10.0,
                "telecom_service_type": "addon",
                "telecom_regulatory_class": "info_service",
            }
        )
        cls.customer = cls.env["res.partner"].create(
            {
                "name": "P Customer",
                "street": "1 Main St",
                "city": "Sacramento",
                "zip": "95814",
                "state_id": cls.env.ref("base.state_us_5").id,
                "country_id": cls.env.ref("base.us").id,
            }
        )
        cls.subscription = cls.env["telecom.subscription"].create(
            {"partner_id": cls.customer.id, "bill_cycle_day": 1}
        )

    def _service(self, plan=None, activate=False):
        service = self.env["telecom.service"].create(
            {
                "subscription_id": self.subscription.id,
                "product_id": (plan or self.plan_fiber_300).id,
                "service_address_id": self.customer.id,
            }
        )
        if activate:
            service._telecom_request_activate()
            self.assertEqual(service.state, "active", "activated at once by the platform")
        return service

    def _orders(self, service, action=None):
        orders = self.env["telecom.provisioning.order"].search(
            [("service_id", "=", service.id)], order="id"
        )
        return orders.filtered(lambda o: o.action == action) if action else orders
