import json
import logging
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import psycopg2
import psycopg2.extensions

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, create_index

from odoo.addons.telecom_catalog.tools.adapter_errors import AdapterError
from odoo.addons.telecom_catalog.tools.locking import fetch_locked_ids, lock_ids

from ..adapters import PermanentError, ProvisioningError

_logger = logging.getLogger(__name__)

ORDER_ACTIONS = [
    ("activate", "Activation"),
    ("change_plan", "Plan Change"),
    ("add_addon", "Add-on Added"),
    ("remove_addon", "Add-on Removed"),
    ("suspend", "Suspension"),
    ("reactivate", "Reactivation"),
    ("terminate", "Termination"),
    ("sim_swap", "SIM Swap"),
]
ORDER_STATES = [
    ("queued", "Queued"),
    ("running", "Running"),
    ("done", "Done"),
    ("failed_retrying", "Failed, Retrying"),
    ("failed_permanent", "Failed"),
    ("cancelled", "Cancelled"),
]
ORDER_MODES = [
    ("single", "Single (synchronous)"),
    ("bulk", "Bulk (queued)"),
]
OPEN_STATES = ("queued", "running", "failed_retrying")
DUE_STATES = ("queued", "failed_retrying")
PRIORITY = {"single": 10, "bulk": 50}


class TelecomProvisioningOrder(models.Model):
    """One lifecycle action of one service on one network platform.

    State machine::

        queued ──► running ──► done
          ▲           │
          │           ├──► failed_retrying ──(next_retry_at)──► running …
          │           └──► failed_permanent ──(NOC retry)──► queued
          └────────────── cancelled ◄── (NOC cancel, from any open or failed state)

    The order is sent with its idempotency key on every attempt, so a platform that already
    did the work (answer lost, worker killed after the call) answers with the original result
    instead of provisioning twice.
    """

    _name = "telecom.provisioning.order"
    _description = "Provisioning Order"
    _check_company_auto = True
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "id desc"
    _sql_constraints = [
        (
            "idempotency_key_uniq",
            "UNIQUE(idempotency_key)",
            "Each provisioning order needs its own idempotency key.",
        ),
    ]

    # ------------------------------------------------------------
    # FIELDS
    # ------------------------------------------------------------

    name = fields.Char(string="Reference", required=True, readonly=True, copy=False, default="/")
    service_id = fields.Many2one(
        "telecom.service", index="btree_not_null", ondelete="restrict", readonly=True
    )
    partner_id = fields.Many2one(
        related="service_id.partner_id", store=True, string="Billing Account", index=True
    )
    product_id = fields.Many2one(related="service_id.product_id", string="Plan")
    company_id = fields.Many2one(
        "res.company",
        compute="_compute_company_id",
        store=True,
        precompute=True,
        required=True,
        index=True,
        help="The company of the service, or of the backend for an order without service.",
    )
    backend_id = fields.Many2one(
        "telecom.provisioning.backend",
        required=True,
        index=True,
        tracking=True,
        ondelete="restrict",
        check_company=True,
    )
    action = fields.Selection(ORDER_ACTIONS, required=True, tracking=True)
    mode = fields.Selection(
        ORDER_MODES,
        required=True,
        default="bulk",
        help="Single orders (one activation asked by a user) are tried at once and come first "
        "in the queue; bulk orders (waves, migrations) are only queued.",
    )
    priority = fields.Integer(default=50, help="Lower first.")
    state = fields.Selection(
        ORDER_STATES, required=True, default="queued", tracking=True, index=True, copy=False
    )
    payload = fields.Json(
        copy=False,
        help="Our canonical payload: keys the backend mapping translates to the platform's.",
    )
    payload_text = fields.Text(string="Payload (JSON)", compute="_compute_payload_text")
    values = fields.Json(
        string="Hook Values",
        copy=False,
        help="What the service's lifecycle method asked for; handed back to it once the "
        "network confirms.",
    )
    idempotency_key = fields.Char(
        required=True,
        readonly=True,
        copy=False,
        default=lambda self: uuid.uuid4().hex,
        help="Sent to the platform with every attempt of this order, so that a repeated call "
        "never provisions twice.",
    )
    attempt_ids = fields.One2many("telecom.provisioning.attempt", "order_id", readonly=True)
    attempt_count = fields.Integer(readonly=True, copy=False)
    cycle_attempt_count = fields.Integer(
        string="Attempts Since Queued",
        readonly=True,
        copy=False,
        help="Attempts since the order was queued or last retried by hand; compared with the "
        "backend's maximum attempts.",
    )
    cycle_start = fields.Datetime(
        string="Queued Since", readonly=True, copy=False, default=fields.Datetime.now
    )
    next_retry_at = fields.Datetime(
        string="Next Attempt",
        readonly=True,
        copy=False,
        default=fields.Datetime.now,
        help="When the queue may try this order again.",
    )
    last_attempt_at = fields.Datetime(readonly=True, copy=False)
    date_done = fields.Datetime(readonly=True, copy=False)
    completion_seconds = fields.Float(
        string="Completion Time (s)",
        readonly=True,
        copy=False,
        aggregator="avg",
        help="Seconds from queuing to the network's confirmation.",
    )
    platform_reference = fields.Char(readonly=True, copy=False, tracking=True)
    error_code = fields.Char(string="Last Error Code", readonly=True, copy=False)
    error_id = fields.Many2one(
        "telecom.provisioning.error", string="Last Error", readonly=True, copy=False
    )
    error_message = fields.Text(string="Last Error Message", readonly=True, copy=False)
    sla_deadline = fields.Datetime(string="SLA Deadline", readonly=True, copy=False, index=True)
    sla_breached = fields.Boolean(string="SLA Breached", readonly=True, copy=False)
    escalated = fields.Boolean(readonly=True, copy=False)

    # ------------------------------------------------------------
    # COMPUTE
    # ------------------------------------------------------------

    @api.depends("service_id", "backend_id")
    def _compute_company_id(self):
        for order in self:
            order.company_id = order.service_id.company_id or order.backend_id.company_id

    @api.depends("payload")
    def _compute_payload_text(self):
        for order in self:
            order.payload_text = (
                json.dumps(order.payload, indent=2, sort_keys=True, default=str)
                if order.payload
                else ""
            )

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    def init(self):
        # one open activation / suspension / reactivation / termination per service: a
        # repeated request can never reach the network twice under two idempotency keys
        self.env.cr.execute(
            SQL(
                """
                CREATE UNIQUE INDEX IF NOT EXISTS telecom_provisioning_order_one_open_idx
                    ON telecom_provisioning_order (service_id, action)
                 WHERE state IN ('queued', 'running', 'failed_retrying')
                   AND action IN ('activate', 'suspend', 'reactivate', 'terminate')
                """
            )
        )
        # the worker's "no older open order of the same service" check
        create_index(
            self.env.cr,
            "telecom_provisioning_order_open_service_idx",
            self._table,
            ["service_id", "id"],
            where="state IN ('queued', 'running', 'failed_retrying')",
        )
        create_index(
            self.env.cr,
            "telecom_provisioning_order_due_idx",
            self._table,
            ["backend_id", "priority", "next_retry_at"],
            where="state IN ('queued', 'failed_retrying')",
        )

    @api.model_create_multi
    def create(self, vals_list):
        now = fields.Datetime.now()
        backends = self.env["telecom.provisioning.backend"].browse(
            {vals["backend_id"] for vals in vals_list if vals.get("backend_id")}
        )
        sla = {b.id: (b.sla_seconds, b.sla_bulk_seconds) for b in backends}
        sequence = self.env["ir.sequence"]
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = sequence.next_by_code("telecom.provisioning.order") or "/"
            mode = vals.setdefault("mode", "bulk")
            vals.setdefault("priority", PRIORITY[mode])
            single_sla, bulk_sla = sla.get(vals.get("backend_id"), (120, 14400))
            vals.setdefault(
                "sla_deadline",
                now + timedelta(seconds=single_sla if mode == "single" else bulk_sla),
            )
        orders = super(
            TelecomProvisioningOrder,
            self.with_context(mail_create_nolog=True, mail_create_nosubscribe=True),
        ).create(vals_list)
        if any(order.state in DUE_STATES for order in orders):
            self._trigger_queue()
        return orders.with_env(self.env)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_sent(self):
        if any(order.attempt_count or order.state not in ("queued", "cancelled") for order in self):
            raise UserError(
                self.env._(
                    "Provisioning orders that reached the network are kept as an audit trail; "
                    "cancel them instead of deleting them."
                )
            )

    # ------------------------------------------------------------
    # ACTION
    # ------------------------------------------------------------

    def action_retry(self):
        """NOC: queue failed or cancelled orders again, with a fresh retry budget."""
        wrong = self.filtered(
            lambda o: o.state not in ("failed_permanent", "failed_retrying", "cancelled")
        )
        if wrong:
            raise UserError(
                self.env._(
                    "Only failed or cancelled orders can be retried; %(orders)s are not.",
                    orders=", ".join(wrong.mapped("name")),
                )
            )
        now = fields.Datetime.now()
        for order in self:
            backend = order.backend_id
            seconds = backend.sla_seconds if order.mode == "single" else backend.sla_bulk_seconds
            order.write(
                {
                    "state": "queued",
                    "next_retry_at": now,
                    "cycle_start": now,
                    "cycle_attempt_count": 0,
                    "sla_deadline": now + timedelta(seconds=seconds),
                    "sla_breached": False,
                    "escalated": False,
                }
            )
        self._close_escalations(
            self.env._("Order queued again by %(user)s.", user=self.env.user.name)
        )
        self._trigger_queue()
        return True

    def action_cancel(self):
        """NOC: give up on orders that have not reached the network yet or keep failing."""
        wrong = self.filtered(lambda o: o.state in ("done", "cancelled"))
        if wrong:
            raise UserError(
                self.env._(
                    "Orders %(orders)s are done or cancelled already.",
                    orders=", ".join(wrong.mapped("name")),
                )
            )
        self.write({"state": "cancelled", "next_retry_at": False})
        self._close_escalations(self.env._("Order cancelled by %(user)s.", user=self.env.user.name))
        for order in self:
            order._on_cancelled()
        return True

    def action_run_now(self):
        """NOC: send due orders at once instead of waiting for the queue."""
        wrong = self.filtered(lambda o: o.state not in DUE_STATES)
        if wrong:
            raise UserError(
                self.env._(
                    "Only queued or retrying orders can be sent; %(orders)s are not.",
                    orders=", ".join(wrong.mapped("name")),
                )
            )
        for backend, orders in self.grouped("backend_id").items():
            if backend.paused:
                raise UserError(
                    self.env._(
                        "Backend %(backend)s is paused: resume it first.", backend=backend.name
                    )
                )
            locked = orders._lock_for_update()
            if not locked:
                raise UserError(
                    self.env._(
                        "%(orders)s cannot be sent now: another worker is sending them, or an "
                        "earlier order of the same service is still open.",
                        orders=", ".join(orders.mapped("name")),
                    )
                )
            sent = locked._execute(timeout=backend.sync_timeout)
            if not sent and locked:
                raise UserError(
                    self.env._(
                        "Backend %(backend)s is at its concurrency limit; the orders stay queued.",
                        backend=backend.name,
                    )
                )
        return True

    # ------------------------------------------------------------
    # BUSINESS: queue
    # ------------------------------------------------------------

    def _trigger_queue(self):
        """Wake the worker up once per transaction, however many orders it queued."""
        data = self.env.cr.precommit.data
        if data.get("telecom_provisioning_triggered"):
            return
        data["telecom_provisioning_triggered"] = True
        self.env.ref("telecom_provisioning.ir_cron_process_orders").sudo()._trigger()

    def _lock_for_update(self):
        """The orders of ``self`` still due, not behind an open order of their service, that
        no other transaction holds; locked."""
        if not self:
            return self
        self.flush_recordset()
        ids = self._lock_orders(
            SQL(
                """
                o.id IN %s AND o.state IN %s
                AND NOT EXISTS (
                     SELECT 1 FROM telecom_provisioning_order earlier
                      WHERE earlier.service_id = o.service_id AND earlier.id < o.id
                        AND earlier.state IN %s)
                """,
                tuple(self.ids),
                DUE_STATES,
                OPEN_STATES,
            ),
            order="o.id",
        )
        return self.filtered(lambda o: o.id in ids)

    @api.model
    def _due_domain(self):
        return [
            ("state", "in", DUE_STATES),
            ("next_retry_at", "<=", fields.Datetime.now()),
            ("backend_id.paused", "=", False),
            ("backend_id.active", "=", True),
        ]

    @api.model
    def _lock_due_orders(self, backend, limit):
        """Lock up to ``limit`` due orders of ``backend`` that no other worker holds."""
        self.flush_model()
        ids = self._lock_orders(
            SQL(
                """
                o.backend_id = %(backend)s AND o.state IN %(states)s
                AND o.next_retry_at <= %(now)s
                AND NOT EXISTS (
                     SELECT 1 FROM telecom_provisioning_order earlier
                      WHERE earlier.service_id = o.service_id AND earlier.id < o.id
                        AND earlier.state IN %(open)s)
                """,
                backend=backend.id,
                states=DUE_STATES,
                open=OPEN_STATES,
                now=fields.Datetime.now(),
            ),
            order="o.priority, o.next_retry_at, o.id",
            limit=limit,
        )
        return self.browse(ids)

    @api.model
    def _lock_orders(self, where, order="o.id", limit=None):
        """Ids of the orders (table alias ``o``) matching ``where`` that no other worker holds,
        locked for this transaction; ``[]`` when a concurrent worker changed them since this
        transaction began (see :func:`~odoo.addons.telecom_catalog.tools.locking.lock_ids`)."""
        return lock_ids(self.env, self._table, where, order=order, limit=limit, alias="o")

    @api.model
    def _locked_ids(self, query):
        """Ids returned by ``query`` (a SELECT … FOR UPDATE SKIP LOCKED); ``[]`` when a
        concurrent worker changed the rows since this transaction began (see
        :func:`~odoo.addons.telecom_catalog.tools.locking.fetch_locked_ids`)."""
        return fetch_locked_ids(self.env, query)

    @api.model
    def _cron_process_orders(self, batch_size=200):
        """Worker: send one batch of due orders, per backend within its concurrency and rate
        limits; the cron runner commits after each call and calls again while work remains."""
        due = self._read_group(self._due_domain(), ["backend_id"], ["__count"])
        done = 0
        budget = batch_size
        for backend, _count in due:
            if budget <= 0:
                break
            limit = budget
            capacity = backend._rate_capacity()
            if capacity is not None:
                limit = min(limit, capacity)
            if limit <= 0:
                continue
            orders = self._lock_due_orders(backend, limit)
            sent = orders._execute()
            done += sent
            budget -= sent
        remaining = self.search_count(self._due_domain())
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
        return done

    # ------------------------------------------------------------
    # BUSINESS: execution
    # ------------------------------------------------------------

    def _execute(self, timeout=None):
        """Call the platform for these orders (all of one backend, locked by the caller).

        The calls run in parallel threads, as many as the backend's free concurrency slots;
        the database work stays in this thread, one savepoint per order. Returns the number
        of orders sent.
        """
        if not self:
            return 0
        backend = self.backend_id
        backend.ensure_one()
        slots = backend._acquire_slots(min(len(self), backend.max_concurrency))
        if not slots:
            return 0
        adapter = backend._get_adapter()
        calls = []
        for order in self:
            try:
                payload = backend._map_payload(order.action, order.payload or {})
            except ProvisioningError as error:
                calls.append((order, None, error))
                continue
            calls.append((order, payload, None))
        self.with_context(tracking_disable=True).write({"state": "running"})

        def send(call):
            order_name, action, payload, key, endpoint = call
            try:
                return adapter.call(action, payload, key, endpoint=endpoint, timeout=timeout)
            except ProvisioningError as error:
                return error
            except Exception as error:  # an adapter bug fails its order (adapter_error), logged
                _logger.exception("Adapter %s failed on %s", backend.name, order_name)
                return PermanentError("adapter_error", f"Adapter failure: {error!r}")

        to_send = [
            (
                order.name,
                order.action,
                payload,
                order.idempotency_key,
                backend._endpoint(order.action),
            )
            for order, payload, error in calls
            if error is None
        ]
        if slots == 1 or len(to_send) <= 1:
            answers = [send(call) for call in to_send]
        else:
            with ThreadPoolExecutor(max_workers=slots, thread_name_prefix="provisioning") as pool:
                answers = list(pool.map(send, to_send))
        answers = iter(answers)
        for order, _payload, error in calls:
            outcome = error if error is not None else next(answers)
            try:
                with self.env.cr.savepoint():
                    order._record_outcome(outcome)
            except psycopg2.extensions.TransactionRollbackError as conflict:
                order._requeue_after_conflict(outcome, conflict)
            except (UserError, psycopg2.Error, AdapterError) as failure:  # this order's failure
                _logger.exception("Could not record the outcome of %s", order.name)
                order._record_internal_failure(failure)
        return len(calls)

    def _record_outcome(self, outcome):
        """Write an attempt and move the order according to ``outcome`` (AdapterResult or
        ProvisioningError)."""
        self.ensure_one()
        now = fields.Datetime.now()
        backend = self.backend_id
        attempt_vals = {
            "order_id": self.id,
            "backend_id": backend.id,
            "action": self.action,
            "date": now - timedelta(milliseconds=outcome.duration_ms or 0.0),
            "duration_ms": outcome.duration_ms,
            "http_status": outcome.http_status,
            "request_summary": outcome.request_summary,
            "response_summary": outcome.response_summary,
        }
        counters = {
            "attempt_count": self.attempt_count + 1,
            "cycle_attempt_count": self.cycle_attempt_count + 1,
            "last_attempt_at": now,
        }
        if not isinstance(outcome, ProvisioningError):
            self.env["telecom.provisioning.attempt"].create(
                dict(attempt_vals, success=True, replayed=outcome.replayed)
            )
            self._write_silently(
                dict(
                    counters,
                    state="done",
                    date_done=now,
                    next_retry_at=False,
                    platform_reference=outcome.reference or self.platform_reference,
                    completion_seconds=(now - self.cycle_start).total_seconds(),
                )
            )
            try:
                with self.env.cr.savepoint():
                    self._on_done()
            except psycopg2.extensions.TransactionRollbackError:
                raise  # a concurrent transaction changed the service: see _execute
            except (UserError, psycopg2.Error, AdapterError) as failure:
                # the network did it; billing refused: escalate
                _logger.exception("Confirmation of %s failed", self.name)
                self._fail_confirmation(failure)
            return
        error = self.env["telecom.provisioning.error"]._lookup(outcome.code, backend)
        transient = error.classification == "transient" if error else outcome.transient
        self.env["telecom.provisioning.attempt"].create(
            dict(
                attempt_vals,
                success=False,
                error_code=outcome.code,
                error_id=error.id,
                classification="transient" if transient else "permanent",
                error_message=outcome.message,
            )
        )
        error_vals = dict(
            counters, error_code=outcome.code, error_id=error.id, error_message=outcome.message
        )
        if transient:
            delay = backend._retry_delay(counters["cycle_attempt_count"], outcome.retry_after)
            next_at = now + timedelta(seconds=delay)
            too_old = next_at > self.cycle_start + timedelta(minutes=backend.retry_max_age)
            if counters["cycle_attempt_count"] < backend.retry_max_attempts and not too_old:
                self._write_silently(
                    dict(error_vals, state="failed_retrying", next_retry_at=next_at)
                )
                return
            self._write_silently(dict(error_vals, state="failed_permanent", next_retry_at=False))
            self._escalate(
                self.env._(
                    "Gave up after %(attempts)s attempts since %(since)s; last error "
                    "%(code)s: %(message)s",
                    attempts=counters["cycle_attempt_count"],
                    since=self.cycle_start,
                    code=outcome.code,
                    message=outcome.message,
                )
            )
            return
        self._write_silently(dict(error_vals, state="failed_permanent", next_retry_at=False))
        self._escalate(
            self.env._(
                "Permanent error %(code)s: %(message)s", code=outcome.code, message=outcome.message
            )
        )

    def _fail_confirmation(self, failure):
        """The network carried the order out but the service refused the confirmation."""
        self.ensure_one()
        message = self.env._(
            "The network carried out the order, but the service could not be updated: "
            "%(error)s. Fix the service, then Retry: the platform answers with its first "
            "result and the service is updated.",
            error=str(failure),
        )
        error = self.env["telecom.provisioning.error"]._lookup("confirmation_failed")
        self._write_silently(
            {
                "state": "failed_permanent",
                "error_code": "confirmation_failed",
                "error_id": error.id,
                "error_message": message,
            }
        )
        self._escalate(message)

    def _requeue_after_conflict(self, outcome, conflict):
        """Another transaction changed what this order's confirmation writes (e.g. the same
        subscription, from another worker) after this one began: under REPEATABLE READ this
        transaction can no longer write it. The order goes straight back to the queue, without
        using its retry budget; the next run gets the platform's first answer again (same
        idempotency key) and confirms in a fresh transaction."""
        self.ensure_one()
        now = fields.Datetime.now()
        error = self.env["telecom.provisioning.error"]._lookup("concurrent_update")
        message = self.env._(
            "Updated concurrently by another transaction; queued again: %(error)s",
            error=str(conflict).strip(),
        )
        self.env["telecom.provisioning.attempt"].create(
            {
                "order_id": self.id,
                "backend_id": self.backend_id.id,
                "action": self.action,
                "date": now - timedelta(milliseconds=outcome.duration_ms or 0.0),
                "duration_ms": outcome.duration_ms,
                "http_status": outcome.http_status,
                "success": not isinstance(outcome, ProvisioningError),
                "error_code": "concurrent_update",
                "error_id": error.id,
                "classification": "transient",
                "error_message": message,
                "request_summary": outcome.request_summary,
                "response_summary": outcome.response_summary,
            }
        )
        self._write_silently(
            {
                "state": "failed_retrying",
                "next_retry_at": now,
                "attempt_count": self.attempt_count + 1,
                "error_code": "concurrent_update",
                "error_id": error.id,
                "error_message": message,
            }
        )

    def _record_internal_failure(self, failure):
        """Recording an outcome crashed: keep the order retryable (the platform replays its
        answer for the same idempotency key) and say why, so nothing is lost; give up after
        the backend's maximum attempts."""
        self.ensure_one()
        now = fields.Datetime.now()
        backend = self.backend_id
        attempts = self.cycle_attempt_count + 1
        vals = {
            "attempt_count": self.attempt_count + 1,
            "cycle_attempt_count": attempts,
            "error_code": "internal_error",
            "error_message": str(failure),
        }
        if attempts >= backend.retry_max_attempts:
            self._write_silently(dict(vals, state="failed_permanent", next_retry_at=False))
            self._escalate(
                self.env._("Could not record the platform's answer: %(error)s", error=str(failure))
            )
            return
        delay = backend._retry_delay(attempts)
        self._write_silently(
            dict(vals, state="failed_retrying", next_retry_at=now + timedelta(seconds=delay))
        )
        self.message_post(
            body=self.env._("Could not record the platform's answer: %(error)s", error=str(failure))
        )

    def _write_silently(self, vals):
        """Automatic transitions are recorded as attempts, not as chatter tracking (a wave of
        10,000 orders would write 10,000 tracking messages); what needs a person is posted
        by _escalate, and NOC actions are tracked."""
        return self.with_context(tracking_disable=True).write(vals)

    def _escalate(self, reason):
        """Permanent failure: an activity for the NOC on the order, and a note on the order."""
        self.ensure_one()
        xmlid = "telecom_provisioning.mail_activity_type_provisioning_failure"
        activity_type = self.env.ref(xmlid)
        self.message_post(body=reason)
        self.escalated = True
        if self.activity_ids.filtered(lambda a: a.activity_type_id == activity_type):
            return
        self.activity_schedule(
            xmlid,
            summary=self.env._(
                "%(action)s failed on %(backend)s",
                action=dict(ORDER_ACTIONS)[self.action],
                backend=self.backend_id.name,
            ),
            note=reason,
            user_id=self.backend_id._noc_responsible().id,
        )

    def _close_escalations(self, feedback):
        types = self.env.ref("telecom_provisioning.mail_activity_type_provisioning_failure") | (
            self.env.ref("telecom_provisioning.mail_activity_type_provisioning_sla")
        )
        activities = self.activity_ids.filtered(lambda a: a.activity_type_id in types)
        if activities:
            activities.action_feedback(feedback=feedback)

    def _run_synchronously(self):
        """Try a single order at once, within the backend's synchronous timeout. It stays in
        the queue (and the worker is woken up) when the backend is paused, at its rate or
        concurrency limit, or when the attempt fails transiently."""
        self.ensure_one()
        backend = self.backend_id
        capacity = backend._rate_capacity()
        if backend.paused or capacity == 0:
            return False
        return bool(self._execute(timeout=backend.sync_timeout))

    def _on_done(self):
        """The network confirmed the order: the service follows (billing applies it)."""
        self.ensure_one()
        if self.action == "sim_swap":
            # a SIM swap is telecom_numbers' record, not a billing change of the service
            swap_id = (self.values or {}).get("swap_id")
            self.env["telecom.sim.swap"].sudo().browse(swap_id).exists()._telecom_complete()
        elif self.service_id:
            self.service_id._telecom_network_confirmed(self.action, dict(self.values or {}))

    def _on_cancelled(self):
        """The NOC cancelled the order: say so on the service, which stays as it is."""
        self.ensure_one()
        if self.service_id:
            self.service_id.message_post(
                body=self.env._(
                    "Provisioning order %(order)s (%(action)s) was cancelled; the service stays "
                    "%(state)s.",
                    order=self.name,
                    action=dict(ORDER_ACTIONS)[self.action],
                    state=dict(self.service_id._fields["state"]._description_selection(self.env))[
                        self.service_id.state
                    ],
                )
            )

    # ------------------------------------------------------------
    # BUSINESS: alerts
    # ------------------------------------------------------------

    @api.model
    def _cron_check_sla(self, batch_size=200):
        """Alert the NOC about open orders past their SLA (one activity per order)."""
        self.flush_model()
        ids = self._lock_orders(
            SQL(
                "o.state IN %(states)s AND o.sla_deadline < %(now)s "
                "AND NOT COALESCE(o.sla_breached, FALSE)",
                states=OPEN_STATES,
                now=fields.Datetime.now(),
            ),
            order="o.sla_deadline",
            limit=batch_size,
        )
        orders = self.browse(ids)
        for order in orders:
            with self.env.cr.savepoint():
                order._alert_sla()
        remaining = self.search_count(
            [
                ("state", "in", OPEN_STATES),
                ("sla_deadline", "<", fields.Datetime.now()),
                ("sla_breached", "=", False),
            ]
        )
        self.env["ir.cron"]._notify_progress(done=len(orders), remaining=remaining)
        return orders

    def _alert_sla(self):
        self.ensure_one()
        late = fields.Datetime.now() - self.create_date
        note = self.env._(
            "%(order)s (%(action)s on %(backend)s) has been open for %(minutes)s minutes, past its "
            "SLA; state %(state)s, %(attempts)s attempts, last error: %(error)s.",
            order=self.name,
            action=dict(ORDER_ACTIONS)[self.action],
            backend=self.backend_id.name,
            minutes=int(late.total_seconds() // 60),
            state=dict(ORDER_STATES)[self.state],
            attempts=self.attempt_count,
            error=self.error_message or "-",
        )
        self.sla_breached = True
        self.message_post(body=note)
        self.activity_schedule(
            "telecom_provisioning.mail_activity_type_provisioning_sla",
            summary=self.env._("SLA breached: %(order)s", order=self.name),
            note=note,
            user_id=self.backend_id._noc_responsible().id,
        )
