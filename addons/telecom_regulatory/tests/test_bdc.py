import csv
import io
from base64 import b64decode, b64encode
from datetime import date

from odoo.exceptions import UserError, ValidationError
from odoo.fields import Command
from odoo.tests import tagged

from .common import TelecomRegulatoryCase

# A Fabric location file as licensed (CostQuest columns; extra columns are ignored): 3 good rows
# (lines 2-4), then a bad id, a 4-digit ZIP, a non-BSL, a duplicate id and a state name.
FABRIC_CSV = """\
location_id,address_primary,city,state,zip,zip_suffix,unit_count,bsl_flag,block_geoid,latitude,\
longitude
1000000001,1 MAIN ST,SACRAMENTO,CA,95814,,1,True,060670011011000,38.5816,-121.4944
1000000002,5 MARKET ST,SAN FRANCISCO,CA,94105,12,12,True,060750615001000,37.7936,-122.3958
1000000003,9 OAK ST,FRESNO,CA,93721,,1,True,060190001001000,36.7378,-119.7871
10000000X4,1 PINE ST,FRESNO,CA,93721,,1,True,,,
1000000005,2 PINE ST,FRESNO,CA,9372,,1,True,,,
1000000006,3 PINE ST,FRESNO,CA,93721,,1,False,,,
1000000001,1 MAIN ST,SACRAMENTO,CA,95814,,1,True,,,
1000000007,4 PINE ST,FRESNO,California,93721,,1,True,,,
"""


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
        # business tract 06075061500: one fiber 300/300 on a business plan (not consumer),
        # 3 VGE lines on a business plan, one VoIP seat on a residential plan (consumer: the
        # FCC's test is the plan's design, not the buyer)
        cls.plan_business_fiber = cls.env["product.product"].create(
            {
                "name": "T Business Fiber 300",
                "type": "service",
                "list_price": 90.0,
                "telecom_service_type": "broadband",
                "telecom_regulatory_class": "info_service",
                "telecom_bdc_market": "business",
                "taxes_id": [Command.clear()],
                "telecom_attribute_value_ids": [
                    Command.create({"attribute_id": cls.attr[code].id, "value": value})
                    for code, value in (
                        ("technology", "fiber"),
                        ("download_mbps", "300"),
                        ("upload_mbps", "300"),
                    )
                ],
            }
        )
        cls.fiber_biz = cls._service(business, cls.plan_business_fiber, start)
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
        attachment = (
            self.env["ir.attachment"]
            .search(
                [("res_model", "=", "telecom.regulatory.filing"), ("res_id", "=", self.filing.id)]
            )
            .filtered(lambda a: a.name.startswith(f"bdc_{prefix}_"))
        )
        self.assertEqual(len(attachment), 1)
        return list(csv.reader(io.StringIO(b64decode(attachment.datas).decode())))

    def _fabric_import(self, text):
        return self.env["telecom.bdc.fabric.import"].create(
            {
                "fabric_version": "T June 2025",
                "filename": "fabric.csv",
                "file": b64encode(text.encode()),
            }
        )

    def test_fabric_import_validates_rows(self):
        with self.assertRaises(UserError) as raised:
            self._fabric_import("location_id,address,city\n1,2,3\n").action_import()
        self.assertIn("address_primary, state, zip, bsl_flag", str(raised.exception))
        fabric = self._fabric_import(FABRIC_CSV)
        fabric.action_import()
        self.assertEqual((fabric.created_count, fabric.updated_count), (3, 0))
        reasons = {r.row_number: r.reason for r in fabric.reject_ids}
        self.assertEqual(sorted(reasons), [5, 6, 7, 8, 9])
        self.assertIn("not a number", reasons[5])
        self.assertIn("5 digits", reasons[6])
        self.assertIn("bsl_flag False", reasons[7])
        self.assertIn("twice", reasons[8])
        self.assertIn("2-letter", reasons[9])
        location = self.env["telecom.bdc.location"].search([("location_id", "=", "1000000002")])
        self.assertEqual((location.unit_count, location.block_geoid), (12, "060750615001000"))
        # a newer Fabric updates the known locations
        again = self._fabric_import(FABRIC_CSV.replace(",12,12,True", ",12,14,True"))
        again.action_import()
        self.assertEqual((again.created_count, again.updated_count), (0, 3))
        self.assertEqual(location.unit_count, 14)

    def test_availability_and_state_voice(self):
        # the catalog's plans on sale: only the test plans, plus a 1 Gbps fiber plan nobody has
        self.env["product.template"].search(
            [
                ("telecom_service_type", "=", "broadband"),
                (
                    "id",
                    "not in",
                    (
                        self.plan_fiber | self.plan_cable | self.plan_business_fiber
                    ).product_tmpl_id.ids,
                ),
            ]
        ).sale_ok = False
        self.env["product.product"].create(
            {
                "name": "T Fiber 1G",
                "type": "service",
                "telecom_service_type": "broadband",
                "telecom_regulatory_class": "info_service",
                "telecom_bdc_market": "residential",
                "telecom_attribute_value_ids": [
                    Command.create({"attribute_id": self.attr[code].id, "value": value})
                    for code, value in (
                        ("technology", "fiber"),
                        ("download_mbps", "1000"),
                        ("upload_mbps", "1000"),
                    )
                ],
            }
        )
        # a VoIP-only customer: over-the-top VoIP (its broadband is someone else's)
        ott_customer = self.customer.copy({"name": "T OTT", "street": "7 Elm St", "zip": "95816"})
        self._service(self._subscription(ott_customer), self.plan_voip, date(2025, 3, 1))
        fabric = self._fabric_import(FABRIC_CSV)
        fabric.action_import()
        fabric.action_match_addresses()
        self.assertEqual(self.customer.telecom_bsl_location_id.location_id, "1000000001")
        self.assertEqual(self.business.telecom_bsl_location_id.location_id, "1000000002")
        self.assertFalse(ott_customer.telecom_bsl_location_id)
        self.env["telecom.bdc.location"].search(
            [("location_id", "=", "1000000003")]
        ).served_technology = "50"
        self.filing.action_generate()
        self.assertFalse(self.filing.error_ids.filtered("blocking"))
        fba = self._csv("fba")
        self.assertEqual(
            fba[0],
            [
                "provider_id",
                "frn",
                "location_id",
                "brand_name",
                "technology",
                "max_advertised_download_speed",
                "max_advertised_upload_speed",
                "low_latency",
                "business_residential_code",
            ],
        )
        name = self.company.name
        frn = self.company.telecom_frn or ""
        # fiber: the fastest fiber plan on sale (1000/1000), residential and business plans
        # (X); cable: the cable plan 100/10, residential only (R)
        self.assertEqual(
            fba[1:],
            [
                ["131425", frn, "1000000001", name, "40", "100", "10", "1", "R"],
                ["131425", frn, "1000000001", name, "50", "1000", "1000", "1", "X"],
                ["131425", frn, "1000000002", name, "50", "1000", "1000", "1", "X"],
                ["131425", frn, "1000000003", name, "50", "1000", "1000", "1", "X"],
            ],
        )
        fvss = self._csv("fvss")
        self.assertEqual(fvss[0][4], "over_the_top_subscriptions")
        # CA: 3 VGE lines (business plan); VoIP: residential, business (on a residential plan)
        # and the OTT customer, 3 consumer, 1 over the top
        self.assertEqual(fvss[1:], [["06", "0", "3", "0", "0"], ["06", "1", "3", "3", "1"]])

    def test_rows_by_tract_technology_speed(self):
        self.assertEqual(self.filing.due_date, date(2025, 9, 1))
        self.filing.action_generate()
        self.assertFalse(self.filing.error_ids.filtered("blocking"))
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
                ["06075061500", "0", "3", "0"],  # business plan: not consumer
                ["06075061500", "1", "1", "1"],  # residential VoIP plan bought by a business
            ],
        )
        mbs = self._csv("mbs")
        # minimum advertised speeds 5/1 of the plan, not its 150/20 headline speeds
        self.assertEqual(mbs[1:], [["06", "5", "1", "1", "1"]])
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
        error = self.filing.error_ids.filtered("blocking")
        self.assertEqual((error.res_model, error.res_id), ("telecom.service", service.id))
        self.assertIn("census tract", error.message)
        with self.assertRaises(UserError):
            self.filing.action_review()
        # fixing the address unblocks the filing
        nowhere.telecom_census_tract = "36061000100"
        self.filing.action_generate()
        self.assertFalse(self.filing.error_ids.filtered("blocking"))
        rows = self.filing.bdc_row_ids.filtered(lambda r: r.tract == "36061000100")
        self.assertEqual(rows.total_count, 1)
        self.assertEqual(rows.service_ids, service)

    def test_plan_without_market_or_minimum_speed_blocks(self):
        self.plan_basic.telecom_bdc_min_download_mbps = 0
        self.plan_cable.telecom_bdc_market = False
        self.filing.action_generate()
        messages = self.filing.error_ids.filtered("blocking").mapped("message")
        self.assertEqual(len(messages), 2)
        self.assertTrue(any("minimum advertised" in m for m in messages))
        self.assertTrue(any("residential or business" in m for m in messages))

    def test_tract_and_provider_formats(self):
        with self.assertRaises(ValidationError):
            self.business.telecom_census_tract = "6075061500"  # leading zero lost
        with self.assertRaises(ValidationError):
            self.business.telecom_census_tract = "36061000100"  # New York tract on a CA address
        with self.assertRaises(ValidationError):
            self.company.telecom_bdc_provider_id = "12345"
        self.assertEqual(self.business.telecom_state_fips, "06")
