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
