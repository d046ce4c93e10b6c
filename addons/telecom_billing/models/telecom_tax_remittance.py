from odoo import fields, models, tools

from .telecom_tax_rate import JURISDICTION_LEVELS, TAX_KINDS


class TelecomTaxRemittance(models.Model):
    """Taxes and fees to remit, read from the posted journal items.

    One row per telecom tax line of a posted invoice or credit note (its base, the tax
    billed or credited, the part collected), one per tax line of the cash basis entries of a
    tax due on payment (what each payment collected), and one per base a certificate
    exempted. Group
    by period, jurisdiction level, jurisdiction and tax kind in the pivot; the list drills
    down to the journal items; both export to CSV/XLSX.
    """

    _name = "telecom.tax.remittance"
    _description = "Telecom Tax and Fee Remittance"
    _auto = False
    _order = "date desc, jurisdiction, tax_kind"
    _rec_name = "move_id"

    # ------------------------------------------------------------
    # FIELDS
    # ------------------------------------------------------------

    date = fields.Date(readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    move_id = fields.Many2one("account.move", string="Invoice", readonly=True)
    move_line_id = fields.Many2one("account.move.line", string="Journal Item", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    tax_id = fields.Many2one("account.tax", string="Tax", readonly=True)
    account_id = fields.Many2one("account.account", string="Liability Account", readonly=True)
    tax_kind = fields.Selection(TAX_KINDS, readonly=True)
    jurisdiction = fields.Char(readonly=True)
    jurisdiction_level = fields.Selection(JURISDICTION_LEVELS, string="Level", readonly=True)
    taxable_base = fields.Monetary(
        readonly=True, help="Charges the tax was computed on (negative on credit notes)."
    )
    exempt_base = fields.Monetary(
        readonly=True, help="Charges an exemption certificate removed from this tax."
    )
    tax_billed = fields.Monetary(readonly=True, help="Tax and fees charged on invoices.")
    credits = fields.Monetary(
        readonly=True, help="Tax and fees given back (credit notes, credits of earlier days)."
    )
    tax_net = fields.Monetary(string="Net Tax", readonly=True, help="Billed minus credits.")
    collected = fields.Monetary(
        readonly=True,
        help="Net tax of the paid part of the invoices (cash collected from customers). "
        "A tax due on payment (cash basis) is collected on the rows of Odoo's cash basis "
        "entries, dated on the payments.",
    )
    is_collection = fields.Boolean(
        string="Cash Basis Collection",
        readonly=True,
        help="A row of Odoo's cash basis entry of a payment: the part of a tax due on "
        "payment that the payment collected, moved from the transition account to the "
        "liability account.",
    )

    # ------------------------------------------------------------
    # SQL
    # ------------------------------------------------------------

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            f"""
            CREATE VIEW {self._table} AS (
                WITH moves AS (
                    SELECT m.id, m.date, m.company_id, m.partner_id,
                           CASE WHEN m.move_type = 'out_refund' THEN -1 ELSE 1 END AS sign,
                           CASE WHEN m.amount_total = 0 THEN 1
                                ELSE (m.amount_total - m.amount_residual) / m.amount_total
                           END AS paid
                      FROM account_move m
                     WHERE m.state = 'posted' AND m.move_type IN ('out_invoice', 'out_refund')
                )
                SELECT l.id AS id, mv.date, mv.company_id, l.company_currency_id AS currency_id,
                       mv.id AS move_id, l.id AS move_line_id, mv.partner_id,
                       t.id AS tax_id, l.account_id, t.telecom_tax_kind AS tax_kind,
                       t.telecom_jurisdiction AS jurisdiction,
                       t.telecom_jurisdiction_level AS jurisdiction_level,
                       l.tax_base_amount * mv.sign AS taxable_base,
                       0.0 AS exempt_base,
                       GREATEST(-l.balance, 0) AS tax_billed,
                       GREATEST(l.balance, 0) AS credits,
                       -l.balance AS tax_net,
                       CASE WHEN t.tax_exigibility = 'on_payment' THEN 0.0
                            ELSE ROUND(-l.balance * mv.paid, 2)
                       END AS collected,
                       FALSE AS is_collection
                  FROM account_move_line l
                  JOIN moves mv ON mv.id = l.move_id
                  JOIN account_tax t ON t.id = l.tax_line_id
                 WHERE t.telecom_tax_kind IS NOT NULL
                UNION ALL
                -- cash-basis taxes are collected by Odoo's cash basis entries, dated on the
                -- payments: the tax they book to the liability account
                SELECT l.id, l.date, l.company_id, l.company_currency_id, o.id, l.id,
                       o.partner_id, t.id, l.account_id, t.telecom_tax_kind,
                       t.telecom_jurisdiction, t.telecom_jurisdiction_level,
                       0.0, 0.0, 0.0, 0.0, 0.0, -l.balance, TRUE
                  FROM account_move_line l
                  JOIN account_move cb ON cb.id = l.move_id
                  JOIN account_move o ON o.id = cb.tax_cash_basis_origin_move_id
                  JOIN account_tax t ON t.id = l.tax_line_id
                 WHERE l.parent_state = 'posted' AND t.telecom_tax_kind IS NOT NULL
                UNION ALL
                -- bills made before taxes were Odoo taxes: their fees are product lines
                SELECT l.id, mv.date, mv.company_id, l.company_currency_id, mv.id, l.id,
                       mv.partner_id, NULL, l.account_id, l.telecom_tax_kind,
                       COALESCE(NULLIF(l.telecom_tax_jurisdiction, ''), 'US'),
                       CASE WHEN COALESCE(NULLIF(l.telecom_tax_jurisdiction, ''), 'US') = 'US'
                            THEN 'federal'
                            ELSE (ARRAY['state', 'county', 'city'])[LEAST(
                                ARRAY_LENGTH(STRING_TO_ARRAY(l.telecom_tax_jurisdiction, '/'), 1),
                                3)]
                       END,
                       0.0, 0.0, GREATEST(-l.balance, 0), GREATEST(l.balance, 0), -l.balance,
                       ROUND(-l.balance * mv.paid, 2), FALSE
                  FROM account_move_line l
                  JOIN moves mv ON mv.id = l.move_id
                 WHERE l.display_type = 'product' AND l.telecom_tax_kind IS NOT NULL
                UNION ALL
                SELECT -(mv.id * 1000 + e.n) AS id, mv.date, mv.company_id, c.currency_id,
                       mv.id, NULL, mv.partner_id, t.id, r.account_id, t.telecom_tax_kind,
                       t.telecom_jurisdiction, t.telecom_jurisdiction_level,
                       0.0, (e.item ->> 'base')::numeric * mv.sign, 0.0, 0.0, 0.0, 0.0, FALSE
                  FROM moves mv
                  JOIN account_move m ON m.id = mv.id
                  JOIN res_company c ON c.id = mv.company_id
                 CROSS JOIN LATERAL jsonb_array_elements(m.telecom_tax_exempt_bases::jsonb)
                       WITH ORDINALITY AS e(item, n)
                  JOIN account_tax t ON t.id = (e.item ->> 'tax_id')::int
                  LEFT JOIN account_tax_repartition_line r
                         ON r.tax_id = t.id AND r.document_type = 'invoice'
                        AND r.repartition_type = 'tax'
                 WHERE m.telecom_tax_exempt_bases IS NOT NULL
            )
            """  # noqa: S608 - the table name is the model's own
        )
