from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import TelecomNumbersCase


@tagged("post_install", "-at_install")
class TestNumberSecurity(TelecomNumbersCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.clerk = new_test_user(
            cls.env, login="tn_clerk", groups="telecom_catalog.group_telecom_user"
        )
        cls.number_admin = new_test_user(
            cls.env, login="tn_admin", groups="telecom_catalog.group_telecom_number_admin"
        )
        cls.portal = new_test_user(
            cls.env, login="tn_portal", groups="base.group_portal", partner_id=cls.resident.id
        )
        cls.mine = cls.make_number("assigned", partner_id=cls.resident.id)
        cls.theirs = cls.make_number("assigned", partner_id=cls.business.id)
        cls.request_mine = cls.env["telecom.port.request"].create(
            {"direction": "out", "partner_id": cls.resident.id, "number_input": cls.mine.name}
        )
        cls.request_theirs = cls.env["telecom.port.request"].create(
            {"direction": "out", "partner_id": cls.business.id, "number_input": cls.theirs.name}
        )

    def test_only_number_admins_edit_numbers(self):
        number = self.make_number("available")
        self.assertTrue(number.with_user(self.clerk).name)
        with self.assertRaises(AccessError):
            number.with_user(self.clerk)._telecom_reserve(self.resident, self.today)
        with self.assertRaises(AccessError):
            self.env["telecom.number"].with_user(self.clerk).create({"name": "+12025568888"})
        number.with_user(self.number_admin)._telecom_reserve(self.resident, self.today)
        self.assertEqual(number.status, "reserved")
        self.assertEqual(number.history_ids[:1].user_id, self.number_admin)

    def test_port_out_pin_only_for_number_admins(self):
        with self.assertRaises(AccessError):
            self.resident.with_user(self.clerk).read(["telecom_port_out_pin"])
        with self.assertRaises(AccessError):
            self.resident.with_user(self.clerk).write({"telecom_port_out_pin": "1357"})
        # stored hashed: nobody reads it back, the checks compare with the hash
        resident = self.resident.with_user(self.number_admin)
        self.assertFalse(resident.telecom_port_out_pin)
        self.assertTrue(resident.telecom_port_out_pin_set)
        self.assertTrue(resident._telecom_port_out_pin_matches("2580"))
        self.assertFalse(resident._telecom_port_out_pin_matches("2581"))
        hashed = self.resident.sudo().telecom_port_out_pin_hash
        self.assertTrue(hashed.startswith("$pbkdf2-sha512$"))
        self.assertNotIn("2580", hashed)
        with self.assertRaises(AccessError):
            self.request_mine.with_user(self.clerk).read(["pin"])

    def test_portal_users_read_only_their_numbers_and_requests(self):
        numbers = self.env["telecom.number"].with_user(self.portal).search([])
        self.assertIn(self.mine, numbers)
        self.assertNotIn(self.theirs, numbers)
        self.assertEqual(set(numbers.partner_id.ids), {self.resident.id})
        requests = self.env["telecom.port.request"].with_user(self.portal).search([])
        self.assertEqual(requests, self.request_mine)
        with self.assertRaises(AccessError):
            self.theirs.with_user(self.portal).read(["name"])
        with self.assertRaises(AccessError):
            self.mine.with_user(self.portal).write({"rate_center": "X"})
