from odoo import fields, models, tools


class TelecomTaxRemittanceCheck(models.Model):
    """The remittance report against the general ledger: per month and liability account of
    the telecom taxes, the net tax of the report and the movement of the account's balance
    in the posted journal items. A tax due on payment (cash basis) waits on its transition
    account from the bill until Odoo's cash basis entries move what each payment collected
    to its liability account: both accounts are checked. A difference is what was booked to
    the account by other entries (a payment to a tax authority, a manual entry): it is
    shown, never hidden."""

    _name = "telecom.tax.remittance.check"
    _description = "Telecom Tax Remittance against the Ledger"
    _auto = False
    _order = "month desc, account_id"

    month = fields.Date(readonly=True, help="First day of the month.")
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    account_id = fields.Many2one("account.account", string="Liability Account", readonly=True)
    report_tax = fields.Monetary(
        string="Net Tax (Report)", readonly=True, help="Net tax of the remittance report."
    )
    ledger_balance = fields.Monetary(
        string="Account Movement",
        readonly=True,
        help="Credit minus debit of the account's posted journal items of the month.",
    )
    difference = fields.Monetary(readonly=True, help="Account movement minus the report.")

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            f"""
            CREATE VIEW {self._table} AS (
                WITH accounts AS (
                    SELECT DISTINCT r.account_id
                      FROM account_tax_repartition_line r
                      JOIN account_tax t ON t.id = r.tax_id
                     WHERE t.telecom_tax_kind IS NOT NULL AND r.account_id IS NOT NULL
                     UNION
                    SELECT DISTINCT account_id FROM telecom_tax_remittance
                ), ledger AS (
                    SELECT l.company_id, l.account_id,
                           DATE_TRUNC('month', l.date)::date AS month,
                           -SUM(l.balance) AS balance
                      FROM account_move_line l
                      JOIN accounts a ON a.account_id = l.account_id
                     WHERE l.parent_state = 'posted'
                     GROUP BY 1, 2, 3
                ), moved AS (
                    SELECT r.company_id, r.account_id, r.date,
                           CASE WHEN r.is_collection THEN r.collected ELSE r.tax_net END
                               AS amount
                      FROM telecom_tax_remittance r
                     WHERE r.move_line_id IS NOT NULL
                     UNION ALL
                    -- what a cash basis entry collected left the tax's transition account
                    SELECT r.company_id, t.cash_basis_transition_account_id, r.date, -r.collected
                      FROM telecom_tax_remittance r
                      JOIN account_tax t ON t.id = r.tax_id
                     WHERE r.is_collection
                ), report AS (
                    SELECT company_id, account_id, DATE_TRUNC('month', date)::date AS month,
                           SUM(amount) AS tax
                      FROM moved
                     GROUP BY 1, 2, 3
                )
                SELECT ROW_NUMBER() OVER (ORDER BY g.month, g.account_id, g.company_id) AS id,
                       g.month, g.company_id, c.currency_id, g.account_id,
                       COALESCE(r.tax, 0) AS report_tax,
                       COALESCE(g.balance, 0) AS ledger_balance,
                       COALESCE(g.balance, 0) - COALESCE(r.tax, 0) AS difference
                  FROM ledger g
                  JOIN res_company c ON c.id = g.company_id
                  LEFT JOIN report r ON r.company_id = g.company_id
                       AND r.account_id = g.account_id AND r.month = g.month
            )
            """  # noqa: S608 - the table name is the model's own
        )
