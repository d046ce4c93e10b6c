"""18.0.1.1.0: a database with demo data gets the interconnect demo's decks, trunk records and
settlements (the demo's steps run at install only; the records were created by the update)."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    if env["ir.module.module"].search_count(
        [("name", "=", "telecom_interconnect"), ("demo", "=", True)]
    ):
        env["telecom.interconnect.settlement"]._telecom_demo_load()
