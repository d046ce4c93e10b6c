from collections import defaultdict
from decimal import Decimal

from dateutil.relativedelta import relativedelta

from odoo import Command, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.telecom_catalog.models.product_template import VOICE_SERVICE_TYPES

from ..adapters.base import (
    TaxAddress,
    TaxEngineError,
    TaxEngineUnavailable,
    TaxRequest,
    TaxRequestLine,
)
from ..adapters.rest import RestTaxEngine
from ..adapters.table import TableTaxEngine
from ..tools.chunk_cache import cached

ENGINE_TYPES = [
    ("table", "Built-in Tax Tables"),
    ("rest", "External Engine (REST)"),
]
TAXABLE_LINE_KINDS = ("recurring", "charge", "discount", "usage")


class TelecomTaxEngine(models.Model):
    _name = "telecom.tax.engine"
    _description = "Telecom Tax Engine"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _check_company_auto = True

    # ------------------------------------------------------------
    # FIELDS
    # ------------------------------------------------------------

    name = fields.Char(required=True)
    engine_type = fields.Selection(ENGINE_TYPES, required=True, default="table", tracking=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    active = fields.Boolean(default=True)
    url = fields.Char(
        string="Base URL",
        tracking=True,
        help="Base address of the external engine, e.g. https://tax.example.com/api.",
    )
    api_key = fields.Char(string="API Key", groups="base.group_system", copy=False)
    timeout = fields.Integer(
        default=10, help="Seconds to wait for the engine before the call counts as failed."
    )
    breaker_threshold = fields.Integer(
        string="Failures Before Pausing",
        default=3,
        help="Circuit breaker: after this many consecutive failed calls in one chunk of a bill "
        "run, the engine is not called again for that chunk; its other subscriptions wait "
        "for the run's next attempt without each waiting its own timeout.",
    )
    require_e911 = fields.Boolean(
        string="Voice Lines Need a 911 Fee",
        help="A voice line whose service address no 911 fee rate covers holds its bill with "
        'an error ("no E911 fee rate for Travis County, TX") instead of billing it without '
        "the fee. Built-in tables only.",
    )
    rate_ids = fields.One2many("telecom.tax.rate", "engine_id", string="Rates")
    rate_count = fields.Integer(compute="_compute_rate_count")
    account_map_ids = fields.One2many(
        "telecom.tax.engine.account", "engine_id", string="Accounts by Tax Kind"
    )
    default_account_id = fields.Many2one(
        "account.account",
        string="Default Liability Account",
        check_company=True,
        domain="[('account_type', 'in', ('liability_current', 'liability_non_current'))]",
        help="Account for the tax kinds without a mapping (external engine).",
    )

    # ------------------------------------------------------------
    # COMPUTE
    # ------------------------------------------------------------

    def _compute_rate_count(self):
        for engine in self:
            engine.rate_count = len(engine.rate_ids)

    # ------------------------------------------------------------
    # ACTION
    # ------------------------------------------------------------

    def action_view_rates(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "telecom_billing.action_telecom_tax_rate"
        )
        action["domain"] = [("engine_id", "=", self.id)]
        action["context"] = {"default_engine_id": self.id, "search_default_group_state": 1}
        return action

    def action_test_connection(self):
        self.ensure_one()
        try:
            self._telecom_adapter().ping()
        except (TaxEngineUnavailable, TaxEngineError) as error:
            raise UserError(
                self.env._("The tax engine did not answer: %(error)s", error=error)
            ) from error
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._("The tax engine answers."),
                "sticky": False,
            },
        }

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    @api.model
    def _telecom_engine_for(self, company):
        """The engine of ``company``: its configured one, else its first table engine."""
        engine = company.telecom_tax_engine_id
        if engine:
            return engine
        return self.search(
            [("company_id", "=", company.id), ("engine_type", "=", "table")], limit=1
        )

    def _telecom_adapter(self, on_date=None):
        self.ensure_one()
        if self.engine_type == "rest":
            return RestTaxEngine(self.sudo().url, self.sudo().api_key, timeout=self.timeout)
        rates = self.rate_ids
        if on_date:
            rates = rates.filtered(
                lambda r: r.date_from <= on_date and (not r.date_to or r.date_to >= on_date)
            )
        return TableTaxEngine(rates._telecom_rows(), require_e911=self.require_e911)

    def _telecom_account_for(self, result):
        """The account of the tax lines of ``result``, looked up once per bill run chunk."""
        self.ensure_one()
        return cached(
            self.env,
            ("telecom_tax_account", self.id, result.rate_code, result.kind),
            lambda: self._telecom_find_account(result),
        )

    def _telecom_find_account(self, result):
        if self.engine_type == "table" and result.rate_code:
            rate = self.env["telecom.tax.rate"].browse(int(result.rate_code))
            # the table engine answers with its own rates (no query per tax line)
            if rate in self.rate_ids:
                return rate.account_id
        mapping = self.account_map_ids.filtered(lambda m: m.kind == result.kind)
        account = mapping.account_id or self.default_account_id
        if not account:
            raise TaxEngineError(
                self.env._(
                    "Tax engine %(engine)s has no account for tax kind %(kind)s: map it in the "
                    "engine's accounts.",
                    engine=self.name,
                    kind=result.kind,
                )
            )
        return account

    @staticmethod
    def _telecom_address(partner):
        return TaxAddress(
            state=partner.state_id.code or "",
            county=partner.telecom_county or "",
            city=partner.city or "",
            zip=partner.zip or "",
            country=partner.country_id.code or "US",
        )

    def _telecom_request(self, subscription, run, lines, on_date=None, indexes=None):
        """Tax request for the charge lines of one invoice (refs are the line indexes), at the
        rates of ``on_date`` (the period billed by default), for the lines of ``indexes``
        (all by default)."""
        self.ensure_one()
        partner = subscription.partner_id
        default_address = subscription._telecom_invoice_partner()
        request_lines = []
        currency = subscription.currency_id
        for index, vals in enumerate(lines):
            if vals.get("telecom_line_kind") not in TAXABLE_LINE_KINDS:
                continue
            if indexes is not None and index not in indexes:
                continue
            amount = Decimal(str(currency.round(vals["quantity"] * vals["price_unit"])))
            service = self.env["telecom.service"].browse(vals.get("telecom_service_id"))
            product = self.env["product.product"].browse(vals.get("product_id"))
            voice_lines = 0
            if (
                service
                and service.service_type in VOICE_SERVICE_TYPES
                and vals["telecom_line_kind"] == "recurring"
                and not vals.get("telecom_addon_line_id")
                and vals["telecom_date_from"] <= run.period_start <= vals["telecom_date_to"]
            ):
                voice_lines = service.quantity
            if not amount and not voice_lines:
                continue
            request_lines.append(
                TaxRequestLine(
                    ref=f"L{index}",
                    service_type=service.service_type
                    or product.telecom_service_type
                    or "one_time_fee",
                    regulatory_class=vals.get("telecom_regulatory_class")
                    or (
                        service.regulatory_class
                        if vals["telecom_line_kind"] == "discount"
                        else product.telecom_regulatory_class or service.regulatory_class
                    )
                    or "",
                    amount=amount,
                    lines=voice_lines,
                    address=self._telecom_address(service.service_address_id or default_address),
                )
            )
        exemptions = [
            {"kind": cert.kind, "state": cert.state_id.code or ""}
            # read for every customer of the bill run's chunk at once (prefetching)
            for cert in partner.telecom_tax_exemption_ids
            if cert._telecom_valid_on(run.period_start)
        ]
        return TaxRequest(
            customer_ref=subscription.name,
            customer_type=partner.telecom_customer_type or "residential",
            exemptions=exemptions,
            on_date=on_date or run.period_start,
            currency=currency.name,
            lines=request_lines,
        )

    def _telecom_tax_lines(self, subscription, run, lines):
        """The taxes and fees on ``lines``, as the tax lines of the invoice.

        Each result of the engine becomes one tax line (an Odoo tax per kind, jurisdiction
        and liability account, :meth:`account.tax._telecom_tax_for`); the charge lines it was
        computed on get that tax in their ``tax_ids``. Returns dicts ``name, amount, base,
        tax_id, account_id, tax_ids`` (the taxes taxing this fee) and the telecom columns;
        amounts are signed as the charges (a credit's tax is negative). Charges a certificate
        exempted come as ``{"exempt": True, "tax_id", "base"}`` (remittance report), the
        engine's quotes as ``{"transaction": id, "engine_id"}``.

        Raises TaxEngineUnavailable (the bill run keeps the subscription waiting) or
        TaxEngineError (logged as an error, the bill is held); never returns a partial answer.
        """
        self.ensure_one()
        by_date = defaultdict(set)
        for index, vals in enumerate(lines):
            by_date[self._telecom_rate_date(subscription, run, vals)].add(index)
        results, transactions = [], []
        for on_date, indexes in sorted(by_date.items()):
            request = self._telecom_request(subscription, run, lines, on_date, indexes)
            if not request.lines:
                continue
            answer = self._telecom_compute(request, on_date)
            if getattr(answer, "transaction_id", ""):
                transactions.append({"transaction": answer.transaction_id, "engine_id": self.id})
            results += [(on_date, sorted(indexes), result) for result in answer]
        results.sort(key=lambda r: (r[2].jurisdiction, r[2].kind, r[0]))
        tax_lines, tax_by_code = [], {}
        currency = subscription.currency_id
        for on_date, indexes, result in results:
            account = self._telecom_account_for(result)
            tax = self._telecom_odoo_tax(subscription.company_id, result, account)
            if result.exempt:
                tax_lines.append(
                    (on_date, {"exempt": True, "tax_id": tax.id, "base": float(result.base)})
                )
                continue
            refs = [
                int(ref[1:]) for ref in result.refs or (result.ref,) if ref[1:].isdigit()
            ] or indexes
            base = result.base or sum(
                Decimal(str(currency.round(lines[i]["quantity"] * lines[i]["price_unit"])))
                for i in refs
                if lines[i].get("telecom_line_kind") in TAXABLE_LINE_KINDS
            )
            for index in refs:
                vals = lines[index]
                if vals.get("telecom_line_kind") not in TAXABLE_LINE_KINDS:
                    continue
                taxes = vals.setdefault("_telecom_tax_ids", [])
                if tax.id not in taxes:
                    taxes.append(tax.id)
            tax_line = {
                "name": result.name
                + (f" ({result.jurisdiction})" if result.jurisdiction not in ("", "US") else ""),
                "amount": float(result.amount),
                "base": float(base),
                "tax_id": tax.id,
                "account_id": account.id,
                "tax_ids": [],
                "telecom_tax_kind": result.kind,
                "telecom_tax_jurisdiction": result.jurisdiction,
                "_taxed_codes": result.taxed_codes,
            }
            if result.rate_code:
                tax_by_code[(on_date, result.rate_code)] = tax_line
            tax_lines.append((on_date, tax_line))
        # tax on tax: the fee's tax line carries the taxes that tax it, as in Odoo
        for on_date, tax_line in tax_lines:
            for code in tax_line.pop("_taxed_codes", ()):
                fee = tax_by_code.get((on_date, code))
                if fee and tax_line["tax_id"] not in fee["tax_ids"]:
                    fee["tax_ids"].append(tax_line["tax_id"])
        for vals in lines:
            if "_telecom_tax_ids" in vals:
                vals["tax_ids"] = [Command.set(vals.pop("_telecom_tax_ids"))]
        return [tax_line for __, tax_line in tax_lines] + transactions

    def _telecom_compute(self, request, on_date):
        """The engine's answer to ``request``, through the chunk's circuit breaker."""
        # the bill run keeps the adapter (its rate table) and the breaker for the chunk
        adapter = cached(
            self.env,
            ("telecom_tax_adapter", self.id, on_date),
            lambda: self._telecom_adapter(on_date),
        )
        breaker = cached(self.env, ("telecom_tax_breaker", self.id), lambda: {"failures": 0})
        threshold = max(self.breaker_threshold, 1)
        if breaker["failures"] >= threshold:
            raise TaxEngineUnavailable(
                self.env._(
                    "The tax engine failed %(n)s times in a row: not called again in this chunk "
                    "(circuit breaker); the run tries again later.",
                    n=breaker["failures"],
                )
            )
        try:
            results = adapter.compute(request)
        except TaxEngineUnavailable:
            breaker["failures"] += 1
            raise
        breaker["failures"] = 0
        return results

    def _telecom_odoo_tax(self, company, result, account):
        """The Odoo tax of ``result`` booked to ``account``; found ones are kept for the chunk
        (a tax created in a subscription's savepoint may be rolled back with it, so it is
        not kept)."""
        key = ("telecom_odoo_tax", company.id, result.kind, result.jurisdiction, account.id)
        Tax = self.env["account.tax"]
        cache = self.env.cr.cache.get("telecom_bill_run_chunk")
        if cache is not None and key in cache:
            return Tax.browse(cache[key])
        tax = Tax._telecom_find(company, result.kind, result.jurisdiction, account)
        if tax and cache is not None:
            cache[key] = tax.id
        tax = tax or Tax._telecom_tax_for(
            company, result.kind, result.jurisdiction, account, result.level
        )
        return tax.sudo(False)

    # ------------------------------------------------------------
    # BUSINESS: transactions
    # ------------------------------------------------------------

    def _telecom_reconcile_transactions(self, date_from, date_to):
        """Compare the transactions the engine holds as committed for invoices dated in the
        period with the posted invoices: the differences are posted on the engine (and an
        activity scheduled) and returned as ``{"missing_at_engine": moves,
        "unknown_to_odoo": [transaction ids], "amount_mismatch": [(move, engine tax)]}``."""
        self.ensure_one()
        committed = self._telecom_adapter().committed(date_from, date_to)
        moves = self.env["account.move"].search(
            [
                ("telecom_tax_engine_id", "=", self.id),
                ("state", "=", "posted"),
                ("telecom_tax_transaction_state", "=", "committed"),
                ("move_type", "=", "out_invoice"),
                ("invoice_date", ">=", date_from),
                ("invoice_date", "<=", date_to),
            ]
        )
        by_transaction = {}
        for move in moves:
            for transaction_id in (move.telecom_tax_transaction or "").split():
                by_transaction[transaction_id] = move
        engine_tax = defaultdict(Decimal)
        unknown = []
        for row in committed:
            move = by_transaction.get(row["id"])
            if move:
                engine_tax[move] += row["tax"]
            else:
                unknown.append(row["id"])
        missing = moves.filtered(lambda move: move not in engine_tax)
        mismatch = [
            (move, tax)
            for move, tax in engine_tax.items()
            if move.currency_id.compare_amounts(float(tax), move.amount_tax)
        ]
        result = {
            "missing_at_engine": missing,
            "unknown_to_odoo": unknown,
            "amount_mismatch": mismatch,
        }
        self._telecom_post_reconciliation(date_from, date_to, moves, result)
        return result

    def _telecom_post_reconciliation(self, date_from, date_to, moves, result):
        problems = []
        if result["missing_at_engine"]:
            problems.append(
                self.env._(
                    "posted but not committed at the engine: %(moves)s",
                    moves=", ".join(result["missing_at_engine"].mapped("name")),
                )
            )
        if result["unknown_to_odoo"]:
            problems.append(
                self.env._(
                    "committed at the engine without a posted invoice: %(ids)s",
                    ids=", ".join(result["unknown_to_odoo"]),
                )
            )
        for move, tax in result["amount_mismatch"]:
            problems.append(
                self.env._(
                    "%(move)s: %(ours)s of tax, the engine holds %(theirs)s",
                    move=move.name,
                    ours=move.amount_tax,
                    theirs=tax,
                )
            )
        summary = self.env._(
            "Transactions of %(start)s to %(end)s: %(n)s posted invoice(s) reconciled.",
            start=date_from,
            end=date_to,
            n=len(moves),
        )
        if problems:
            summary += " " + self.env._("Differences: %(list)s.", list="; ".join(problems))
            self.activity_schedule(
                "mail.mail_activity_data_todo",
                summary=self.env._("Tax engine transactions do not reconcile"),
                note=summary,
            )
        self.message_post(body=summary)

    @api.model
    def _cron_telecom_tax_reconciliation(self):
        """Monthly: reconcile last month's transactions of every external engine."""
        first = fields.Date.context_today(self).replace(day=1)
        start = first - relativedelta(months=1)
        for engine in self.search([("engine_type", "=", "rest")]):
            try:
                with self.env.cr.savepoint():
                    engine._telecom_reconcile_transactions(start, first - relativedelta(days=1))
            except (TaxEngineUnavailable, TaxEngineError) as error:
                engine.message_post(
                    body=self.env._("Monthly reconciliation failed: %(e)s", e=error)
                )

    def action_reconcile_last_month(self):
        self.ensure_one()
        first = fields.Date.context_today(self).replace(day=1)
        self._telecom_reconcile_transactions(
            first - relativedelta(months=1), first - relativedelta(days=1)
        )
        return True

    @staticmethod
    def _telecom_rate_date(subscription, run, vals):
        """The date whose rates tax a line: a credit of days billed on an earlier bill is
        taxed back at the rates of that bill (the start of the period of those days);
        anything else at the rates of the period billed."""
        date_from = vals.get("telecom_date_from")
        if (
            vals.get("telecom_line_kind") == "charge"
            and date_from
            and date_from < run.period_start
            and vals["quantity"] * vals["price_unit"] < 0
        ):
            return subscription._telecom_period_of(date_from)[0]
        return run.period_start
