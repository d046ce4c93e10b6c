import base64
import csv
import io

from odoo.tests import tagged

from odoo.addons.telecom_billing.tests.common import TelecomBillingCase

from .common import legacy_file


def _data(name):
    return base64.b64encode(legacy_file(name))


@tagged("post_install", "-at_install")
class TestParallelRun(TelecomBillingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.plan_fiber.default_code = "T-PR-FIBER"
        cls.accounts = {}
        for ref in ("PR-A", "PR-B", "PR-C"):
            partner = cls.env["res.partner"].create(
                {"name": f"T Parallel {ref}", "is_company": True, "ref": ref}
            )
            subscription = cls._subscription(partner, cycle_day=1)
            service = cls._service(subscription, cls.plan_fiber)
            service.circuit_id = ref.replace("PR-", "SVC-")
            cls._service_start(service)
            cls.accounts[ref] = subscription
        cls.parallel = cls.env["telecom.parallel.run"].create(
            {
                "name": "February parallel run",
                "period_start": "2026-02-01",
                "headers_file": _data("legacy_bills_headers.csv"),
                "lines_file": _data("legacy_bills_lines.csv"),
                "plan_map_file": _data("legacy_bills_codes.csv"),
            }
        )

    @classmethod
    def _service_start(cls, service):
        from freezegun import freeze_time

        with freeze_time("2026-02-01"):
            service._telecom_request_activate()

    def _account(self, ref):
        return self.parallel.account_ids.filtered(lambda a: a.legacy_account == ref)

    def test_compare_accounts_and_lines(self):
        self.parallel.action_compare()
        run = self.parallel
        self.assertEqual((run.line_tolerance, run.account_tolerance), (0.01, 10.0))
        self.assertEqual(
            (
                run.account_count,
                run.passed_count,
                run.differing_count,
                run.missing_ours_count,
                run.missing_legacy_count,
            ),
            (4, 1, 1, 1, 1),
        )
        matched = self._account("PR-A")
        self.assertEqual((matched.status, matched.passed), ("matched", True))
        self.assertEqual(matched.subscription_id, self.accounts["PR-A"])
        self.assertEqual(matched.line_ids.key, "SVC-A / T-PR-FIBER")
        self.assertAmount(matched.our_total, 55.00)
        over = self._account("PR-B")
        self.assertEqual((over.status, over.passed), ("differing", False))
        self.assertAmount(over.delta, -15.00)
        self.assertEqual(over.line_ids.status, "differing")
        self.assertEqual(self._account("PR-D").status, "missing_ours")
        self.assertAmount(self._account("PR-D").legacy_total, 30.00)
        ours_only = self._account("PR-C")
        self.assertEqual(ours_only.status, "missing_legacy")
        self.assertAmount(ours_only.our_total, 55.00)

    def test_tolerances(self):
        self.parallel.account_tolerance = 20.0
        self.parallel.action_compare()
        # the account total is within 20 but its line is not within 0.01: still failing
        self.assertFalse(self._account("PR-B").passed)
        self.parallel.line_tolerance = 15.0
        self.parallel.action_compare()
        self.assertTrue(self._account("PR-B").passed)

    def test_nothing_persisted_and_export(self):
        Move = self.env["account.move"]
        before = Move.search_count([])
        self.parallel.action_compare()
        self.assertEqual(Move.search_count([]), before)
        for subscription in self.accounts.values():
            self.assertFalse(subscription.invoice_ids)
            self.assertEqual(str(subscription.service_ids.charged_until), "2026-01-31")
        # the real bill run afterwards bills as if nothing happened
        run = self._bill(self.d(2026, 2, 1))
        self.assertAmount(self._invoice(run, self.accounts["PR-A"]).amount_total, 55.00)
        self.parallel.action_export_csv()
        rows = list(
            csv.DictReader(io.StringIO(base64.b64decode(self.parallel.export_file).decode()))
        )
        self.assertEqual(len(rows), 4)
        by_account = {row["legacy_account"]: row for row in rows}
        self.assertEqual(by_account["PR-B"]["line_delta"], "-15.00")
        self.assertEqual(by_account["PR-A"]["account_passed"], "1")
        self.parallel.action_export_xlsx()
        self.assertEqual(self.parallel.export_filename, "parallel-run-2026-02-01.xlsx")
        self.assertTrue(base64.b64decode(self.parallel.export_file).startswith(b"PK"))
