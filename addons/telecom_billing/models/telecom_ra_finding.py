import logging

from odoo import api, fields, models

from odoo.addons.telecom_catalog.tools.adapter_errors import RECORD_ERRORS

_logger = logging.getLogger(__name__)

RA_CHECKS = [
    ("active_not_billed", "Active Service not Billed"),
    ("billed_terminated", "Terminated Service Billed"),
    ("discount_ineligible", "Discount without Eligibility"),
    ("number_terminated", "Number Assigned to a Terminated Service"),
]
RA_SEVERITIES = [("low", "Low"), ("medium", "Medium"), ("high", "High")]
RA_STATES = [("open", "Open"), ("resolved", "Resolved"), ("dismissed", "Dismissed")]
# System parameter: findings at stake of at least this amount become activities.
ESCALATION_PARAM = "telecom_billing.ra_escalation_amount"
ESCALATION_DEFAULT = 100.0


class TelecomRaFinding(models.Model):
    """A revenue assurance finding: what a scheduled check found, with the money at stake
    and links to the records involved. Checks run again daily; a finding no longer found
    is resolved by the next run, one still found is updated, never duplicated."""

    _name = "telecom.ra.finding"
    _description = "Revenue Assurance Finding"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "state, severity desc, amount desc, id desc"
    _sql_constraints = [
        ("key_uniq", "UNIQUE(key)", "A finding is recorded once per check and records."),
    ]

    # ------------------------------------------------------------
    # FIELDS
    # ------------------------------------------------------------

    name = fields.Char(required=True)
    check = fields.Selection(RA_CHECKS, required=True, index=True, readonly=True)
    severity = fields.Selection(RA_SEVERITIES, required=True, default="low", tracking=True)
    state = fields.Selection(RA_STATES, required=True, default="open", tracking=True, index=True)
    key = fields.Char(required=True, readonly=True, copy=False, help="Check and records found.")
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    amount = fields.Monetary(string="Amount at Stake", tracking=True)
    record_count = fields.Integer(string="Records")
    period_start = fields.Date(string="Period")
    description = fields.Text()
    date_found = fields.Datetime(default=fields.Datetime.now, readonly=True)
    date_checked = fields.Datetime(readonly=True, help="Last run of the check that found it.")
    date_resolved = fields.Datetime(readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", index="btree_not_null")
    subscription_id = fields.Many2one("telecom.subscription", index="btree_not_null")
    service_id = fields.Many2one("telecom.service", index="btree_not_null")
    number_id = fields.Many2one("telecom.number")
    move_id = fields.Many2one("account.move", string="Invoice")
    move_line_id = fields.Many2one("account.move.line", string="Invoice Line")
    service_promotion_id = fields.Many2one("telecom.service.promotion", string="Promotion")

    # ------------------------------------------------------------
    # ACTION
    # ------------------------------------------------------------

    def action_dismiss(self):
        self.write({"state": "dismissed", "date_resolved": fields.Datetime.now()})
        return True

    def action_reopen(self):
        self.write({"state": "open", "date_resolved": False})
        return True

    # ------------------------------------------------------------
    # BUSINESS: recording findings
    # ------------------------------------------------------------

    @api.model
    def _telecom_escalation_amount(self):
        value = self.env["ir.config_parameter"].sudo().get_param(ESCALATION_PARAM)
        try:
            return float(value) if value not in (None, "") else ESCALATION_DEFAULT
        except ValueError:
            return ESCALATION_DEFAULT

    @api.model
    def _telecom_severity(self, amount, default="low"):
        if amount >= self._telecom_escalation_amount():
            return "high"
        if amount > 0:
            return "medium" if default == "low" else default
        return default

    @api.model
    def _telecom_record(self, check, found):
        """Create or update the findings of ``check`` from ``found`` (list of value dicts
        with a ``key``); open findings of that check not found any more are resolved."""
        now = fields.Datetime.now()
        keys = [vals["key"] for vals in found]
        existing = {f.key: f for f in self.search([("key", "in", keys)])}
        findings = self.browse()
        for vals in found:
            vals = {**vals, "check": check, "date_checked": now}
            vals.setdefault("severity", self._telecom_severity(vals.get("amount", 0.0)))
            finding = existing.get(vals["key"])
            if finding:
                if finding.state == "open":
                    finding.write(vals)
                    findings |= finding
            else:
                finding = self.create(vals)
                findings |= finding
        stale = self.search(
            [("check", "=", check), ("state", "=", "open"), ("key", "not in", keys)]
        )
        stale.write({"state": "resolved", "date_resolved": now})
        self._telecom_escalate(findings)
        return findings

    @api.model
    def _telecom_billing_manager(self):
        billing = self.env.ref("telecom_catalog.group_telecom_billing")
        manager = self.env.ref("telecom_catalog.group_telecom_manager")
        admin = self.env.ref("base.user_admin")
        users = (billing.users & manager.users).filtered(lambda u: not u.share and u != admin)
        return users.sorted("id")[:1] or admin

    def _telecom_escalate(self, findings):
        threshold = self._telecom_escalation_amount()
        activity_type = self.env.ref("telecom_billing.mail_activity_telecom_ra_finding")
        user = self._telecom_billing_manager()
        for finding in findings:
            if finding.amount < threshold or finding.activity_ids.filtered(
                lambda a, t=activity_type: a.activity_type_id == t
            ):
                continue
            finding.activity_schedule(
                activity_type_id=activity_type.id,
                user_id=user.id,
                summary=self.env._(
                    "Revenue at stake: %(amount)s",
                    amount=finding.currency_id.format(finding.amount),
                ),
                note=finding.description,
            )

    # ------------------------------------------------------------
    # BUSINESS: checks
    # ------------------------------------------------------------

    @api.model
    def _telecom_checks(self):
        return [
            self._telecom_check_active_not_billed,
            self._telecom_check_billed_terminated,
            self._telecom_check_discounts,
            self._telecom_check_numbers,
        ]

    @api.model
    def _cron_telecom_ra_checks(self, batch_size=None):
        """Run every check (each is one set-based query); each in its own savepoint."""
        self.env.flush_all()
        done = 0
        for check in self._telecom_checks():
            try:
                with self.env.cr.savepoint():
                    check()
                done += 1
            except RECORD_ERRORS:  # one check failing does not stop the others
                _logger.exception("Revenue assurance check %s failed", check.__name__)
        self.env["ir.cron"]._notify_progress(done=done, remaining=0)
        return done

    def _fetch(self, query, params=None):
        self.env.flush_all()
        self.env.cr.execute(query, params or [])
        return self.env.cr.dictfetchall()

    @api.model
    def _telecom_record_rows(self, check, rows, values):
        """Record the findings of ``check``, one per row of a check's query: the row's
        columns named like a link field of the finding (customer, subscription, service,
        number, invoice and line, CDR file, company, period) are copied, ``values(row)``
        gives the rest (at least ``key`` and ``name``)."""
        links = [name for name, field in self._fields.items() if field.type == "many2one"]
        links.append("period_start")
        return self._telecom_record(
            check,
            [{**{k: row[k] for k in links if k in row}, **values(row)} for row in rows],
        )

    @api.model
    def _telecom_check_active_not_billed(self):
        """Active services the account's latest invoice does not charge."""
        rows = self._fetch(
            """
            SELECT v.id AS service_id, v.name, v.subscription_id, sub.partner_id,
                   sub.company_id, m.id AS move_id, m.telecom_period_start AS period_start,
                   pt.list_price * v.quantity AS amount
              FROM telecom_service v
              JOIN telecom_subscription sub ON sub.id = v.subscription_id
              JOIN product_product pp ON pp.id = v.product_id
              JOIN product_template pt ON pt.id = pp.product_tmpl_id
              JOIN LATERAL (
                  SELECT id, telecom_period_start, telecom_period_end FROM account_move
                   WHERE telecom_subscription_id = v.subscription_id AND state != 'cancel'
                     AND move_type = 'out_invoice'
                   ORDER BY telecom_period_start DESC LIMIT 1) m ON TRUE
             WHERE v.state IN ('active', 'suspended')
               AND v.date_start <= m.telecom_period_start
               AND COALESCE(v.charged_until, v.date_start - 1) < m.telecom_period_end
            """
        )
        return self._telecom_record_rows(
            "active_not_billed",
            rows,
            lambda row: {
                "key": f"active_not_billed:{row['service_id']}:{row['period_start']}",
                "name": self.env._("Service %(s)s active but not billed", s=row["name"]),
                "amount": float(row["amount"] or 0),
            },
        )

    @api.model
    def _telecom_check_billed_terminated(self):
        """Recurring charges for days after the service ended."""
        rows = self._fetch(
            """
            SELECT l.id AS move_line_id, l.move_id, v.id AS service_id, v.name, v.subscription_id,
                   m.partner_id, m.company_id, l.price_subtotal, v.date_end
              FROM account_move_line l
              JOIN account_move m ON m.id = l.move_id
              JOIN telecom_service v ON v.id = l.telecom_service_id
             WHERE l.telecom_line_kind = 'recurring' AND m.state != 'cancel'
               AND m.move_type = 'out_invoice'
               AND v.date_end IS NOT NULL AND l.telecom_date_from > v.date_end
            """
        )
        return self._telecom_record_rows(
            "billed_terminated",
            rows,
            lambda row: {
                "key": f"billed_terminated:{row['move_line_id']}",
                "name": self.env._(
                    "Service %(s)s billed after its end on %(d)s", s=row["name"], d=row["date_end"]
                ),
                "amount": float(row["price_subtotal"] or 0),
            },
        )

    @api.model
    def _telecom_check_discounts(self, days=120):
        """Discounts on recent invoices vs the promotion's rules at the invoice date
        (catalog eligibility rules through the promotion line) and its duration."""
        lines = self.env["account.move.line"].search(
            [
                ("telecom_line_kind", "=", "discount"),
                ("telecom_service_promotion_id", "!=", False),
                ("move_id.state", "!=", "cancel"),
                ("move_id.invoice_date", ">=", fields.Date.add(fields.Date.today(), days=-days)),
            ]
        )
        found = []
        for line in lines:
            promotion_line = line.telecom_service_promotion_id
            errors = promotion_line._telecom_billing_errors(line.move_id.invoice_date)
            if promotion_line.months_total and promotion_line.months_applied > (
                promotion_line.months_total
            ):
                errors.append(
                    self.env._(
                        "Applied %(n)s times for a %(total)s-month promotion.",
                        n=promotion_line.months_applied,
                        total=promotion_line.months_total,
                    )
                )
            if not errors:
                continue
            found.append(
                {
                    "key": f"discount_ineligible:{line.id}",
                    "name": self.env._(
                        "Discount %(p)s given without eligibility",
                        p=promotion_line.promotion_id.name,
                    ),
                    "service_id": line.telecom_service_id.id,
                    "subscription_id": line.move_id.telecom_subscription_id.id,
                    "partner_id": line.move_id.partner_id.id,
                    "company_id": line.company_id.id,
                    "move_id": line.move_id.id,
                    "move_line_id": line.id,
                    "service_promotion_id": promotion_line.id,
                    "amount": abs(line.price_subtotal),
                    "description": "\n".join(errors),
                }
            )
        return self._telecom_record("discount_ineligible", found)

    @api.model
    def _telecom_check_numbers(self):
        """Numbers still assigned to a terminated service (not aging, not reusable)."""
        rows = self._fetch(
            """
            SELECT n.id AS number_id, n.name, v.id AS service_id, v.subscription_id, sub.partner_id,
                   sub.company_id, v.date_end
              FROM telecom_number n
              JOIN telecom_service v ON v.id = n.service_id
              JOIN telecom_subscription sub ON sub.id = v.subscription_id
             WHERE n.status = 'assigned' AND v.state = 'terminated'
            """
        )
        return self._telecom_record_rows(
            "number_terminated",
            rows,
            lambda row: {
                "key": f"number_terminated:{row['number_id']}:{row['service_id']}",
                "name": self.env._("Number %(n)s assigned to terminated service", n=row["name"]),
                "description": self.env._(
                    "The service ended on %(d)s; the number should be aging or available.",
                    d=row["date_end"],
                ),
            },
        )
