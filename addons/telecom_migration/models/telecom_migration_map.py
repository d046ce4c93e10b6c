from odoo import fields, models

MIGRATION_MAP_KINDS = [
    ("customer", "Customer"),
    ("subscription", "Billing Account"),
    ("service", "Service"),
    ("token", "Payment Token"),
    ("kept", "Kept, Not Carried Over"),
]


class TelecomMigrationMap(models.Model):
    """Legacy id -> Odoo record: what makes the migration re-runnable (updates, never
    duplicates). Legacy values Odoo has no place for yet are kept here (kind *Kept*) and
    listed in the validation report."""

    _name = "telecom.migration.map"
    _description = "Legacy Migration Mapping"
    _order = "kind, legacy_id"
    _sql_constraints = [
        (
            "legacy_uniq",
            "UNIQUE(company_id, kind, legacy_id)",
            "A legacy record maps to one Odoo record.",
        ),
    ]

    company_id = fields.Many2one("res.company", required=True, index=True)
    kind = fields.Selection(MIGRATION_MAP_KINDS, required=True)
    legacy_id = fields.Char(required=True)
    res_model = fields.Char(required=True)
    res_id = fields.Many2oneReference(model_field="res_model", required=True)
    amount = fields.Monetary(help="Amount of a legacy value kept but not carried over.")
    currency_id = fields.Many2one(related="company_id.currency_id")
    note = fields.Char()
    legacy_values = fields.Text(
        help="Legacy values with no place in Odoo yet, one 'column: value' per line."
    )
    batch_id = fields.Many2one("telecom.migration.batch", string="Last Migration")
