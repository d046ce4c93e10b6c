import copy
from decimal import Decimal
from unittest.mock import patch

from freezegun import freeze_time
from psycopg2.extras import Json

from odoo import Command, fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from ..tools import invoice_writer
from .common import TelecomBillingCase

# Columns that differ between two writes of the same invoice by nature.
IGNORED = {"id", "create_date", "write_date", "move_id", "telecom_bill_run_id", "access_token"}


@tagged("post_install", "-at_install")
class TestBillRunWriter(TelecomBillingCase):
    """The set-based invoice writer gives exactly the rows of the ORM path."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Account = cls.env["account.account"]
        fees = Account.create(
            {"code": "T25199", "name": "Test fees payable", "account_type": "liability_current"}
        )
        cls.env["telecom.tax.rate"].create(
            [
                {
                    "engine_id": cls.tax_engine.id,
                    "kind": "federal_usf",
                    "name": "Federal USF",
                    "regulatory_class": "interstate",
                    "rate": 36.6,
                    "base_share": 100.0,
                    "date_from": "2026-01-01",
                    "account_id": fees.id,
                },
                {
                    "engine_id": cls.tax_engine.id,
                    "kind": "sales_tax",
                    "name": "California sales tax",
                    "state_id": cls.state_ca.id,
                    "rate": 7.25,
                    "base_share": 100.0,
                    "date_from": "2026-01-01",
                    "account_id": fees.id,
                },
                {
                    "engine_id": cls.tax_engine.id,
                    "kind": "e911",
                    "name": "California 911 fee",
                    "state_id": cls.state_ca.id,
                    "computation": "per_line",
                    "rate": 0.30,
                    "cap": 0.50,
                    "exemptible": False,
                    "date_from": "2026-01-01",
                    "account_id": fees.id,
                },
            ]
        )
        # tax on tax: California's sales tax also taxes the 911 fee
        sales, e911 = cls.env["telecom.tax.rate"].search(
            [("engine_id", "=", cls.tax_engine.id), ("kind", "in", ("sales_tax", "e911"))],
            order="kind desc",
        )
        sales.fee_ids = e911
        promotion = cls.env["telecom.promotion"].create(
            {
                "name": "T 10 dollars off forever",
                "discount_type": "fixed",
                "discount_value": 10.0,
                "duration_months": 0,
            }
        )
        Partner = cls.env["res.partner"]
        business = Partner.create(
            {
                "name": "T Business Customer",
                "is_company": True,
                "city": "Los Angeles",
                "zip": "90012",
                "state_id": cls.state_ca.id,
                "country_id": cls.env.ref("base.us").id,
                "telecom_customer_type": "business",
            }
        )
        # a full month, a prorated start with an add-on, two services, a promotion, a pending
        # charge, 30-day payment terms, and a termination that gives a credit note
        cls.full = cls._subscription()
        cls._service(cls.full, cls.plan_basic, start="2026-02-01")
        cls.prorated = cls._subscription()
        cls._service(cls.prorated, cls.plan_plus, start="2026-02-10", addons=[(cls.addon_data, 2)])
        cls.two = cls._subscription(partner=business)
        cls.two.payment_term_id = cls.env.ref("account.account_payment_term_30days")
        cls._service(cls.two, cls.plan_fiber, start="2026-02-01")
        voip = cls._service(cls.two, cls.plan_voip, start="2026-02-01")
        cls.env["telecom.service.promotion"].create(
            {"service_id": voip.id, "promotion_id": promotion.id}
        )
        cls.charged = cls._subscription()
        cls._service(cls.charged, cls.plan_basic, start="2026-02-01")
        cls.env["telecom.charge"].create(
            {
                "subscription_id": cls.charged.id,
                "product_id": cls.addon_intl.id,
                "name": "Usage: international minutes",
                "date": "2026-02-20",
                "quantity": 37,
                "price_unit": 0.07,
            }
        )
        cls.credit = cls._subscription()
        cls.ended = cls._service(cls.credit, cls.plan_plus, start="2026-02-01")
        # a bill of 0.00: a fiber line (no USF) of a New York customer, free for good
        free = cls.env["telecom.promotion"].create(
            {"name": "T Free fiber", "discount_type": "percent", "discount_value": 100.0}
        )
        cls.zero = cls._subscription(partner=Partner.create({"name": "T Free Customer"}))
        cls.zero.partner_id.write(
            {"zip": "10001", "state_id": cls.state_ny.id, "country_id": cls.env.ref("base.us").id}
        )
        fiber = cls._service(cls.zero, cls.plan_fiber, start="2026-02-01")
        cls.env["telecom.service.promotion"].create(
            {"service_id": fiber.id, "promotion_id": free.id}
        )
        cls.subscriptions = cls.full | cls.prorated | cls.two | cls.charged | cls.credit | cls.zero
        cls._bill(cls.d(2026, 2, 1))  # February, by the ORM or the writer: not compared
        # billed in March, with what COPY's text format escapes: a tab, a line break, a backslash
        cls.env["telecom.charge"].create(
            {
                "subscription_id": cls.charged.id,
                "product_id": cls.addon_intl.id,
                "name": "Usage:\tinternational minutes\nto C:\\Intl",
                "date": "2026-02-25",
                "quantity": 3,
                "price_unit": 0.07,
            }
        )
        with freeze_time("2026-02-20"):
            cls.ended._telecom_request_terminate()

    def _snapshot(self, writer):
        """Bill March with ``writer``; everything the run wrote, without ids."""
        env = self.env(context=dict(self.env.context, telecom_bill_run_writer=writer))
        Run = env["telecom.bill.run"]
        run = Run.create({"cycle_day": 1, "period_start": "2026-03-01", "auto_post": True})
        run.action_start()
        run._telecom_run_to_end()
        self.assertEqual(run.state, "done")
        env.flush_all()
        cr = env.cr
        result = {}
        for subscription in self.subscriptions:
            move = run.move_ids.filtered(lambda m, s=subscription: m.telecom_subscription_id == s)
            self.assertEqual(len(move), 1, subscription.name)
            cr.execute("SELECT * FROM account_move WHERE id = %s", [move.id])
            header = {k: v for k, v in cr.dictfetchone().items() if k not in IGNORED}
            # with the taxes of each line and its tax tags (many2many rows)
            cr.execute(
                """SELECT l.*,
                          ARRAY(SELECT account_tax_id FROM account_move_line_account_tax_rel r
                                 WHERE r.account_move_line_id = l.id ORDER BY 1) AS taxes,
                          ARRAY(SELECT account_account_tag_id
                                  FROM account_account_tag_account_move_line_rel r
                                 WHERE r.account_move_line_id = l.id ORDER BY 1) AS tags
                     FROM account_move_line l WHERE l.move_id = %s ORDER BY l.id""",
                [move.id],
            )
            lines = [
                {k: v for k, v in row.items() if k not in IGNORED} for row in cr.dictfetchall()
            ]
            cr.execute(
                """SELECT a.* FROM account_analytic_line a
                     JOIN account_move_line l ON l.id = a.move_line_id
                    WHERE l.move_id = %s ORDER BY l.id, a.id""",
                [move.id],
            )
            analytic = [
                {k: v for k, v in row.items() if k not in IGNORED | {"move_line_id"}}
                for row in cr.dictfetchall()
            ]
            cr.execute(
                """SELECT partner_id, ARRAY(SELECT mail_message_subtype_id
                                              FROM mail_followers_mail_message_subtype_rel r
                                             WHERE r.mail_followers_id = f.id ORDER BY 1)
                     FROM mail_followers f
                    WHERE res_model = 'account.move' AND res_id = %s ORDER BY partner_id""",
                [move.id],
            )
            followers = cr.fetchall()
            cr.execute(
                "SELECT COUNT(*) FROM mail_message WHERE model = 'account.move' AND res_id = %s",
                [move.id],
            )
            messages = cr.fetchone()[0]
            result[subscription.name] = {
                "move": header,
                "lines": lines,
                "analytic": analytic,
                "followers": followers,
                "messages": messages,
                "customer_rank": subscription.partner_id.customer_rank,
                "charges": sorted(
                    (c.name, c.state, c.move_id == move) for c in subscription.charge_ids
                ),
                "promotions": sorted(
                    (p.months_applied, p.months_remaining, p.state)
                    for p in subscription.service_ids.promotion_line_ids
                ),
                "charged_until": sorted(
                    (s.charged_until, tuple(s.addon_line_ids.mapped("charged_until")))
                    for s in subscription.service_ids
                ),
            }
        self.assertFalse(run.line_ids.filtered(lambda line: line.state == "error"))
        return run, result

    def test_writer_writes_what_the_orm_writes(self):
        run, by_orm = self._assert_writer_writes_what_the_orm_writes()
        self.assertEqual(
            run.move_ids.mapped("move_type").count("out_refund"), 1, "the credit note is covered"
        )
        self.assertTrue(any(v["analytic"] for v in by_orm.values()), "analytic lines covered")
        self.assertTrue(any(v["followers"] for v in by_orm.values()), "followers covered")
        tax_lines = self._tax_lines(by_orm)
        self.assertTrue(tax_lines, "tax lines covered")
        self.assertTrue(any(line["taxes"] for line in tax_lines), "tax on tax covered")
        self.assertTrue(
            any(line["tax_base_amount"] and line["tags"] for line in tax_lines), "tags covered"
        )

    def test_writer_writes_what_the_orm_writes_with_fiscal_positions(self):
        """Fiscal positions applied automatically by state, and one set by hand on a customer:
        the writer, which looks a fiscal position up once for alike customers, gives each
        invoice the one the ORM gives it."""
        FiscalPosition = self.env["account.fiscal.position"]
        us = self.env.ref("base.us")
        new_york = FiscalPosition.create(
            {
                "name": "T New York customers",
                "auto_apply": True,
                "country_id": us.id,
                "state_ids": [Command.set(self.state_ny.ids)],
            }
        )
        FiscalPosition.create({"name": "T US customers", "auto_apply": True, "country_id": us.id})
        by_hand = FiscalPosition.create({"name": "T Set by hand"})
        self.two.partner_id.property_account_position_id = by_hand
        __, by_orm = self._assert_writer_writes_what_the_orm_writes()
        positions = {name: v["move"]["fiscal_position_id"] for name, v in by_orm.items()}
        self.assertEqual(positions[self.zero.name], new_york.id)
        self.assertEqual(positions[self.two.name], by_hand.id)
        self.assertEqual(len(set(positions.values())), 3, positions)

    def test_writer_writes_what_the_orm_writes_with_cash_basis_taxes(self):
        """The accountant made the sales tax due on payment: its tax lines wait, untagged,
        on the transition account (open, reconcilable) and its bases are not tagged."""
        transition = self.env["account.account"].create(
            {
                "code": "T25198",
                "name": "Test sales tax to collect",
                "account_type": "liability_current",
                "reconcile": True,
            }
        )
        self.env.company.tax_exigibility = True
        sales_tax = self.env["account.tax"].search([("telecom_tax_kind", "=", "sales_tax")])
        self.assertTrue(sales_tax, "the February bills created the sales tax")
        sales_tax.write(
            {"tax_exigibility": "on_payment", "cash_basis_transition_account_id": transition.id}
        )
        __, by_orm = self._assert_writer_writes_what_the_orm_writes()
        waiting = [line for line in self._tax_lines(by_orm) if line["tax_line_id"] in sales_tax.ids]
        self.assertTrue(waiting, "cash-basis tax lines covered")
        for line in waiting:
            self.assertEqual(line["account_id"], transition.id)
            self.assertEqual(line["amount_residual"], line["balance"])
            self.assertFalse(line["tags"])

    def _tax_lines(self, snapshot):
        return [
            line for v in snapshot.values() for line in v["lines"] if line["display_type"] == "tax"
        ]

    def _assert_writer_writes_what_the_orm_writes(self):
        self.env.flush_all()
        self.env.cr.execute("SAVEPOINT writer_equivalence")
        __, by_orm = self._snapshot("orm")
        self.env.cr.execute("ROLLBACK TO SAVEPOINT writer_equivalence")
        self.env.invalidate_all(flush=False)
        with self.assertNoLogs("odoo.addons.telecom_billing.models.telecom_bill_run", "WARNING"):
            run, by_writer = self._snapshot("sql")
        differences = []
        for name, expected in by_orm.items():
            got = by_writer[name]
            for key in expected:
                if key == "lines":
                    if len(got["lines"]) != len(expected["lines"]):
                        differences.append(f"{name}: {len(got['lines'])} lines")
                        continue
                    for index, (line, orm_line) in enumerate(
                        zip(got["lines"], expected["lines"], strict=True)
                    ):
                        differences += [
                            f"{name} line {index} {column}: {line[column]!r} != {value!r}"
                            for column, value in orm_line.items()
                            if line[column] != value
                        ]
                elif key == "move":
                    differences += [
                        f"{name} move {column}: {got['move'][column]!r} != {value!r}"
                        for column, value in expected["move"].items()
                        if got["move"][column] != value
                    ]
                elif got[key] != expected[key]:
                    differences.append(f"{name} {key}: {got[key]!r} != {expected[key]!r}")
        self.assertFalse(differences, "\n".join(differences))
        return run, by_orm

    def test_writer_invoices_balance(self):
        run, __ = self._snapshot("sql")
        cr = self.env.cr
        cr.execute(
            """SELECT m.name, SUM(l.debit) - SUM(l.credit), SUM(l.balance),
                      m.amount_total_signed,
                      SUM(l.balance) FILTER (WHERE l.display_type = 'payment_term')
                 FROM account_move m JOIN account_move_line l ON l.move_id = m.id
                WHERE m.telecom_bill_run_id = %s
                GROUP BY m.id""",
            [run.id],
        )
        rows = cr.fetchall()
        self.assertEqual(len(rows), 6)
        for name, debit_credit, balance, total_signed, receivable in rows:
            self.assertEqual(debit_credit, 0, name)
            self.assertEqual(balance, 0, name)
            self.assertEqual(receivable, total_signed, name)
        # the general ledger of the run balances too, and Odoo's own check agrees
        cr.execute(
            """SELECT SUM(l.debit), SUM(l.credit) FROM account_move_line l
                 JOIN account_move m ON m.id = l.move_id WHERE m.telecom_bill_run_id = %s""",
            [run.id],
        )
        debit, credit = cr.fetchone()
        self.assertEqual(debit, credit)
        self.assertTrue(debit > 0)
        run.move_ids._check_balanced({"records": run.move_ids})
        self.assertEqual(set(run.move_ids.mapped("state")), {"posted"})
        zero = run.move_ids.filtered(lambda m: m.telecom_subscription_id == self.zero)
        self.assertEqual(zero.amount_total, 0.0)
        self.assertEqual(zero.payment_state, "paid", "a bill of 0.00 is owed by nobody")
        self.assertEqual(set((run.move_ids - zero).mapped("payment_state")), {"not_paid"})

    def _run_with_writer(self, writer="sql"):
        env = self.env(context=dict(self.env.context, telecom_bill_run_writer=writer))
        run = env["telecom.bill.run"].create(
            {"cycle_day": 1, "period_start": "2026-03-01", "auto_post": True}
        )
        run.action_start()
        return run._telecom_run_to_end()

    def test_refused_posting_is_an_error_of_the_run_until_fixed(self):
        """Odoo refuses to post in an archived journal: the invoices stay in draft, the run
        fails with them counted and Odoo's reason logged, and a resume posts them."""
        env = self.env(context=dict(self.env.context, telecom_bill_run_writer="sql"))
        run = env["telecom.bill.run"].create(
            {"cycle_day": 1, "period_start": "2026-03-01", "auto_post": True}
        )
        journal = run.journal_id
        journal.active = False
        run.action_start()
        run._telecom_run_to_end()
        self.assertEqual(run.state, "failed", "never a silent draft in a run shown done")
        self.assertEqual(set(run.move_ids.mapped("state")), {"draft"})
        self.assertEqual((run.not_posted_count, run.error_count, run.processed_count), (6, 0, 6))
        refused = run.line_ids.filtered(lambda line: line.state == "not_posted")
        self.assertEqual(refused.subscription_id, self.subscriptions)
        self.assertTrue(all("archived journal" in line.message for line in refused))
        journal.active = True
        run.action_resume()
        run._telecom_run_to_end()
        self.assertEqual(run.state, "done")
        self.assertEqual(set(run.move_ids.mapped("state")), {"posted"})
        self.assertEqual((run.not_posted_count, len(run.move_ids)), (0, 6))

    def _assert_taxes_of_another_country_refused(self, writer):
        """A customer under a foreign-VAT fiscal position (Canada) gets the US telecom taxes:
        Odoo refuses such an invoice (``_validate_taxes_country``); the bill is an error of
        the run with Odoo's reason, the others are billed."""
        partner = self.full.partner_id
        partner.property_account_position_id = self.env["account.fiscal.position"].create(
            {"name": "T Canada", "country_id": self.env.ref("base.ca").id, "foreign_vat": "CA1"}
        )
        refused = self.subscriptions.filtered(lambda s: s.partner_id == partner)
        run = self._run_with_writer(writer)
        self.assertEqual(run.state, "failed")
        errors = run.line_ids.filtered(lambda line: line.state == "error")
        self.assertEqual(errors.subscription_id, refused)
        for error in errors:
            self.assertIn("not compatible with your fiscal position", error.message)
        self.assertEqual(run.move_ids.telecom_subscription_id, self.subscriptions - refused)

    def test_taxes_of_another_country_refused_by_the_writer(self):
        self._assert_taxes_of_another_country_refused("sql")

    def test_taxes_of_another_country_refused_by_the_orm(self):
        self._assert_taxes_of_another_country_refused("orm")

    def test_writer_runs_odoos_constraints_on_the_lines(self):
        """A charge line on the receivable account, or on an off-balance account, is refused
        by Odoo's constraints on journal items; the writer, which inserts the lines itself,
        refuses it with Odoo's message."""
        run = self.env["telecom.bill.run"].create(
            {"cycle_day": 1, "period_start": "2026-03-01", "auto_post": True}
        )
        good = self.full._telecom_prepare_bill(run)
        off_balance = self.env["account.account"].create(
            {"code": "T99001", "name": "T Off balance", "account_type": "off_balance"}
        )
        receivable = self.full.partner_id.property_account_receivable_id
        for account, message in (
            (receivable, "receivable account must have a due date"),
            (off_balance, "Off-Balance"),
        ):
            with self.subTest(account=account.account_type):
                # the same bill for another subscription, alike but for the account of its
                # lines: the writer checks one invoice of alike ones, this one is not alike
                bill = dict(good, move_vals=copy.deepcopy(good["move_vals"]))
                bill["move_vals"]["telecom_subscription_id"] = self.charged.id
                for command in bill["move_vals"]["invoice_line_ids"]:
                    if command[2].get("account_id"):
                        command[2]["account_id"] = account.id
                self.assertTrue(invoice_writer.supported(self.env, bill))
                with self.assertRaises(UserError) as orm, self.env.cr.savepoint():
                    self.env["account.move"].create(copy.deepcopy(bill["move_vals"]))
                with self.assertRaises(UserError) as writer, self.env.cr.savepoint():
                    invoice_writer.write_invoices(run, [good, bill])
                self.assertIn(message, str(orm.exception))
                self.assertIn(message, str(writer.exception))
                if account == receivable:
                    self.assertEqual(str(writer.exception), str(orm.exception))
                # (Odoo's message for the off-balance line depends on which of its checks
                # comes first: the ORM checks the charge lines before adding the others)

    def test_numbers_taken_meanwhile_are_rewritten_on_the_lines(self):
        """The lines are inserted with the numbers their invoices will most likely get; an
        invoice of the journal numbered in between takes them, and the numbering rewrites
        the lines of the invoices whose number changed. The next prediction skips as many
        numbers as were taken in between (workers billing side by side number in turn)."""
        run = self.env["telecom.bill.run"].create(
            {"cycle_day": 1, "period_start": "2026-03-01", "auto_post": True}
        )
        # nothing learned from the tests before
        self.enterContext(patch.dict(invoice_writer._SKIPS, clear=True))
        for subscription in (self.full, self.charged):
            moves = invoice_writer.write_invoices(run, [subscription._telecom_prepare_bill(run)])
            predicted = set(moves.line_ids.mapped("move_name"))
            meanwhile = self.env["account.move"].create(
                {
                    "move_type": "out_invoice",
                    "partner_id": self.full.partner_id.id,
                    "journal_id": run.journal_id.id,
                    "invoice_date": "2026-03-01",
                    "invoice_line_ids": [Command.create({"name": "T", "price_unit": 1.0})],
                }
            )
            meanwhile.action_post()
            invoice_writer.number_invoices(self.env, moves)
            self.assertNotEqual(moves.name, meanwhile.name)
            self.assertEqual(set(moves.line_ids.mapped("move_name")), {moves.name})
            term = moves.line_ids.filtered(lambda line: line.display_type == "payment_term")
            self.assertEqual(term.name, moves.payment_reference)
            self.assertEqual(moves.payment_reference, moves.name)
            if subscription == self.full:
                self.assertEqual(predicted, {meanwhile.name}, "taken in between")
            else:
                self.assertEqual(predicted, {moves.name}, "one number skipped")

    def test_constraints_read_no_taxes_back(self):
        """Odoo's constraints on the new lines read their taxes and tags: the writer gives the
        ORM what it inserted rather than reading it back (from relation tables planned on
        statistics older than the run), the same values the database gives."""
        run = self.env["telecom.bill.run"].create(
            {"cycle_day": 1, "period_start": "2026-03-01", "auto_post": True}
        )
        names = ("tax_ids", "tax_tag_ids")
        reads, known = [], {}
        read, check_lines = fields.Many2many.read, invoice_writer._check_lines

        def spy_read(field, records):
            reads.append(field.name)
            return read(field, records)

        def spy_check_lines(moves, line_ids, keys):
            with patch.object(fields.Many2many, "read", spy_read):
                lines = self.env["account.move.line"].browse(line_ids)
                known.update({name: {line.id: line[name].ids for line in lines} for name in names})
                return check_lines(moves, line_ids, keys)

        with patch.object(invoice_writer, "_check_lines", spy_check_lines):
            moves = invoice_writer.write_invoices(run, [self.full._telecom_prepare_bill(run)])
        self.assertFalse(set(reads) & set(names), "read back from the database")
        self.env.invalidate_all()
        self.assertTrue(any(known["tax_ids"].values()), "lines with taxes covered")
        for name in names:
            self.assertEqual(known[name], {line.id: line[name].ids for line in moves.line_ids})

    def test_copy_text_reads_back_as_written(self):
        """Every kind of value the writer sends with COPY comes back from PostgreSQL as it
        was; a value COPY's text format has no spelling for is refused, not guessed."""
        values = [
            None,
            True,
            False,
            12,
            "-3.50",
            2.5,
            fields.Date.to_date("2026-03-01"),
            fields.Datetime.to_datetime("2026-03-01 10:20:30"),
            "tab\there, line\nbreak, carriage\rreturn, back\\slash, \\N, é",
            Json({"12,7": 100.0}),
        ]
        types = "bool, bool, int, numeric, float8, date, timestamp, text, jsonb"
        cr = self.env.cr
        cr.execute(
            "CREATE TEMP TABLE copy_text (id int, %s)"
            % ", ".join(f"c{i} {t}" for i, t in enumerate(types.split(", ")))
        )
        invoice_writer._copy(cr, "copy_text", ["id", *(f"c{i}" for i in range(9))], [values])
        cr.execute("SELECT * FROM copy_text")
        row = cr.fetchone()
        self.assertEqual(
            row,
            (None, True, False, 12, Decimal("-3.50"), 2.5, *values[6:9], {"12,7": 100.0}),
        )
        with self.assertRaisesRegex(TypeError, "no COPY text for dict"):
            invoice_writer._copy_text({"12,7": 100.0})

    def test_last_number_read_without_sorts_and_setting_restored(self):
        """The journal's last number as Odoo reads it, planned without sorts (stale
        statistics), the planner's setting given back for the rest of the transaction."""
        move = self._bill(self.d(2026, 3, 1)).move_ids.sorted("sequence_number")[-1]
        draft = move.copy()
        self.env.cr.execute("SET LOCAL enable_sort = on")
        self.assertEqual(invoice_writer._last_sequence((self.env.cr,), draft), move.name)
        self.assertEqual(draft._get_last_sequence(), move.name)
        self.env.cr.execute("SELECT current_setting('enable_sort')")
        self.assertEqual(self.env.cr.fetchone()[0], "on")

    def test_locked_period_moves_the_date_as_odoo_does(self):
        """A run resumed after the period was locked posts after the lock date, whichever
        writer, with the invoice date kept."""
        self.env.company.sale_lock_date = "2026-03-15"
        run = self._run_with_writer()
        self.assertEqual(run.state, "done")
        self.assertEqual(set(run.move_ids.mapped("invoice_date")), {self.d(2026, 3, 1)})
        self.assertTrue(all(move.date > self.d(2026, 3, 15) for move in run.move_ids))

    def test_what_posting_checks_goes_through_the_orm(self):
        run = self.env["telecom.bill.run"].create({"cycle_day": 1, "period_start": "2026-03-01"})
        bill = self.full._telecom_prepare_bill(run)
        self.assertTrue(invoice_writer.supported(self.env, bill))
        journal = run.journal_id
        journal.restrict_mode_hash_table = True
        self.assertFalse(invoice_writer.supported(self.env, bill), "inalterability hash")
        journal.restrict_mode_hash_table = False
        self.env.company.sale_lock_date = "2026-03-31"
        self.assertFalse(invoice_writer.supported(self.env, bill), "locked period")
        self.env.company.sale_lock_date = False
        account = self.env["account.account"].browse(
            next(
                command[2]["account_id"]
                for command in bill["move_vals"]["invoice_line_ids"]
                if command[2].get("account_id")
            )
        )
        account.deprecated = True
        self.assertFalse(invoice_writer.supported(self.env, bill), "deprecated account")
        account.deprecated = False
        self.assertTrue(invoice_writer.supported(self.env, bill))

    def test_headers_insert_writes_what_create_writes(self):
        """A customer with a fiscal position and the company's bank account: the header the
        writer inserts is the one ``create`` writes, column by column."""
        partner = self.full.partner_id
        partner.property_account_position_id = self.env["account.fiscal.position"].create(
            {"name": "T Exempt customers"}
        )
        self.env["res.partner.bank"].create(
            {"acc_number": "T 000123", "partner_id": self.env.company.partner_id.id}
        )
        Move = self.env["account.move"].with_context(
            mail_create_nolog=True,
            mail_create_nosubscribe=True,
            tracking_disable=True,
            skip_is_manually_modified=True,  # as write_invoices() creates them
        )
        vals = {
            "move_type": "out_invoice",
            "partner_id": partner.id,
            "company_id": self.env.company.id,
            "currency_id": self.env.company.currency_id.id,
            "journal_id": self.env["account.journal"].search([("type", "=", "sale")], limit=1).id,
            "invoice_date": "2026-03-01",
            "invoice_date_due": "2026-03-01",
            "invoice_origin": "T origin",
            "name": "/",
        }
        inserted = invoice_writer._insert_headers(Move, [dict(vals)])
        created = Move.create([dict(vals)])
        self.env.flush_all()
        rows = []
        for move in (inserted, created):
            self.env.cr.execute("SELECT * FROM account_move WHERE id = %s", [move.id])
            rows.append({k: v for k, v in self.env.cr.dictfetchone().items() if k not in IGNORED})
        self.assertTrue(rows[1]["fiscal_position_id"] and rows[1]["partner_bank_id"])
        self.assertEqual({k: (v, rows[1][k]) for k, v in rows[0].items() if rows[1][k] != v}, {})

    def test_headers_insert_checks_the_company(self):
        """As ``create`` does: a journal of another company is refused."""
        other = self.env["res.company"].create({"name": "T Other Company"})
        journal = self.env["account.journal"].create(
            {"name": "T Other Sales", "code": "TOS", "type": "sale", "company_id": other.id}
        )
        Move = self.env["account.move"].with_context(tracking_disable=True)
        vals = {
            "move_type": "out_invoice",
            "partner_id": self.full.partner_id.id,
            "company_id": self.env.company.id,
            "journal_id": journal.id,
            "invoice_date": "2026-03-01",
            "name": "/",
        }
        with self.assertRaisesRegex(UserError, "Incompatible companies"):
            invoice_writer._insert_headers(Move, [vals])
        # the company's journal, and a customer of the other company on the second header:
        # alike headers are checked once per value of each field, not once for all
        partner = self.env["res.partner"].create({"name": "T Other", "company_id": other.id})
        vals["journal_id"] = (
            self.env["account.journal"]
            .search([("type", "=", "sale"), ("company_id", "=", self.env.company.id)], limit=1)
            .id
        )
        with self.assertRaisesRegex(UserError, "(?s)Incompatible companies.*T Other"):
            invoice_writer._insert_headers(Move, [vals, dict(vals, partner_id=partner.id)])

    def test_draft_runs_use_the_orm(self):
        """Invoices left in draft for review are created by the ORM path."""
        run = self._bill(self.d(2026, 3, 1), auto_post=False)
        self.assertEqual(set(run.move_ids.mapped("state")), {"draft"})
        self.assertEqual(len(run.move_ids), 6)

    def test_unsupported_bills_go_through_the_orm(self):
        """Odoo taxes other than telecom ones, x2many values or another currency: the ORM
        path writes the invoice."""
        run = self.env["telecom.bill.run"].create({"cycle_day": 1, "period_start": "2026-03-01"})
        bill = self.full._telecom_prepare_bill(run)
        self.assertTrue(invoice_writer.supported(self.env, bill))
        product_line = next(
            command[2]
            for command in bill["move_vals"]["invoice_line_ids"]
            if command[2].get("display_type") == "product"
        )
        tax = self.env["account.tax"].create({"name": "T tax", "amount": 5.0})
        product_line["tax_ids"] = [Command.set(tax.ids)]
        self.assertFalse(invoice_writer.supported(self.env, bill))
        product_line["tax_ids"] = [Command.clear()]
        product_line["sale_line_ids"] = [Command.set([])]
        self.assertFalse(invoice_writer.supported(self.env, bill))
        del product_line["sale_line_ids"]
        euro = self.env.ref("base.EUR")
        bill["move_vals"]["currency_id"] = euro.id
        self.assertFalse(invoice_writer.supported(self.env, bill))
