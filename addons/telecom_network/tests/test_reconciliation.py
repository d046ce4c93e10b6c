import base64
import os
import shutil
import tempfile
from datetime import date
from unittest.mock import patch

from odoo.tests import tagged

from odoo.addons.telecom_provisioning.tests.platform_simulators import SoapPlatformSimulator

from .common import NetworkCase


class ReconciliationCase(NetworkCase):
    """The platform simulator is seeded with one difference of each kind."""

    def setUp(self):
        super().setUp()
        self.number = self.env["telecom.number"].create(
            {"name": "+19165550142", "rate_center": "SACRAMENTO", "state_code": "CA"}
        )
        self.ok = self._service(activate=True)
        self.leak = self._service()  # pending in billing, delivered by the network
        self.missing = self._service(activate=True)
        self.profile = self._service(activate=True)
        self.suspended = self._service(activate=True)
        self.mobile = self._service(self.plan_mobile)
        self.number.service_id = self.mobile
        self.mobile._telecom_request_activate()
        subscribers = self.platform.subscribers
        subscribers[self.leak.name] = {
            "state": "active",
            "profile": "FTTH-300",
            "speed_mbps": 300,
            "features": [],
            "activated_on": "2026-11-20",
            "platform_id": "NET-LEAK",
        }
        del subscribers[self.missing.name]
        subscribers[self.profile.name].update(profile="FTTH-1G", speed_mbps=1000)
        subscribers[self.suspended.name]["state"] = "suspended"
        subscribers[self.mobile.name]["msisdn"] = "+19165550199"
        self.platform.seed({"ZZ-UNKNOWN-1": {"state": "active", "profile": "FTTH-1G"}})
        self.expected = {
            ("net_not_billed", self.leak.name, 50.0),
            ("net_not_billed", "ZZ-UNKNOWN-1", 80.0),
            ("net_not_provisioned", self.missing.name, 50.0),
            ("net_profile", self.profile.name, 30.0),
            ("net_suspension", self.suspended.name, 50.0),
            ("net_number", self.mobile.name, 0.0),
        }

    def _found(self, findings):
        return {(f.check, f.network_ref, f.amount) for f in findings}


@tagged("post_install", "-at_install")
class TestReconciliation(ReconciliationCase):
    """Over the REST platform's read API: the run finds exactly the seeded differences, and
    each fix goes through provisioning or billing."""

    def test_exactly_the_seeded_differences(self):
        run = self._reconcile()
        self.assertEqual(run.state, "done")
        self.assertEqual(self._found(self._findings()), self.expected)
        self.assertEqual(run.page_count, 3, "6 subscribers read 2 a page")
        xref = self.profile.network_xref_ids
        self.assertEqual((xref.network_profile, xref.network_speed_mbps), ("FTTH-1G", 1000))
        self.assertEqual(xref.last_seen_run_id, run)
        self.assertIn("Reconciliation done", run.message_ids[0].body)
        # the same run again finds the same findings, not new ones
        again = self._reconcile()
        self.assertEqual(self._found(self._findings()), self.expected)
        self.assertEqual(self._findings().reconciliation_id, again)

    def test_each_fix_end_to_end(self):
        self._reconcile()
        findings = {f.network_ref: f for f in self._findings()}
        # provisioned, not billed: billing starts on the network's activation date
        findings[self.leak.name].action_network_fix()
        self.assertEqual(self.leak.state, "active")
        self.assertEqual(self.leak.date_start, date(2026, 11, 20))
        self.assertEqual(self.leak.charged_until, date(2026, 11, 19))
        # billed, not provisioned: provisioned again, and the customer credited
        finding = findings[self.missing.name]
        finding.action_network_credit()
        charge = finding.fix_charge_id
        self.assertEqual((charge.state, charge.amount), ("pending", -50.0))
        self.assertEqual(charge.subscription_id, self.subscription)
        finding.state = "open"
        finding.action_network_fix()
        self.assertEqual(finding.fix_order_id.state, "done")
        self.assertEqual(self.platform.subscribers[self.missing.name]["state"], "active")
        # profile: plan and features sent again
        findings[self.profile.name].action_network_fix()
        self.assertEqual(self.platform.subscribers[self.profile.name]["profile"], "FTTH-300")
        self.assertEqual(self.platform.subscribers[self.profile.name]["speed_mbps"], 300)
        self.assertEqual(self.profile.product_id, self.plan_fiber_300, "billing unchanged")
        # suspended on the network only: reactivated there
        findings[self.suspended.name].action_network_fix()
        self.assertEqual(self.platform.subscribers[self.suspended.name]["state"], "active")
        self.assertEqual(self.suspended.state, "active")
        # number mismatch: the number billing holds goes to the network
        findings[self.mobile.name].action_network_fix()
        self.assertEqual(self.platform.subscribers[self.mobile.name]["msisdn"], "+19165550142")
        fixed = self.env["telecom.ra.finding"].browse([f.id for f in findings.values()])
        self.assertEqual(
            set(fixed.filtered(lambda f: f.state == "resolved").mapped("network_ref")),
            {s.name for s in (self.leak, self.missing, self.profile, self.suspended, self.mobile)},
        )
        # the next run agrees: only the unknown subscriber is left
        self._reconcile()
        self.assertEqual(self._found(self._findings()), {("net_not_billed", "ZZ-UNKNOWN-1", 80.0)})

    def test_killed_run_resumes_without_duplicates(self):
        run = self.env["telecom.network.reconciliation"].create({"backend_id": self.backend.id})
        run.action_start()
        run._telecom_step()
        first_cursor = run.cursor
        self.assertTrue(first_cursor)
        run._telecom_step()
        self.assertNotEqual(run.cursor, first_cursor)
        # the platform fails on the next page: the run waits and reads the same page again
        cursor = run.cursor
        self.platform.behave_read("error_5xx")
        run._telecom_step()
        self.assertEqual((run.state, run.cursor, run.read_error_count), ("running", cursor, 1))
        self.assertTrue(run.next_read_at)
        self.platform.behave_read("rate_limited", retry_after=3)
        run._telecom_step()
        self.assertEqual((run.cursor, run.read_error_count), (cursor, 2))
        # killed after its findings were written but before the cursor was: the page is read
        # again from the last committed cursor
        run.cursor = first_cursor
        run._telecom_run_to_end()
        self.assertEqual(run.state, "done")
        findings = self._findings()
        self.assertEqual(self._found(findings), self.expected)
        self.assertEqual(len(findings), len(set(findings.mapped("key"))))
        self.assertEqual(len(findings), len(self.expected))

    def test_cron_runs_one_page_per_call(self):
        run = self.env["telecom.network.reconciliation"].create({"backend_id": self.backend.id})
        run.action_start()
        Run = self.env["telecom.network.reconciliation"]
        calls = 0
        while run.state == "running" and calls < 100:
            Run._cron_run_reconciliations()
            calls += 1
        self.assertEqual(run.state, "done")
        self.assertGreater(calls, run.page_count, "one page per call, then the billing side")
        self.assertEqual(self._found(self._findings()), self.expected)


@tagged("post_install", "-at_install")
class TestSoapReconciliation(TestReconciliation):
    """The same over the SOAP platform's read operations (ListSubscribers, typed records)."""

    platform_kind = "soap"


@tagged("post_install", "-at_install")
class TestReconciliationSources(ReconciliationCase):
    """Inventory extracts of batch-file platforms, the daily schedule, no read API."""

    def _count_parses(self):
        """Count the parses of inventory extracts from here on."""
        Run = type(self.env["telecom.network.reconciliation"])
        patcher = patch.object(
            Run, "_telecom_extract_rows", autospec=True, side_effect=Run._telecom_extract_rows
        )
        parses = patcher.start()
        self.addCleanup(patcher.stop)
        return parses

    def _file_run(self):
        self.rest_backend.reconcile_source = "file"
        return self.env["telecom.network.reconciliation"].create(
            {
                "backend_id": self.rest_backend.id,
                "source": "file",
                "extract_file": base64.b64encode(self._extract()),
                "extract_filename": "inventory.csv",
            }
        )

    def _staged_rows(self, run):
        self.env.cr.execute(
            "SELECT count(*) FROM telecom_network_extract_row WHERE run_id = %s", [run.id]
        )
        return self.env.cr.fetchone()[0]

    def test_batch_file_platform_from_an_extract(self):
        run = self._file_run()
        parses = self._count_parses()
        run.action_start()
        self.assertEqual((run.extract_row_count, self._staged_rows(run)), (6, 6))
        run._telecom_run_to_end()
        self.assertEqual(self.rest.read_calls, 0, "no read API call")
        self.assertEqual(self._found(self._findings()), self.expected)
        self.assertEqual(run.page_count, 3, "6 rows read 2 a page")
        self.assertEqual(parses.call_count, 1, "the extract is parsed once, not once a page")
        self.assertEqual(self._staged_rows(run), 0, "the staged rows go when the run is done")

    def test_killed_file_run_resumes_without_duplicates(self):
        run = self._file_run()
        parses = self._count_parses()
        run.action_start()
        run._telecom_step()
        first_cursor = run.cursor
        run._telecom_step()
        self.assertEqual((first_cursor, run.cursor), ("2", "4"))
        # killed after its findings were written but before the cursor was: the page is read
        # again from the last committed cursor, from the staged rows
        run.cursor = first_cursor
        run._telecom_run_to_end()
        findings = self._findings()
        self.assertEqual(self._found(findings), self.expected)
        self.assertEqual(len(findings), len(self.expected), "no finding twice")
        self.assertEqual(parses.call_count, 1)

    def test_file_run_started_before_its_rows_were_staged(self):
        """A run started by a version that did not stage its extract stages it on its next
        page and carries on from its cursor."""
        run = self._file_run()
        run.action_start()
        run._telecom_step()
        self.env.cr.execute("DELETE FROM telecom_network_extract_row WHERE run_id = %s", [run.id])
        run.extract_staged = False
        run._telecom_run_to_end()
        self.assertEqual(self._found(self._findings()), self.expected)
        self.assertEqual(run.subscriber_count, 6)

    def test_extract_through_a_file_channel(self):
        folder = tempfile.mkdtemp(prefix="t-network-")
        self.addCleanup(shutil.rmtree, folder)
        channel = self.env["telecom.file.channel"].create(
            {"name": "T inventory", "importer": "network_inventory", "pattern": "*.csv",
             "path": folder, "network_backend_id": self.rest_backend.id}
        )  # fmt: skip
        with open(os.path.join(folder, "inventory-20261207.csv"), "wb") as handle:
            handle.write(self._extract())
        with open(os.path.join(folder, "inventory-broken.csv"), "wb") as handle:
            handle.write(self._extract() + b"\nSRV/X,sub-x,active,P,fast,,,,\n")
        parses = self._count_parses()
        log, broken = sorted(channel._telecom_poll(), key=lambda log: log.name)
        self.assertEqual(broken.state, "error")
        self.assertIn("speed_mbps 'fast' is not a whole number", broken.report)
        run = self.env[log.res_model].browse(log.res_id)
        self.assertEqual((log.state, run.state, run.source), ("done", "running", "file"))
        run._telecom_run_to_end()
        self.assertEqual(self.rest.read_calls, 0, "no read API call")
        self.assertEqual(self._found(self._findings()), self.expected)
        self.assertEqual(parses.call_count, 2, "each file parsed once")

    def _extract(self):
        """The platform's subscribers as its inventory extract file."""
        rows = [
            "service_ref,subscriber_id,state,profile,speed_mbps,features,msisdn,iccid,activated_on"
        ]
        for ref, sub in sorted(self.rest.subscribers.items()):
            if not sub.get("state"):
                continue
            rows.append(
                ",".join(
                    str(v or "")
                    for v in (
                        ref,
                        sub.get("platform_id"),
                        sub.get("state"),
                        sub.get("profile"),
                        sub.get("speed_mbps"),
                        ";".join(sub.get("features") or []),
                        sub.get("msisdn"),
                        sub.get("iccid"),
                        sub.get("activated_on"),
                    )
                )
            )
        return "\n".join(rows).encode()

    def test_daily_cron_starts_one_run_per_backend(self):
        self.rest_backend.reconcile_enabled = True
        Backend = self.env["telecom.provisioning.backend"]
        Backend._cron_schedule_reconciliations()
        Backend._cron_schedule_reconciliations()
        runs = self.rest_backend.reconciliation_ids
        self.assertEqual(len(runs), 1, "not twice while one is running")
        self.assertEqual(runs.state, "running")

    def test_platform_without_read_api_stops_the_run_with_a_reason(self):
        old_platform = SoapPlatformSimulator(read_api=False).start()
        self.addCleanup(old_platform.stop)
        self.soap_backend.wsdl_url = old_platform.wsdl_url
        run = self.env["telecom.network.reconciliation"].create(
            {"backend_id": self.soap_backend.id}
        )
        run.action_start()
        self.env["telecom.network.reconciliation"]._cron_run_reconciliations()
        self.assertEqual(run.state, "failed")
        self.assertIn("no read API", "".join(run.message_ids.mapped("body")))
