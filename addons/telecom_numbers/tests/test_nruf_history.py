from datetime import timedelta

from odoo.tests import tagged

from odoo.addons.telecom_numbers.models.telecom_number import utilization

from .common import TelecomNumbersCase


@tagged("post_install", "-at_install")
class TestBulkHistoryAndNruf(TelecomNumbersCase):
    """Numbers written in bulk have history; NRUF counts come from the inventory."""

    def test_block_import_writes_history_and_nruf_matches_a_count_by_hand(self):
        content = "number,rate_center,lata,state,ocn\n" + "".join(
            f"+1303555{line:04d},DENVER,656,CO,7531\n" for line in range(2000, 2300)
        )
        record = self.env["telecom.number.import"]._telecom_import_csv(content.encode(), "t.csv")
        self.assertEqual(record.created_count, 300)
        numbers = record.number_ids
        history = self.env["telecom.number.history"].search([("number_id", "in", numbers.ids)])
        self.assertEqual(len(history), 300, "one history row per number created in bulk")
        self.assertEqual(set(history.mapped("to_status")), {"available"})
        # the block's generated numbers get history too
        self.block._telecom_generate_numbers()
        generated = self.env["telecom.number"].search([("block_id", "=", self.block.id)])
        self.assertFalse(generated.filtered(lambda n: not n.history_ids))
        # change some numbers: assigned, reserved, aging, administrative
        numbers[:40]._telecom_assign(self.business, "T sale")
        numbers[40:50]._telecom_reserve(self.business, self.today + timedelta(days=2))
        numbers[:5]._telecom_disconnect(self.today, "T gone")
        numbers[60:62]._telecom_set_status("administrative", "T test lines")
        rows = {
            block: counts
            for _rc, _st, block, counts in self.env["telecom.number"]._telecom_nruf_counts(
                self.today
            )
        }
        # by hand, from the numbers themselves
        self.env.cr.execute(
            """SELECT status, count(*) FROM telecom_number
                WHERE name LIKE '+13035552%%' GROUP BY status"""
        )
        by_hand = dict(self.env.cr.fetchall())
        self.assertEqual(
            rows["303-555-2"],
            {
                "available": by_hand["available"],
                "assigned": by_hand["assigned"],
                "reserved": by_hand["reserved"],
                "aging": by_hand["aging"],
                "administrative": by_hand["administrative"],
            },
        )
        self.assertEqual(sum(rows["303-555-2"].values()), 300)
        self.assertEqual(utilization(rows["303-555-2"]), round(100 * 35 / 300, 2))
        # one rule: the block shows the same utilization as the report
        block = numbers[0].block_id
        self.assertEqual(block.utilization, utilization(rows["303-555-2"]))
        # as of yesterday the imported numbers did not exist yet
        yesterday = self.env["telecom.number"]._telecom_nruf_counts(
            self.today.replace(day=1) if self.today.day > 1 else self.today
        )
        if self.today.day > 1:
            self.assertNotIn("303-555-2", [row[2] for row in yesterday])

    def test_ported_in_numbers_are_not_our_resources(self):
        self.make_number("assigned", source="ported_in", name="+13125550777", rate_center="CHICAGO")
        blocks = [row[2] for row in self.env["telecom.number"]._telecom_nruf_counts(self.today)]
        self.assertNotIn("312-555-0", blocks)
