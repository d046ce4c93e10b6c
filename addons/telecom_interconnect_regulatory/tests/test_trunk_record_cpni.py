import csv
import io
import json

from odoo import http
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tests.common import JsonRpcException
from odoo.tools import mute_logger

from odoo.addons.telecom_interconnect.tests.common import TelecomInterconnectCase

CARRIER_CALLER = "+13035550100"  # a customer of the other carrier: not ours


@tagged("post_install", "-at_install")
class TestTrunkRecordCpni(TelecomInterconnectCase, HttpCase):
    """The numbers of trunk records are our customers' CPNI: staff without the CPNI group are
    refused them over RPC and in exports; CPNI Authorized staff read them, and each look is
    in the CPNI access log of the customer holding the number."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.service = cls._service(cls._subscription(), cls.plan_basic, "2026-03-01")
        cls.number = cls.service.number_ids[:1].name
        rows = [
            cls._row("2026-03-02T10:00:00Z", cls.number, record_id="T-IC-1"),
            cls._row("2026-03-02T11:00:00Z", cls.number, trunk_group="NOPE", record_id="T-IC-R"),
        ]
        cls.usage_file = cls.env["telecom.usage.file"].create(
            {"telecom_file_kind": "interconnect", "filename": "trunks.csv"}
        )
        cls.usage_file._telecom_import(cls._csv(rows))
        cls.cdr = cls.env["telecom.interconnect.cdr"].search([("name", "=", "T-IC-1")])
        cls.reject = cls.usage_file.reject_ids
        cls.billing_user = new_test_user(
            cls.env,
            login="t_ic_billing",
            groups="telecom_catalog.group_telecom_billing,base.group_allow_export",
        )
        cls.cpni_user = new_test_user(
            cls.env,
            login="t_ic_cpni",
            groups="telecom_catalog.group_telecom_billing,telecom_catalog.group_telecom_cpni,"
            "base.group_allow_export",
        )

    def _logs(self, user, needle="Interconnect Call Record"):
        return self.env["telecom.cpni.access.log"].search(
            [("user_id", "=", user.id), ("data_viewed", "ilike", needle)]
        )

    def _rpc(self, method, *args, model="telecom.interconnect.cdr", **kwargs):
        return self.make_jsonrpc_request(
            "/web/dataset/call_kw",
            {"model": model, "method": method, "args": list(args), "kwargs": kwargs},
        )

    def _export_csv(self, field):
        data = {
            "model": "telecom.interconnect.cdr",
            "fields": [{"name": "name", "label": "Record Id"}, {"name": field, "label": field}],
            "ids": self.cdr.ids,
            "domain": [],
            "import_compat": False,
        }
        with mute_logger("odoo.addons.web.controllers.export", "odoo.http"):
            return self.url_open(
                "/web/export/csv",
                data={"data": json.dumps(data), "csrf_token": http.Request.csrf_token(self)},
            )

    def test_fixtures(self):
        self.assertEqual(len(self.cdr), 1)
        self.assertEqual(self.cdr.called_number, self.number)
        self.assertEqual(self.cdr.calling_number, CARRIER_CALLER)
        self.assertEqual(len(self.reject), 1)
        self.assertEqual(self.reject.service_ref, "NOPE")

    def test_rpc_and_export_without_cpni_rights_are_refused(self):
        self.authenticate("t_ic_billing", "t_ic_billing")
        # settlement work: trunk, minutes and charge, without the numbers and without a log
        row = self._rpc("read", self.cdr.ids, ["trunk_group", "billable_seconds", "charge"])[0]
        self.assertEqual((row["trunk_group"], row["billable_seconds"]), ("ACME-01", 60))
        for fields in (["called_number"], ["calling_number"]):
            with self.subTest(fields=fields), self.assertRaises(JsonRpcException):
                self._rpc("read", self.cdr.ids, fields)
            with self.subTest(fields=fields), self.assertRaises(JsonRpcException):
                self._rpc("web_search_read", [], {fields[0]: {}})
        with self.assertRaises(JsonRpcException):
            self._rpc("read", self.reject.ids, ["calling_number"], model="telecom.usage.reject")
        response = self._export_csv("called_number")
        self.assertNotIn(self.number, response.text)
        self.assertFalse(
            self.env["telecom.cpni.access.log"].search([("user_id", "=", self.billing_user.id)])
        )

    def test_rpc_read_with_cpni_rights_is_logged_for_the_customer(self):
        self.authenticate("t_ic_cpni", "t_ic_cpni")
        self._rpc("read", self.cdr.ids, ["trunk_group", "charge"])
        self.assertFalse(self._logs(self.cpni_user), "no numbers read, nothing logged")
        row = self._rpc("read", self.cdr.ids, ["called_number", "calling_number"])[0]
        self.assertEqual(row["called_number"], self.number)
        log = self._logs(self.cpni_user)
        self.assertEqual(log.partner_id, self.customer, "the caller is not ours: one customer")
        self.assertEqual(log.channel, "backend")
        self.assertIn("Called Number", log.data_viewed)
        result = self._rpc("web_search_read", [("id", "=", self.cdr.id)], {"called_number": {}})
        self.assertEqual(result["records"][0]["called_number"], self.number)
        self.assertEqual(len(self._logs(self.cpni_user)), 2)

    def test_export_with_cpni_rights_is_logged(self):
        self.authenticate("t_ic_cpni", "t_ic_cpni")
        response = self._export_csv("called_number")
        self.assertEqual(response.status_code, 200)
        rows = list(csv.reader(io.StringIO(response.text)))
        # the CSV export quotes a leading "+" against spreadsheet formulas
        self.assertEqual(rows[1], ["T-IC-1", f"'{self.number}"])
        log = self._logs(self.cpni_user)
        self.assertEqual(log.partner_id, self.customer)
        self.assertEqual(log.reason, "Exported")

    def test_rejected_trunk_record_read_is_logged_for_the_customer(self):
        self.authenticate("t_ic_cpni", "t_ic_cpni")
        row = self._rpc(
            "read",
            self.reject.ids,
            ["called_number", "calling_number"],
            model="telecom.usage.reject",
        )[0]
        self.assertTrue(row["called_number"])
        log = self._logs(self.cpni_user, "Rejected Usage Record")
        self.assertEqual(log.partner_id, self.customer)

    def test_customers_found_in_a_constant_number_of_queries(self):
        """The customers of a recordset are found set-based: as many queries for ten trunk
        records of ten customers as for one."""
        customers = self.env["res.partner"].create(
            [{"name": f"T IC Customer {i}", "is_company": True} for i in range(10)]
        )
        services = [
            self._service(self._subscription(customer), self.plan_basic, "2026-03-01")
            for customer in customers
        ]
        rows = [
            self._row("2026-03-03T10:00:00Z", service.number_ids[:1].name, record_id=f"T-ICN-{i}")
            for i, service in enumerate(services)
        ]
        self._import(rows)
        records = self.env["telecom.interconnect.cdr"].search([("name", "like", "T-ICN-")])
        self.assertEqual(len(records), 10)

        one, queries_one = self._customers_and_queries(records[:1])
        every, queries_every = self._customers_and_queries(records)
        self.assertEqual(len(one), 1)
        self.assertEqual(every, customers)
        self.assertEqual(queries_every, queries_one)

    def _customers_and_queries(self, records):
        self.env.invalidate_all()
        start = self.cr.sql_log_count
        customers = records._telecom_cpni_customers()
        return customers, self.cr.sql_log_count - start
