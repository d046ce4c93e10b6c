"""The adapters on their own, against the local simulators: HTTP/SOAP answers → results."""

import email.utils
import time

from odoo.tests import BaseCase, tagged

from ..adapters import AdapterConfig, PermanentError, RetryableError, adapter_class
from ..adapters.base import BaseAdapter
from ..adapters.rest import parse_retry_after
from .platform_simulators import Behaviour, RestPlatformSimulator, SoapPlatformSimulator


@tagged("post_install", "-at_install")
class TestAdapters(BaseCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rest = RestPlatformSimulator(credentials=("basic", "bss", "pw-1")).start()
        cls.addClassCleanup(cls.rest.stop)
        cls.soap = SoapPlatformSimulator().start()
        cls.addClassCleanup(cls.soap.stop)
        config = AdapterConfig(
            name="rest",
            kind="rest",
            base_url=cls.rest.url + "/v2/",
            auth_type="basic",
            username="bss",
            password="pw-1",
            read_timeout=0.5,
        )
        cls.rest_adapter = adapter_class("rest")(config)
        cls.soap_adapter = adapter_class("soap")(
            AdapterConfig(name="soap", kind="soap", wsdl_url=cls.soap.wsdl_url, read_timeout=0.5)
        )

    def setUp(self):
        super().setUp()
        self.rest.reset()
        self.soap.reset()

    def _rest_error(self, key="k"):
        with self.assertRaises((RetryableError, PermanentError)) as caught:
            self.rest_adapter.call("suspend", {"subscriber_id": "S1"}, key)
        return caught.exception

    def test_rest_success_and_replay(self):
        result = self.rest_adapter.call("activate", {"subscriber_id": "S1", "plan": "P"}, "key-1")
        self.assertEqual(result.reference, "NET-000001")
        self.assertEqual(result.http_status, 200)
        self.assertFalse(result.replayed)
        again = self.rest_adapter.call("activate", {"subscriber_id": "S1", "plan": "P"}, "key-1")
        self.assertTrue(again.replayed)
        self.assertEqual(again.reference, "NET-000001")
        self.assertEqual(self.rest.count(), 1, "the replay provisioned nothing")
        self.assertEqual(self.rest.requests[0]["headers"]["Idempotency-Key"], "key-1")

    def test_rest_status_mapping(self):
        cases = [
            ("error_5xx", {}, RetryableError, "http_5xx", 503),
            ("rate_limited", {"retry_after": 7}, RetryableError, "RATE_LIMITED", 429),
            ("transient", {}, RetryableError, "NETWORK_BUSY", 503),
            ("permanent", {}, PermanentError, "INVALID_PLAN", 422),
            ("permanent", {"status": 404, "code": ""}, PermanentError, "http_4xx", 404),
        ]
        for kind, kwargs, error_class, code, status in cases:
            with self.subTest(kind=kind, status=status):
                self.rest.behave(Behaviour(kind=kind, **kwargs))
                error = self._rest_error(key=f"k-{kind}-{status}")
                self.assertIsInstance(error, error_class)
                self.assertEqual((error.code, error.http_status), (code, status))
        self.assertEqual(self.rest.count(), 0)

    def test_rest_retry_after(self):
        self.rest.behave("rate_limited", retry_after=42)
        error = self._rest_error()
        self.assertEqual(error.retry_after, 42.0)
        moment = email.utils.formatdate(time.time() + 90, usegmt=True)
        self.assertAlmostEqual(parse_retry_after(moment), 90, delta=2)
        self.assertIsNone(parse_retry_after("soon"))

    def test_rest_timeout_and_refused(self):
        self.rest.behave("timeout", delay=1.0)
        error = self._rest_error(key="slow")
        self.assertIsInstance(error, RetryableError)
        self.assertEqual(error.code, "timeout")
        self.assertGreaterEqual(error.duration_ms, 450)
        down = adapter_class("rest")(
            AdapterConfig(name="down", kind="rest", base_url="http://127.0.0.1:9", read_timeout=0.5)
        )
        with self.assertRaises(RetryableError) as caught:
            down.call("activate", {}, "k")
        self.assertEqual(caught.exception.code, "connection_refused")

    def test_rest_wrong_credentials_are_permanent(self):
        wrong = adapter_class("rest")(
            AdapterConfig(
                name="rest",
                kind="rest",
                base_url=self.rest.url,
                auth_type="basic",
                username="bss",
                password="wrong-password",
            )
        )
        with self.assertRaises(PermanentError) as caught:
            wrong.call("activate", {"subscriber_id": "S1"}, "k")
        self.assertEqual(caught.exception.code, "UNAUTHORIZED")
        self.assertNotIn("wrong-password", caught.exception.request_summary)

    def test_secrets_are_masked(self):
        result = self.rest_adapter.call(
            "activate", {"subscriber_id": "S1", "port_out_pin": "8812", "note": "pw-1"}, "k"
        )
        self.assertNotIn("8812", result.request_summary)
        self.assertNotIn("pw-1", result.request_summary, "configured secrets are masked anywhere")
        self.assertIn('"port_out_pin": "***"', result.request_summary)
        self.assertIn("S1", result.request_summary)
        self.assertEqual(
            BaseAdapter.masked_data({"a": {"apiKey": "x", "shipping": "y"}}),
            {"a": {"apiKey": "***", "shipping": "y"}},
        )

    def test_soap_success_fault_and_schema(self):
        payload = {"subscriberId": "S9", "planCode": "P1", "keepEmergencyCalling": True}
        result = self.soap_adapter.call("suspend", payload, "soap-1")
        self.assertEqual(result.reference, "NET-000001")
        self.assertEqual(self.soap.last_payload("suspend")["keepEmergencyCalling"], True)
        self.assertTrue(self.soap_adapter.call("suspend", payload, "soap-1").replayed)
        self.soap.behave("permanent", code="SUBSCRIBER_NOT_FOUND")
        with self.assertRaises(PermanentError) as caught:
            self.soap_adapter.call("terminate", {"subscriberId": "S0"}, "soap-2")
        self.assertEqual(caught.exception.code, "SUBSCRIBER_NOT_FOUND")
        self.soap.behave("transient")
        with self.assertRaises(RetryableError) as caught:
            self.soap_adapter.call("terminate", {"subscriberId": "S0"}, "soap-3")
        self.assertEqual(caught.exception.code, "NETWORK_BUSY")
        self.soap.behave("error_5xx")
        with self.assertRaises(RetryableError) as caught:
            self.soap_adapter.call("terminate", {"subscriberId": "S0"}, "soap-4")
        self.assertEqual(caught.exception.code, "http_5xx")
        with self.assertRaises(PermanentError) as caught:
            self.soap_adapter.call("activate", {"subscriberId": "S0", "colour": "red"}, "soap-5")
        self.assertEqual(caught.exception.code, "mapping_error")
        with self.assertRaises(PermanentError) as caught:
            self.soap_adapter.call("activate", {"subscriberId": "S0"}, "k", endpoint="Nope")
        self.assertEqual(caught.exception.code, "mapping_error")
        self.assertEqual(self.soap.count(), 1)

    # ------------------------------------------------------------
    # read side: the same platform state read over REST and over SOAP
    # ------------------------------------------------------------

    def _seed_read_side(self, platform):
        platform.seed(
            {
                f"SVC-{n}": {
                    "profile": "FTTH-300",
                    "speed_mbps": 300,
                    "features": ["VOICEMAIL", "STATIC-IP"],
                    "msisdn": f"+1916555000{n}",
                    "iccid": f"8901000000000000{n}",
                    "activated_on": "2026-11-20",
                }
                for n in range(5)
            }
        )
        platform.seed({"SVC-2": {"state": "suspended"}})
        platform.seed_inventory(
            "SVC-1",
            [
                {"inventory_id": "INV-1", "kind": "ont", "serial": "ALCL1", "mac": "00:11"},
                {"inventory_id": "INV-2", "kind": "vlan", "vlan": 412},
            ],
        )
        platform.outages.append(
            {"id": "MON-1", "name": "OLT down", "start": "2026-03-01 02:00:00", "end": None,
             "zips": ["95814", "95816"], "service_refs": ["SVC-1"],
             "updated": "2026-03-01 02:05:00"}
        )  # fmt: skip

    def _read_everything(self, adapter, limit=2):
        pages, cursor = [], None
        while True:
            items, cursor = adapter.list_subscribers(cursor, limit)
            pages.append(items)
            if not cursor:
                return pages

    def test_read_side_rest_and_soap_give_the_same_records(self):
        for platform in (self.rest, self.soap):
            self._seed_read_side(platform)
        rest_pages = self._read_everything(self.rest_adapter)
        soap_pages = self._read_everything(self.soap_adapter)
        self.assertEqual([len(page) for page in soap_pages], [2, 2, 1], "paged by cursor")
        self.assertEqual(soap_pages, rest_pages)
        first = soap_pages[0][0]
        self.assertEqual(
            first,
            {"service_ref": "SVC-0", "subscriber_id": "NET-SVC-0", "state": "active",
             "profile": "FTTH-300", "speed_mbps": 300, "features": ["STATIC-IP", "VOICEMAIL"],
             "msisdn": "+19165550000", "iccid": "89010000000000000",
             "activated_on": "2026-11-20"},
        )  # fmt: skip
        self.assertEqual(soap_pages[1][0]["state"], "suspended")
        for adapter in (self.rest_adapter, self.soap_adapter):
            self.assertEqual(adapter.lookup_subscriber("SVC-3"), soap_pages[1][1])
            self.assertIsNone(adapter.lookup_subscriber("NO-SUCH-REF"))
        inventory = self.soap_adapter.list_inventory("SVC-1")
        self.assertEqual(inventory, self.rest_adapter.list_inventory("SVC-1"))
        self.assertEqual(
            [(i["inventory_id"], i["serial"], i["vlan"]) for i in inventory],
            [("INV-1", "ALCL1", None), ("INV-2", None, 412)],
        )
        self.assertEqual(self.soap_adapter.list_inventory("SVC-0"), [])
        outages = self.soap_adapter.list_outages(None)
        self.assertEqual(outages, self.rest_adapter.list_outages(None))
        self.assertEqual(
            (outages[0]["start"], outages[0]["end"], outages[0]["zips"]),
            ("2026-03-01 02:00:00", None, ["95814", "95816"]),
        )
        self.assertEqual(self.soap_adapter.list_outages("2026-03-01 02:06:00"), [])

    def test_soap_read_rate_limited_and_failing(self):
        self.soap.behave_read("rate_limited", retry_after=3)
        with self.assertRaises(RetryableError) as caught:
            self.soap_adapter.list_subscribers(None, 2)
        self.assertEqual((caught.exception.code, caught.exception.retry_after), ("http_429", 3.0))
        self.assertIn("ListSubscribers", caught.exception.request_summary)
        self.soap.behave_read("error_5xx")
        with self.assertRaises(RetryableError) as caught:
            self.soap_adapter.list_subscribers(None, 2)
        self.assertEqual(caught.exception.code, "http_5xx")

    def test_soap_platform_without_read_operations(self):
        with SoapPlatformSimulator(read_api=False) as old_platform:
            adapter = adapter_class("soap")(
                AdapterConfig(name="old", kind="soap", wsdl_url=old_platform.wsdl_url)
            )
            with self.assertRaises(PermanentError) as caught:
                adapter.list_subscribers()
            self.assertEqual(caught.exception.code, "no_read_api")
            self.assertIn("no operation ListSubscribers", caught.exception.message)

    def test_a_platform_repeating_its_cursor_is_stopped(self):
        class Looping(BaseAdapter):
            def _subscriber_page(self, cursor, limit):
                return [{"serviceRef": "A", "state": "active"}], "A"

        adapter = Looping(AdapterConfig(name="loop", kind="loop"))
        items, cursor = adapter.list_subscribers(None, 5000)
        self.assertEqual((items[0]["service_ref"], cursor), ("A", "A"))
        with self.assertRaises(PermanentError) as caught:
            adapter.list_subscribers(cursor)
        self.assertEqual(caught.exception.code, "cursor_loop")

    def test_registry(self):
        self.assertEqual(adapter_class("rest").kind, "rest")
        self.assertEqual(adapter_class("soap").kind, "soap")
        with self.assertRaises(KeyError):
            adapter_class("corba")
