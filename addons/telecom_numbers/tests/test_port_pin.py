import importlib.util
from pathlib import Path

from odoo.tests import new_test_user, tagged
from odoo.tools import SQL

from odoo.addons.telecom_catalog.tools.secrets import decrypt_secret

from .common import TelecomNumbersCase

MIGRATION = Path(__file__).parents[1] / "migrations" / "18.0.1.2.0" / "post-migrate.py"


@tagged("post_install", "-at_install")
class TestPortPin(TelecomNumbersCase):
    """The PIN of a port request is sent on to the NPAC/SOA vendor in clear (the losing
    carrier checks it), so it cannot be hashed: it is encrypted at rest, never read back by
    anyone, and erased once the request is over."""

    def _stored(self, request):
        self.env.flush_all()
        return self.env.execute_query(
            SQL("SELECT pin_encrypted FROM telecom_port_request WHERE id = %s", request.id)
        )[0][0]

    def test_pin_is_encrypted_at_rest_and_never_read_back(self):
        request = self._port_in(pin="4321")
        stored = self._stored(request)
        self.assertTrue(stored.startswith("fernet:"))
        self.assertNotIn("4321", stored)
        self.assertEqual(decrypt_secret(self.env, stored), "4321")
        self.assertEqual(request._telecom_pin(), "4321")
        admin = new_test_user(
            self.env,
            login="t_pin_admin",
            groups="telecom_catalog.group_telecom_number_admin,base.group_allow_export",
        )
        mine = request.with_user(admin)
        self.assertEqual(
            mine.read(["pin", "pin_set"])[0], {"id": request.id, "pin": False, "pin_set": True}
        )
        self.assertEqual(mine.export_data(["pin"])["datas"], [[""]])
        # typed again on the form: replaced
        mine.pin = "8765"
        self.assertEqual(request._telecom_pin(), "8765")
        # the vendor payload carries it in clear, for the losing carrier's check
        self.assertEqual(request._telecom_vendor_payload(["+13125550100"])["pin"], "8765")

    def test_pin_is_erased_when_the_request_is_over(self):
        request = self._port_in()
        request.action_cancel()
        self.assertEqual(request.state, "cancelled")
        self.assertIsNone(self._stored(request))
        self.assertFalse(request.pin_set)

    def test_migration_encrypts_the_pins_kept_in_clear(self):
        open_request, done = self._port_in(pin="2468"), self._port_in(numbers="+13125550101")
        done.action_cancel()
        self.env.flush_all()
        cr = self.env.cr
        cr.execute("ALTER TABLE telecom_port_request ADD COLUMN pin varchar")
        cr.execute(
            "UPDATE telecom_port_request SET pin = '1357', pin_encrypted = NULL WHERE id IN %s",
            [(open_request.id, done.id)],
        )
        spec = importlib.util.spec_from_file_location("telecom_numbers_pin_migration", MIGRATION)
        migration = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(migration)
        migration.migrate(cr, "18.0.1.1.0")
        self.env.invalidate_all()
        self.assertEqual(open_request._telecom_pin(), "1357")
        self.assertIsNone(self._stored(done), "a cancelled request's PIN is not kept")
        cr.execute(
            "SELECT 1 FROM information_schema.columns "
            "WHERE table_name = 'telecom_port_request' AND column_name = 'pin'"
        )
        self.assertFalse(cr.fetchone(), "the clear column is gone")
