from datetime import timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.tests import tagged

from odoo.addons.telecom_billing.tests.test_ra import RevenueAssuranceCase

from .common import TelecomRatingCase

PEAK = "2026-01-05T15:00:00Z"


@tagged("post_install", "-at_install")
class TestRevenueAssuranceUsage(RevenueAssuranceCase, TelecomRatingCase):
    """The usage checks, on two calls rated in January and billed on 1 February."""

    @classmethod
    def _ra_fixtures(cls):
        super()._ra_fixtures()
        cls.rate_plan.allowance_voice_minutes = 0
        cls.usage_file = cls.env["telecom.usage.file"]._telecom_import_csv(
            cls._csv(
                [
                    cls._cdr(PEAK, 600, record_id="RA-1"),  # $1.00
                    cls._cdr(PEAK, 300, record_id="RA-2"),  # $0.50
                ]
            )
        )

    def test_clean_books_no_findings(self):
        self.Finding._cron_telecom_ra_checks()
        self.assertFalse(self.Finding.search([("subscription_id", "=", self.subscription.id)]))

    def test_usage_rated_vs_billed_per_period(self):
        self._import([self._cdr("2026-02-03T15:00:00Z", 60, record_id="RA-FEB")])  # $0.10
        rows = self.env["telecom.ra.usage.period"].search(
            [("usage_type", "=", "voice"), ("period_start", ">=", "2026-01-01")]
        )
        by_period = {str(r.period_start): r for r in rows}
        january, february = by_period["2026-01-01"], by_period["2026-02-01"]
        self.assertEqual((january.rated_count, january.billed_count), (2, 2))
        self.assertAmount(january.billed_amount, 1.50)
        self.assertEqual((february.billed_count, february.unbilled_count), (0, 1))
        self.assertAmount(february.unbilled_amount, 0.10)

    def test_usage_received_vs_rated(self):
        self.usage_file.read_count = 5  # two records read, three lost on the way
        self.Finding._telecom_check_usage_lost()
        finding = self._findings("usage_lost")
        self.assertEqual(finding.usage_file_id, self.usage_file)
        self.assertEqual((finding.record_count, finding.severity), (3, "high"))

    def test_usage_rejected_not_fixed(self):
        rejected = self._import([self._cdr(PEAK, 60, service="+19999999999", record_id="RA-X")])
        self.assertEqual(rejected.rejected_count, 1)
        self.Finding._telecom_check_usage_rejected()
        mine = self._findings("usage_rejected").filtered(lambda f: f.usage_file_id == rejected)
        self.assertFalse(mine)
        with freeze_time(fields.Datetime.now() + timedelta(days=4)):
            self.Finding._telecom_check_usage_rejected()
        mine = self._findings("usage_rejected").filtered(lambda f: f.usage_file_id == rejected)
        self.assertEqual(mine.record_count, 1)

    def test_usage_rated_not_billed(self):
        # the invoice missed the usage (it stayed rated): leakage of $1.50
        self._sql(
            "UPDATE telecom_usage_record SET state = 'rated', move_id = NULL WHERE move_id = %s",
            [self.move.id],
        )
        self._sql("UPDATE account_move_line SET telecom_line_kind = 'charge' "
                  "WHERE move_id = %s AND telecom_line_kind = 'usage'", [self.move.id])  # fmt: skip
        self._sql(
            "UPDATE telecom_usage_file SET date_imported = %s WHERE id = %s",
            [self.move.create_date - timedelta(hours=1), self.usage_file.id],
        )
        self.Finding._telecom_check_usage_unbilled()
        finding = self._findings("usage_unbilled")
        self.assertEqual(finding.subscription_id, self.subscription)
        self.assertEqual(finding.record_count, 2)
        self.assertAmount(finding.amount, 1.50)
        self.assertEqual(finding.severity, "medium")
        # fixed (billed): the next run resolves it
        self._sql("UPDATE telecom_usage_record SET state = 'billed' WHERE move_id IS NULL")
        self.Finding._telecom_check_usage_unbilled()
        self.assertEqual(finding.state, "resolved")

    def test_usage_billed_amount_differs(self):
        self._sql("UPDATE telecom_usage_record SET charge = 41.00 WHERE name = 'RA-1'")
        self.Finding._telecom_check_usage_billed_mismatch(days=100000)
        finding = self._findings("usage_billed_mismatch")
        self.assertEqual(finding.move_id, self.move)
        self.assertAmount(finding.amount, 40.00)
        # above the escalation amount: an activity for the billing manager, once
        self.assertEqual(finding.severity, "high")
        self.assertEqual(finding.activity_ids.user_id, self.manager)
        self.Finding._telecom_check_usage_billed_mismatch(days=100000)
        self.assertEqual(len(finding.activity_ids), 1)
        self.assertEqual(len(self._findings("usage_billed_mismatch")), 1)
