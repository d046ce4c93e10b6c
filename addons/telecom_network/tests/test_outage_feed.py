from odoo.tests import tagged

from .common import NetworkCase


@tagged("post_install", "-at_install")
class TestOutageFeed(NetworkCase):
    """Outages reported by the platform's monitoring API become outage records, once each."""

    def test_outages_pulled_from_monitoring(self):
        self._check_outage_feed(self.rest, self.rest_backend, self._service(activate=True))

    def test_outages_pulled_from_soap_monitoring(self):
        """ListOutages answers typed dateTimes: the feed resumes from the last change read."""
        service = self._service(self.plan_voip, activate=True)
        self._check_outage_feed(self.soap, self.soap_backend, service, "2026-03-01 02:05:00")

    def _check_outage_feed(self, platform, backend, service, since="2026-03-01T02:05:00"):
        backend.outage_feed = True
        platform.outages.append(
            {"id": "MON-7", "name": "OLT down", "start": "2026-03-01 02:00:00", "end": None,
             "zips": ["95814"], "service_refs": [service.name], "updated": "2026-03-01T02:05:00"}
        )  # fmt: skip
        Outage = self.env["telecom.network.outage"]
        Outage._cron_pull_outages()
        outage = Outage.search([("external_ref", "=", "MON-7")])
        self.assertEqual(
            (outage.state, outage.source, outage.service_ids), ("open", "monitoring", service)
        )
        self.assertEqual(backend.outage_feed_since, since)
        # the feed reports the end: the same outage is closed, not a second one created
        platform.outages[0].update(end="2026-03-02 08:00:00", updated="2026-03-02T08:01:00")
        Outage._cron_pull_outages()
        self.assertEqual(Outage.search_count([("external_ref", "=", "MON-7")]), 1)
        self.assertEqual((outage.state, outage.duration_hours), ("closed", 30.0))
