from dateutil.relativedelta import relativedelta

from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from odoo.addons.telecom_catalog.tools.locking import lock_ids

from .telecom_interconnect_rate import INTERCONNECT_DIRECTIONS, INTERCONNECT_JURISDICTIONS

SETTLEMENT_STATES = [("draft", "Draft"), ("invoiced", "Invoiced")]
RECONCILIATION_STATES = [
    ("pending", "Carrier Invoice Pending"),
    ("matched", "Matched"),
    ("disputed", "Disputed"),
    ("resolved", "Resolved"),
]
# Last month's demo trunk records (YYYY-MM: last month); one with an unknown trunk group.
DEMO_TRUNK_RECORDS = """\
record_id,trunk_group,start_time,duration,calling_number,called_number,\
direction
DEMO-IC-0001,SUMMIT-DEN-01,YYYY-MM-02T14:05:00Z,420,+13035550141,+12025550102,in
DEMO-IC-0002,SUMMIT-DEN-01,YYYY-MM-03T09:12:00Z,1260,+17205550177,+12025550102,in
DEMO-IC-0003,SUMMIT-DEN-01,YYYY-MM-05T18:40:00Z,95,+13035550123,+14155550100,in
DEMO-IC-0004,SUMMIT-DEN-01,YYYY-MM-09T11:00:00Z,3600,+19705550188,+17195550100,in
DEMO-IC-0005,SUMMIT-DEN-01,YYYY-MM-12T16:20:00Z,610,+12025550102,+442071234567,out
DEMO-IC-0006,SUMMIT-DEN-01,YYYY-MM-14T08:45:00Z,180,+12025550102,+447700900123,out
DEMO-IC-0007,SUMMIT-DEN-01,YYYY-MM-20T20:30:00Z,2400,+12025550102,+13035550199,out
DEMO-IC-0008,SUMMIT-DEN-01,YYYY-MM-22T13:10:00Z,300,+12025550102,+525512345678,out
DEMO-IC-0009,PRAIRIE-OMA-01,YYYY-MM-04T10:00:00Z,900,+12025550102,+14025550150,out
DEMO-IC-0010,PRAIRIE-OMA-01,YYYY-MM-17T15:30:00Z,1500,+12025550102,+13125550111,out
DEMO-IC-0011,UNKNOWN-TG-9,YYYY-MM-18T15:30:00Z,60,+12025550102,+13125550111,out
"""


class TelecomInterconnectSettlement(models.Model):
    """The month of traffic exchanged with a carrier: a statement per direction and
    jurisdiction, the customer invoice for what we terminated for them, the vendor bill for
    what they terminated for us (or one netted document), and the reconciliation of the
    carrier's own invoice against our rated traffic. One settlement per agreement and month
    (a database constraint): computing it again never bills twice."""

    _name = "telecom.interconnect.settlement"
    _description = "Interconnect Settlement"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date_from desc, id desc"
    _sql_constraints = [
        (
            "period_uniq",
            "UNIQUE(agreement_id, date_from)",
            "An agreement is settled once per month.",
        ),
    ]

    # ------------------------------------------------------------
    # FIELDS
    # ------------------------------------------------------------

    name = fields.Char(required=True, default="/", readonly=True, copy=False)
    agreement_id = fields.Many2one(
        "telecom.interconnect.agreement", required=True, index=True, ondelete="restrict"
    )
    partner_id = fields.Many2one(related="agreement_id.partner_id", string="Carrier", store=True)
    company_id = fields.Many2one(related="agreement_id.company_id", store=True)
    currency_id = fields.Many2one(related="agreement_id.currency_id")
    date_from = fields.Date(string="Month", required=True, readonly=True)
    date_to = fields.Date(compute="_compute_date_to", store=True)
    state = fields.Selection(SETTLEMENT_STATES, default="draft", required=True, tracking=True)
    line_ids = fields.One2many(
        "telecom.interconnect.settlement.line", "settlement_id", string="Statement"
    )
    cdr_count = fields.Integer(string="Calls", readonly=True)
    amount_receivable = fields.Monetary(
        readonly=True, help="Inbound traffic we terminated: billed to the carrier."
    )
    amount_payable = fields.Monetary(
        readonly=True, help="Outbound traffic the carrier terminated: billed to us."
    )
    amount_net = fields.Monetary(compute="_compute_amount_net", store=True)
    invoice_id = fields.Many2one("account.move", string="Customer Invoice", readonly=True)
    bill_id = fields.Many2one("account.move", string="Vendor Bill", readonly=True)
    carrier_invoice_ref = fields.Char(string="Carrier Invoice", tracking=True)
    carrier_invoice_date = fields.Date(tracking=True)
    carrier_invoice_amount = fields.Monetary(
        tracking=True, help="Total of the carrier's invoice for our outbound traffic."
    )
    carrier_difference = fields.Monetary(
        compute="_compute_carrier_difference",
        store=True,
        help="Carrier invoice minus our rated outbound traffic.",
    )
    reconciliation_state = fields.Selection(
        RECONCILIATION_STATES, default="pending", required=True, tracking=True
    )
    dispute_ids = fields.One2many("telecom.interconnect.dispute", "settlement_id")

    # ------------------------------------------------------------
    # COMPUTE / CONSTRAINT
    # ------------------------------------------------------------

    @api.depends("date_from")
    def _compute_date_to(self):
        for settlement in self:
            settlement.date_to = settlement.date_from + relativedelta(day=31)

    @api.depends("amount_receivable", "amount_payable")
    def _compute_amount_net(self):
        for settlement in self:
            settlement.amount_net = settlement.amount_receivable - settlement.amount_payable

    @api.depends("carrier_invoice_amount", "amount_payable", "carrier_invoice_ref")
    def _compute_carrier_difference(self):
        for settlement in self:
            settlement.carrier_difference = (
                settlement.carrier_invoice_amount - settlement.amount_payable
                if settlement.carrier_invoice_ref
                else 0.0
            )

    @api.constrains("date_from")
    def _check_month(self):
        if any(settlement.date_from.day != 1 for settlement in self):
            raise ValidationError(self.env._("A settlement covers a month: start it on day 1."))

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = (
                    self.env["ir.sequence"].next_by_code("telecom.interconnect.settlement") or "/"
                )
        return super().create(vals_list)

    # ------------------------------------------------------------
    # ACTION
    # ------------------------------------------------------------

    def action_compute(self):
        """(Re)build the statement from the rated records of the month."""
        for settlement in self:
            if settlement.state != "draft":
                raise UserError(
                    self.env._("Settlement %(name)s is invoiced already.", name=settlement.name)
                )
            settlement._telecom_compute_statement()
        return True

    def action_create_moves(self):
        for settlement in self:
            if settlement.state != "draft":
                raise UserError(
                    self.env._("Settlement %(name)s is invoiced already.", name=settlement.name)
                )
            settlement._telecom_compute_statement()
            settlement._telecom_create_moves()
        return True

    def action_record_carrier_invoice(self):
        for settlement in self:
            if not settlement.carrier_invoice_ref:
                raise UserError(self.env._("Enter the carrier's invoice number and total."))
            settlement._telecom_update_reconciliation()
        return True

    def action_view_cdrs(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "telecom_interconnect.action_telecom_interconnect_cdr"
        )
        action["domain"] = [("settlement_id", "=", self.id)]
        return action

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    @api.model
    def _telecom_settle_month(self, agreements, month):
        """Settlements of ``agreements`` for the month of ``month``: found or created, and
        computed while draft."""
        date_from = month + relativedelta(day=1)
        existing = self.search(
            [("agreement_id", "in", agreements.ids), ("date_from", "=", date_from)]
        )
        missing = agreements - existing.agreement_id
        settlements = existing | self.create(
            [{"agreement_id": a.id, "date_from": date_from} for a in missing]
        )
        settlements.filtered(lambda s: s.state == "draft").action_compute()
        return settlements

    @api.model
    def _cron_settle_last_month(self, batch_size=20):
        """Draft settlements (statements computed) of last month for the agreements in force
        that have none yet, one batch per call; invoicing stays a reviewed step."""
        month = fields.Date.context_today(self) + relativedelta(months=-1, day=1)
        Agreement = self.env["telecom.interconnect.agreement"]
        Agreement.flush_model()
        self.flush_model(["agreement_id", "date_from"])
        todo = SQL(
            """a.active AND a.date_start <= %(end)s
               AND (a.date_end IS NULL OR a.date_end >= %(month)s)
               AND NOT EXISTS (SELECT 1 FROM telecom_interconnect_settlement s
                                WHERE s.agreement_id = a.id AND s.date_from = %(month)s)""",
            month=month,
            end=month + relativedelta(day=31),
        )
        agreements = Agreement.browse(
            lock_ids(self.env, Agreement._table, todo, limit=batch_size, alias="a")
        )
        settlements = self._telecom_settle_month(agreements, month)
        self.env.cr.execute(
            SQL("SELECT COUNT(*) FROM telecom_interconnect_agreement a WHERE %s", todo)
        )
        remaining = self.env.cr.fetchone()[0]
        self.env["ir.cron"]._notify_progress(done=len(settlements), remaining=remaining)
        return settlements

    @api.model
    def _telecom_demo_load(self):
        """Demo data (demo/telecom_interconnect_demo.xml): import the demo decks, rate last
        month's demo trunk records, invoice the Summit settlement with its carrier invoice in
        dispute and compute the Prairie statement; each step only once."""
        ref = self.env.ref
        decks = ref("telecom_interconnect.demo_deck_summit_in", raise_if_not_found=False)
        if not decks:
            return
        decks |= ref("telecom_interconnect.demo_deck_summit_out")
        decks |= ref("telecom_interconnect.demo_deck_prairie_out")
        decks.filtered(lambda d: d.state == "draft" and d.file).action_import()
        usage_file = ref("telecom_interconnect.demo_ic_usage_file")
        if usage_file.state == "draft":
            month = (fields.Date.context_today(self) + relativedelta(months=-1)).strftime("%Y-%m")
            usage_file._telecom_import(DEMO_TRUNK_RECORDS.replace("YYYY-MM", month).encode())
        summit = ref("telecom_interconnect.demo_ic_settlement_summit")
        if summit.state == "draft":
            summit.action_create_moves()
            summit.write(
                {
                    "carrier_invoice_ref": "SUM-INV-88231",
                    "carrier_invoice_amount": 9.75,
                    "carrier_invoice_date": summit.date_to + relativedelta(days=3),
                }
            )
            summit.action_record_carrier_invoice()
        prairie = ref("telecom_interconnect.demo_ic_settlement_prairie")
        if not prairie.line_ids:
            prairie.action_compute()

    def _telecom_compute_statement(self):
        """Attach the unsettled rated records of the month and total them per direction and
        jurisdiction, in SQL."""
        self.ensure_one()
        self.env.flush_all()
        cr = self.env.cr
        cr.execute(
            SQL(
                """
                UPDATE telecom_interconnect_cdr SET settlement_id = %(id)s
                 WHERE agreement_id = %(agreement)s AND settlement_id IS NULL
                   AND usage_date BETWEEN %(start)s AND %(end)s
                """,
                id=self.id,
                agreement=self.agreement_id.id,
                start=self.date_from,
                end=self.date_to,
            )
        )
        cr.execute(
            SQL(
                """
                SELECT direction, jurisdiction, COUNT(*), SUM(billable_seconds) / 60.0,
                       SUM(charge)
                  FROM telecom_interconnect_cdr WHERE settlement_id = %s
                 GROUP BY 1, 2 ORDER BY 1, 2
                """,
                self.id,
            )
        )
        rows = cr.fetchall()
        self.env["telecom.interconnect.cdr"].invalidate_model(["settlement_id"])
        self.line_ids.unlink()
        self.write(
            {
                "line_ids": [
                    Command.create(
                        {
                            "direction": d,
                            "jurisdiction": j,
                            "call_count": n,
                            "minutes": float(m or 0),
                            "amount": float(a or 0),
                        }
                    )
                    for d, j, n, m, a in rows
                ],
                "cdr_count": sum(row[2] for row in rows),
                "amount_receivable": float(sum(row[4] or 0 for row in rows if row[0] == "in")),
                "amount_payable": float(sum(row[4] or 0 for row in rows if row[0] == "out")),
            }
        )

    def _telecom_create_moves(self):
        """The customer invoice and the vendor bill of the month (or, netting, one document
        for the net amount); posted, and the records marked settled."""
        self.ensure_one()
        lines = {
            "in": self._telecom_move_lines("in", 1),
            "out": self._telecom_move_lines("out", 1),
        }
        vals_list = []
        if self.agreement_id.netting:
            if self.amount_net >= 0:
                net = lines["in"] + self._telecom_move_lines("out", -1)
                vals_list.append(self._telecom_move_vals("out_invoice", net))
            else:
                net = lines["out"] + self._telecom_move_lines("in", -1)
                vals_list.append(self._telecom_move_vals("in_invoice", net))
        else:
            if lines["in"]:
                vals_list.append(self._telecom_move_vals("out_invoice", lines["in"]))
            if lines["out"]:
                vals_list.append(self._telecom_move_vals("in_invoice", lines["out"]))
        if not vals_list:
            raise UserError(
                self.env._("Settlement %(name)s has no traffic to invoice.", name=self.name)
            )
        moves = self.env["account.move"].create(vals_list)
        moves.action_post()
        self.write(
            {
                "invoice_id": moves.filtered(lambda m: m.move_type == "out_invoice").id,
                "bill_id": moves.filtered(lambda m: m.move_type == "in_invoice").id,
                "state": "invoiced",
            }
        )
        self.env.cr.execute(
            "UPDATE telecom_interconnect_cdr SET state = 'settled' WHERE settlement_id = %s",
            [self.id],
        )
        self.env["telecom.interconnect.cdr"].invalidate_model(["state"])
        self.message_post(
            body=self.env._("Settled: %(moves)s.", moves=", ".join(moves.mapped("name")))
        )
        return moves

    def _telecom_move_lines(self, direction, sign):
        """Invoice lines of one direction's statement, revenue or expense account."""
        agreement = self.agreement_id
        if direction == "in":
            account = agreement._telecom_revenue_account()
            product = self.env.ref("telecom_interconnect.product_interconnect_revenue")
        else:
            account = agreement._telecom_expense_account()
            product = self.env.ref("telecom_interconnect.product_interconnect_expense")
        labels = dict(INTERCONNECT_DIRECTIONS)
        jurisdictions = dict(INTERCONNECT_JURISDICTIONS)
        return [
            Command.create(
                {
                    "product_id": product.id,
                    "name": self.env._(
                        "%(direction)s %(jurisdiction)s traffic %(month)s: %(calls)s calls, "
                        "%(minutes)s minutes",
                        direction=labels[line.direction],
                        jurisdiction=jurisdictions.get(line.jurisdiction, "-"),
                        month=self.date_from.strftime("%Y-%m"),
                        calls=line.call_count,
                        minutes=f"{line.minutes:.2f}",
                    ),
                    "account_id": account.id,
                    "quantity": 1,
                    "price_unit": sign * line.amount,
                    "tax_ids": [Command.clear()],
                }
            )
            for line in self.line_ids
            if line.direction == direction and line.amount
        ]

    def _telecom_move_vals(self, move_type, lines):
        return {
            "move_type": move_type,
            "partner_id": self.partner_id.id,
            "company_id": self.company_id.id,
            "invoice_date": self.date_to,
            "ref": self.name,
            "invoice_origin": self.name,
            "invoice_line_ids": lines,
        }

    def _telecom_create_bill_for_amount(self, amount, label):
        """A vendor bill of ``amount`` on the interconnect expense account (lost dispute)."""
        self.ensure_one()
        bill = self.env["account.move"].create(
            self._telecom_move_vals(
                "in_invoice",
                [
                    Command.create(
                        {
                            "product_id": self.env.ref(
                                "telecom_interconnect.product_interconnect_expense"
                            ).id,
                            "name": label,
                            "account_id": self.agreement_id._telecom_expense_account().id,
                            "quantity": 1,
                            "price_unit": amount,
                            "tax_ids": [Command.clear()],
                        }
                    )
                ],
            )
        )
        bill.action_post()
        return bill

    def _telecom_update_reconciliation(self):
        """Compare the carrier's invoice with our rated outbound traffic: within tolerance
        it matches; otherwise a dispute of the difference is opened (once); resolved when
        every dispute is."""
        self.ensure_one()
        if not self.carrier_invoice_ref:
            return
        if abs(self.carrier_difference) <= self.agreement_id.dispute_tolerance:
            self.reconciliation_state = "matched"
            return
        if not self.dispute_ids:
            self.env["telecom.interconnect.dispute"].create(
                {
                    "settlement_id": self.id,
                    "amount": self.carrier_difference,
                    "description": self.env._(
                        "Carrier invoice %(ref)s: %(theirs)s; our rated traffic: %(ours)s.",
                        ref=self.carrier_invoice_ref,
                        theirs=self.currency_id.format(self.carrier_invoice_amount),
                        ours=self.currency_id.format(self.amount_payable),
                    ),
                }
            )
        open_disputes = self.dispute_ids.filtered(lambda d: d.state in ("open", "submitted"))
        self.reconciliation_state = "disputed" if open_disputes else "resolved"
