from odoo import api, fields, models


class AccountAnalyticAccount(models.Model):
    _inherit = "account.analytic.account"

    telecom_state_id = fields.Many2one(
        "res.country.state",
        string="Telecom State",
        index="btree_not_null",
        help="Telecom revenue of services whose address is in this state is distributed to "
        "this analytic account.",
    )

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    @api.model
    def _telecom_is_state_distribution(self, distribution):
        """True when ``distribution`` only uses state accounts (so it was set by geography and
        may follow a change of service address)."""
        if not distribution:
            return False
        ids = {int(i) for key in distribution for i in str(key).split(",") if i}
        accounts = self.browse(ids).exists()
        return len(accounts) == len(ids) and all(accounts.mapped("telecom_state_id"))
