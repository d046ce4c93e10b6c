from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import TelecomNumbersCase
from .sim_fixtures import iccid, imsi, make_sims


@tagged("post_install", "-at_install")
class TestSimInventory(TelecomNumbersCase):
    def test_vendor_file_import_rejects_bad_rows_with_reasons(self):
        good = iccid(1001)
        wrong_digit = good[:-1] + str((int(good[-1]) + 1) % 10)
        esim = iccid(1002)
        rows = [
            "iccid,imsi,pin1,puk1,kind,smdp_address,matching_id",
            f"{good},{imsi(1001)},1234,12345678,,,",
            f"{wrong_digit},{imsi(1003)},1234,12345678,,,",
            f"1{good[1:]},{imsi(1004)},1234,12345678,,,",
            f"{good[:10]},{imsi(1005)},1234,12345678,,,",
            f"{esim},{imsi(1002)},1234,12345678,esim,smdp.example.com,AB-12",
            f"{iccid(1006)},{imsi(1006)},12,12345678,,,",
            f"{iccid(1007)},{imsi(1001)},1234,12345678,,,",
            f"{good},{imsi(1008)},1234,12345678,,,",
            f"{iccid(1009)},{imsi(1009)},1234,12345678,esim,,",
            f"{iccid(1010)},310,1234,12345678,,,",
        ]
        record = self.env["telecom.sim.import"]._telecom_import_csv(
            ("\n".join(rows) + "\n").encode(), "vendor.csv"
        )
        self.assertEqual(record.row_count, 10)
        self.assertEqual(record.created_count, 2)
        self.assertEqual(record.rejected_count, 8)
        self.assertEqual(
            record.row_count,
            record.created_count + record.existing_count + record.rejected_count,
            "counts add up",
        )
        reasons = {r.row_number: r.reason for r in record.reject_ids}
        self.assertIn("wrong check digit", reasons[3])
        self.assertIn("starts with 89", reasons[4])
        self.assertIn("19 or 20 digits", reasons[5])
        self.assertIn("SIM PIN is 4 to 8 digits", reasons[7])
        self.assertIn("IMSI repeated: see row 2", reasons[8])
        self.assertIn("ICCID repeated: see row 2", reasons[9])
        self.assertIn("SM-DP+ address", reasons[10])
        self.assertIn("IMSI is 15 digits", reasons[11])
        sims = record.sim_ids
        self.assertEqual(set(sims.mapped("name")), {good, esim})
        self.assertEqual(set(sims.mapped("state")), {"in_stock"})
        self.assertEqual(sims.filtered(lambda s: s.kind == "esim").smdp_address, "smdp.example.com")
        self.assertEqual(len(sims.history_ids), 2, "history for SIMs created in bulk")
        # the same file again: nothing created twice
        again = self.env["telecom.sim.import"]._telecom_import_csv(
            ("\n".join(rows) + "\n").encode(), "vendor.csv"
        )
        self.assertEqual((again.created_count, again.existing_count), (0, 2))

    def test_secrets_are_for_number_admins_only(self):
        sim = make_sims(self.env, 1, start=2001)
        portal = new_test_user(
            self.env, login="t_sim_portal", groups="base.group_portal", partner_id=self.resident.id
        )
        sim.write({"partner_id": self.resident.id})
        user = new_test_user(
            self.env, login="t_sim_user", groups="telecom_catalog.group_telecom_user"
        )
        admin = new_test_user(
            self.env,
            login="t_sim_admin",
            groups="telecom_catalog.group_telecom_number_admin",
        )
        self.assertEqual(sim.with_user(admin).pin1, "1234")
        for who in (user, portal):
            record = sim.with_user(who)
            self.assertEqual(record.name, sim.name)
            with self.assertRaises(AccessError):  # the field is restricted by groups
                record.read(["puk1"])
            self.assertNotIn("puk1", record.fields_get())

    def test_lifecycle_with_history(self):
        sim = make_sims(self.env, 1, start=3001)
        number = self.make_number("assigned", partner_id=self.resident.id)
        sim._telecom_reserve(self.resident)
        sim._telecom_assign(number, self.resident, "T activation")
        self.assertEqual(number.sim_id, sim)
        with self.assertRaisesRegex(UserError, "cannot go from Assigned to Swapped Out"):
            sim._telecom_set_state("swapped", "T")
        sim._telecom_set_state("active", "T in service")
        number._telecom_disconnect(self.today, "T terminated")
        self.assertEqual(sim.state, "retired", "the SIM of a disconnected line is retired")
        self.assertEqual(
            sim.history_ids.sorted("id").mapped("to_state"),
            ["in_stock", "reserved", "assigned", "active", "retired"],
        )
        good = iccid(3002)
        with self.assertRaisesRegex(ValidationError, "check digit"):
            self.env["telecom.sim"].create(
                {"name": good[:-1] + str((int(good[-1]) + 1) % 10), "imsi": imsi(3002)}
            )
