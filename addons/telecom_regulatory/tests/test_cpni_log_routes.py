import base64
import csv
import io

from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.telecom_usage.models.telecom_usage_file import CDR_COLUMNS

from .common import TelecomRegulatoryCase

CALLED = "+12125550188"


@tagged("post_install", "-at_install")
class TestCpniLogRoutes(TelecomRegulatoryCase, HttpCase):
    """Every staff look at CPNI reaches the access log whatever the route: the service mix
    read over RPC, a rejected row's call detail, the raw CDR file and an invoice's call detail
    downloaded by URL or read as an attachment. Driven by the declaration
    (``_telecom_cpni_fields``), attachments included."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.service = cls._service(cls._subscription(), cls.plan_basic, "2025-03-01")
        number = cls.service.number_ids[:1].name
        out = io.StringIO()
        writer = csv.DictWriter(out, CDR_COLUMNS, lineterminator="\n")
        writer.writeheader()
        row = dict.fromkeys(CDR_COLUMNS, "")
        row.update(
            record_id="T-LOG-REJ",
            service=number,
            start_time="2025-03-05T10:00:00Z",
            duration="1.5",  # rejected: the row of a known line, kept with its call detail
            called_number=CALLED,
            direction="out",
            usage_type="voice",
        )
        writer.writerow(row)
        cls.usage_file = cls.env["telecom.usage.file"]._telecom_import_csv(out.getvalue().encode())
        cls.reject = cls.usage_file.reject_ids
        cls.invoice = cls.env["account.move"].create(
            {"move_type": "out_invoice", "partner_id": cls.customer.id}
        )
        cls.invoice.telecom_call_detail_file = base64.b64encode(
            f"record_id,called_number\nT-LOG-1,{CALLED}\n".encode()
        )
        cls.call_detail = (
            cls.env["ir.attachment"]
            .sudo()
            .search(
                [
                    ("res_model", "=", "account.move"),
                    ("res_id", "=", cls.invoice.id),
                    ("res_field", "=", "telecom_call_detail_file"),
                ]
            )
        )
        groups = (
            "telecom_catalog.group_telecom_billing,telecom_catalog.group_telecom_cpni,"
            "account.group_account_invoice"
        )
        cls.cpni_user = new_test_user(cls.env, login="t_log_cpni", groups=groups)
        cls.billing_user = new_test_user(
            cls.env, login="t_log_billing", groups="telecom_catalog.group_telecom_billing"
        )

    def _logs(self, user, needle):
        return self.env["telecom.cpni.access.log"].search(
            [
                ("user_id", "=", user.id),
                ("partner_id", "=", self.customer.id),
                ("data_viewed", "ilike", needle),
            ]
        )

    def _rpc(self, model, method, *args, **kwargs):
        return self.make_jsonrpc_request(
            "/web/dataset/call_kw",
            {"model": model, "method": method, "args": list(args), "kwargs": kwargs},
        )

    def test_fixtures(self):
        self.assertEqual(len(self.reject), 1)
        self.assertEqual(self.reject.service_ref, self.service.number_ids[:1].name)
        self.assertEqual(len(self.call_detail), 1)

    def test_service_mix_read_by_billing_is_logged(self):
        self.authenticate("t_log_billing", "t_log_billing")
        self._rpc("telecom.service", "read", self.service.ids, ["state"])
        self.assertFalse(self._logs(self.billing_user, "Telecom Service Line"))
        self._rpc("telecom.service", "read", self.service.ids, ["product_id"])
        log = self._logs(self.billing_user, "Telecom Service Line")
        self.assertEqual(len(log), 1)
        self.assertIn("Plan", log.data_viewed)
        self._rpc("telecom.service.addon", "search_read", [("service_id", "=", self.service.id)])
        self._rpc(
            "telecom.service.history",
            "web_search_read",
            [("service_id", "=", self.service.id)],
            {"new_plan_id": {}},
        )
        self.assertTrue(self._logs(self.billing_user, "Telecom Service History"))

    def test_reject_read_is_logged_for_the_customer_of_its_line(self):
        self.authenticate("t_log_cpni", "t_log_cpni")
        row = self._rpc("telecom.usage.reject", "read", self.reject.ids, ["called_number"])[0]
        self.assertEqual(row["called_number"], CALLED)
        self.assertTrue(self._logs(self.cpni_user, "Rejected Usage Record"))

    def test_downloads_are_logged(self):
        self.authenticate("t_log_cpni", "t_log_cpni")
        response = self.url_open(f"/web/content/telecom.usage.file/{self.usage_file.id}/file")
        self.assertEqual(response.status_code, 200)
        self.assertIn(CALLED, response.text)
        self.assertEqual(len(self._logs(self.cpni_user, "Usage (CDR) File")), 1)
        response = self.url_open(f"/web/content/{self.call_detail.id}?download=true")
        self.assertEqual(response.status_code, 200)
        self.assertIn(CALLED, response.text)
        log = self._logs(self.cpni_user, "Call Detail")
        self.assertEqual(len(log), 1)
        self.assertEqual(log.reason, "Downloaded")
        # the attachment read over RPC, as the attachment widget would
        self._rpc("ir.attachment", "read", self.call_detail.ids, ["raw"])
        self.assertEqual(len(self._logs(self.cpni_user, "Call Detail")), 2)
        # by the invoice's field
        self.url_open(f"/web/content/account.move/{self.invoice.id}/telecom_call_detail_file")
        self.assertEqual(len(self._logs(self.cpni_user, "Call Detail")), 3)
