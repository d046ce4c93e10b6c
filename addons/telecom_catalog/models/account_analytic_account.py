from odoo import api, fields, models, tools
from odoo.exceptions import ValidationError


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
    # CONSTRAINT
    # ------------------------------------------------------------

    @api.constrains("telecom_state_id", "company_id", "active")
    def _check_telecom_state_unique(self):
        for account in self.filtered(lambda a: a.telecom_state_id and a.active):
            domain = [
                ("id", "!=", account.id),
                ("telecom_state_id", "=", account.telecom_state_id.id),
            ]
            if account.company_id:
                domain.append(("company_id", "in", (False, account.company_id.id)))
            other = self.search(domain, limit=1)
            if other:
                raise ValidationError(
                    self.env._(
                        "Telecom revenue of %(state)s already goes to analytic account "
                        "%(other)s; a state can have only one.",
                        state=account.telecom_state_id.name,
                        other=other.display_name,
                    )
                )

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        accounts = super().create(vals_list)
        if any(vals.get("telecom_state_id") for vals in vals_list):
            self.env.registry.clear_cache()  # _telecom_state_account_id
        return accounts

    def write(self, vals):
        result = super().write(vals)
        if {"telecom_state_id", "company_id", "active"} & set(vals):
            self.env.registry.clear_cache()
        return result

    def unlink(self):
        states = any(self.mapped("telecom_state_id"))
        result = super().unlink()
        if states:
            self.env.registry.clear_cache()
        return result

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    @api.model
    @tools.ormcache("company_id", "state_id")
    def _telecom_state_account_id(self, company_id, state_id):
        """Id of the analytic account receiving the telecom revenue of ``state_id`` in the
        company (or None); cached (every invoice line asks) and cleared when it changes."""
        company = self.env["res.company"].browse(company_id)
        account = (
            self.sudo()
            .with_context(active_test=True)
            .search(
                [*self._check_company_domain(company), ("telecom_state_id", "=", state_id)],
                limit=1,
            )
        )
        return account.id or None

    @api.model
    def _telecom_distribute_by_state(self, lines, document_field):
        """Distribute telecom revenue ``lines`` (sale order or invoice lines) to the analytic
        account of the state of their document's service address (the delivery address, else
        the customer); ``document_field`` names the document (``order_id``, ``move_id``).

        A distribution set another way (a distribution model, the sale order, by hand) stays.
        """
        for line in lines:
            current = line.analytic_distribution
            if current and not self._telecom_is_state_distribution(current):
                continue
            document = line[document_field]
            address = document.partner_shipping_id or document.partner_id
            distribution = (
                address.with_company(line.company_id)._telecom_analytic_distribution() or False
            )
            if distribution != current:
                line.analytic_distribution = distribution

    @api.model
    def _telecom_is_state_distribution(self, distribution):
        """True when ``distribution`` only uses state accounts (so it was set by geography and
        may follow a change of service address)."""
        if not distribution:
            return False
        ids = {int(i) for key in distribution for i in str(key).split(",") if i}
        accounts = self.browse(ids).exists()
        return len(accounts) == len(ids) and all(accounts.mapped("telecom_state_id"))
