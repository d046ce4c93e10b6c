from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import TelecomRatingCase

# 2026-01-05 is a Monday; New York is UTC-5 in January.
PEAK = "2026-01-05T15:00:00Z"  # 10:00 local
OFFPEAK = "2026-01-06T02:00:00Z"  # Monday 21:00 local
WEEKEND = "2026-01-10T17:00:00Z"  # Saturday 12:00 local


@tagged("post_install", "-at_install")
class TestRating(TelecomRatingCase):
    def test_longest_prefix_match(self):
        rows = [
            self._cdr(PEAK, 60, "+12125550100", record_id="LP-US"),
            self._cdr(PEAK, 60, "+442071234567", record_id="LP-UK"),
            self._cdr(PEAK, 60, "+447911123456", record_id="LP-UKM"),
        ]
        usage_file = self._import(rows)
        self.assertEqual((usage_file.read_count, usage_file.rated_count), (3, 3))
        self.assertEqual(self._record("LP-UK").rate_line_id.prefix, "44")
        self.assertEqual(self._record("LP-UKM").rate_line_id.prefix, "447")
        self.assertEqual(self._record("LP-UKM").destination_group, "UK Mobile")
        self.assertAmount(self._record("LP-UK").charge, 0.50)
        self.assertAmount(self._record("LP-UKM").charge, 0.90)
        # domestic peak minute is inside the 2 included minutes
        self.assertAmount(self._record("LP-US").charge, 0.0)
        self.assertEqual(self._record("LP-US").included_units, 60)

    def test_time_bands(self):
        self.rate_plan.allowance_voice_minutes = 0
        self._import(
            [
                self._cdr(PEAK, 600, record_id="TB-P"),
                self._cdr(OFFPEAK, 600, record_id="TB-O"),
                self._cdr(WEEKEND, 600, record_id="TB-W"),
            ]
        )
        self.assertEqual(self._record("TB-P").time_band, "peak")
        self.assertEqual(self._record("TB-O").time_band, "offpeak")
        self.assertEqual(self._record("TB-W").time_band, "weekend")
        self.assertAmount(self._record("TB-P").charge, 1.00)
        self.assertAmount(self._record("TB-O").charge, 0.50)
        self.assertAmount(self._record("TB-W").charge, 0.20)
        # the Monday 21:00 local call is on Monday's date though Tuesday in UTC
        self.assertEqual(str(self._record("TB-O").usage_date), "2026-01-05")

    def test_rounding_increments_and_minimum(self):
        self._import(
            [
                self._cdr(PEAK, 1, "+447911000001", record_id="R-1"),
                self._cdr(PEAK, 61, "+447911000002", record_id="R-61"),
                self._cdr(PEAK, 66, "+447911000003", record_id="R-66"),
                self._cdr(PEAK, 67, "+447911000004", record_id="R-67"),
                self._cdr(PEAK, 0, "+447911000005", record_id="R-0"),
                self._cdr(PEAK, 5, "+442071000006", record_id="R-MIN"),
            ]
        )
        units = {r: self._record(r).billable_units for r in ("R-1", "R-61", "R-66", "R-67", "R-0")}
        self.assertEqual(units, {"R-1": 60, "R-61": 66, "R-66": 66, "R-67": 72, "R-0": 0})
        self.assertAmount(self._record("R-61").charge, 0.99)  # 66 s at $0.90/min
        self.assertAmount(self._record("R-67").charge, 1.08)
        self.assertAmount(self._record("R-0").charge, 0.0)  # no minimum on nothing
        self.assertAmount(self._record("R-MIN").charge, 0.50)  # 60 s at $0.50
        self.rate_plan.rate_line_ids.filtered(lambda x: x.prefix == "447").minimum_charge = 1.5
        self._import([self._cdr(PEAK, 10, "+447911000007", record_id="R-MIN2")])
        self.assertAmount(self._record("R-MIN2").charge, 1.50)

    def test_allowance_crossing_a_call(self):
        # 2 included minutes; calls in time order: 90 s (included), 90 s (30 s included,
        # 60 s at peak $0.10 = $0.10), then everything is charged. File order is not time
        # order: the allowance follows the start times.
        usage_file = self._import(
            [
                self._cdr("2026-01-05T17:00:00Z", 90, record_id="A-3"),
                self._cdr("2026-01-05T15:00:00Z", 90, record_id="A-1"),
                self._cdr("2026-01-05T16:00:00Z", 90, record_id="A-2"),
            ]
        )
        self.assertEqual(usage_file.rated_count, 3)
        a1, a2, a3 = (self._record(r) for r in ("A-1", "A-2", "A-3"))
        self.assertEqual((a1.included_units, a2.included_units, a3.included_units), (90, 30, 0))
        self.assertAmount(a1.charge, 0.0)
        self.assertAmount(a2.charge, 0.10)
        self.assertAmount(a3.charge, 0.15)
        # a late CDR from earlier in the period takes the allowance first: all re-computed
        self._import([self._cdr("2026-01-05T14:00:00Z", 120, record_id="A-0")])
        self.assertEqual(self._record("A-0").included_units, 120)
        self.assertEqual(a1.included_units, 0)
        self.assertAmount(a1.charge, 0.15)
        self.assertAmount(a2.charge, 0.15)
        # a new billing period starts with a full allowance
        self._import([self._cdr("2026-02-02T15:00:00Z", 90, record_id="A-FEB")])
        self.assertEqual(self._record("A-FEB").included_units, 90)

    def test_incoming_usage_follows_the_rate_plan(self):
        """Incoming calls are free and keep the allowance unless the rate plan charges them;
        incoming calls while roaming are charged by default."""
        self._import(
            [
                self._cdr("2026-01-05T14:00:00Z", 600, record_id="IN-1", direction="in"),
                self._cdr("2026-01-05T15:00:00Z", 180, record_id="OUT-1"),
                self._cdr("2026-01-05T16:00:00Z", 60, record_id="IN-R", direction="in", roaming=1),
            ]
        )
        incoming, outgoing, roaming = (self._record(r) for r in ("IN-1", "OUT-1", "IN-R"))
        self.assertEqual((incoming.billable_units, incoming.included_units), (0, 0))
        self.assertAmount(incoming.charge, 0.0)
        # the 2 included minutes are left for the outgoing call: 1 minute at $0.10
        self.assertEqual(outgoing.included_units, 120)
        self.assertAmount(outgoing.charge, 0.10)
        self.assertEqual(roaming.billable_units, 60)
        self.assertAmount(roaming.charge, 0.10)
        self.rate_plan.charge_inbound = True
        self.env["telecom.usage.record"]._telecom_rerate(
            self.service, self.d(2026, 1, 1), self.d(2026, 1, 31)
        )
        # now the incoming call comes first and takes the allowance: 8 minutes charged
        self.assertEqual((incoming.billable_units, incoming.included_units), (600, 120))
        self.assertAmount(incoming.charge, 0.80)
        self.assertAmount(outgoing.charge, 0.30)

    def test_sms_and_data(self):
        self.rate_plan.allowance_sms = 1
        self._import(
            [
                self._cdr(PEAK, 0, usage_type="sms", record_id="S-1"),
                self._cdr(WEEKEND, 0, usage_type="sms", record_id="S-2"),
                self._cdr(
                    PEAK, 0, "", usage_type="data", volume_bytes=150 * 1048576, record_id="D-1"
                ),
            ]
        )
        self.assertAmount(self._record("S-1").charge, 0.0)
        self.assertAmount(self._record("S-2").charge, 0.05)
        self.assertAmount(self._record("D-1").charge, 1.50)

    def test_duplicates(self):
        rows = [self._cdr(PEAK, 60, record_id=f"DUP-{i}") for i in range(3)]
        first = self._import(rows)
        self.assertEqual((first.rated_count, first.duplicate_count), (3, 0))
        with self.assertRaises(UserError):
            self._import(rows)  # the very same file
        again = self._import([*rows, self._cdr(PEAK, 60, record_id="DUP-new"), rows[0]])
        self.assertEqual((again.read_count, again.rated_count, again.duplicate_count), (5, 1, 4))
        self.assertEqual(
            self.env["telecom.usage.record"].search_count([("name", "like", "DUP-")]), 4
        )

    def test_rejects_fix_and_rerate(self):
        usage_file = self._import(
            [
                self._cdr(PEAK, 60, record_id="OK-1"),
                self._cdr(PEAK, 60, service="+19999999999", record_id="BAD-SVC"),
                self._cdr(PEAK, 60, "+33142000000", record_id="BAD-DEST"),
                self._cdr("yesterday", 60, record_id="BAD-DATE"),
                self._cdr("2025-12-01T15:00:00Z", 60, record_id="BAD-INACTIVE"),
            ]
        )
        self.assertEqual(
            (usage_file.read_count, usage_file.rated_count, usage_file.rejected_count), (5, 1, 4)
        )
        rejects = {r.record_ref: r for r in usage_file.reject_ids}
        self.assertIn("unknown service number +19999999999", rejects["BAD-SVC"].reason)
        self.assertIn("no voice rate for destination +33142000000", rejects["BAD-DEST"].reason)
        self.assertIn("not an ISO date-time", rejects["BAD-DATE"].reason)
        self.assertIn("was not active on 2025-12-01", rejects["BAD-INACTIVE"].reason)
        # staff fix the row, the rates, and rate them again; the rest stays rejected
        rejects["BAD-SVC"].service_ref = self.number
        rejects["BAD-DATE"].start_time = PEAK
        self.rate_plan.rate_line_ids = [
            (0, 0, {"usage_type": "voice", "prefix": "33", "price": 0.30, "use_allowance": False})
        ]
        action = usage_file.reject_ids.action_rerate()
        self.assertEqual(action["params"]["message"], "3 rated, 1 still rejected, 0 duplicates.")
        self.assertEqual(rejects["BAD-SVC"].state, "rerated")
        self.assertEqual(rejects["BAD-SVC"].usage_record_id.name, "BAD-SVC")
        self.assertAmount(self._record("BAD-DEST").charge, 0.30)
        self.assertEqual(rejects["BAD-INACTIVE"].state, "open")
        # re-importing a rejected row does not duplicate the reject
        again = self._import([self._cdr("2025-12-01T15:00:00Z", 60, record_id="BAD-INACTIVE")])
        self.assertEqual((again.duplicate_count, again.rejected_count), (1, 0))

    def test_malformed_rows_keep_good_rows(self):
        content = (
            b"record_id,service,start_time,duration,called_number,direction,usage_type,"
            b"volume_bytes,roaming,source_switch\n"
            + f"M-1,{self.number},{PEAK},60,+12125550100,out,voice,0,0,SW1\n".encode()
            + f"M-2,{self.number},{PEAK},abc,+12125550100,out,voice,0,0,SW1\n".encode()
            + f"M-3,{self.number},{PEAK},60,+12125550100,out,fax,0,0,SW1\n".encode()
            + f"M-4,{self.number},{PEAK}\n".encode()
            + f"M-5,{self.number},{PEAK},60,+12125550100,out,voice,0,maybe,SW1\n".encode()
        )
        usage_file = self.env["telecom.usage.file"]._telecom_import_csv(content)
        self.assertEqual(
            (usage_file.read_count, usage_file.rated_count, usage_file.rejected_count), (5, 1, 4)
        )
        self.assertEqual(sorted(usage_file.reject_ids.mapped("line_no")), [3, 4, 5, 6])


@tagged("post_install", "-at_install")
class TestUsageBilling(TelecomRatingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rate_plan.allowance_voice_minutes = 0
        cls.env["telecom.usage.file"]._telecom_import_csv(
            cls._csv(
                [
                    cls._cdr(PEAK, 600, record_id="B-1"),  # $1.00
                    cls._cdr(OFFPEAK, 120, record_id="B-2"),  # $0.10
                    cls._cdr(PEAK, 60, "+442071234567", record_id="B-3"),  # $0.50
                    cls._cdr(PEAK, 0, usage_type="sms", record_id="B-4"),  # $0.05
                    cls._cdr("2026-02-03T15:00:00Z", 60, record_id="B-FEB"),  # next period
                ]
            )
        )

    def test_usage_billed_in_arrears(self):
        run = self._bill(self.d(2026, 2, 1))
        move = self._invoice(run, self.subscription)
        usage = self._lines(move, "usage")
        by_name = {line.name.split(":")[0]: line.price_subtotal for line in usage}
        self.assertEqual(
            by_name,
            {
                "Voice usage - Domestic (interstate)": 1.10,
                "Voice usage - International": 0.50,
                "SMS usage - Domestic": 0.05,
            },
        )
        classes = {line.name.split(":")[0]: line.telecom_regulatory_class for line in usage}
        self.assertEqual(
            classes,
            {
                "Voice usage - Domestic (interstate)": "interstate",
                "Voice usage - International": "international",
                "SMS usage - Domestic": "info_service",
            },
        )
        self.assertTrue(all(line.telecom_service_id == self.service for line in usage))
        billed = self.env["telecom.usage.record"].search([("move_id", "=", move.id)])
        self.assertEqual(sorted(billed.mapped("name")), ["B-1", "B-2", "B-3", "B-4"])
        self.assertEqual(set(billed.mapped("state")), {"billed"})
        self.assertEqual(self._record("B-FEB").state, "rated")
        attachment = self.env["ir.attachment"].search(
            [
                ("res_model", "=", "account.move"),
                ("res_field", "=", "telecom_call_detail_file"),
                ("res_id", "=", move.id),
            ]
        )
        self.assertEqual(len(attachment), 1)
        lines = attachment.raw.decode().splitlines()
        self.assertEqual(len(lines), 5)
        self.assertTrue(lines[0].startswith("record_id,service,start_time_utc"))
        self.assertEqual(
            sorted(line.split(",")[0] for line in lines[1:]), ["B-1", "B-2", "B-3", "B-4"]
        )
        detail = self.service._telecom_call_detail_csv(self.d(2026, 2, 1), self.d(2026, 2, 28))
        self.assertEqual(len(detail.decode().splitlines()), 2)

    def test_deleted_draft_gives_its_usage_back(self):
        """A draft bill deleted before posting: its usage waits for the next bill, which bills
        it exactly once."""
        run = self._bill(self.d(2026, 2, 1), auto_post=False)
        draft = self._invoice(run, self.subscription)
        Usage = self.env["telecom.usage.record"]
        self.assertEqual(Usage.search_count([("move_id", "=", draft.id)]), 4)
        draft.unlink()
        records = Usage.search([("name", "in", ["B-1", "B-2", "B-3", "B-4"])])
        self.assertEqual(set(records.mapped("state")), {"rated"})
        self.assertFalse(records.move_id)
        run.action_resume()
        run._telecom_run_to_end()
        move = self._invoice(run, self.subscription)
        self.assertEqual(records.move_id, move)
        self.assertAmount(sum(self._lines(move, "usage").mapped("price_subtotal")), 1.65)

    def test_rerate_unbilled_and_adjust_billed(self):
        run = self._bill(self.d(2026, 2, 1))
        self.assertEqual(self._record("B-1").state, "billed")
        peak = self.rate_plan.rate_line_ids.filtered(
            lambda x: x.prefix == "1" and x.time_band == "peak"
        )
        peak.price = 0.20
        wizard = (
            self.env["telecom.usage.rerate.wizard"]
            .with_context(active_model="telecom.service", active_ids=self.service.ids)
            .create({"date_from": "2026-01-01", "date_to": "2026-02-28"})
        )
        with freeze_time("2026-02-10"):
            wizard.action_rerate()
        # unbilled usage takes the new price; billed usage keeps its invoice...
        self.assertAmount(self._record("B-FEB").charge, 0.20)
        billed = self._record("B-1")
        self.assertEqual(billed.move_id, self._invoice(run, self.subscription))
        self.assertAmount(billed.charge, 1.00)  # as on the invoice
        self.assertAmount(billed.rerated_charge, 2.00)
        self.assertAmount(billed.adjustment, 1.00)
        # ... and the difference is charged on the next invoice
        adjustment = self.env["telecom.charge"].search(
            [("subscription_id", "=", self.subscription.id), ("kind", "=", "adjustment")]
        )
        self.assertEqual(len(adjustment), 1)
        self.assertAmount(adjustment.amount, 1.00)
        # rating again with no change adds nothing
        with freeze_time("2026-02-11"):
            wizard.action_rerate()
        self.assertEqual(
            self.env["telecom.charge"].search_count(
                [("subscription_id", "=", self.subscription.id), ("kind", "=", "adjustment")]
            ),
            1,
        )
        # the invoice and its usage records still agree (revenue assurance)
        self.env["telecom.ra.finding"]._telecom_check_usage_billed_mismatch(days=100000)
        self.assertFalse(
            self.env["telecom.ra.finding"].search([("move_id", "=", run.move_ids.ids)])
        )
        move = self._invoice(self._bill(self.d(2026, 3, 1)), self.subscription)
        self.assertAmount(sum(self._lines(move, "usage").mapped("price_subtotal")), 0.20)
        self.assertIn(adjustment, self._lines(move, "charge").telecom_charge_id)

    def test_other_formats_rated_like_canonical_ones(self):
        # rows outside the canonical format take the Python parser, within a clean file
        usage_file = self._import(
            [
                self._cdr(PEAK, 60, "+442071234567", record_id="F-CANON"),
                self._cdr(
                    "2026-01-05T10:00:00-05:00", 60, "011 44 20 7123 4567", record_id="F-OFS"
                ),
                self._cdr("2026-01-05 15:00:00", 60, "(212) 555-0100", record_id="F-NANP"),
                {**self._cdr(PEAK, 60, "+442071234567", record_id="F-CASE"), "usage_type": "VOICE"},
            ]
        )
        self.assertEqual((usage_file.rated_count, usage_file.rejected_count), (4, 0))
        self.assertEqual(self._record("F-OFS").start_time, self._record("F-CANON").start_time)
        self.assertEqual(self._record("F-OFS").called_number, "+442071234567")
        self.assertEqual(self._record("F-NANP").called_number, "+12125550100")
        self.assertAmount(self._record("F-CASE").charge, 0.50)

    def test_column_order_extra_columns_and_crlf(self):
        content = (
            "usage_type,record_id,cell_id,service,start_time,duration,called_number\r\n"
            f"voice,X-1,C17,{self.number},{PEAK},90,+442071234567\r\n"
            f"voice,X-2,C18,{self.number},{PEAK},30,+447911123456\r\n"
        ).encode()
        usage_file = self.env["telecom.usage.file"]._telecom_import_csv(content)
        self.assertEqual((usage_file.read_count, usage_file.rated_count), (2, 2))
        self.assertAmount(self._record("X-1").charge, 0.75)  # 90 s at $0.50
        self.assertAmount(self._record("X-2").charge, 0.90)  # first minute at $0.90
        self.assertEqual(self._record("X-1").direction, "out")


@tagged("post_install", "-at_install")
class TestUsageJurisdiction(TelecomRatingCase):
    """Calls of a Sacramento (California) line, billed on 1 February: each call's jurisdiction
    from its area code, usage lines per jurisdiction, federal USF on interstate and
    international usage only, usage revenue booked by the revenue rules of the line's type."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rate_plan.allowance_voice_minutes = 0
        cls.rate_plan.rate_line_ids.filtered(lambda line: line.prefix == "1").write(
            {"time_band": "any", "price": 0.10}
        )
        Account = cls.env["account.account"]
        fees = Account.create(
            {"code": "T25198", "name": "T USF payable", "account_type": "liability_current"}
        )
        cls.mobile_revenue = Account.create(
            {"code": "T40101", "name": "T Mobile revenue", "account_type": "income"}
        )
        cls.env["telecom.revenue.rule"].create(
            {"service_type": "mobile", "account_id": cls.mobile_revenue.id, "sequence": 1}
        )
        cls.env["telecom.tax.rate"].create(
            {
                "engine_id": cls.tax_engine.id,
                "kind": "federal_usf",
                "name": "Federal USF",
                "regulatory_class": "interstate",
                "rate": 36.6,
                "base_share": 100.0,
                "date_from": "2026-01-01",
                "account_id": fees.id,
            }
        )
        cls._csv_import = cls.env["telecom.usage.file"]._telecom_import_csv(
            cls._csv(
                [
                    cls._cdr(PEAK, 600, "+19165550199", record_id="J-CA"),  # $1.00 intrastate
                    cls._cdr(PEAK, 300, "+12125550100", record_id="J-NY"),  # $0.50 interstate
                    cls._cdr(PEAK, 60, "+17875550100", record_id="J-PR"),  # $0.10 territory
                    cls._cdr(PEAK, 60, "+18005550100", record_id="J-TF"),  # $0.10 toll-free
                    cls._cdr(PEAK, 60, "+14165550100", record_id="J-ON"),  # Canada
                    cls._cdr(PEAK, 60, "+442071234567", record_id="J-UK"),  # $0.50
                ]
            )
        )

    def test_each_call_has_its_jurisdiction(self):
        by_call = {
            record_id: self._record(record_id).jurisdiction
            for record_id in ("J-CA", "J-NY", "J-PR", "J-TF", "J-ON", "J-UK")
        }
        self.assertEqual(
            by_call,
            {
                "J-CA": "intrastate",
                "J-NY": "interstate",
                "J-PR": "interstate",
                "J-TF": "interstate",
                "J-ON": "international",
                "J-UK": "international",
            },
        )

    def test_usf_on_interstate_usage_only_and_revenue_like_plans(self):
        move = self._invoice(self._bill(self.d(2026, 2, 1)), self.subscription)
        usage = self._lines(move, "usage")
        by_class = {}
        for line in usage:
            by_class.setdefault(line.telecom_regulatory_class, 0.0)
            by_class[line.telecom_regulatory_class] += line.price_subtotal
        # intrastate $1.00; interstate 0.50 + 0.10 + 0.10; international: Canada at the +1
        # rate ($0.10) and the United Kingdom ($0.50)
        self.assertEqual(
            {key: round(value, 2) for key, value in by_class.items()},
            {"intrastate": 1.00, "interstate": 0.70, "international": 0.60},
        )
        self.assertEqual(set(usage.account_id.ids), {self.mobile_revenue.id})
        usf = self._lines(move, "tax").filtered(lambda line: line.telecom_tax_kind == "federal_usf")
        # 36.6 % of the interstate base only: the plan (January and February, 2 x 40.00)
        # and the interstate usage (0.70)
        plan = sum(self._lines(move, "recurring").mapped("price_subtotal"))
        self.assertAmount(plan, 80.00)
        self.assertAmount(-sum(usf.mapped("balance")), round((80.00 + 0.70) * 0.366, 2))
