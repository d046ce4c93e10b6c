from odoo.tests import tagged

from .common import NetworkCase


@tagged("post_install", "-at_install")
class TestOutageFeed(NetworkCase):
    """Outages reported by the platform's monitoring API become outage records, once each."""

    def test_outages_pulled_from_monitoring(self):
        service = self._service(activate=True)
        self.rest_backend.outage_feed = True
        self.rest.outages.append(
            {"id": "MON-7", "name": "OLT down", "start": "2026-03-01 02:00:00", "end": None,
             "zips": ["95814"], "service_refs": [service.name], "updated": "2026-03-01T02:05"}
        )  # fmt: skip
        Outage = self.env["telecom.network.outage"]
        Outage._cron_pull_outages()
        outage = Outage.search([("external_ref", "=", "MON-7")])
        self.assertEqual(
            (outage.state, outage.source, outage.service_ids), ("open", "monitoring", service)
        )
        self.assertEqual(self.rest_backend.outage_feed_since, "2026-03-01T02:05")
        # the feed reports the end: the same outage is closed, not a second one created
        self.rest.outages[0].update(end="2026-03-02 08:00:00", updated="2026-03-02T08:01")
        Outage._cron_pull_outages()
        self.assertEqual(Outage.search_count([("external_ref", "=", "MON-7")]), 1)
        self.assertEqual((outage.state, outage.duration_hours), ("closed", 30.0))
