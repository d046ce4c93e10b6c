from datetime import date

from freezegun import freeze_time

from odoo.tests import tagged

from odoo.addons.telecom_regulatory.tools.periods import periods_due_between, projection_quarter

from .common import TelecomRegulatoryCase


@tagged("post_install", "-at_install")
class TestFilingCalendar(TelecomRegulatoryCase):
    def test_periods(self):
        self.assertEqual(
            periods_due_between("499q", date(2026, 1, 15), date(2026, 2, 15)),
            [(date(2025, 10, 1), date(2025, 12, 31), date(2026, 2, 1))],
        )
        self.assertEqual(
            periods_due_between("rnd", date(2026, 3, 1), date(2026, 3, 31)),
            [(date(2026, 2, 1), date(2026, 2, 28), date(2026, 3, 15))],
        )
        self.assertEqual(
            projection_quarter(date(2026, 2, 1)), (date(2026, 4, 1), date(2026, 6, 30))
        )

    def test_cron_creates_filings_and_reminders(self):
        officer = self.env["res.users"].create(
            {
                "name": "T Regulatory Officer",
                "login": "t_reg_officer",
                "groups_id": [
                    (6, 0, [self.env.ref("telecom_catalog.group_telecom_regulatory").id])
                ],
            }
        )
        Filing = self.env["telecom.regulatory.filing"]
        Filing.search([]).unlink()
        self.company.telecom_filing_lead_days = 25
        with freeze_time("2026-02-20"):
            Filing._cron_filing_calendar()
            Filing._cron_filing_calendar()  # idempotent
        filings = Filing.search([])
        # due within 25 days of Feb 20: BDC and CPNI certification (Mar 1), RND (Mar 15)
        self.assertEqual(
            sorted(filings.mapped("name")),
            ["BDC as of 2025-12-31", "CPNI Certification 2025", "RND 2026-02"],
        )
        cert = filings.filtered(lambda f: f.filing_type == "cpni_cert")
        self.assertEqual((cert.date_from, cert.date_to), (date(2025, 1, 1), date(2025, 12, 31)))
        activities = cert.activity_ids.filtered(lambda a: a.user_id == officer)
        self.assertEqual(len(activities), 1)
        self.assertEqual(activities.date_deadline, date(2026, 3, 1))
