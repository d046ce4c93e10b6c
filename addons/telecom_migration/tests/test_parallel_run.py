import base64
import csv
import io

from odoo.exceptions import UserError
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
        for ref in ("PR-A", "PR-B", "PR-C", "PR-E"):
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

    def test_compare_accounts_lines_and_bands(self):
        self.parallel.action_compare()
        run = self.parallel
        self.assertEqual((run.match_tolerance, run.review_ceiling), (0.01, 10.0))
        self.assertEqual(
            (
                run.account_count,
                run.passed_count,
                run.review_count,
                run.investigate_count,
                run.missing_ours_count,
                run.missing_legacy_count,
            ),
            (5, 1, 1, 3, 1, 1),
        )
        matched = self._account("PR-A")
        self.assertEqual((matched.status, matched.band, matched.passed), ("matched", "match", True))
        self.assertEqual(matched.subscription_id, self.accounts["PR-A"])
        self.assertEqual(matched.line_ids.key, "SVC-A / T-PR-FIBER")
        self.assertEqual(matched.line_ids.line_type, "plan")
        self.assertAmount(matched.our_total, 55.00)
        # $15 over: above the review ceiling, to investigate
        over = self._account("PR-B")
        self.assertEqual((over.status, over.band, over.passed), ("differing", "investigate", False))
        self.assertAmount(over.delta, -15.00)
        self.assertEqual(over.line_ids.band, "investigate")
        # $5 of a tax type the bill run does not charge: to review, never a pass
        review = self._account("PR-E")
        self.assertEqual((review.band, review.passed), ("review", False))
        tax = review.line_ids.filtered(lambda line: line.line_type == "tax")
        self.assertEqual(
            (tax.key, tax.tax_type, tax.status, tax.band),
            ("TAX / federal_usf", "federal_usf", "missing_ours", "review"),
        )
        self.assertEqual(
            review.line_ids.filtered(lambda line: line.line_type == "plan").band, "match"
        )
        self.assertEqual(self._account("PR-D").status, "missing_ours")
        self.assertEqual(self._account("PR-D").band, "investigate")
        self.assertAmount(self._account("PR-D").legacy_total, 30.00)
        ours_only = self._account("PR-C")
        self.assertEqual((ours_only.status, ours_only.band), ("missing_legacy", "investigate"))
        self.assertAmount(ours_only.our_total, 55.00)

    def test_bands_follow_the_settings(self):
        self.parallel.review_ceiling = 20.0
        self.parallel.action_compare()
        self.assertEqual(self._account("PR-B").band, "review")
        self.assertFalse(self._account("PR-B").passed)
        self.parallel.match_tolerance = 15.0
        self.parallel.action_compare()
        self.assertEqual(self._account("PR-B").band, "match")
        self.assertTrue(self._account("PR-B").passed)

    def test_golive_checklist(self):
        batch = self.env["telecom.migration.batch"].create({"name": "T go-live", "state": "done"})
        late = self._subscription(
            self.env["res.partner"].create({"name": "T Cycle 15", "ref": "PR-15"}), cycle_day=15
        )
        self._service_start(self._service(late, self.plan_fiber))
        self.env["telecom.migration.map"].create(
            [
                {
                    "company_id": self.env.company.id,
                    "kind": "subscription",
                    "legacy_id": f"T-GL-{subscription.id}",
                    "res_model": "telecom.subscription",
                    "res_id": subscription.id,
                    "batch_id": batch.id,
                }
                for subscription in [*self.accounts.values(), late]
            ]
        )
        self.assertFalse(batch.check_coverage)
        with self.assertRaisesRegex(UserError, "accounts never compared: 5"):
            batch.action_sign_off()
        self.parallel.batch_id = batch
        self.parallel.action_compare()
        batch.invalidate_recordset()
        self.assertEqual((batch.cycle_days_uncovered, batch.never_compared_count), ("15", 1))
        self.assertEqual(batch.open_investigation_count, 3)
        self.assertTrue(batch.check_balances)
        with self.assertRaisesRegex(UserError, "3 parallel-run account"):
            batch.action_sign_off()
        # the cycle-15 account compared for a full cycle, every investigation closed
        self.env["telecom.parallel.run"].create(
            {
                "name": "Cycle 15",
                "period_start": "2026-02-15",
                "batch_id": batch.id,
                "headers_file": _data("legacy_bills_headers.csv"),
            }
        ).action_compare()
        investigate = (batch.parallel_run_ids.account_ids).filtered(
            lambda a: a.band == "investigate"
        )
        with self.assertRaises(UserError):
            investigate[:1].action_resolve()  # an explanation is required
        investigate.resolution = "Legacy price error, confirmed with the customer"
        investigate.action_resolve()
        batch.invalidate_recordset()
        self.assertTrue(batch.check_coverage and batch.check_investigations)
        batch.action_sign_off()
        self.assertEqual(batch.golive_signed_by_id, self.env.user)

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
        self.assertEqual(len(rows), 6)
        by_account = {row["legacy_account"]: row for row in rows}
        self.assertEqual(by_account["PR-B"]["line_delta"], "-15.00")
        self.assertEqual(by_account["PR-A"]["account_band"], "match")
        self.assertEqual(by_account["PR-B"]["account_band"], "investigate")
        self.parallel.action_export_xlsx()
        self.assertEqual(self.parallel.export_filename, "parallel-run-2026-02-01.xlsx")
        self.assertTrue(base64.b64decode(self.parallel.export_file).startswith(b"PK"))

    def test_unreadable_legacy_row_stops_with_its_line(self):
        content = legacy_file("legacy_bills_headers.csv") + b"B-\xff,A,2026-02-01,1.00\n"
        self.parallel.headers_file = base64.b64encode(content)
        with self.assertRaisesRegex(UserError, r"Line \d+: bytes that are not UTF-8"):
            self.parallel.action_compare()
