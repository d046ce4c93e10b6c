import base64
import json
import logging
from datetime import timedelta

from psycopg2.extras import execute_values

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from odoo.addons.telecom_catalog.tools.adapter_errors import RECORD_ERRORS
from odoo.addons.telecom_catalog.tools.csv_rows import CsvRows, to_int
from odoo.addons.telecom_catalog.tools.locking import lock_ids
from odoo.addons.telecom_provisioning.adapters import ProvisioningError, RetryableError

_logger = logging.getLogger(__name__)

RUN_STATES = [
    ("draft", "Draft"),
    ("running", "Running"),
    ("done", "Done"),
    ("failed", "Failed"),
]
RUN_PHASES = [
    ("network", "Reading the network"),
    ("billing", "Billing services not seen on the network"),
    ("done", "Done"),
]
NETWORK_STATES = ("active", "suspended", "terminated")
# consecutive failed reads before a run gives up
MAX_READ_ERRORS = 10
# columns of an inventory extract (batch-file platforms); features separated by ";"
EXTRACT_COLUMNS = (
    "service_ref",
    "subscriber_id",
    "state",
    "profile",
    "speed_mbps",
    "features",
    "msisdn",
    "iccid",
    "activated_on",
)


class TelecomNetworkReconciliation(models.Model):
    """One reconciliation of one network platform with billing (revenue assurance against
    the network).

    Phase *network* reads the platform page by page (its read API, or an uploaded inventory
    extract for batch-file platforms), stores each subscriber's network view on the service's
    network identity (``telecom.network.xref``) and records the differences as findings.
    Phase *billing* walks the services billing charges for on this platform and records those
    the network did not list. Each cron call does one page and stores the cursor: a run killed
    anywhere resumes from its last committed page, and findings are keyed, so a page read twice
    updates its findings instead of duplicating them. Open findings of the platform not found
    again by a completed run are resolved."""

    _name = "telecom.network.reconciliation"
    _description = "Network Reconciliation Run"
    _inherit = ["mail.thread"]
    _order = "id desc"
    _check_company_auto = True

    # ------------------------------------------------------------
    # FIELDS
    # ------------------------------------------------------------

    name = fields.Char(required=True, readonly=True, copy=False, default="/")
    backend_id = fields.Many2one(
        "telecom.provisioning.backend", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    source = fields.Selection(
        [("api", "Read API"), ("file", "Inventory extract file")], required=True, default="api"
    )
    extract_file = fields.Binary(
        string="Inventory Extract",
        attachment=True,
        help="CSV with columns " + ", ".join(EXTRACT_COLUMNS) + " (features separated by ;).",
    )
    extract_filename = fields.Char()
    extract_row_count = fields.Integer(
        string="Extract Rows",
        readonly=True,
        copy=False,
        help="Subscribers of the inventory extract, read once when the run started.",
    )
    extract_staged = fields.Boolean(readonly=True, copy=False)
    state = fields.Selection(RUN_STATES, required=True, default="draft", tracking=True, index=True)
    phase = fields.Selection(RUN_PHASES, required=True, default="network", readonly=True)
    cursor = fields.Char(
        readonly=True, copy=False, help="Where the next page of the network starts."
    )
    billing_cursor = fields.Integer(readonly=True, copy=False)
    date_start = fields.Datetime(readonly=True, copy=False)
    date_done = fields.Datetime(readonly=True, copy=False)
    next_read_at = fields.Datetime(
        readonly=True, copy=False, help="Rate limit: no read before this time."
    )
    read_error_count = fields.Integer(readonly=True, copy=False)
    page_count = fields.Integer(string="Pages Read", readonly=True, copy=False)
    subscriber_count = fields.Integer(string="Network Subscribers", readonly=True, copy=False)
    matched_count = fields.Integer(string="Matched Services", readonly=True, copy=False)
    billing_checked_count = fields.Integer(string="Services Checked", readonly=True, copy=False)
    finding_ids = fields.One2many("telecom.ra.finding", "reconciliation_id", readonly=True)
    finding_count = fields.Integer(compute="_compute_finding_stats")
    amount_at_stake = fields.Monetary(compute="_compute_finding_stats")

    # ------------------------------------------------------------
    # COMPUTE
    # ------------------------------------------------------------

    @api.depends("finding_ids.amount", "finding_ids.state")
    def _compute_finding_stats(self):
        for run in self:
            findings = run.finding_ids.filtered(lambda f: f.state == "open")
            run.finding_count = len(findings)
            run.amount_at_stake = sum(findings.mapped("amount"))

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    def init(self):
        """The staged rows of inventory extracts: a plain table read only by the run's pages
        (one row per subscriber, in service reference order), dropped with the run."""
        super().init()
        self.env.cr.execute(
            SQL(
                """
                CREATE TABLE IF NOT EXISTS telecom_network_extract_row (
                    run_id integer NOT NULL
                        REFERENCES telecom_network_reconciliation (id) ON DELETE CASCADE,
                    seq integer NOT NULL,
                    item jsonb NOT NULL,
                    PRIMARY KEY (run_id, seq))
                """
            )
        )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = (
                    self.env["ir.sequence"].next_by_code("telecom.network.reconciliation") or "/"
                )
        return super().create(vals_list)

    # ------------------------------------------------------------
    # ACTION
    # ------------------------------------------------------------

    def action_start(self):
        for run in self:
            if run.state != "draft":
                raise UserError(self.env._("Run %(r)s has started already.", r=run.name))
            if run.source == "file" and not run.extract_file:
                raise UserError(
                    self.env._(
                        "Upload the platform's inventory extract on %(r)s first.", r=run.name
                    )
                )
            if run.source == "file":
                run._telecom_stage_extract()  # refused up front when a row cannot be read
        self.write({"state": "running", "date_start": fields.Datetime.now()})
        self.env.ref("telecom_network.ir_cron_run_reconciliations").sudo()._trigger()
        return True

    def action_resume(self):
        self.filtered(lambda r: r.state == "failed").write(
            {"state": "running", "read_error_count": 0, "next_read_at": False}
        )
        self.env.ref("telecom_network.ir_cron_run_reconciliations").sudo()._trigger()
        return True

    def action_view_findings(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "telecom_billing.action_telecom_ra_finding"
        )
        action.update(domain=[("reconciliation_id", "=", self.id)], context={})
        return action

    # ------------------------------------------------------------
    # BUSINESS: the cron
    # ------------------------------------------------------------

    @api.model
    def _cron_run_reconciliations(self, batch_size=1):
        """One page of up to ``batch_size`` running runs (each locked against other
        workers); the runner commits after the call and calls again while runs remain."""
        self.flush_model()
        ids = lock_ids(
            self.env,
            self._table,
            SQL(
                "state = 'running' AND (next_read_at IS NULL OR next_read_at <= %s)",
                fields.Datetime.now(),
            ),
            limit=batch_size,
        )
        runs = self.browse(ids)
        for run in runs:
            try:
                with self.env.cr.savepoint():
                    run._telecom_step()
            except RECORD_ERRORS as error:  # this run's failure: stop it, say why
                _logger.exception("Reconciliation %s failed", run.name)
                run.state = "failed"
                run.message_post(body=self.env._("Run stopped: %(e)s", e=str(error)))
        remaining = self.search_count([("state", "=", "running")])
        self.env["ir.cron"]._notify_progress(done=len(runs), remaining=remaining)
        return runs

    def _telecom_run_to_end(self, max_steps=100000):
        """Run every step in this transaction (tests, the bench, a small platform)."""
        self.ensure_one()
        steps = 0
        while self.state == "running" and steps < max_steps:
            self._telecom_step()
            steps += 1
        return steps

    def _telecom_step(self):
        """One page of the current phase."""
        self.ensure_one()
        if self.phase == "network":
            self._telecom_network_step()
        elif self.phase == "billing":
            self._telecom_billing_step()
        if self.phase == "done" and self.state == "running":
            self._telecom_finish()

    # ------------------------------------------------------------
    # BUSINESS: phase network
    # ------------------------------------------------------------

    def _telecom_read_page(self):
        """``(items, next_cursor)`` from the platform's read API or the extract file."""
        backend = self.backend_id
        size = max(backend.reconcile_page_size or 500, 1)
        if self.source == "file":
            return self._telecom_extract_page(size)
        return backend._network_read_adapter().list_subscribers(self.cursor or None, size)

    def _telecom_stage_extract(self):
        """Parse the inventory extract once and stage its rows for the pages to read; the
        cursor of a file run is the number of the last row read."""
        self.ensure_one()
        rows = self._telecom_extract_rows()
        cr = self.env.cr
        cr.execute(SQL("DELETE FROM telecom_network_extract_row WHERE run_id = %s", self.id))
        execute_values(
            cr._obj,
            "INSERT INTO telecom_network_extract_row (run_id, seq, item) VALUES %s",
            [(self.id, seq, json.dumps(row)) for seq, row in enumerate(rows, 1)],
            page_size=1000,
        )
        self.write({"extract_staged": True, "extract_row_count": len(rows)})
        return len(rows)

    def _telecom_extract_page(self, size):
        """The next ``size`` staged rows of the extract after the cursor."""
        if not self.extract_staged:  # a run started before the rows were staged
            self._telecom_stage_extract()
        start = int(self.cursor or 0)
        self.env.cr.execute(
            SQL(
                """
                SELECT item FROM telecom_network_extract_row
                 WHERE run_id = %s AND seq > %s ORDER BY seq LIMIT %s
                """,
                self.id,
                start,
                size,
            )
        )
        items = [item for (item,) in self.env.cr.fetchall()]
        end = start + len(items)
        return items, (str(end) if end < self.extract_row_count else None)

    def _telecom_extract_rows(self):
        """The subscribers of the inventory extract, by service reference. A comparison needs
        every row: an extract with a row that cannot be read is refused as a whole, with the
        lines to fix (a skipped row would show as a service billed but not provisioned)."""
        reader = CsvRows(
            self.env,
            base64.b64decode(self.extract_file or b""),
            required=("service_ref", "state"),
            what=self.env._("The inventory extract %(name)s", name=self.extract_filename or ""),
        )
        rows, errors = [], []
        for row in reader:
            try:
                if row.reason:
                    raise ValueError(row.reason)
                item = {k: v or None for k, v in reader.record(row, EXTRACT_COLUMNS).items()}
                item["features"] = sorted(
                    f.strip() for f in (item["features"] or "").split(";") if f.strip()
                )
                speed = item["speed_mbps"]
                item["speed_mbps"] = to_int(speed, "speed_mbps", high=10**6) if speed else None
            except ValueError as error:
                reason = str(error)
                errors.append(
                    reason if reason.startswith("Line") else f"Line {row.line_no}: {reason}."
                )
                continue
            rows.append(item)
        if errors:
            raise UserError(
                self.env._(
                    "The inventory extract cannot be compared until these lines are "
                    "fixed:\n%(lines)s",
                    lines="\n".join(
                        errors[:20]
                        + ([f"... and {len(errors) - 20} more"] if len(errors) > 20 else [])
                    ),
                )
            )
        return sorted(rows, key=lambda r: r["service_ref"] or "")

    def _telecom_network_step(self):
        backend = self.backend_id
        now = fields.Datetime.now()
        try:
            items, next_cursor = self._telecom_read_page()
        except RetryableError as error:
            self._telecom_read_failed(error, now)
            return
        except ProvisioningError as error:
            self.write({"state": "failed"})
            self.message_post(
                body=self.env._("Reading the platform failed: %(e)s", e=error.message)
            )
            return
        found = self._telecom_compare(items)
        vals = {
            "cursor": next_cursor,
            "phase": "network" if next_cursor else "billing",
            "page_count": self.page_count + 1,
            "subscriber_count": self.subscriber_count + len(items),
            "matched_count": self.matched_count + found,
            "read_error_count": 0,
        }
        if backend.reconcile_max_pages_per_minute:
            vals["next_read_at"] = now + timedelta(
                seconds=60.0 / backend.reconcile_max_pages_per_minute
            )
        self.write(vals)

    def _telecom_read_failed(self, error, now):
        """A transient read failure (rate limit, timeout): wait and read the same page."""
        count = self.read_error_count + 1
        wait = error.retry_after or self.backend_id._retry_delay(count)
        vals = {"read_error_count": count, "next_read_at": now + timedelta(seconds=wait)}
        if count >= MAX_READ_ERRORS:
            vals["state"] = "failed"
        self.write(vals)
        self.message_post(
            body=self.env._(
                "Read failed (%(code)s): %(e)s; page read again in %(s)s s.",
                code=error.code,
                e=error.message,
                s=round(wait),
            )
        )

    def _telecom_compare(self, items):
        """Store the network view of ``items`` on the services' network identities and
        record the differences with billing. Returns how many items matched a service."""
        refs = [item["service_ref"] for item in items if item.get("service_ref")]
        services = (
            self.env["telecom.service"]
            .sudo()
            .with_context(active_test=False)
            .search([("name", "in", refs), ("company_id", "=", self.company_id.id)])
        )
        by_ref = {service.name: service for service in services}
        self._telecom_store_network_view(items, by_ref)
        found = []
        for item in items:
            found.extend(self._telecom_differences(item, by_ref.get(item.get("service_ref"))))
        self.env["telecom.ra.finding"].sudo()._telecom_network_record(found)
        return len(by_ref)

    def _telecom_store_network_view(self, items, by_ref):
        """One set-based upsert of the network view of a page into telecom_network_xref."""
        now = fields.Datetime.now()
        uid = self.env.uid
        rows = []
        for item in items:
            service = by_ref.get(item.get("service_ref"))
            if not service:
                continue
            state = item.get("state") if item.get("state") in NETWORK_STATES else None
            rows.append(
                (
                    service.id,
                    self.backend_id.id,
                    service.company_id.id,
                    item.get("subscriber_id"),
                    "reconciliation",
                    state,
                    item.get("profile"),
                    item.get("speed_mbps") or None,
                    ",".join(item.get("features") or []),
                    item.get("msisdn"),
                    item.get("iccid"),
                    item.get("activated_on") or None,
                    self.id,
                    now,
                    uid,
                    now,
                    uid,
                    now,
                )
            )
        if not rows:
            return
        self.env["telecom.network.xref"].flush_model()
        execute_values(
            self.env.cr._obj,
            """
            INSERT INTO telecom_network_xref (
                service_id, backend_id, company_id, subscriber_ref, source, network_state,
                network_profile, network_speed_mbps, network_features, network_msisdn,
                network_iccid, network_activated_on, last_seen_run_id, last_seen_at,
                create_uid, create_date, write_uid, write_date)
            VALUES %s
            ON CONFLICT (service_id, backend_id) DO UPDATE SET
                subscriber_ref = COALESCE(telecom_network_xref.subscriber_ref,
                                          EXCLUDED.subscriber_ref),
                network_state = EXCLUDED.network_state,
                network_profile = EXCLUDED.network_profile,
                network_speed_mbps = EXCLUDED.network_speed_mbps,
                network_features = EXCLUDED.network_features,
                network_msisdn = EXCLUDED.network_msisdn,
                network_iccid = EXCLUDED.network_iccid,
                network_activated_on = EXCLUDED.network_activated_on,
                last_seen_run_id = EXCLUDED.last_seen_run_id,
                last_seen_at = EXCLUDED.last_seen_at,
                write_uid = EXCLUDED.write_uid,
                write_date = EXCLUDED.write_date
            """,
            rows,
            page_size=1000,
        )
        self.env["telecom.network.xref"].invalidate_model()

    def _telecom_differences(self, item, service):
        """Finding values for what differs between the network's ``item`` and ``service``."""
        net_state = item.get("state") if item.get("state") in NETWORK_STATES else None
        delivered = net_state in ("active", "suspended")
        if not service or service.state in ("pending", "terminated"):
            if not delivered:
                return []
            fix = "bill_from" if service and service.state == "pending" else "terminate"
            return [
                self._telecom_finding(
                    "net_not_billed",
                    item,
                    service,
                    self.env._(
                        "%(ref)s is provisioned on %(backend)s but not billed",
                        ref=item.get("service_ref"),
                        backend=self.backend_id.name,
                    ),
                    amount=self._telecom_leakage_amount(item, service),
                    fix_action=fix if service else False,
                )
            ]
        monthly = service._telecom_network_monthly_amount()
        if not delivered:
            return [
                self._telecom_finding(
                    "net_not_provisioned",
                    item,
                    service,
                    self.env._("%(s)s is billed but not provisioned", s=service.name),
                    amount=monthly,
                    fix_action="activate",
                    can_credit=True,
                )
            ]
        expected = service._telecom_network_expected()
        found = []
        if service.state != net_state:
            billed_unusable = service.state == "active"
            found.append(
                self._telecom_finding(
                    "net_suspension",
                    item,
                    service,
                    self.env._(
                        "%(s)s is %(b)s in billing but %(n)s on the network",
                        s=service.name,
                        b=service.state,
                        n=net_state,
                    ),
                    amount=monthly,
                    fix_action="reactivate" if billed_unusable else "suspend",
                    can_credit=billed_unusable,
                    expected=expected,
                )
            )
        network_profile = (
            item.get("profile"),
            item.get("speed_mbps"),
            sorted(item.get("features") or []),
        )
        billing_profile = (expected["profile"], expected["speed_mbps"], expected["features"])
        if network_profile != billing_profile:
            found.append(
                self._telecom_finding(
                    "net_profile",
                    item,
                    service,
                    self.env._("%(s)s: network profile differs from the plan", s=service.name),
                    amount=self._telecom_profile_amount(item, service),
                    fix_action="change_plan",
                    expected=expected,
                )
            )
        mismatched = [
            key
            for key in ("msisdn", "iccid")
            if item.get(key) and expected[key] and item[key] != expected[key]
        ]
        if mismatched:
            found.append(
                self._telecom_finding(
                    "net_number",
                    item,
                    service,
                    self.env._(
                        "%(s)s: %(what)s differ between network and billing",
                        s=service.name,
                        what=", ".join(mismatched),
                    ),
                    fix_action="change_plan",
                    expected=expected,
                )
            )
        return found

    def _telecom_finding(self, check, item, service, name, amount=0.0, expected=None, **extra):
        ref = item.get("service_ref")
        vals = {
            "key": f"{check}:{self.backend_id.id}:{ref}",
            "check": check,
            "name": name,
            "amount": amount,
            "company_id": self.company_id.id,
            "backend_id": self.backend_id.id,
            "reconciliation_id": self.id,
            "network_ref": ref,
            "network_values": json.dumps(item, sort_keys=True, default=str),
            "fix_action": False,
            "can_credit": False,
        }
        if service:
            expected = expected or service._telecom_network_expected()
            vals.update(
                service_id=service.id,
                subscription_id=service.subscription_id.id,
                partner_id=service.partner_id.id,
                billing_values=json.dumps(expected, sort_keys=True, default=str),
            )
        vals.update(extra)
        return vals

    def _telecom_plan_for_profile(self, profile):
        """The plan whose provisioning profile is ``profile`` (cached per run)."""
        cache = self.env.cr.cache.setdefault("telecom_network_plan_for_profile", {})
        if profile not in cache:
            value = (
                self.env["telecom.attribute.value"]
                .sudo()
                .search(
                    [("attribute_id.code", "=", "network_profile"), ("value", "=", profile)],
                    limit=1,
                )
            )
            cache[profile] = value.product_tmpl_id.product_variant_id
        return cache[profile]

    def _telecom_leakage_amount(self, item, service):
        if service:
            return service._telecom_network_monthly_amount()
        plan = self._telecom_plan_for_profile(item.get("profile")) if item.get("profile") else None
        return plan.lst_price if plan else 0.0

    def _telecom_profile_amount(self, item, service):
        """What the network's profile would bill a month more (or less) than the plan."""
        plan = self._telecom_plan_for_profile(item.get("profile")) if item.get("profile") else None
        if not plan or plan == service.product_id:
            return 0.0
        return service.currency_id.round(
            abs(plan.lst_price - service.product_id.lst_price) * service.quantity
        )

    # ------------------------------------------------------------
    # BUSINESS: phase billing, end
    # ------------------------------------------------------------

    def _telecom_billing_step(self):
        """One page of the services billed on this platform: those the network did not list
        in this run are billed but not provisioned."""
        size = max(self.backend_id.reconcile_page_size or 500, 1)
        product_ids = self.backend_id._network_product_ids()
        if not product_ids:
            self.phase = "done"
            return
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                SELECT v.id, EXISTS (
                           SELECT 1 FROM telecom_network_xref x
                            WHERE x.service_id = v.id AND x.backend_id = %(backend)s
                              AND x.last_seen_run_id = %(run)s) AS seen
                  FROM telecom_service v
                 WHERE v.product_id IN %(products)s AND v.state IN ('active', 'suspended')
                   AND v.company_id = %(company)s AND v.id > %(cursor)s
              ORDER BY v.id
                 LIMIT %(limit)s
                """,
                backend=self.backend_id.id,
                run=self.id,
                products=tuple(product_ids),
                company=self.company_id.id,
                cursor=self.billing_cursor,
                limit=size,
            )
        )
        rows = self.env.cr.fetchall()
        unseen = self.env["telecom.service"].sudo().browse([i for i, seen in rows if not seen])
        found = [
            self._telecom_finding(
                "net_not_provisioned",
                {"service_ref": service.name, "state": None},
                service,
                self.env._("%(s)s is billed but not provisioned", s=service.name),
                amount=service._telecom_network_monthly_amount(),
                fix_action="activate",
                can_credit=True,
            )
            for service in unseen
        ]
        self.env["telecom.ra.finding"].sudo()._telecom_network_record(found)
        self.write(
            {
                "billing_cursor": rows[-1][0] if rows else self.billing_cursor,
                "billing_checked_count": self.billing_checked_count + len(rows),
                "phase": "billing" if len(rows) == size else "done",
            }
        )

    def _telecom_finish(self):
        """Resolve open findings of this platform the run did not find again."""
        Finding = self.env["telecom.ra.finding"].sudo()
        stale = Finding.search(
            [
                ("backend_id", "=", self.backend_id.id),
                ("check", "like", "net_"),
                ("state", "=", "open"),
                ("date_checked", "<", self.date_start),
            ]
        )
        stale.write({"state": "resolved", "date_resolved": fields.Datetime.now()})
        self.env.cr.execute(
            SQL("DELETE FROM telecom_network_extract_row WHERE run_id = %s", self.id)
        )
        self.write({"state": "done", "date_done": fields.Datetime.now()})
        counts = Finding.read_group(
            [("reconciliation_id", "=", self.id), ("state", "=", "open")], ["check"], ["check"]
        )
        summary = ", ".join(f"{c['check']}: {c['check_count']}" for c in counts) or "-"
        self.message_post(
            body=self.env._(
                "Reconciliation done: %(n)s network subscribers read, %(m)s matched, %(b)s "
                "billed services checked; open findings %(summary)s; %(r)s resolved.",
                n=self.subscriber_count,
                m=self.matched_count,
                b=self.billing_checked_count,
                summary=summary,
                r=len(stale),
            )
        )
