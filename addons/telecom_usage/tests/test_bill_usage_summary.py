from lxml import html

from odoo.tests import tagged

from .common import TelecomRatingCase


@tagged("post_install", "-at_install")
class TestBillUsageSummary(TelecomRatingCase):
    """The telecom bill's usage summary: January's calls and a message billed on 1 February,
    with the rate plan's 2 included minutes."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["telecom.usage.file"]._telecom_import_csv(
            cls._csv(
                [
                    cls._cdr("2026-01-14T15:00:00Z", 600),  # peak, 10 min
                    cls._cdr("2026-01-15T02:00:00Z", 120),  # off-peak, 2 min
                    cls._cdr("2026-01-14T16:00:00Z", 60, "+442071234567"),  # no allowance
                    cls._cdr("2026-01-14T17:00:00Z", 0, usage_type="sms"),
                ]
            )
        )
        cls.move = cls._invoice(cls._bill(cls.d(2026, 2, 1)), cls.subscription)

    def test_usage_by_type_with_allowance_used(self):
        content = self.env["ir.actions.report"]._render_qweb_html(
            "account.report_invoice", self.move.ids
        )[0]
        rows = {}
        for row in html.fromstring(content).xpath('//tr[@name="usage_row"]'):
            cells = {
                cell.get("name"): " ".join(cell.text_content().split())
                for cell in row.xpath("./td[@name]")
            }
            rows[cells["usage_type"]] = cells
        records = self.env["telecom.usage.record"].search([("move_id", "=", self.move.id)])
        voice = records.filtered(lambda r: r.usage_type == "voice")
        self.assertEqual(set(rows), {"Voice", "SMS"})
        # 13 minutes used, the 2 included minutes taken, of an allowance of 2
        self.assertEqual(
            (rows["Voice"]["usage_used"], rows["Voice"]["usage_included"]),
            ("13.0 min", "2.0 min"),
        )
        self.assertEqual(rows["Voice"]["usage_allowance"], "2 min")
        self.assertEqual(rows["Voice"]["usage_amount"], "$ %.2f" % sum(voice.mapped("charge")))
        self.assertEqual(
            (rows["SMS"]["usage_used"], rows["SMS"]["usage_allowance"]), ("1.0 msg", "–")
        )
