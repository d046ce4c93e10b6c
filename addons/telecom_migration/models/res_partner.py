from odoo import models


class ResPartner(models.Model):
    _inherit = "res.partner"

    def _telecom_migration_extras(self, row, batch):
        """Carry over the legacy values of ``row`` that a module above billing owns (CPNI
        choices, ...). Returns the columns it carried over; the migration keeps the others
        on its mapping and reports them. Modules extend it; the base carries nothing."""
        parent = getattr(super(), "_telecom_migration_extras", None)
        return parent(row, batch) if parent else set()
