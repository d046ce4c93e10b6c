"""Issue 19 on an existing database: the PIN of a port request is stored encrypted.

The PINs were kept in clear in ``telecom_port_request.pin``; the field is now computed
(write-only) and the encrypted PIN lives in ``pin_encrypted`` (the NPAC/SOA vendor needs the
PIN in clear, so it cannot be hashed). Each PIN of an open request is encrypted, the PINs of
activated or cancelled requests are dropped, then the clear column is dropped.
"""

from odoo import SUPERUSER_ID, api

from odoo.addons.telecom_catalog.tools.secrets import encrypt_secret


def migrate(cr, version):
    cr.execute(
        "SELECT 1 FROM information_schema.columns "
        "WHERE table_name = 'telecom_port_request' AND column_name = 'pin'"
    )
    if not cr.fetchone():
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    cr.execute(
        "SELECT id, pin FROM telecom_port_request "
        "WHERE COALESCE(pin, '') <> '' AND state NOT IN ('activated', 'cancelled')"
    )
    for request_id, pin in cr.fetchall():
        cr.execute(
            "UPDATE telecom_port_request SET pin_encrypted = %s WHERE id = %s",
            [encrypt_secret(env, pin.strip()), request_id],
        )
    cr.execute("ALTER TABLE telecom_port_request DROP COLUMN pin")
