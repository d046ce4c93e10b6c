from datetime import date

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import TelecomInterconnectCase


@tagged("post_install", "-at_install")
class TestInterconnect(TelecomInterconnectCase):
    # ------------------------------------------------------------
    # rate decks
    # ------------------------------------------------------------

    def test_deck_import_keeps_good_rows_and_lists_bad_ones(self):
        deck = self._deck(
            "in",
            b"npanxx,prefix,jurisdiction,rate,description\n"
            b"303555,,interstate,0.0300,Denver\n"
            b",4420,international,0.0400,London\n"
            b"30A555,,interstate,0.01,bad npanxx\n"
            b",44x,international,0.01,bad prefix\n"
            b",49,intergalactic,0.01,bad jurisdiction\n"
            b",49,international,abc,bad rate\n"
            b",4420,international,0.0500,repeated\n"
            b",49,international,-1,negative\n",
            date_from=date(2026, 4, 1),
        )
        self.assertEqual(
            (deck.read_count, deck.imported_count, deck.rejected_count, deck.state),
            (8, 2, 6, "done"),
        )
        self.assertEqual(
            sorted(deck.rate_ids.mapped(lambda r: (r.prefix, r.jurisdiction, r.price))),
            [("1303555", "interstate", 0.03), ("4420", "international", 0.04)],
        )
        self.assertEqual(deck.reject_ids.mapped("line_no"), [4, 5, 6, 7, 8, 9])
        reasons = deck.reject_ids.mapped("reason")
        self.assertIn("NPA-NXX '30A555' is not six digits", reasons)
        self.assertIn("jurisdiction 'intergalactic' is not known", reasons)
        self.assertIn("prefix 4420 (international) repeated", reasons)
        # the new deck replaces the inbound rates of March from April 1st on
        march_rates = self.deck_in.rate_ids
        self.assertEqual(set(march_rates.mapped("date_to")), {date(2026, 3, 31)})
        with self.assertRaises(UserError):
            self._deck("in", b"prefix,jurisdiction,rate\n1,interstate,0.01\n",
                       date_from=date(2026, 3, 15))  # fmt: skip
        with self.assertRaises(UserError):
            self._deck("in", b"number,price\n1,0.01\n")

    # ------------------------------------------------------------
    # rating
    # ------------------------------------------------------------

    def test_cdrs_rated_both_ways(self):
        rows = [
            # inbound, Colorado -> New York 212-555: NPA-NXX rate $0.02, 90 s -> 2 minutes
            self._row("2026-03-02T10:00:00Z", "+12125550123", duration=90, record_id="A1"),
            # inbound interstate (Colorado -> California), $0.01
            self._row("2026-03-02T11:00:00Z", "+12135550100", record_id="A2"),
            # inbound intrastate (California -> California), 10-digit numbers, $0.005 x 2
            self._row(
                "2026-03-03 09:00:00",
                "2135550100",
                calling="3105550100",
                duration=120,
                record_id="A3",
            ),
            # outbound international, $0.05; a ten-digit E.164 number is not NANP
            self._row("2026-03-04T12:00:00Z", "+442071234567", "out", record_id="B1"),
            self._row("2026-03-04T12:30:00Z", "+4420712345", "out", record_id="B3"),
            # outbound interstate, 3 minutes at $0.008 = $0.024 -> $0.02
            self._row("2026-03-04T13:00:00Z", "+12125550199", "out", duration=180, record_id="B2"),
            # rejects: unknown trunk, no outbound intrastate rate, before the deck, bad time,
            # a switch jurisdiction without rate, a bad direction
            self._row("2026-03-05T10:00:00Z", "+12125550123", trunk_group="NOPE", record_id="R1"),
            self._row("2026-03-05T10:00:00Z", "+13035550111", "out", record_id="R2"),
            self._row("2026-02-20T10:00:00Z", "+12125550123", record_id="R3"),
            self._row("yesterday", "+12125550123", record_id="R4"),
            self._row("2026-03-05T10:00:00Z", "+12125550123", jurisdiction="local", record_id="R5"),
            self._row("2026-03-05T10:00:00Z", "+12125550123", "sideways", record_id="R6"),
            # repeated in the file: a duplicate
            self._row("2026-03-02T10:00:00Z", "+12125550123", duration=90, record_id="A1"),
        ]
        usage_file = self._import(rows)
        self.assertEqual(
            (usage_file.read_count, usage_file.rated_count, usage_file.rejected_count,
             usage_file.duplicate_count),
            (13, 6, 6, 1),
        )  # fmt: skip
        self.assertAlmostEqual(usage_file.amount_rated, 0.04 + 0.01 + 0.01 + 0.05 + 0.02 + 0.05)
        expected = {
            "A1": ("in", "interstate", 120, 0.04, "1212555"),
            "A2": ("in", "interstate", 60, 0.01, "1"),
            "A3": ("in", "intrastate", 120, 0.01, "1"),
            "B1": ("out", "international", 60, 0.05, "44"),
            "B2": ("out", "interstate", 180, 0.02, "1"),
            "B3": ("out", "international", 60, 0.05, "44"),
        }
        for record_id, (direction, jurisdiction, seconds, charge, prefix) in expected.items():
            cdr = self._cdr(record_id)
            self.assertEqual(
                (cdr.direction, cdr.jurisdiction, cdr.billable_seconds, cdr.rate_id.prefix),
                (direction, jurisdiction, seconds, prefix),
                record_id,
            )
            self.assertAlmostEqual(cdr.charge, charge, msg=record_id)
            self.assertEqual(cdr.agreement_id, self.agreement)
        self.assertEqual(self._cdr("A3").called_number, "+12135550100")
        rejects = {r.record_ref: r.reason for r in usage_file.reject_ids}
        self.assertEqual(rejects["R1"], "unknown trunk group NOPE")
        self.assertEqual(rejects["R2"], "no out intrastate rate for +13035550111 on 2026-03-05")
        self.assertIn("no in interstate rate", rejects["R3"])
        self.assertIn("is not an ISO date-time", rejects["R4"])
        self.assertIn("no in local rate", rejects["R5"])
        self.assertIn("is not in or out", rejects["R6"])
        # the same records in another file are duplicates, not rated twice
        again = self._import([self._row("2026-03-02T10:00:00Z", "+12125550123", record_id="A1")])
        self.assertEqual((again.rated_count, again.duplicate_count), (0, 1))
        # fixed: the trunk is added to the agreement; both rejects rated again, one still
        # without a rate; the retail records are untouched
        self.env["telecom.interconnect.trunk"].create(
            {"name": "NOPE", "agreement_id": self.agreement.id}
        )
        retail = self.env["telecom.usage.record"].search_count([])
        fixed = usage_file.reject_ids.filtered(lambda r: r.record_ref in ("R1", "R2"))
        fixed.action_rerate()
        self.assertEqual(fixed.mapped(lambda r: (r.record_ref, r.state)),
                         [("R2", "open"), ("R1", "rerated")])  # fmt: skip
        self.assertAlmostEqual(self._cdr("R1").charge, 0.02)
        self.assertIn("no out intrastate rate", fixed[0].reason)
        self.assertEqual(self.env["telecom.usage.record"].search_count([]), retail)

    # ------------------------------------------------------------
    # settlement
    # ------------------------------------------------------------

    def _march_traffic(self):
        return self._import(
            [
                self._row("2026-03-02T10:00:00Z", "+12125550123", duration=600),  # $0.20
                self._row("2026-03-20T10:00:00Z", "+12135550100", duration=6000),  # $1.00
                self._row("2026-03-04T12:00:00Z", "+442071234567", "out", duration=1200),
                self._row("2026-03-31T23:59:00Z", "+12125550199", "out", duration=3000),
                self._row("2026-04-01T00:01:00Z", "+12125550123", duration=600),  # April
            ]
        )

    def _settle_march(self, agreement=None):
        Settlement = self.env["telecom.interconnect.settlement"]
        return Settlement._telecom_settle_month(agreement or self.agreement, date(2026, 3, 17))

    def test_month_settlement_invoice_and_bill(self):
        self._march_traffic()
        settlement = self._settle_march()
        self.assertEqual(settlement.date_from, date(2026, 3, 1))
        self.assertEqual(settlement.date_to, date(2026, 3, 31))
        self.assertEqual(settlement.cdr_count, 4)
        self.assertAlmostEqual(settlement.amount_receivable, 1.20)
        # 20 min x $0.05 + 50 min x $0.008
        self.assertAlmostEqual(settlement.amount_payable, 1.40)
        self.assertEqual(
            sorted(settlement.line_ids.mapped(lambda line: (line.direction, line.jurisdiction,
                                                         line.call_count, line.minutes))),
            [("in", "interstate", 2, 110.0), ("out", "international", 1, 20.0),
             ("out", "interstate", 1, 50.0)],
        )  # fmt: skip
        settlement.action_create_moves()
        invoice, bill = settlement.invoice_id, settlement.bill_id
        self.assertEqual((invoice.move_type, invoice.state), ("out_invoice", "posted"))
        self.assertEqual((bill.move_type, bill.state), ("in_invoice", "posted"))
        self.assertEqual(invoice.partner_id, self.carrier)
        self.assertAlmostEqual(invoice.amount_total, 1.20)
        self.assertAlmostEqual(bill.amount_total, 1.40)
        self.assertEqual(invoice.invoice_line_ids.account_id, self.revenue_account)
        self.assertEqual(bill.invoice_line_ids.account_id, self.expense_account)
        self.assertEqual(self.env["account.move"].search_count([("ref", "=", settlement.name)]), 2)
        self.assertEqual(set(settlement.env["telecom.interconnect.cdr"].search(
            [("settlement_id", "=", settlement.id)]).mapped("state")), {"settled"})  # fmt: skip
        # once per month: settling again finds it, invoiced, and bills nothing more
        self.assertEqual(self._settle_march(), settlement)
        with self.assertRaises(UserError):
            settlement.action_create_moves()
        Finding = self.env["telecom.ra.finding"]
        self.assertFalse(Finding._telecom_check_interconnect_billed_mismatch())
        self.assertFalse(Finding._telecom_check_interconnect_unsettled())
        # a late March record: rated but not settled
        self._import([self._row("2026-03-30T10:00:00Z", "+12125550123", duration=60)])
        late = Finding._telecom_check_interconnect_unsettled()
        self.assertEqual((late.record_count, late.amount), (1, 0.02))
        self.assertEqual(late.interconnect_settlement_id, settlement)

    def test_settlement_month_by_utc_call_start(self):
        """A month's settlement takes the calls that start in it in UTC: the first and the
        last second in, the first second of the next month out; a start time written with
        an offset is converted to UTC first, one without is UTC."""
        rows = {
            "first second": ("2026-03-01T00:00:00Z", "03-01"),
            "last second": ("2026-03-31T23:59:59Z", "03-31"),
            "last second, no offset": ("2026-03-31 23:59:59", "03-31"),
            "April 1st 01:30 in Paris": ("2026-04-01T01:30:00+02:00", "03-31"),
            "next month": ("2026-04-01T00:00:00Z", "04-01"),
            "March 31st 19:30 in New York": ("2026-03-31T19:30:00-05:00", "04-01"),
        }
        self._import(
            [self._row(start, "+12135550100", record_id=label) for label, (start, _d) in
             rows.items()]
        )  # fmt: skip
        for label, (_start, day) in rows.items():
            self.assertEqual(str(self._cdr(label).usage_date), f"2026-{day}", label)
        Settlement = self.env["telecom.interconnect.settlement"]
        march = Settlement._telecom_settle_month(self.agreement, date(2026, 3, 31))
        april = Settlement._telecom_settle_month(self.agreement, date(2026, 4, 1))
        in_month = {
            settlement: sorted(
                self.env["telecom.interconnect.cdr"]
                .search([("settlement_id", "=", settlement.id)])
                .mapped("name")
            )
            for settlement in march | april
        }
        self.assertEqual(in_month[march], sorted(label for label, (_s, day) in rows.items()
                                                 if day.startswith("03")))  # fmt: skip
        self.assertEqual(in_month[april], ["March 31st 19:30 in New York", "next month"])

    def test_netting_settles_with_one_document(self):
        self.agreement.netting = True
        self._march_traffic()
        settlement = self._settle_march()
        settlement.action_create_moves()
        self.assertFalse(settlement.invoice_id)
        bill = settlement.bill_id
        self.assertAlmostEqual(bill.amount_total, 0.20)  # 1.40 owed - 1.20 owed to us
        lines = bill.invoice_line_ids
        by_account = {account: 0.0 for account in lines.account_id}
        for line in lines:
            by_account[line.account_id] += line.price_subtotal
        self.assertAlmostEqual(by_account[self.expense_account], 1.40)
        self.assertAlmostEqual(by_account[self.revenue_account], -1.20)
        self.assertFalse(
            self.env["telecom.ra.finding"]._telecom_check_interconnect_billed_mismatch()
        )

    # ------------------------------------------------------------
    # carrier invoice and disputes
    # ------------------------------------------------------------

    def test_carrier_invoice_off_by_disputed_amount(self):
        self._march_traffic()
        settlement = self._settle_march()
        settlement.action_create_moves()
        Finding = self.env["telecom.ra.finding"]
        # the carrier bills $12.50 more than the traffic we rated
        settlement.write({"carrier_invoice_ref": "ACME-2026-03", "carrier_invoice_amount": 13.90})
        self.assertEqual(Finding._telecom_check_interconnect_carrier_mismatch().amount, 12.50)
        settlement.action_record_carrier_invoice()
        self.assertEqual(settlement.reconciliation_state, "disputed")
        dispute = settlement.dispute_ids
        self.assertEqual(len(dispute), 1)
        self.assertAlmostEqual(dispute.amount, 12.50)
        self.assertEqual(dispute.state, "open")
        self.assertFalse(Finding._telecom_check_interconnect_carrier_mismatch())
        settlement.action_record_carrier_invoice()
        self.assertEqual(len(settlement.dispute_ids), 1, "one dispute per carrier invoice")
        dispute.write({"reason": "minutes", "evidence": b"Y2RyLmNzdg==",
                       "evidence_filename": "our-cdrs.csv"})  # fmt: skip
        dispute.action_submit()
        with self.assertRaises(UserError):
            dispute.action_resolve_lost()  # no resolution written yet
        dispute.resolution = "Carrier's switch counted ring time; we agreed to pay."
        dispute.action_resolve_lost()
        self.assertEqual(dispute.state, "lost")
        self.assertEqual(settlement.reconciliation_state, "resolved")
        self.assertEqual((dispute.move_id.move_type, dispute.move_id.state),
                         ("in_invoice", "posted"))  # fmt: skip
        self.assertAlmostEqual(dispute.move_id.amount_total, 12.50)
        self.assertEqual(dispute.move_id.invoice_line_ids.account_id, self.expense_account)

    def test_carrier_invoice_within_tolerance_matches(self):
        self._march_traffic()
        settlement = self._settle_march()
        settlement.action_create_moves()
        settlement.write({"carrier_invoice_ref": "ACME-2026-03", "carrier_invoice_amount": 2.10})
        settlement.action_record_carrier_invoice()
        self.assertEqual(settlement.reconciliation_state, "matched")
        self.assertFalse(settlement.dispute_ids)

    def test_cron_settles_last_month_once(self):
        self._march_traffic()
        ended = self.env["telecom.interconnect.agreement"].create(
            {"name": "Old", "partner_id": self.carrier.id, "date_start": date(2025, 1, 1),
             "date_end": date(2025, 12, 31)}
        )  # fmt: skip
        Settlement = self.env["telecom.interconnect.settlement"]
        with freeze_time("2026-04-02"):
            first = Settlement._cron_settle_last_month()
            again = Settlement._cron_settle_last_month()
        self.assertEqual(first.agreement_id, self.agreement)
        self.assertNotIn(ended, first.agreement_id)
        self.assertEqual((first.state, first.date_from, first.cdr_count),
                         ("draft", date(2026, 3, 1), 4))  # fmt: skip
        self.assertFalse(again)
