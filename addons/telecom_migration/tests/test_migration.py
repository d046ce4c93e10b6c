import base64

from odoo.tests import new_test_user, tagged

from odoo.addons.telecom_billing.tests.common import TelecomBillingCase

from .common import legacy_file


def _data(name):
    return legacy_file(name)


@tagged("post_install", "-at_install")
class TestLegacyMigration(TelecomBillingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.plan_basic.default_code = "T-MIG-BASIC"
        cls.plan_fiber.default_code = "T-MIG-FIBER"
        cls.provider = cls.env["payment.provider"].create(
            {"name": "Legacy Gateway", "code": "none"}
        )
        cls.batch = cls.env["telecom.migration.batch"].create(
            {
                "name": "Legacy cut-over",
                "date": "2026-03-10",
                "customers_file": base64.b64encode(_data("legacy_customers.csv")),
                "services_file": base64.b64encode(_data("legacy_services.csv")),
                "plan_map_file": base64.b64encode(_data("legacy_plan_map.csv")),
                "invoices_file": base64.b64encode(_data("legacy_invoices.csv")),
            }
        )
        cls.batch.action_run()

    def _partner(self, legacy_id):
        return self.env["res.partner"].search([("ref", "=", legacy_id)])

    def test_validation_report(self):
        batch = self.batch
        self.assertEqual(batch.state, "done")
        self.assertEqual(
            (batch.customer_count, batch.service_count, batch.invoice_count, batch.token_count),
            (4, 3, 3, 2),
            batch.report,
        )
        rejects = {(r.file, r.legacy_id): r.reason for r in batch.reject_ids}
        self.assertEqual(len(rejects), 4)
        self.assertIn("bill cycle day 31 cannot be kept", rejects[("customers", "L-1004")])
        self.assertIn("unmapped plan code 'OLDPLAN'", rejects[("services", "S-4")])
        self.assertIn("unknown customer 'L-9999'", rejects[("services", "S-5")])
        self.assertIn("unknown customer 'L-7777'", rejects[("invoices", "INV-0005")])
        self.assertIn("Rejected rows: 4.", batch.report, batch.report)

    def test_balances_match_to_the_cent(self):
        batch = self.batch
        balances = {b.legacy_id: b for b in batch.balance_ids}
        self.assertEqual(sorted(balances), ["L-1001", "L-1002", "L-1003", "L-1005"])
        self.assertTrue(all(b.matched for b in batch.balance_ids))
        self.assertAmount(balances["L-1001"].odoo_balance, 125.40)
        self.assertAmount(balances["L-1002"].odoo_balance, -20.05)
        self.assertAmount(balances["L-1005"].odoo_balance, 33.33)
        self.assertEqual(batch.balance_mismatch_count, 0)
        self.assertAmount(batch.legacy_total, 138.68)
        self.assertAmount(batch.odoo_total, 138.68)
        # the opening entry balances: the suspense account carries the counterpart
        move = batch.opening_move_ids
        self.assertEqual((len(move), move.state, move.journal_id.type), (1, "posted", "general"))
        self.assertAmount(sum(move.line_ids.mapped("balance")), 0.0)
        self.assertAmount(batch.suspense_balance, -138.68)

    def test_accounts_services_numbers_tokens(self):
        jane = self._partner("L-1002")
        subscription = self.env["telecom.subscription"].search([("partner_id", "=", jane.id)])
        self.assertEqual(subscription.bill_cycle_day, 15)
        self.assertEqual(jane.telecom_customer_type, "residential")
        service = subscription.service_ids
        self.assertEqual((service.state, service.product_id), ("active", self.plan_basic))
        self.assertEqual(str(service.date_start), "2025-01-15")
        self.assertEqual(str(service.charged_until), "2026-03-14")
        self.assertEqual(service.number_ids.name, "+19165557003")
        self.assertEqual(service.number_ids.status, "assigned")
        acme = self._partner("L-1001")
        fiber = self.env["telecom.service"].search([("circuit_id", "=", "CKT-ACME-01")])
        self.assertEqual(fiber.product_id, self.plan_fiber)
        self.assertEqual(fiber.partner_id, acme)
        token = self.env["payment.token"].search([("partner_id", "=", acme.id)])
        self.assertEqual((token.provider_id, token.provider_ref), (self.provider, "tok_acme_4242"))
        kept = self.env["telecom.migration.map"].search(
            [("kind", "=", "token"), ("legacy_id", "=", "L-1003")]
        )
        self.assertIn("tok_bob_1111", kept.note)

    def test_invoice_history_staff_and_portal(self):
        History = self.env["telecom.migration.invoice"]
        self.assertEqual(
            sorted(History.search([]).mapped("legacy_ref")), ["INV-0001", "INV-0002", "INV-0003"]
        )
        acme = self._partner("L-1001")
        portal = new_test_user(self.env, "t_acme_portal", groups="base.group_portal")
        portal.partner_id.parent_id = acme
        seen = History.with_user(portal).search([])
        self.assertEqual(sorted(seen.mapped("legacy_ref")), ["INV-0001", "INV-0002"])
        self.assertAmount(
            seen.filtered(lambda i: i.legacy_ref == "INV-0001").amount_residual, 125.40
        )

    def test_rerun_updates_without_duplicates(self):
        partners = self.env["res.partner"].search_count([("ref", "like", "L-10")])
        services = self.env["telecom.service"].search_count([])
        self.batch.action_run()
        self.assertEqual(self.env["res.partner"].search_count([("ref", "like", "L-10")]), partners)
        self.assertEqual(self.env["telecom.service"].search_count([]), services)
        self.assertEqual(len(self.batch.opening_move_ids), 1)  # balances unchanged
        self.assertEqual(len(self.batch.reject_ids), 4)
        # a corrected balance in the legacy extract: only the difference is booked
        content = _data("legacy_customers.csv").replace(b",33.33,", b",40.00,")
        self.batch.customers_file = base64.b64encode(content)
        self.batch.action_run()
        self.assertEqual(len(self.batch.opening_move_ids), 2)
        carol = {b.legacy_id: b for b in self.batch.balance_ids}["L-1005"]
        self.assertTrue(carol.matched)
        self.assertAmount(carol.odoo_balance, 40.00)
