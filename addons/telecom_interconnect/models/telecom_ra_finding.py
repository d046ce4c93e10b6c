from odoo import api, fields, models


class TelecomRaFinding(models.Model):
    """The interconnect checks of revenue assurance: traffic rated vs settled, rated vs
    invoiced, and the carrier's invoice vs our rated traffic."""

    _inherit = "telecom.ra.finding"

    check = fields.Selection(
        selection_add=[
            ("interconnect_unsettled", "Interconnect Traffic Rated but not Settled"),
            ("interconnect_billed_mismatch", "Interconnect Invoice Differs from Traffic"),
            ("interconnect_carrier_mismatch", "Carrier Invoice Differs, not Disputed"),
        ],
        ondelete={
            "interconnect_unsettled": "cascade",
            "interconnect_billed_mismatch": "cascade",
            "interconnect_carrier_mismatch": "cascade",
        },
    )
    interconnect_agreement_id = fields.Many2one(
        "telecom.interconnect.agreement", string="Interconnect Agreement"
    )
    interconnect_settlement_id = fields.Many2one(
        "telecom.interconnect.settlement", string="Interconnect Settlement"
    )

    @api.model
    def _telecom_checks(self):
        return [
            self._telecom_check_interconnect_unsettled,
            self._telecom_check_interconnect_billed_mismatch,
            self._telecom_check_interconnect_carrier_mismatch,
            *super()._telecom_checks(),
        ]

    @api.model
    def _telecom_check_interconnect_unsettled(self):
        """Rated traffic of a month whose settlement is already invoiced, left off it."""
        rows = self._fetch(
            """
            SELECT s.id AS interconnect_settlement_id, s.agreement_id AS
                   interconnect_agreement_id, s.company_id, s.partner_id, s.name,
                   s.date_from AS period_start, COUNT(*) AS n, SUM(c.charge) AS amount
              FROM telecom_interconnect_settlement s
              JOIN telecom_interconnect_cdr c
                ON c.agreement_id = s.agreement_id AND c.settlement_id IS NULL
               AND c.usage_date BETWEEN s.date_from AND s.date_to
             WHERE s.state = 'invoiced'
             GROUP BY s.id
            """
        )
        return self._telecom_record_rows(
            "interconnect_unsettled",
            rows,
            lambda row: {
                "key": f"interconnect_unsettled:{row['interconnect_settlement_id']}",
                "name": self.env._("Settlement %(name)s: traffic left off", name=row["name"]),
                "record_count": row["n"],
                "amount": float(row["amount"] or 0),
                "description": self.env._(
                    "%(n)s interconnect records of the month were rated after the "
                    "settlement was invoiced.",
                    n=row["n"],
                ),
            },
        )

    @api.model
    def _telecom_check_interconnect_billed_mismatch(self):
        """Traffic of an invoiced settlement (records' charges) vs its invoice and bill."""
        rows = self._fetch(
            """
            WITH rated AS (
                SELECT settlement_id,
                       SUM(CASE WHEN direction = 'in' THEN charge ELSE -charge END) AS amount
                  FROM telecom_interconnect_cdr WHERE settlement_id IS NOT NULL GROUP BY 1
            ), billed AS (
                SELECT s.id, COALESCE(SUM(m.amount_untaxed_signed), 0) AS amount
                  FROM telecom_interconnect_settlement s
                  LEFT JOIN account_move m
                         ON m.id IN (s.invoice_id, s.bill_id) AND m.state = 'posted'
                 WHERE s.state = 'invoiced'
                 GROUP BY s.id
            )
            SELECT s.id AS interconnect_settlement_id,
                   s.agreement_id AS interconnect_agreement_id, s.company_id, s.partner_id,
                   s.name, s.date_from AS period_start, COALESCE(r.amount, 0) AS rated,
                   b.amount AS billed
              FROM billed b
              JOIN telecom_interconnect_settlement s ON s.id = b.id
              LEFT JOIN rated r ON r.settlement_id = s.id
             WHERE ROUND(COALESCE(r.amount, 0), 2) != ROUND(b.amount, 2)
            """
        )
        return self._telecom_record_rows(
            "interconnect_billed_mismatch",
            rows,
            lambda row: {
                "key": f"interconnect_billed_mismatch:{row['interconnect_settlement_id']}",
                "name": self.env._(
                    "Settlement %(name)s: invoiced amount differs from traffic", name=row["name"]
                ),
                "amount": abs(float(row["rated"]) - float(row["billed"])),
                "description": self.env._(
                    "Net rated traffic %(rated)s; net invoiced %(billed)s.",
                    rated=row["rated"],
                    billed=row["billed"],
                ),
            },
        )

    @api.model
    def _telecom_check_interconnect_carrier_mismatch(self):
        """A carrier invoice off our rated traffic beyond tolerance, with no dispute."""
        rows = self._fetch(
            """
            SELECT s.id AS interconnect_settlement_id,
                   s.agreement_id AS interconnect_agreement_id, s.company_id, s.partner_id,
                   s.name, s.date_from AS period_start, s.carrier_difference AS difference
              FROM telecom_interconnect_settlement s
              JOIN telecom_interconnect_agreement a ON a.id = s.agreement_id
             WHERE s.carrier_invoice_ref IS NOT NULL
               AND ABS(s.carrier_difference) > COALESCE(a.dispute_tolerance, 0)
               AND NOT EXISTS (SELECT 1 FROM telecom_interconnect_dispute d
                                WHERE d.settlement_id = s.id)
            """
        )
        return self._telecom_record_rows(
            "interconnect_carrier_mismatch",
            rows,
            lambda row: {
                "key": f"interconnect_carrier_mismatch:{row['interconnect_settlement_id']}",
                "name": self.env._(
                    "Settlement %(name)s: carrier invoice differs, no dispute", name=row["name"]
                ),
                "amount": abs(float(row["difference"] or 0)),
            },
        )
