"""Autopay: telecom bills charged to the customer's saved payment method.

A customer enrols one of their saved payment methods (a standard ``payment.token``) as their
autopay method (``res.partner.telecom_autopay_token_id``, portal page ``/my/autopay``). On each
bill's autopay date the daily job charges what is left to collect on the bill with a standard
``payment.transaction`` (operation ``offline``, ``invoice_ids`` = the bill); the provider's
answer is post-processed the standard way (``account_payment``: payment posted and matched with
the bill), then :meth:`TelecomAutopay._telecom_settle` records the outcome on the bill.

Never twice for one bill, even when killed anywhere:

- a bill has at most one autopay transaction that is draft, pending, authorized or done (unique
  partial index on ``payment_transaction.telecom_autopay_move_id``), and each attempt has a
  fixed reference (``<bill>-AP<attempt>``, unique in ``payment_transaction``);
- one job call *prepares* charges (transactions in draft, the bill marked "charge in
  progress"), the runner commits, the next calls *send* them. A call killed while sending rolls
  its transactions back to draft, and the next call sends the same transactions again with the
  same reference, which is what a provider deduplicates on; no second transaction is created.

A failed charge is retried on the company's schedule (days after the first failure); the overdue
policy leaves the bill alone while autopay is still collecting it
(``account.move._telecom_dunning_held``) and takes over when the last retry failed.
"""

import logging
from datetime import timedelta

from odoo import Command, api, fields, models
from odoo.tools import SQL

from odoo.addons.telecom_catalog.tools.adapter_errors import RECORD_ERRORS
from odoo.addons.telecom_catalog.tools.locking import lock_ids

_logger = logging.getLogger(__name__)

FAILED_TEMPLATE = "telecom_billing.mail_template_telecom_autopay_failed"


class TelecomAutopay(models.AbstractModel):
    _name = "telecom.autopay"
    _description = "Telecom Autopay"

    # ------------------------------------------------------------
    # BUSINESS: what autopay does with a bill
    # ------------------------------------------------------------

    @api.model
    def _telecom_token_of(self, partner):
        """The autopay payment method of ``partner``'s billing account (may be archived or
        expired: autopay then tells the customer instead of charging)."""
        return partner.commercial_partner_id.sudo().telecom_autopay_token_id

    @api.model
    def _telecom_charge_date(self, move):
        """The day autopay charges ``move``: its retry date after a failure, else its autopay
        date (company setting: at posting, or some days before the due date, never before the
        bill date)."""
        if move.telecom_autopay_state == "retry":
            return move.telecom_autopay_next_date
        company = move.company_id
        if company.telecom_autopay_timing == "posting" or not move.invoice_date_due:
            return move.invoice_date
        before = timedelta(days=company.telecom_autopay_days_before_due)
        return max(move.invoice_date, move.invoice_date_due - before)

    @api.model
    def _telecom_collecting(self, move):
        """True while autopay is still collecting ``move``: a charge with the provider, a retry
        to come, or a first charge to come for a customer enrolled in autopay."""
        if move.telecom_autopay_state in ("pending", "retry"):
            return True
        return bool(
            not move.telecom_autopay_state
            and move.state == "posted"
            and move.move_type == "out_invoice"
            and move.telecom_subscription_id
            and self._telecom_token_of(move.commercial_partner_id)
        )

    # ------------------------------------------------------------
    # BUSINESS: the daily job
    # ------------------------------------------------------------

    @api.model
    def _cron_telecom_autopay(self, batch_size=200):
        """One batch: send the charges prepared by an earlier call, or, when none is waiting,
        prepare the charges of the bills due today. The runner commits after each call and
        calls again while work remains."""
        today = fields.Date.context_today(self)
        done = len(self._telecom_send_charges(batch_size))
        if not done:
            done = len(self._telecom_prepare_charges(today, batch_size))
        remaining = len(self._telecom_waiting_ids()) + len(self._telecom_due_ids(today))
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
        return done

    def _telecom_due_where(self, today):
        """Bills whose charge is due on ``today`` (table alias ``m``)."""
        return SQL(
            """
            m.state = 'posted' AND m.move_type = 'out_invoice'
            AND m.telecom_subscription_id IS NOT NULL
            AND (
                (m.telecom_autopay_state = 'retry' AND m.telecom_autopay_next_date <= %s)
                OR (
                    m.telecom_autopay_state IS NULL
                    AND m.payment_state IN ('not_paid', 'partial')
                    AND m.invoice_date <= %s
                    AND EXISTS (
                        SELECT 1 FROM res_partner p
                         WHERE p.id = m.commercial_partner_id
                           AND p.telecom_autopay_token_id IS NOT NULL
                    )
                    AND EXISTS (
                        SELECT 1 FROM res_company c
                         WHERE c.id = m.company_id
                           AND (c.telecom_autopay_timing = 'posting'
                                OR m.invoice_date_due - c.telecom_autopay_days_before_due <= %s)
                    )
                )
            )
            """,
            today,
            today,
            today,
        )

    def _telecom_flush(self):
        self.env["account.move"].flush_model()
        self.env["res.partner"].flush_model(["telecom_autopay_token_id"])
        self.env["res.company"].flush_model()
        self.env["payment.transaction"].flush_model(["state", "telecom_autopay_move_id"])

    def _telecom_due_ids(self, today, limit=None, lock=False):
        self._telecom_flush()
        if lock:
            return lock_ids(
                self.env, "account_move", self._telecom_due_where(today), limit=limit, alias="m"
            )
        query = SQL("SELECT m.id FROM account_move m WHERE %s", self._telecom_due_where(today))
        self.env.cr.execute(query)
        return [row[0] for row in self.env.cr.fetchall()]

    def _telecom_waiting_ids(self, limit=None, lock=False):
        """Autopay transactions prepared and not sent yet."""
        self._telecom_flush()
        where = SQL("state = 'draft' AND telecom_autopay_move_id IS NOT NULL")
        if lock:
            return lock_ids(self.env, "payment_transaction", where, limit=limit)
        self.env.cr.execute(SQL("SELECT id FROM payment_transaction WHERE %s", where))
        return [row[0] for row in self.env.cr.fetchall()]

    @api.model
    def _telecom_prepare_charges(self, today, batch_size):
        """Prepare the charges of a batch of due bills: a draft transaction each (or the
        reason there is none). Nothing is sent to a provider here.

        The batch is prepared in one savepoint; when that fails, bill by bill, so that one
        bill's problem does not hold the others. (One ``create`` per transaction: Odoo's
        check that a transaction's token is active reads one record only.)"""
        moves = (
            self.env["account.move"]
            .sudo()
            .browse(self._telecom_due_ids(today, limit=batch_size, lock=True))
        )
        try:
            with self.env.cr.savepoint():
                for move in moves:
                    self._telecom_prepare_charge(move, today)
        except RECORD_ERRORS as error:
            _logger.info("Autopay prepares this batch bill by bill: %s", error)
            for move in moves:
                self._telecom_prepare_one(move, today)
        return moves

    def _telecom_prepare_one(self, move, today):
        try:
            with self.env.cr.savepoint():
                self._telecom_prepare_charge(move, today)
        except RECORD_ERRORS as error:  # kept on the bill, tried again tomorrow
            _logger.warning("Autopay could not prepare %s: %s", move.name, error)
            move._telecom_write_status(
                {
                    "telecom_autopay_state": "retry",
                    "telecom_autopay_next_date": today + timedelta(days=1),
                    "telecom_autopay_message": str(error),
                }
            )

    def _telecom_prepare_charge(self, move, today):
        """Record on ``move`` what autopay does with it today: its draft transaction when it
        is to be charged, else why not."""
        amount = move._telecom_collectible_amount()
        if move.currency_id.is_zero(amount):
            move._telecom_write_status(
                {
                    "telecom_autopay_state": "skipped",
                    "telecom_autopay_next_date": False,
                    "telecom_autopay_message": self.env._(
                        "Nothing left to charge on the autopay date."
                    ),
                }
            )
            return
        token = self._telecom_token_of(move.commercial_partner_id)
        if not token:
            move._telecom_write_status(
                {
                    "telecom_autopay_state": "failed",
                    "telecom_autopay_next_date": False,
                    "telecom_autopay_message": self.env._("Autopay was turned off."),
                }
            )
            return
        attempt = move.telecom_autopay_attempt_count + 1
        move._telecom_write_status({"telecom_autopay_attempt_count": attempt})
        problem = token._telecom_autopay_problem(today, move.company_id)
        if problem:
            self._telecom_failed(
                move,
                self.env._(
                    "%(problem)s Please choose another payment method for autopay on the portal.",
                    problem=problem,
                ),
                today,
            )
            return
        self.env["payment.transaction"].sudo().create(
            self._telecom_transaction_values(move, token, amount, attempt)
        )
        move._telecom_write_status(
            {"telecom_autopay_state": "pending", "telecom_autopay_message": False}
        )

    def _telecom_transaction_values(self, move, token, amount, attempt):
        return {
            "provider_id": token.provider_id.id,
            "payment_method_id": token.payment_method_id.id,
            "token_id": token.id,
            "operation": "offline",
            # fixed per attempt: the idempotency key a provider deduplicates on
            "reference": f"{move.name}-AP{attempt}",
            "amount": amount,
            "currency_id": move.currency_id.id,
            "partner_id": move.commercial_partner_id.id,
            "invoice_ids": [Command.set(move.ids)],
            "telecom_autopay_move_id": move.id,
        }

    @api.model
    def _telecom_send_charges(self, batch_size):
        """Send a batch of prepared charges to their providers, one request each, then
        post-process the answers of the batch together (payment and reconciliation the
        standard way, then :meth:`_telecom_settle`)."""
        txs = (
            self.env["payment.transaction"]
            .sudo()
            .browse(self._telecom_waiting_ids(limit=batch_size, lock=True))
        )
        for tx in txs:
            try:
                with self.env.cr.savepoint():
                    tx._send_payment_request()
            except RECORD_ERRORS as error:  # the provider refused the request itself
                tx._set_error(str(error))
        self._telecom_post_process(txs.filtered(lambda tx: tx.state in ("done", "cancel", "error")))
        return txs

    def _telecom_post_process(self, txs):
        """Post-process ``txs`` now, together; when that fails, one by one. A transaction whose
        post-processing fails stays not post-processed (Odoo's post-processing job tries it
        again) and its bill stays "charge in progress"."""
        try:
            with self.env.cr.savepoint():
                txs._post_process()
        except RECORD_ERRORS as error:
            if len(txs) > 1:
                for tx in txs:
                    self._telecom_post_process(tx)
            else:
                _logger.warning(
                    "Autopay transaction %s not post-processed: %s", txs.reference, error
                )

    @api.model
    def _telecom_settle(self, txs):
        """The outcome of post-processed autopay transactions on their bills."""
        today = fields.Date.context_today(self)
        for tx in txs:
            move = tx.telecom_autopay_move_id
            if tx.state == "done":
                move._telecom_write_status(
                    {
                        "telecom_autopay_state": "paid",
                        "telecom_autopay_next_date": False,
                        "telecom_autopay_message": False,
                    }
                )
            elif tx.state in ("error", "cancel") and move.telecom_autopay_state == "pending":
                reason = tx.state_message or self.env._("The payment was declined.")
                self._telecom_failed(move, reason, today)

    def _telecom_failed(self, move, reason, today):
        """A failed charge: the reason on the bill, the next retry (or the end of autopay for
        this bill), and an email to the customer."""
        schedule = move.company_id._telecom_autopay_retry_schedule()
        first = move.telecom_autopay_failed_date or today
        retries_done = move.telecom_autopay_attempt_count - 1
        if retries_done < len(schedule):
            next_date = first + timedelta(days=schedule[retries_done])
            state = "retry"
        else:
            next_date, state = False, "failed"
        move._telecom_write_status(
            {
                "telecom_autopay_state": state,
                "telecom_autopay_failed_date": first,
                "telecom_autopay_next_date": next_date,
                "telecom_autopay_message": reason,
            }
        )
        template = self.env.ref(FAILED_TEMPLATE, raise_if_not_found=False)
        if template:
            move.message_post_with_source(
                template, message_type="comment", subtype_xmlid="mail.mt_comment"
            )
