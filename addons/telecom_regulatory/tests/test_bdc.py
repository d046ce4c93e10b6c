import csv
import io
from base64 import b64decode
from datetime import date

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common import TelecomRegulatoryCase


@tagged("post_install", "-at_install")
class TestBdc(TelecomRegulatoryCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        residential = cls._subscription()
        business = cls._subscription(cls.business)
        start = date(2025, 3, 1)
        # residential tract 06067001101: two fiber 300/300, one cable 100/10
        cls.fiber_1 = cls._service(residential, cls.plan_fiber, start)
        cls.fiber_2 = cls._service(residential, cls.plan_fiber, start)
        cls.cable = cls._service(residential, cls.plan_cable, start)
        # business tract 06075061500: one fiber 300/300 (not consumer), 3 VGE lines, 2 VoIP
        cls.fiber_biz = cls._service(business, cls.plan_fiber, start)
        cls.voice_biz = cls._service(business, cls.plan_fixed_voice, start, quantity=3)
        cls.voip_biz = cls._service(business, cls.plan_voip, start)
        cls.voip_res = cls._service(residential, cls.plan_voip, start)
        # mobile broadband in CA
        cls.mobile = cls._service(residential, cls.plan_basic, start)
        # started after the as-of date: not counted
        cls.late = cls._service(residential, cls.plan_fiber, date(2025, 7, 2))
        cls.filing = cls.env["telecom.regulatory.filing"].create(
            {"filing_type": "bdc", "date_from": date(2025, 1, 1), "date_to": date(2025, 6, 30)}
        )

    def _csv(self, prefix):
        attachment = self.env["ir.attachment"].search(
            [
                ("res_model", "=", "telecom.regulatory.filing"),
                ("res_id", "=", self.filing.id),
                ("name", "=like", f"bdc_{prefix}_%"),
            ]
        )
        self.assertEqual(len(attachment), 1)
        return list(csv.reader(io.StringIO(b64decode(attachment.datas).decode())))

    def test_rows_by_tract_technology_speed(self):
        self.assertEqual(self.filing.due_date, date(2025, 9, 1))
        self.filing.action_generate()
        self.assertFalse(self.filing.error_ids)
        fbs = self._csv("fbs")
        self.assertEqual(
            fbs[0],
            [
                "tract",
                "technology_code",
                "advertised_download_speed",
                "advertised_upload_speed",
                "total_connections",
                "consumer_connections",
            ],
        )
        self.assertEqual(
            sorted(fbs[1:]),
            [
                ["06067001101", "40", "100", "10", "1", "1"],
                ["06067001101", "50", "300", "300", "2", "2"],
                ["06075061500", "50", "300", "300", "1", "0"],
            ],
        )
        fvs = self._csv("fvs")
        self.assertEqual(
            sorted(fvs[1:]),
            [
                ["06067001101", "1", "1", "1"],
                ["06075061500", "0", "3", "0"],
                ["06075061500", "1", "1", "0"],
            ],
        )
        mbs = self._csv("mbs")
        self.assertEqual(mbs[1:], [["06", "150", "20", "1", "1"]])
        self.filing.action_review()
        self.assertEqual(self.filing.state, "reviewed")
        self.assertEqual(self.filing.reviewer_id, self.env.user)
        self.filing.action_file()
        self.assertEqual(self.filing.state, "filed")
        note = self.filing.message_ids.filtered(lambda m: "SHA-256" in (m.body or ""))
        self.assertIn("bdc_fbs_131425_2025-06-30.csv", note.body)

    def test_missing_tract_blocks(self):
        nowhere = self.env["res.partner"].create(
            {
                "name": "T No Tract",
                "state_id": self.state_ny.id,
                "country_id": self.env.ref("base.us").id,
            }
        )
        service = self._service(self._subscription(nowhere), self.plan_fiber, date(2025, 3, 1))
        self.filing.action_generate()
        self.assertEqual(self.filing.blocking_error_count, 1)
        error = self.filing.error_ids
        self.assertEqual((error.res_model, error.res_id), ("telecom.service", service.id))
        self.assertIn("census tract", error.message)
        with self.assertRaises(UserError):
            self.filing.action_review()
        # fixing the address unblocks the filing
        nowhere.telecom_census_tract = "36061000100"
        self.filing.action_generate()
        self.assertFalse(self.filing.error_ids)
        rows = self.filing.bdc_row_ids.filtered(lambda r: r.tract == "36061000100")
        self.assertEqual(rows.total_count, 1)
        self.assertEqual(rows.service_ids, service)

    def test_tract_and_provider_formats(self):
        with self.assertRaises(ValidationError):
            self.business.telecom_census_tract = "6075061500"  # leading zero lost
        with self.assertRaises(ValidationError):
            self.business.telecom_census_tract = "36061000100"  # New York tract on a CA address
        with self.assertRaises(ValidationError):
            self.company.telecom_bdc_provider_id = "12345"
        self.assertEqual(self.business.telecom_state_fips, "06")
