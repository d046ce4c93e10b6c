import logging
from collections import defaultdict
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL, format_date

from odoo.addons.telecom_catalog.tools.adapter_errors import RECORD_ERRORS
from odoo.addons.telecom_catalog.tools.locking import fetch_locked_ids, lock_ids
from odoo.addons.telecom_catalog.tools.planner import planner_settings

from ..adapters.base import TaxEngineUnavailable
from ..tools import invoice_writer
from ..tools.chunk_cache import chunk_cache, reset_chunk_cache

_logger = logging.getLogger(__name__)

BILL_RUN_STATES = [
    ("draft", "Draft"),
    ("running", "Running"),
    ("waiting", "Waiting for Tax Engine"),
    ("failed", "Failed"),
    ("done", "Done"),
]
# Days a missed cycle day is still started by the daily job (cron down over a weekend).
BILL_RUN_LOOKBACK_DAYS = 3
# Minutes between two attempts to bill subscriptions waiting for the tax engine.
TAX_RETRY_MINUTES = 30
DELIVERY_STATES = [
    ("pending", "Not Sent"),
    ("sending", "Sending"),
    ("done", "Delivered"),
]
# Bills previewed at once from a run.
PREVIEW_LIMIT = 20
# Per process and run ({(database, run id): value}): the last subscription locked, where
# the search of the next chunk starts, and the job's estimate of what is left to bill.
# Only speed depends on them: the search starts again from the first subscription when
# nothing is left after the last, and the run ends on an exact count.
_NEXT_AFTER = {}
_REMAINING = {}


class TelecomBillRun(models.Model):
    _name = "telecom.bill.run"
    _description = "Telecom Bill Run"
    _inherit = ["mail.thread"]
    _order = "period_start desc, cycle_day"
    _check_company_auto = True
    _sql_constraints = [
        (
            "cycle_period_uniq",
            "UNIQUE(company_id, cycle_day, period_start)",
            "There is already a bill run for this cycle day and period.",
        ),
        (
            "cycle_day_range",
            "CHECK(cycle_day BETWEEN 1 AND 28)",
            "The bill cycle day must be between 1 and 28.",
        ),
    ]

    # ------------------------------------------------------------
    # FIELDS
    # ------------------------------------------------------------

    name = fields.Char(compute="_compute_name", store=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    cycle_day = fields.Integer(
        string="Bill Cycle Day",
        required=True,
        help="Subscriptions with this bill cycle day are billed by this run.",
    )
    period_start = fields.Date(
        required=True,
        help="First day of the billing period billed in advance; its day is the cycle day.",
    )
    period_end = fields.Date(compute="_compute_period_end", store=True)
    invoice_date = fields.Date(
        compute="_compute_invoice_date",
        store=True,
        readonly=False,
        help="Date of the invoices; the first day of the period unless changed.",
    )
    journal_id = fields.Many2one(
        "account.journal",
        compute="_compute_journal_id",
        store=True,
        readonly=False,
        check_company=True,
        domain="[('type', '=', 'sale')]",
    )
    auto_post = fields.Boolean(
        string="Post Invoices",
        default=lambda self: self.env.company.telecom_bill_auto_post,
        help="Post the invoices as soon as they are created. Otherwise they stay in draft for "
        "review and are posted from the Invoices list.",
    )
    state = fields.Selection(
        BILL_RUN_STATES, default="draft", required=True, readonly=True, index=True, tracking=True
    )
    date_started = fields.Datetime(string="Started", readonly=True, copy=False)
    date_ended = fields.Datetime(string="Ended", readonly=True, copy=False)
    retry_after = fields.Datetime(
        readonly=True,
        copy=False,
        help="When the subscriptions waiting for the tax engine are tried again.",
    )
    # Counters are read from the database, never written by the chunks: workers billing the
    # same run in parallel never update its row.
    subscription_count = fields.Integer(
        string="Subscriptions",
        compute="_compute_counts",
        help="Subscriptions this run bills: processed plus still to bill.",
    )
    processed_count = fields.Integer(string="Processed", compute="_compute_counts")
    invoice_count = fields.Integer(string="Invoices", compute="_compute_counts")
    amount_total = fields.Monetary(string="Amount Invoiced", compute="_compute_counts")
    error_count = fields.Integer(string="Errors", compute="_compute_counts")
    waiting_count = fields.Integer(string="Waiting for Tax", compute="_compute_counts")
    not_posted_count = fields.Integer(
        string="Not Posted",
        compute="_compute_counts",
        help="Invoices Odoo refused to post (locked period, archived journal, deprecated "
        "account...): they stay in draft and are posted again when the run is resumed.",
    )
    skipped_count = fields.Integer(
        string="Nothing to Bill",
        compute="_compute_counts",
        help="Subscriptions with nothing to invoice.",
    )
    progress = fields.Float(compute="_compute_counts", help="Share of subscriptions processed.")
    line_ids = fields.One2many("telecom.bill.run.line", "run_id", string="Log", readonly=True)
    auto_send = fields.Boolean(
        string="Send Bills",
        compute="_compute_auto_send",
        store=True,
        readonly=False,
        help="Deliver the bills as soon as the run is done. Otherwise preview them and start "
        "the delivery with the Send Bills button.",
    )
    delivery_state = fields.Selection(
        DELIVERY_STATES, default="pending", required=True, readonly=True, tracking=True
    )
    # Counted from the bills: the delivery's workers never update the run's row.
    to_send_count = fields.Integer(
        string="To Send",
        compute="_compute_delivery_counts",
        help="Posted bills not delivered yet.",
    )
    sent_count = fields.Integer(string="Sent", compute="_compute_delivery_counts")
    send_failed_count = fields.Integer(
        string="Delivery Failed",
        compute="_compute_delivery_counts",
        help="Bills that could not be delivered (invalid or bounced address, document "
        "error): the reason is on each bill. Fix it and resend the bill from the invoice.",
    )
    printed_count = fields.Integer(string="Printed", compute="_compute_delivery_counts")
    print_batch_ids = fields.One2many(
        "telecom.bill.print.batch", "run_id", string="Print Batches", readonly=True
    )
    move_ids = fields.One2many("account.move", "telecom_bill_run_id", string="Invoice Records")

    # ------------------------------------------------------------
    # COMPUTE
    # ------------------------------------------------------------

    @api.depends("cycle_day", "period_start")
    def _compute_name(self):
        for run in self:
            if run.period_start:
                run.name = self.env._(
                    "Cycle day %(day)s - %(start)s",
                    day=run.cycle_day,
                    start=format_date(self.env, run.period_start),
                )
            else:
                run.name = self.env._("New Bill Run")

    @api.depends("period_start")
    def _compute_period_end(self):
        for run in self:
            run.period_end = (
                run.period_start + relativedelta(months=1) - timedelta(days=1)
                if run.period_start
                else False
            )

    @api.depends("period_start")
    def _compute_invoice_date(self):
        for run in self:
            run.invoice_date = run.period_start

    @api.depends("company_id")
    def _compute_journal_id(self):
        for run in self:
            run.journal_id = self.env["account.journal"].search(
                [
                    *self.env["account.journal"]._check_company_domain(run.company_id),
                    ("type", "=", "sale"),
                ],
                limit=1,
            )

    @api.depends("company_id")
    def _compute_auto_send(self):
        for run in self:
            run.auto_send = run.company_id.telecom_bill_auto_send

    def _compute_counts(self):
        runs = self.filtered("id")
        moves = {
            run.id: (count, amount)
            for run, count, amount in self.env["account.move"]._read_group(
                [("telecom_bill_run_id", "in", runs.ids)],
                ["telecom_bill_run_id"],
                ["__count", "amount_total_signed:sum"],
            )
        }
        lines = defaultdict(int)
        for run, state, count in self.env["telecom.bill.run.line"]._read_group(
            [("run_id", "in", runs.ids)], ["run_id", "state"], ["__count"]
        ):
            lines[(run.id, state)] = count
        for run in self:
            invoice_count, amount = moves.get(run.id, (0, 0.0))
            run.invoice_count = invoice_count
            run.amount_total = amount
            run.error_count = lines[(run.id, "error")]
            run.waiting_count = lines[(run.id, "waiting_tax")]
            run.skipped_count = lines[(run.id, "skipped")]
            run.not_posted_count = lines[(run.id, "not_posted")]
            run.processed_count = (
                invoice_count + run.error_count + run.waiting_count + run.skipped_count
            )
            remaining = (
                run._telecom_count_remaining()
                if run.id and run.state in ("draft", "running")
                else 0
            )
            run.subscription_count = run.processed_count + remaining
            if run.state == "done":
                run.progress = 100.0
            elif run.subscription_count:
                run.progress = 100.0 * run.processed_count / run.subscription_count
            else:
                run.progress = 0.0

    def _compute_delivery_counts(self):
        counts = defaultdict(int)
        for run, state, count in self.env["account.move"]._read_group(
            [
                ("telecom_bill_run_id", "in", self.filtered("id").ids),
                ("state", "=", "posted"),
            ],
            ["telecom_bill_run_id", "telecom_send_state"],
            ["__count"],
        ):
            counts[(run.id, state or "to_send")] += count
        for run in self:
            run.to_send_count = counts[(run.id, "to_send")]
            run.sent_count = counts[(run.id, "sent")]
            run.send_failed_count = counts[(run.id, "failed")]
            run.printed_count = counts[(run.id, "printed")]

    # ------------------------------------------------------------
    # CONSTRAINT
    # ------------------------------------------------------------

    @api.constrains("cycle_day", "period_start")
    def _check_period_start(self):
        for run in self:
            if run.period_start and run.period_start.day != run.cycle_day:
                raise ValidationError(
                    self.env._(
                        "The period of a bill run for cycle day %(day)s must start on day "
                        "%(day)s of a month, not on %(start)s.",
                        day=run.cycle_day,
                        start=run.period_start,
                    )
                )

    # ------------------------------------------------------------
    # ONCHANGE
    # ------------------------------------------------------------

    @api.onchange("period_start")
    def _onchange_period_start(self):
        if self.period_start and self.period_start.day <= 28:
            self.cycle_day = self.period_start.day

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    @api.ondelete(at_uninstall=False)
    def _unlink_except_started(self):
        if any(run.state != "draft" for run in self):
            raise UserError(self.env._("Only bill runs that never started can be deleted."))

    # ------------------------------------------------------------
    # ACTION
    # ------------------------------------------------------------

    def action_start(self):
        for run in self:
            if run.state != "draft":
                raise UserError(self.env._("Bill run %(name)s has already started.", name=run.name))
        self.write({"state": "running", "date_started": fields.Datetime.now()})
        self.message_post(body=self.env._("Bill run started."))
        self._telecom_trigger()
        return True

    def action_resume(self):
        """Bill again the subscriptions that failed or wait for the tax engine, and any new."""
        for run in self:
            if run.state not in ("failed", "waiting", "done"):
                raise UserError(
                    self.env._("Bill run %(name)s is not failed, waiting or done.", name=run.name)
                )
        self.line_ids.filtered(
            lambda line: line.state in ("error", "waiting_tax", "not_posted")
        ).unlink()
        self.write({"state": "running", "date_ended": False, "retry_after": False})
        self.message_post(body=self.env._("Bill run resumed."))
        self._telecom_post_drafts()
        self._telecom_trigger()
        return True

    def action_view_invoices(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account.action_move_out_invoice_type"
        )
        action["domain"] = [("telecom_bill_run_id", "=", self.id)]
        action["context"] = {"create": False, "default_move_type": "out_invoice"}
        return action

    def action_send_bills(self):
        """Deliver the run's posted bills not delivered yet (by the delivery job)."""
        for run in self:
            if run.state == "draft":
                raise UserError(
                    self.env._("Bill run %(name)s has no bills yet: start it.", name=run.name)
                )
        self._telecom_start_delivery()
        return True

    def action_preview_bills(self):
        """The run's first bills as customers will get them (bills still to send first)."""
        self.ensure_one()
        moves = self.env["account.move"].search(
            [("telecom_bill_run_id", "=", self.id)],
            order="telecom_send_state desc, id",
            limit=PREVIEW_LIMIT,
        )
        if not moves:
            raise UserError(self.env._("Bill run %(name)s has no bills yet.", name=self.name))
        report = self.env.ref("account.account_invoices").with_context(discard_logo_check=True)
        action = report.report_action(moves)
        action["report_type"] = "qweb-html"
        return action

    def action_view_bills_by_delivery(self):
        self.ensure_one()
        action = self.action_view_invoices()
        state = self.env.context.get("telecom_send_state")
        action["domain"] += [("state", "=", "posted"), ("telecom_send_state", "=", state)]
        return action

    def action_view_print_batches(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "telecom_billing.action_telecom_bill_print_batch"
        )
        action["domain"] = [("run_id", "=", self.id)]
        return action

    def action_view_lines(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "telecom_billing.action_telecom_bill_run_line"
        )
        action["domain"] = [("run_id", "=", self.id)]
        return action

    # ------------------------------------------------------------
    # BUSINESS: scheduling
    # ------------------------------------------------------------

    def _telecom_trigger(self):
        self.env.ref("telecom_billing.ir_cron_telecom_bill_run")._trigger()

    @api.model
    def _telecom_create_due_runs(self, today=None):
        """Create and start the runs of today's cycle day (and of the few days before if they
        were missed) for every company with subscriptions on that cycle day."""
        today = today or fields.Date.context_today(self)
        runs = self.browse()
        for company in self.env["res.company"].search([]):
            for back in range(BILL_RUN_LOOKBACK_DAYS + 1):
                day = today - timedelta(days=back)
                if day.day > 28:
                    continue
                exists = self.search_count(
                    [
                        ("company_id", "=", company.id),
                        ("cycle_day", "=", day.day),
                        ("period_start", "=", day),
                    ]
                )
                if exists:
                    continue
                has_accounts = self.env["telecom.subscription"].search_count(
                    [
                        ("company_id", "=", company.id),
                        ("bill_cycle_day", "=", day.day),
                        ("state", "!=", "closed"),
                    ],
                    limit=1,
                )
                if not has_accounts:
                    continue
                run = self.with_company(company).create(
                    {"company_id": company.id, "cycle_day": day.day, "period_start": day}
                )
                run.write({"state": "running", "date_started": fields.Datetime.now()})
                run.message_post(body=self.env._("Started by the daily billing job."))
                runs |= run
        return runs

    @api.model
    def _cron_bill_runs(self, batch_size=500):
        """Daily job and worker: start due runs, then bill one chunk of one running run.

        The cron runner commits after each call and calls again while work remains, so a run
        of any size proceeds chunk by chunk; a crash loses at most the chunk in progress,
        which the next call bills again (the invoice uniqueness makes that safe).
        """
        self._telecom_create_due_runs()
        self._telecom_wake_waiting_runs()
        # Several workers may bill the same run: the subscriptions, not the run, are locked.
        run = self.search([("state", "=", "running")], order="period_start, id", limit=1)
        if not run:
            self.env["ir.cron"]._notify_progress(done=0, remaining=0)
            return
        # Estimated before the chunk: its invoices are numbered under the journal lock, held
        # until the commit, and the other workers wait for that lock.
        others = self.search([("state", "=", "running"), ("id", "!=", run.id)])
        estimate = run._telecom_estimate_remaining()
        remaining_others = sum(other._telecom_count_remaining() for other in others)
        done = run._telecom_process_chunk(batch_size)
        remaining = estimate - done
        if done < batch_size or remaining <= 0:
            # the run may be over: counted exactly (once or twice a run and worker)
            remaining = run._telecom_count_remaining() if run.state == "running" else 0
            if done and not remaining and run.state == "running":
                # the last chunk ends the run now, not at the job's next call (an hour later)
                run._telecom_finish()
        _REMAINING[run._telecom_process_key()] = remaining
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining + remaining_others)

    @api.model
    def _telecom_wake_waiting_runs(self):
        """Runs waiting for the tax engine try their waiting subscriptions again."""
        now = fields.Datetime.now()
        runs = self.search([("state", "=", "waiting"), ("retry_after", "<=", now)])
        for run in runs:
            run.line_ids.filtered(lambda line: line.state == "waiting_tax").unlink()
            run.write({"state": "running", "retry_after": False})
            run.message_post(body=self.env._("Trying the tax engine again."))
        return runs

    # ------------------------------------------------------------
    # BUSINESS: billing a chunk
    # ------------------------------------------------------------

    def _telecom_billable_conditions(self):
        """SQL conditions (OR-ed) under which subscription ``s`` has something to bill.

        Override to add a reason to bill (e.g. unbilled rated usage); each condition may use
        the alias ``s`` and the run's dates.
        """
        self.ensure_one()
        return [
            SQL(
                """EXISTS (
                    SELECT 1 FROM telecom_service v
                     WHERE v.subscription_id = s.id
                       AND v.state IN ('active', 'suspended')
                       AND COALESCE(v.charged_until, v.date_start - 1) < %s)""",
                self.period_end,
            ),
            SQL(
                """EXISTS (
                    SELECT 1 FROM telecom_service_addon a
                     WHERE a.subscription_id = s.id
                       AND a.state = 'active'
                       AND COALESCE(a.charged_until, a.date_start - 1) < %s)""",
                self.period_end,
            ),
            SQL(
                """EXISTS (
                    SELECT 1 FROM telecom_charge c
                     WHERE c.subscription_id = s.id
                       AND c.state = 'pending'
                       AND c.date <= %s)""",
                self.period_end,
            ),
        ]

    def _telecom_remaining_query(self, select, tail=None):
        self.ensure_one()
        return SQL(
            """
            SELECT %(select)s
              FROM telecom_subscription s
             WHERE s.company_id = %(company)s
               AND s.bill_cycle_day = %(day)s
               AND s.active
               AND (%(billable)s)
               -- probes of the unique indexes, not anti-joins: the invoices of the run
               -- grow faster than PostgreSQL's statistics, and an anti-join planned on
               -- stale ones compares every subscription with every invoice
               AND (SELECT 1 FROM account_move m
                     WHERE m.telecom_subscription_id = s.id
                       AND m.telecom_period_start = %(start)s LIMIT 1) IS NULL
               AND (SELECT 1 FROM telecom_bill_run_line l
                     WHERE l.run_id = %(run)s AND l.subscription_id = s.id LIMIT 1) IS NULL
            %(tail)s
            """,
            select=select,
            company=self.company_id.id,
            day=self.cycle_day,
            billable=SQL(" OR ").join(self._telecom_billable_conditions()),
            start=self.period_start,
            run=self.id,
            tail=tail or SQL(),
        )

    def _telecom_remaining_planned(self):
        """Context of the queries of the subscriptions still to bill: the pending writes
        flushed, and no JIT compilation (the per-subscription probes make the planner's cost
        estimate large enough for PostgreSQL to compile the query, which takes longer than
        running it)."""
        self.ensure_one()
        self.env.flush_all()
        return planner_settings(self.env.cr, jit="off")

    def _telecom_count_remaining(self):
        with self._telecom_remaining_planned():
            self.env.cr.execute(self._telecom_remaining_query(SQL("COUNT(*)")))
            return self.env.cr.fetchone()[0]

    def _telecom_process_key(self):
        return (self.env.cr.dbname, self.id)

    def _telecom_estimate_remaining(self):
        """Subscriptions still to bill, as the job reports its progress: counted exactly at
        its first call in this process, then what this process has not billed since. Workers
        billing side by side each overestimate it (the others' chunks are not subtracted);
        the job counts exactly again when a chunk finds fewer than it asked for."""
        key = self._telecom_process_key()
        if key not in _REMAINING:
            _REMAINING[key] = self._telecom_count_remaining()
        return _REMAINING[key]

    def _telecom_lock_next_subscriptions(self, limit):
        """Ids of up to ``limit`` subscriptions still to bill, locked for this transaction;
        rows another worker holds are skipped.

        The search starts after the last subscription this process locked for the run: the
        billed ones before it are not probed again at every chunk (a run of 100,000 would
        probe them all 200 times). What is left before it (rows another worker held and
        released unbilled, a subscription of a resumed run) is found when nothing is left
        after it: the search then starts from the first subscription again."""
        key = self._telecom_process_key()
        start, excluded = _NEXT_AFTER.get(key, 0), []
        while True:
            with self._telecom_remaining_planned():
                ids = fetch_locked_ids(
                    self.env,
                    self._telecom_remaining_query(
                        SQL("s.id"),
                        SQL(
                            "AND s.id > %s AND s.id != ALL(%s) ORDER BY s.id LIMIT %s "
                            "FOR UPDATE OF s SKIP LOCKED",
                            start,
                            excluded,
                            limit,
                        ),
                    ),
                )
            if not ids and start:
                start = 0
                continue
            if not ids:
                return []
            _NEXT_AFTER[key] = max(_NEXT_AFTER.get(key, 0), max(ids))
            # Another worker may have billed them after this transaction's snapshot (it
            # held them while this query ran): look again at what is committed, now that
            # they are locked here, and take the next ones if it billed them all.
            done = self._telecom_committed_elsewhere(ids)
            ids = [id_ for id_ in ids if id_ not in done]
            if ids:
                return ids
            excluded += done

    def _telecom_committed_elsewhere(self, ids):
        """The subscriptions of ``ids`` that have an invoice of the period or a log line of
        this run, as committed by any worker."""
        done = set()
        with invoice_writer.committed_view(self.env) as cursors:
            for cr in cursors:
                cr.execute(
                    """SELECT telecom_subscription_id FROM account_move
                        WHERE telecom_subscription_id = ANY(%s) AND telecom_period_start = %s
                       UNION
                       SELECT subscription_id FROM telecom_bill_run_line
                        WHERE subscription_id = ANY(%s) AND run_id = %s""",
                    [ids, self.period_start, ids, self.id],
                )
                done.update(row[0] for row in cr.fetchall())
        return done

    def _telecom_process_chunk(self, batch_size=500):
        """Bill up to ``batch_size`` subscriptions; finish the run when none is left.

        An error of a subscription or an unreachable tax engine is logged on the run and the
        others go on (:meth:`_telecom_prepare_bills`). The invoices of the chunk are created
        in one batch. Returns the number of subscriptions handled.
        """
        self.ensure_one()
        if self.state != "running":
            return 0
        subscriptions = self.env["telecom.subscription"].browse(
            self._telecom_lock_next_subscriptions(batch_size)
        )
        if not subscriptions:
            # rows locked by another worker are still to bill: that worker ends the run
            if not self._telecom_count_remaining():
                self._telecom_finish()
            return 0
        bills, log_vals = [], []
        # what every subscription of the chunk looks up alike (tax engine and its rate table)
        with chunk_cache(self.env):
            self._telecom_prepare_bills(subscriptions, bills, log_vals)
        moves, errors = self._telecom_create_invoices(bills)
        log_vals += errors
        self.env["telecom.bill.run.line"].create(log_vals)
        drafts = moves.filtered(lambda move: move.state == "draft")
        if self.auto_post and drafts:
            self._telecom_post(drafts.with_env(self.env))
        # last: the writer's invoices get their numbers under the journal lock, held until
        # the commit that follows
        invoice_writer.number_invoices(
            self.env, moves.filtered(lambda move: move.state == "posted" and move.name == "/")
        )
        # the writer's invoices posted without _post(): their engine transactions to commit
        moves.filtered(lambda move: move.state == "posted")._telecom_trigger_tax_transactions()
        return len(subscriptions)

    def _telecom_prepare_bills(self, subscriptions, bills, log_vals):
        """Prepare the bill of each subscription into ``bills``, or its log line into
        ``log_vals`` (error, waiting for the tax engine, nothing to bill).

        Preparing a bill reads (it writes only an Odoo tax for a fee never billed before,
        after the engine answered): the chunk is prepared in one savepoint, an unavailable
        engine logged as it comes. When a subscription fails otherwise, that is rolled back
        and the chunk prepared again with a savepoint per subscription (two queries each), so
        that the failing one is logged and the others go on.
        """
        waiting = {}
        try:
            with self.env.cr.savepoint():
                prepared = {}
                for subscription in subscriptions:
                    try:
                        prepared[subscription] = subscription._telecom_prepare_bill(self)
                    except TaxEngineUnavailable as error:  # before any write: none to undo
                        waiting[subscription] = error
        except RECORD_ERRORS:
            # as at the chunk's start, but for the engine failures seen (circuit breaker)
            reset_chunk_cache(self.env, keep="telecom_tax_breaker")
            prepared = None
        for subscription in subscriptions:
            if subscription in waiting:
                log_vals.append(
                    self._telecom_log_vals(subscription, "waiting_tax", waiting[subscription])
                )
            elif prepared is None:
                self._telecom_prepare_bill_alone(subscription, bills, log_vals)
            else:
                self._telecom_add_bill(subscription, prepared[subscription], bills, log_vals)

    def _telecom_prepare_bill_alone(self, subscription, bills, log_vals):
        """Prepare the bill of ``subscription`` in its own savepoint."""
        try:
            with self.env.cr.savepoint():
                bill = subscription._telecom_prepare_bill(self)
        except TaxEngineUnavailable as error:
            log_vals.append(self._telecom_log_vals(subscription, "waiting_tax", error))
            return
        except RECORD_ERRORS as error:  # logged on the run, others go on
            _logger.info("Bill run %s: %s failed: %s", self.id, subscription.name, error)
            log_vals.append(self._telecom_log_vals(subscription, "error", error))
            return
        self._telecom_add_bill(subscription, bill, bills, log_vals)

    def _telecom_add_bill(self, subscription, bill, bills, log_vals):
        if bill:
            bills.append(bill)
        else:
            log_vals.append(
                self._telecom_log_vals(
                    subscription, "skipped", self.env._("Nothing to bill for this period.")
                )
            )

    def _telecom_log_vals(self, subscription, state, message):
        return {
            "run_id": self.id,
            "subscription_id": subscription.id,
            "state": state,
            "message": str(message),
        }

    def _telecom_writer(self):
        """``sql`` (default): posted invoices the set-based writer can produce are written by
        it (tools/invoice_writer.py), the others by the ORM; ``orm``: all by the ORM.
        Context key ``telecom_bill_run_writer`` or system parameter
        ``telecom_billing.bill_run_writer``."""
        return self.env.context.get("telecom_bill_run_writer") or (
            self.env["ir.config_parameter"].sudo().get_param("telecom_billing.bill_run_writer")
            or "sql"
        )

    def _telecom_create_invoices(self, bills):
        """Create the invoices of ``bills``: posted directly by the set-based writer when the
        run posts and the writer handles them, else with the ORM (in one batch, one by one
        if the batch fails). Returns ``(moves, error log values)``."""
        moves = self.env["account.move"]
        if bills and self.auto_post and self._telecom_writer() == "sql":
            fast = [bill for bill in bills if invoice_writer.supported(self.env, bill)]
            if fast:
                try:
                    with self.env.cr.savepoint():
                        moves = invoice_writer.write_invoices(self, fast)
                        self.env["telecom.subscription"]._telecom_after_bills(fast, moves)
                    written = {id(bill) for bill in fast}
                    bills = [bill for bill in bills if id(bill) not in written]
                except RECORD_ERRORS as error:  # the ORM path bills them
                    _logger.warning(
                        "Bill run %s: set-based writer failed (%s), ORM path", self.id, error
                    )
                    self.env.invalidate_all(flush=False)
                    moves = self.env["account.move"]
        orm_moves, errors = self._telecom_create_invoices_orm(bills)
        return moves | orm_moves, errors

    def _telecom_create_invoices_orm(self, bills):
        """Create the invoices of ``bills`` in one batch, one by one if the batch fails."""
        Move = (
            self.env["account.move"]
            .with_company(self.company_id)
            .with_context(mail_create_nolog=True, mail_create_nosubscribe=True, mail_notrack=True)
        )
        if not bills:
            return Move, []
        try:
            with self.env.cr.savepoint():
                moves = Move.create([bill["move_vals"] for bill in bills])
                for move, bill in zip(moves, bills, strict=True):
                    move._telecom_add_tax_lines(bill.get("tax_lines"))
                self.env["telecom.subscription"]._telecom_after_bills(bills, moves)
                return moves, []
        except RECORD_ERRORS as error:  # retried one by one below
            _logger.info("Bill run %s: batch create failed (%s), one by one", self.id, error)
        moves, errors = Move, []
        for bill in bills:
            try:
                with self.env.cr.savepoint():
                    move = Move.create(bill["move_vals"])
                    move._telecom_add_tax_lines(bill.get("tax_lines"))
                    self.env["telecom.subscription"]._telecom_after_bills([bill], move)
                    moves |= move
            except RECORD_ERRORS as error:  # logged on the run
                errors.append(self._telecom_log_vals(bill["subscription"], "error", error))
        return moves, errors

    def _telecom_post(self, moves):
        """Post ``moves`` (one by one if the batch fails). An invoice Odoo refuses to post
        stays in draft and is an error of the run: logged with Odoo's reason, counted, and
        posted again when the run is resumed."""
        try:
            with self.env.cr.savepoint():
                moves.action_post()
            return
        except RECORD_ERRORS:  # posted one by one below
            _logger.info("Bill run %s: batch posting failed, one by one", self.id)
        failed = []
        for move in moves:
            try:
                with self.env.cr.savepoint():
                    move.action_post()
            except RECORD_ERRORS as error:
                failed.append(
                    self._telecom_log_vals(move.telecom_subscription_id, "not_posted", error)
                )
        self.env["telecom.bill.run.line"].create(failed)

    def _telecom_post_drafts(self):
        """Post again the run's invoices left in draft by a refused posting."""
        for run in self.filtered("auto_post"):
            drafts = run.move_ids.filtered(lambda move: move.state == "draft")
            if drafts:
                run._telecom_post(drafts)

    def _telecom_finish(self):
        self.ensure_one()
        self.env.flush_all()
        self.invalidate_recordset()
        vals = {"date_ended": fields.Datetime.now()}
        if self.error_count or self.not_posted_count:
            vals["state"] = "failed"
            body = self.env._(
                "Bill run ended with %(n)s subscription(s) in error and %(drafts)s invoice(s) "
                "Odoo refused to post: see the log, fix them and resume the run.",
                n=self.error_count,
                drafts=self.not_posted_count,
            )
        elif self.waiting_count:
            vals.update(
                state="waiting",
                retry_after=fields.Datetime.now() + timedelta(minutes=TAX_RETRY_MINUTES),
            )
            body = self.env._(
                "%(n)s subscription(s) wait for the tax engine; they are billed automatically "
                "once it answers.",
                n=self.waiting_count,
            )
        else:
            vals["state"] = "done"
            body = self.env._(
                "Bill run done: %(n)s invoice(s), %(amount)s.",
                n=self.invoice_count,
                amount=self.currency_id.format(self.amount_total),
            )
        self.write(vals)
        self.message_post(body=body)
        if self.state == "done" and self.auto_send:
            self._telecom_start_delivery()

    def _telecom_run_to_end(self, batch_size=500):
        """Process chunks until the run leaves the running state (tests, shell)."""
        self.ensure_one()
        while self.state == "running":
            self._telecom_process_chunk(batch_size)
        return self

    # ------------------------------------------------------------
    # BUSINESS: bill delivery
    # ------------------------------------------------------------

    def _telecom_start_delivery(self):
        """Queue the run's posted bills not queued yet and wake the delivery job."""
        Move = self.env["account.move"]
        Move.flush_model()
        self.env.cr.execute(
            """UPDATE account_move SET telecom_send_state = 'to_send'
                WHERE telecom_bill_run_id = ANY(%s) AND state = 'posted'
                  AND telecom_send_state IS NULL""",
            [self.ids],
        )
        Move.invalidate_model(["telecom_send_state"])
        self.write({"delivery_state": "sending"})
        self.message_post(body=self.env._("Bill delivery started."))
        self.env.ref("telecom_billing.ir_cron_telecom_bill_delivery")._trigger()

    @api.model
    def _cron_bill_delivery(self, batch_size=100):
        """Delivery job and worker: deliver one chunk of bills of one run being delivered.

        Each bill is taken under a row lock (``FOR UPDATE SKIP LOCKED``) and marked sent,
        failed or printed in the transaction that queues its email or prints it: the cron
        runner commits after each call, so a crash loses the chunk in progress, which the
        next call takes again, and no bill is ever delivered twice.
        """
        run = self.search([("delivery_state", "=", "sending")], order="period_start, id", limit=1)
        if not run:
            self.env["ir.cron"]._notify_progress(done=0, remaining=0)
            return
        done = run._telecom_deliver_chunk(batch_size)
        remaining = run._telecom_count_to_send()
        if not remaining:
            run._telecom_finish_delivery()
            remaining = sum(
                other._telecom_count_to_send()
                for other in self.search([("delivery_state", "=", "sending")])
            )
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)

    def _telecom_count_to_send(self):
        self.ensure_one()
        return self.env["account.move"].search_count(
            [("telecom_bill_run_id", "=", self.id), ("telecom_send_state", "=", "to_send")]
        )

    def _telecom_deliver_chunk(self, batch_size=100):
        """Deliver up to ``batch_size`` bills of the run; returns how many were taken."""
        self.ensure_one()
        Move = self.env["account.move"]
        Move.flush_model(["telecom_bill_run_id", "telecom_send_state"])
        ids = lock_ids(
            self.env,
            Move._table,
            SQL("telecom_bill_run_id = %s AND telecom_send_state = 'to_send'", self.id),
            limit=batch_size,
        )
        Move.browse(ids)._telecom_send_bills()
        return len(ids)

    def _telecom_finish_delivery(self):
        self.ensure_one()
        self.env.flush_all()
        self.invalidate_recordset()
        self.write({"delivery_state": "done"})
        self.message_post(
            body=self.env._(
                "Bills delivered: %(sent)s sent, %(printed)s printed, %(failed)s failed.",
                sent=self.sent_count,
                printed=self.printed_count,
                failed=self.send_failed_count,
            )
        )

    def _telecom_deliver_to_end(self, batch_size=100):
        """Deliver chunks until every bill of the run is delivered (tests, shell)."""
        self.ensure_one()
        while self.delivery_state == "sending":
            self._telecom_deliver_chunk(batch_size)
            if not self._telecom_count_to_send():
                self._telecom_finish_delivery()
        return self
