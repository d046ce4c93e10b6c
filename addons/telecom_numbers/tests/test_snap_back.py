from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import TelecomNumbersCase
from .npac_simulator import SimulatorMixin


@tagged("post_install", "-at_install")
class TestSnapBack(SimulatorMixin, TelecomNumbersCase):
    """A disconnected ported-in number goes back to its carrier through the SOA vendor."""

    def setUp(self):
        super().setUp()
        self.sim = self.start_simulator()
        Backend = self.env["telecom.npac.backend"]
        Backend.search([]).write({"is_default": False})
        self.backend = Backend.create(
            {"name": "T SOA", "base_url": self.sim.url, "api_key": self.sim.api_key,
             "timeout": 5, "is_default": True}
        )  # fmt: skip
        self.ported = self.make_number("assigned", source="ported_in", partner_id=self.business.id)
        self.native = self.make_number("assigned", partner_id=self.business.id)

    def test_ported_in_number_snaps_back_and_leaves_inventory(self):
        day = self.business_day(3)
        (self.ported | self.native)._telecom_disconnect(day, "T service terminated")
        # the native number ages; the ported-in one snaps back, confirmed by the vendor
        self.assertEqual(self.native.status, "aging")
        self.assertEqual(self.ported.status, "snapped_back")
        self.assertFalse(self.ported.partner_id)
        self.assertFalse(self.ported.aging_until)
        self.assertEqual(self.ported.snap_back_date, day)
        self.assertFalse(self.ported.snap_back_pending)
        self.assertEqual(len(self.sim.snapbacks), 1)
        sent = self.sim.snapbacks[0]
        self.assertEqual((sent["number"], sent["effective_date"]), (self.ported.name, str(day)))
        self.assertEqual(self.ported.snap_back_reference, sent["reference"])
        last = self.ported.history_ids[:1]
        self.assertEqual((last.from_status, last.to_status), ("assigned", "snapped_back"))
        self.assertEqual(last.partner_id, self.business, "history keeps the customer")
        # never resold: not available, not released by the aging job, no move to available
        Number = self.env["telecom.number"]
        self.assertNotIn(self.ported, Number._telecom_search_available(limit=1000))
        Number._cron_release_aged_numbers()
        self.assertEqual(self.ported.status, "snapped_back")
        with self.assertRaisesRegex(UserError, "cannot go from Snapped Back to Available"):
            self.ported._telecom_set_status("available", "T resell")

    def test_vendor_down_then_retried_once(self):
        self.sim.fail_next = 1
        self.ported._telecom_disconnect(self.today, "T terminated")
        self.assertEqual(self.ported.status, "snapped_back", "never back in our pool")
        self.assertTrue(self.ported.snap_back_pending)
        self.assertEqual(self.sim.snapbacks, [])
        self.env["telecom.number"]._cron_send_snap_backs()
        self.assertFalse(self.ported.snap_back_pending)
        self.assertEqual(len(self.sim.snapbacks), 1)
        # the same snap-back sent again (answer lost) is not recorded twice by the vendor
        self.ported._telecom_send_snap_back()
        self.assertEqual(len(self.sim.snapbacks), 1)

    def test_ported_again_after_snap_back(self):
        self.ported._telecom_disconnect(self.today, "T terminated")
        request = self._port_in(self.ported.name, port_type="simple")
        request.action_submit()
        self.assertEqual(self.ported.status, "porting_in", "a snapped-back number can be won back")
        request.action_cancel()
        self.assertEqual(self.ported.status, "snapped_back")
