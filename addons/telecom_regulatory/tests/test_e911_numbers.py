import csv
import io
from base64 import b64decode
from datetime import date

from freezegun import freeze_time

from odoo import fields
from odoo.tests import tagged

from .common import TelecomRegulatoryCase
from .e911_simulator import E911Simulator


@tagged("post_install", "-at_install")
class TestE911(TelecomRegulatoryCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.simulator = E911Simulator().start()
        cls.addClassCleanup(cls.simulator.stop)
        cls.provider = cls.env["telecom.e911.provider"].create(
            {"name": "T 911 provider", "url": cls.simulator.url, "api_key": "t-key", "timeout": 5}
        )
        subscription = cls._subscription()
        cls.voip = cls._service(subscription, cls.plan_voip, date(2025, 3, 1))
        cls.voip_2 = cls._service(subscription, cls.plan_voip, date(2025, 3, 1))
        cls.broadband = cls._service(subscription, cls.plan_fiber, date(2025, 3, 1))

    def _location(self, service, **values):
        location = self.env["telecom.e911.location"].search(
            [("number_id", "=", service.number_ids[:1].id)]
        )
        location.write(values)
        return location

    def _test_call(self, service, result="passed"):
        return self.env["telecom.e911.test.call"].create(
            {
                "service_id": service.id,
                "number_id": service.number_ids[:1].id,
                "result": result,
                "location_read_back": "1 Main St, Sacramento",
            }
        )

    def test_location_validated_before_going_live_and_test_call(self):
        Service = self.env["telecom.service"]
        # the activation registered the service address and waited for its validation
        self.assertEqual(self.voip.state, "active")
        location = self._location(self.voip)
        self.assertEqual((location.street, location.sync_state), ("1 Main St", "synced"))
        self.assertTrue(location.dispatchable)
        self.assertEqual(location.provider_ref, f"LOC-{self.voip.number_ids.name[-4:]}")
        self.assertEqual(self.simulator.locations[self.voip.number_ids.name]["zip"], "95814")
        self.assertEqual(self.voip.e911_state, "validated")
        self.assertFalse(self.voip.e911_activation_waiting)
        # live, but no test call yet: an exception, and a to-do for the agent
        self.assertEqual(self.voip.e911_issue, "no_test_call")
        self.assertIn(self.voip, Service.search([("e911_issue", "!=", "ok")]))
        self.assertNotIn(self.broadband, Service.search([("e911_issue", "!=", "ok")]))
        test_call_type = self.env.ref("telecom_regulatory.mail_activity_e911_test_call")
        self.assertIn(test_call_type, self.voip.activity_ids.activity_type_id)
        call = self._test_call(self.voip)
        self.assertEqual(
            (call.test_number, call.user_id, call.passed), ("933", self.env.user, True)
        )
        self.assertTrue(call.call_date)
        self.assertNotIn(test_call_type, self.voip.activity_ids.activity_type_id)
        self.voip.invalidate_recordset(["e911_issue", "e911_state"])
        self.assertEqual(self.voip.e911_issue, "ok")
        # a new floor and suite: validated again before it counts as dispatchable
        location.write({"multi_unit": True, "floor": "3", "unit": "Suite 300"})
        self.assertEqual((location.sync_state, location.validated), ("pending", False))
        self.voip.invalidate_recordset(["e911_issue", "e911_state"])
        self.assertEqual(self.voip.e911_state, "revalidating")
        self.assertEqual(self.voip.e911_issue, "not_dispatchable")
        self.env["telecom.e911.location"]._cron_e911_sync()
        self.assertEqual(location.sync_state, "synced")
        sent = self.simulator.locations[self.voip.number_ids.name]
        self.assertEqual((sent["floor"], sent["unit"]), ("3", "Suite 300"))
        # moving the service moves the location, which is validated again
        new_address = self.customer.copy({"street": "2 Main St", "type": "delivery"})
        self.voip.service_address_id = new_address
        self.assertEqual(location.street, "2 Main St")
        self.assertEqual((location.sync_state, location.validated), ("pending", False))
        self.env["telecom.e911.location"]._cron_e911_sync()
        self.assertEqual(self.simulator.locations[self.voip.number_ids.name]["street"], "2 Main St")

    def test_activation_waits_until_location_validated(self):
        noc = self.env["res.users"].create(
            {
                "name": "T NOC",
                "login": "t_e911_noc",
                "groups_id": [(6, 0, [self.env.ref("telecom_catalog.group_telecom_noc").id])],
            }
        )
        wrong_zip = self.customer.copy({"zip": "00000", "type": "delivery"})
        subscription = self._subscription()
        service = self.env["telecom.service"].create(
            {
                "subscription_id": subscription.id,
                "product_id": self.plan_voip.id,
                "service_address_id": wrong_zip.id,
            }
        )
        with freeze_time("2025-04-01"):
            action = service.action_activate()
        # not live: staff see why, the provider refused the address
        self.assertEqual(service.state, "pending")
        self.assertTrue(service.e911_activation_waiting)
        self.assertEqual(action["tag"], "display_notification")
        self.assertIn("911 provider", action["params"]["message"])
        self.assertEqual(service.e911_state, "failed")
        self.assertIn("MSAG", service.e911_state_reason)
        location = self._location(service)
        self.assertEqual(location.sync_state, "error")
        # the refusal is a NOC alert, not only a chatter message
        alert_type = self.env.ref("telecom_regulatory.mail_activity_e911_sync_failed")
        alerts = location.activity_ids.filtered(lambda a: a.activity_type_id == alert_type)
        self.assertIn(noc, alerts.user_id)
        self.assertEqual(self.provider.error_count, 1)
        self.assertEqual(self.provider.waiting_activation_count, 1)
        self.assertGreaterEqual(self.provider.alert_count, 1)
        # the address is corrected: validated by the provider, the activation goes on
        location.zip = "95814"
        self.env["telecom.e911.location"]._cron_e911_sync()
        self.assertEqual(location.sync_state, "synced")
        self.assertEqual(service.state, "active")
        self.assertEqual(service.date_start, date(2025, 4, 1))  # the date asked
        self.assertFalse(service.e911_activation_waiting)
        self.assertFalse(location.activity_ids.filtered(lambda a: a.activity_type_id == alert_type))
        self.provider.invalidate_recordset()
        self.assertEqual(self.provider.waiting_activation_count, 0)

    def test_transient_failures_alert_the_noc(self):
        location = self._location(self.voip_2, floor="2")
        Location = self.env["telecom.e911.location"]
        alert_type = self.env.ref("telecom_regulatory.mail_activity_e911_sync_failed")
        for attempt in (1, 2, 3):
            self.simulator.fail = True  # HTTP 503
            Location._cron_e911_sync()
            self.assertEqual((location.sync_state, location.sync_failures), ("pending", attempt))
            alerted = location.activity_ids.filtered(lambda a: a.activity_type_id == alert_type)
            self.assertEqual(bool(alerted), attempt == 3)  # alert after 3 failures in a row
        Location._cron_e911_sync()
        self.assertEqual((location.sync_state, location.sync_failures), ("synced", 0))

    def test_location_removed_when_service_terminated(self):
        location = self._location(self.voip_2)
        number = self.voip_2.number_ids.name
        self.assertIn(number, self.simulator.locations)
        with freeze_time("2025-06-30"):
            self.voip_2._telecom_request_terminate()
        self.assertEqual(self.voip_2.state, "terminated")
        self.assertEqual(location.sync_state, "to_remove")
        self.env["telecom.e911.location"]._cron_e911_sync()
        self.assertEqual(location.sync_state, "removed")
        self.assertNotIn(number, self.simulator.locations)

    def test_service_without_address_waits(self):
        nowhere = self.env["res.partner"].create({"name": "T No Address"})
        service = self._service(self._subscription(nowhere), self.plan_voip, date(2025, 3, 1))
        self.assertTrue(service.number_ids)
        self.assertEqual(service.state, "pending")
        self.assertEqual(service.e911_state, "waiting")
        self.assertIn("service address", service.e911_state_reason)

    def test_invalid_address_and_retryable_failure(self):
        location = self._location(self.voip, zip="00000")
        self.assertFalse(location.action_sync())
        self.assertEqual(location.sync_state, "error")
        self.assertIn("MSAG", location.sync_error)
        location.zip = "95814"
        self.simulator.fail = True
        self.assertFalse(location.action_sync())
        self.assertEqual(location.sync_state, "pending")  # retried by the cron
        self.env["telecom.e911.location"]._cron_e911_sync()
        self.assertEqual(location.sync_state, "synced")

    def test_suspended_voice_without_emergency_calling(self):
        self._test_call(self.voip_2)
        self.voip_2.write({"state": "suspended", "keep_emergency_calling": False})
        self.assertEqual(self.voip_2.e911_issue, "no_emergency_calling")
        self.assertIn(self.voip_2, self.env["telecom.service"].search([("e911_issue", "!=", "ok")]))
        self.voip_2.keep_emergency_calling = True
        self.voip_2.invalidate_recordset(["e911_issue"])
        self.assertEqual(self.voip_2.e911_issue, "ok")


@tagged("post_install", "-at_install")
class TestNumberReports(TelecomRegulatoryCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Number = cls.env["telecom.number"]
        with freeze_time("2026-01-05 10:00:00"):
            cls.block = Number.create(
                [
                    {
                        "name": f"+1202555{line:04d}",
                        "status": "available",
                        "state_code": "DC",
                        "rate_center": "WASHINGTON",
                    }
                    for line in range(1000, 1010)
                ]
            )
            cls.other_block = Number.create(
                [
                    {
                        "name": f"+1202555{line:04d}",
                        "status": "available",
                        "state_code": "DC",
                        "rate_center": "WASHINGTON",
                    }
                    for line in range(2000, 2004)
                ]
            )
            cls.block[:6]._telecom_assign(cls.customer, "T sale")
            cls.block[6]._telecom_reserve(cls.customer, date(2026, 2, 1))
            cls.block[7]._telecom_set_status("administrative", "T test line")
            cls.other_block[:1]._telecom_assign(cls.customer, "T sale")
        with freeze_time("2026-02-10 15:00:00"):
            cls.block[:2]._telecom_disconnect(date(2026, 2, 10), "T terminated")
        with freeze_time("2026-03-02 09:00:00"):
            cls.block[2]._telecom_disconnect(date(2026, 3, 2), "T terminated")

    def _csv(self, filing):
        attachment = self.env["ir.attachment"].search(
            [("res_model", "=", filing._name), ("res_id", "=", filing.id)]
        )
        return list(csv.reader(io.StringIO(b64decode(attachment.datas).decode())))

    def test_rnd_previous_month(self):
        filing = self.env["telecom.regulatory.filing"].create(
            {"filing_type": "rnd", "date_from": date(2026, 2, 1), "date_to": date(2026, 2, 28)}
        )
        self.assertEqual(filing.due_date, date(2026, 3, 15))
        filing.action_generate()
        rows = self._csv(filing)
        self.assertEqual(rows[0], ["telephone_number", "disconnect_date"])
        self.assertEqual(rows[1:], [["2025551000", "2026-02-10"], ["2025551001", "2026-02-10"]])

    def test_nruf_counts_and_utilization(self):
        filing = self.env["telecom.regulatory.filing"].create(
            {
                "filing_type": "nruf",
                "date_from": date(2025, 7, 1),
                "date_to": fields.Date.today(),
            }
        )
        filing.action_generate()
        rows = {r.thousands_block: r for r in filing.number_row_ids}
        first = rows["202-555-1"]
        self.assertEqual(
            (
                first.assigned_count,
                first.aging_count,
                first.reserved_count,
                first.administrative_count,
                first.available_count,
                first.total_count,
            ),
            (3, 3, 1, 1, 2, 10),
        )
        self.assertEqual(first.utilization, 30.0)
        self.assertEqual(rows["202-555-2"].utilization, 25.0)
        self.assertEqual(first.rate_center, "WASHINGTON")
        # as of January 31: before the disconnections
        filing_jan = self.env["telecom.regulatory.filing"].create(
            {"filing_type": "nruf", "date_from": date(2026, 1, 1), "date_to": date(2026, 1, 31)}
        )
        filing_jan.action_generate()
        first = filing_jan.number_row_ids.filtered(lambda r: r.thousands_block == "202-555-1")
        self.assertEqual((first.assigned_count, first.aging_count, first.utilization), (6, 0, 60.0))
