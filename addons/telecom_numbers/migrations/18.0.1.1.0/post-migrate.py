"""Issue 19 on an existing database: port-out PINs are stored hashed.

The PINs were kept in clear in ``res_partner.telecom_port_out_pin``; the field is now computed
(write-only) and the hash lives in ``telecom_port_out_pin_hash``. Each PIN is hashed, then the
clear column is dropped.
"""

from odoo.addons.telecom_catalog.tools.secrets import hash_secret


def migrate(cr, version):
    cr.execute(
        "SELECT 1 FROM information_schema.columns "
        "WHERE table_name = 'res_partner' AND column_name = 'telecom_port_out_pin'"
    )
    if not cr.fetchone():
        return
    cr.execute(
        "SELECT id, telecom_port_out_pin FROM res_partner "
        "WHERE COALESCE(telecom_port_out_pin, '') <> ''"
    )
    for partner_id, pin in cr.fetchall():
        cr.execute(
            "UPDATE res_partner SET telecom_port_out_pin_hash = %s WHERE id = %s",
            [hash_secret(pin.strip()), partner_id],
        )
    cr.execute("ALTER TABLE res_partner DROP COLUMN telecom_port_out_pin")
