from datetime import date

from odoo.tests import tagged

from .common import TelecomNumbersCase
from .sim_fixtures import iccid, imsi

AGING_ROW = (
    "+13035557003,aging,TA-555-001,SVC-9,native,DENVER,CO,,2019-03-01,2026-11-01,2027-01-30,,,"
)
PORTED_ROW = (
    "+13125557004,assigned,TA-555-002,SVC-2,ported_in,CHICAGO,IL,,2024-05-02,,,2024-05-02,"
    "Old Telco,NPAC-778899"
)


@tagged("post_install", "-at_install")
class TestInventoryMigration(TelecomNumbersCase):
    HEADER = (
        "number,status,customer,service_ref,source,rate_center,state,reserved_until,"
        "assigned_date,disconnect_date,aging_until,port_date,port_carrier,port_transaction_id"
    )

    def test_four_statuses_with_history_and_rejects(self):
        rows = [
            self.HEADER,
            "+13035557001,assigned,TA-555-001,SVC-1,native,DENVER,CO,,2020-01-05,,,,,",
            "+13035557002,reserved,TA-555-002,,native,DENVER,CO,2030-01-31,,,,,,",
            AGING_ROW,
            PORTED_ROW,
            "+13035557005,available,,,,DENVER,CO,,,,,,,",
            # rejects
            "+13035557001,assigned,TA-555-001,SVC-1,native,DENVER,CO,,,,,,,",
            "+13035557006,assigned,NO-SUCH,SVC-3,native,DENVER,CO,,,,,,,",
            "+13035557007,reserved,TA-555-001,,native,DENVER,CO,,,,,,,",
            "+13035557008,aging,,,native,DENVER,CO,,,2026-13-01,2027-01-01,,,",
            "+13125557009,assigned,TA-555-002,,ported_in,CHICAGO,IL,,,,,,,",
            "+13035557010,porting_out,TA-555-001,,native,DENVER,CO,,,,,,,",
            "12345,assigned,TA-555-001,,native,DENVER,CO,,,,,,,",
        ]
        migration = self.env["telecom.number.migration"]._telecom_migrate_csv(
            ("\n".join(rows) + "\n").encode()
        )
        self.assertEqual(migration.row_count, 12)
        self.assertEqual(migration.created_count, 5)
        self.assertEqual(migration.rejected_count, 7)
        reasons = {r.row_number: r.reason for r in migration.reject_ids}
        self.assertIn("Number repeated: see row 2", reasons[7])
        self.assertIn("No customer has the account number 'NO-SUCH'", reasons[8])
        self.assertIn("reserved number needs: reserved_until", reasons[9])
        self.assertIn("disconnect_date '2026-13-01' is not a date", reasons[10])
        self.assertIn("port date and losing carrier", reasons[11])
        self.assertIn("Status 'porting_out' is not one of", reasons[12])
        self.assertIn("does not have 10 digits", reasons[13])
        Number = self.env["telecom.number"]
        assigned = Number.search([("name", "=", "+13035557001")])
        self.assertEqual((assigned.status, assigned.partner_id), ("assigned", self.resident))
        self.assertEqual(assigned.service_reference, "SVC-1")
        self.assertEqual(assigned.assigned_date, date(2020, 1, 5))
        self.assertTrue(assigned.aging_required)
        reserved = Number.search([("name", "=", "+13035557002")])
        self.assertEqual(
            (reserved.status, reserved.reserved_until), ("reserved", date(2030, 1, 31))
        )
        aging = Number.search([("name", "=", "+13035557003")])
        self.assertEqual(
            (aging.status, aging.disconnect_date, aging.aging_until),
            ("aging", date(2026, 11, 1), date(2027, 1, 30)),
        )
        ported = Number.search([("name", "=", "+13125557004")])
        self.assertEqual((ported.status, ported.source), ("assigned", "ported_in"))
        port = ported.history_ids.filtered(lambda h: h.transaction_ref)
        self.assertEqual(
            (port.carrier, port.transaction_ref, port.date.date(), port.to_status),
            ("Old Telco", "NPAC-778899", date(2024, 5, 2), "assigned"),
        )
        for number in assigned | reserved | aging | ported:
            migrated = number.history_ids.filtered(lambda h: not h.transaction_ref)
            self.assertEqual(len(migrated), 1)
            self.assertEqual(migrated.to_status, number.status)
        self.assertIn("assigned (ported in): 1", migration.report)
        self.assertIn("No customer has the account number", migration.report)
        # a ported-in number migrated snaps back when its service ends, like any other
        self.assertEqual(Number._telecom_search_available(rate_center="DENVER").mapped("name"),
                         ["+13035557005"])  # fmt: skip

    def test_sims_with_state_and_line(self):
        numbers = f"{self.HEADER}\n+13035558001,assigned,TA-555-001,SVC-1,native,DENVER,CO,,,,,,,"
        sims = "\n".join(
            [
                "iccid,imsi,state,number,kind,smdp_address",
                f"{iccid(5001)},{imsi(5001)},active,+13035558001,,",
                f"{iccid(5002)},{imsi(5002)},in_stock,,esim,smdp.example.com",
                f"{iccid(5003)},{imsi(5003)},active,+13035558001,,",
                f"{iccid(5004)},{imsi(5004)},active,+13035559999,,",
                f"{iccid(5005)},{imsi(5005)},assigned,,,",
                f"{iccid(5006)},{imsi(5006)},lost,,,",
            ]
        )
        migration = self.env["telecom.number.migration"]._telecom_migrate_csv(
            (numbers + "\n").encode(), (sims + "\n").encode()
        )
        sim_import = migration.sim_import_id
        self.assertEqual((sim_import.created_count, sim_import.rejected_count), (2, 4))
        reasons = sorted(sim_import.reject_ids.mapped("reason"))
        self.assertEqual(
            reasons,
            sorted(
                [
                    "The line already has a SIM in service.",
                    "The line (number) is not in the number inventory: migrate the numbers first.",
                    "An assigned or active SIM needs its line (number).",
                    "Unknown SIM state 'lost'.",
                ]
            ),
        )
        line = self.env["telecom.number"].search([("name", "=", "+13035558001")])
        self.assertEqual(line.sim_id.name, iccid(5001))
        self.assertEqual(line.sim_id.state, "active")
        self.assertEqual(line.sim_id.partner_id, self.resident)
        self.assertIn("SIMs: 6 rows = 2 created", migration.report)
