from datetime import timedelta

from odoo import api, fields, models

# Days an open reject may wait before it is a finding.
REJECT_GRACE_DAYS = 3


class TelecomRaFinding(models.Model):
    """The usage checks of revenue assurance: received vs rated, rejected and not fixed,
    rated vs billed, billed amount vs the usage lines of the invoice."""

    _inherit = "telecom.ra.finding"

    # ------------------------------------------------------------
    # FIELDS
    # ------------------------------------------------------------

    check = fields.Selection(
        selection_add=[
            ("usage_lost", "Usage Received vs Rated"),
            ("usage_unbilled", "Usage Rated but not Billed"),
            ("usage_billed_mismatch", "Usage Billed Amount Differs"),
            ("usage_rejected", "Usage Rejected and not Fixed"),
        ],
        ondelete={
            "usage_lost": "cascade",
            "usage_unbilled": "cascade",
            "usage_billed_mismatch": "cascade",
            "usage_rejected": "cascade",
        },
    )
    usage_file_id = fields.Many2one("telecom.usage.file", string="CDR File")

    # ------------------------------------------------------------
    # ACTION
    # ------------------------------------------------------------

    def action_view_usage(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "telecom_usage.action_telecom_usage_record"
        )
        domain = []
        if self.move_id:
            domain.append(("move_id", "=", self.move_id.id))
        elif self.subscription_id:
            domain += [("service_id.subscription_id", "=", self.subscription_id.id)]
            domain.append(("state", "=", "rated"))
        elif self.usage_file_id:
            domain.append(("usage_file_id", "=", self.usage_file_id.id))
        action["domain"] = domain
        return action

    # ------------------------------------------------------------
    # BUSINESS: checks
    # ------------------------------------------------------------

    @api.model
    def _telecom_checks(self):
        return [
            self._telecom_check_usage_lost,
            self._telecom_check_usage_rejected,
            self._telecom_check_usage_unbilled,
            self._telecom_check_usage_billed_mismatch,
            *super()._telecom_checks(),
        ]

    @api.model
    def _telecom_check_usage_lost(self):
        """Received vs rated: every row read from a file is rated, rejected or a duplicate."""
        rows = self._fetch(
            """SELECT id AS usage_file_id, name, company_id, read_count, rated_count,
                      rejected_count, duplicate_count
                 FROM telecom_usage_file
                WHERE state = 'done'
                  AND read_count != rated_count + rejected_count + duplicate_count"""
        )
        return self._telecom_record_rows(
            "usage_lost",
            rows,
            lambda row: {
                "key": f"usage_lost:{row['usage_file_id']}",
                "name": self.env._("CDR file %(file)s: records lost", file=row["name"]),
                "severity": "high",
                "record_count": row["read_count"]
                - row["rated_count"]
                - row["rejected_count"]
                - row["duplicate_count"],
                "description": self.env._(
                    "%(read)s records received, %(rated)s rated, %(rejected)s rejected, "
                    "%(dup)s duplicates.",
                    read=row["read_count"],
                    rated=row["rated_count"],
                    rejected=row["rejected_count"],
                    dup=row["duplicate_count"],
                ),
            },
        )

    @api.model
    def _telecom_check_usage_rejected(self):
        """Rejected usage still to fix after a few days: revenue not billed yet."""
        rows = self._fetch(
            """SELECT j.usage_file_id, j.company_id, COUNT(*) AS record_count, MIN(f.name) AS name
                 FROM telecom_usage_reject j
                 LEFT JOIN telecom_usage_file f ON f.id = j.usage_file_id
                WHERE j.state = 'open'
                  AND j.create_date < %s
                GROUP BY 1, 2""",
            [fields.Datetime.now() - timedelta(days=REJECT_GRACE_DAYS)],
        )
        return self._telecom_record_rows(
            "usage_rejected",
            rows,
            lambda row: {
                "key": f"usage_rejected:{row['usage_file_id'] or 0}",
                "name": self.env._(
                    "%(n)s rejected records to fix (%(file)s)",
                    n=row["record_count"],
                    file=row["name"] or "-",
                ),
                "record_count": row["record_count"],
                "severity": "medium",
            },
        )

    @api.model
    def _telecom_check_usage_unbilled(self):
        """Rated vs billed: usage imported before an invoice of a later period was made,
        yet not on it (nor on any other)."""
        rows = self._fetch(
            """
            SELECT v.subscription_id, sub.partner_id, sub.company_id, r.period_start,
                   COUNT(*) AS n, SUM(r.charge) AS amount
              FROM telecom_usage_record r
              JOIN telecom_service v ON v.id = r.service_id
              JOIN telecom_subscription sub ON sub.id = v.subscription_id
              JOIN telecom_usage_file f ON f.id = r.usage_file_id
             WHERE r.state = 'rated'
               AND EXISTS (SELECT 1 FROM account_move m
                            WHERE m.telecom_subscription_id = v.subscription_id
                              AND m.state != 'cancel'
                              AND m.telecom_period_start > r.usage_date
                              AND m.create_date > f.date_imported)
             GROUP BY 1, 2, 3, 4
            """
        )
        return self._telecom_record_rows(
            "usage_unbilled",
            rows,
            lambda row: {
                "key": f"usage_unbilled:{row['subscription_id']}:{row['period_start']}",
                "name": self.env._("Usage rated but left off the invoice"),
                "record_count": row["n"],
                "amount": float(row["amount"] or 0),
                "description": self.env._(
                    "%(n)s usage records of the period starting %(period)s were rated "
                    "before the account's last invoice but are not billed.",
                    n=row["n"],
                    period=row["period_start"],
                ),
            },
        )

    @api.model
    def _telecom_check_usage_billed_mismatch(self, days=120):
        """Billed usage records vs the usage lines of their invoice (recent invoices)."""
        rows = self._fetch(
            """
            WITH moves AS (
                SELECT id FROM account_move
                 WHERE telecom_subscription_id IS NOT NULL AND invoice_date >= %s
            ), rec AS (
                SELECT r.move_id, COUNT(*) AS n, SUM(r.charge) AS amount
                  FROM telecom_usage_record r JOIN moves ON moves.id = r.move_id
                 GROUP BY 1
            ), lin AS (
                SELECT l.move_id, SUM(l.price_subtotal
                           * CASE WHEN m.move_type = 'out_refund' THEN -1 ELSE 1 END) AS amount
                  FROM account_move_line l
                  JOIN moves ON moves.id = l.move_id
                  JOIN account_move m ON m.id = l.move_id
                 WHERE l.telecom_line_kind = 'usage' GROUP BY 1
            )
            SELECT m.id AS move_id, m.name, m.company_id,
                   m.telecom_subscription_id AS subscription_id,
                   m.partner_id, COALESCE(rec.n, 0) AS n, COALESCE(rec.amount, 0) AS rated,
                   COALESCE(lin.amount, 0) AS billed
              FROM rec FULL JOIN lin ON lin.move_id = rec.move_id
              JOIN account_move m ON m.id = COALESCE(rec.move_id, lin.move_id)
             WHERE m.state != 'cancel'
               AND ROUND(COALESCE(rec.amount, 0), 2) != ROUND(COALESCE(lin.amount, 0), 2)
            """,
            [fields.Date.add(fields.Date.today(), days=-days)],
        )
        return self._telecom_record_rows(
            "usage_billed_mismatch",
            rows,
            lambda row: {
                "key": f"usage_billed_mismatch:{row['move_id']}",
                "name": self.env._("Invoice %(move)s: usage lines differ", move=row["name"]),
                "record_count": row["n"],
                "amount": abs(float(row["rated"]) - float(row["billed"])),
                "description": self.env._(
                    "Rated usage on the invoice: %(rated)s; usage lines: %(billed)s.",
                    rated=row["rated"],
                    billed=row["billed"],
                ),
            },
        )
