from datetime import timedelta
from urllib.parse import urlsplit

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from odoo.addons.telecom_catalog.tools.adapter_errors import RetryPolicy

from ..adapters import AdapterConfig, PermanentError, adapter_class

BACKEND_KINDS = [
    ("rest", "REST (JSON over HTTP)"),
    ("soap", "SOAP (WSDL)"),
]
AUTH_TYPES = [
    ("none", "None"),
    ("header", "Token in a header"),
    ("basic", "HTTP basic"),
]
# PostgreSQL advisory locks (two-int form) used as concurrency slots: key 1 is this namespace,
# key 2 is backend_id * SLOT_FACTOR + slot number. A transaction holds a slot while it calls
# the platform; the lock goes away with the transaction (commit, rollback or crash).
SLOT_LOCK_NAMESPACE = 736107
SLOT_FACTOR = 1000
NOC_GROUP = "telecom_catalog.group_telecom_noc"


class TelecomProvisioningBackend(models.Model):
    _name = "telecom.provisioning.backend"
    _description = "Network Provisioning Backend"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "sequence, name"

    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )

    # ------------------------------------------------------------
    # FIELDS
    # ------------------------------------------------------------

    name = fields.Char(required=True, tracking=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True, tracking=True)
    paused = fields.Boolean(
        tracking=True,
        help="A paused backend receives new orders but nothing is sent to it: orders wait in "
        "the queue until the backend is resumed.",
    )
    kind = fields.Selection(BACKEND_KINDS, required=True, default="rest", tracking=True)
    base_url = fields.Char(
        string="Base URL",
        tracking=True,
        help="REST: the URL the endpoints are appended to, e.g. https://oss.example.net/api/v1. "
        "SOAP: the service address, when it differs from the WSDL's soap:address.",
    )
    wsdl_url = fields.Char(
        string="WSDL",
        tracking=True,
        help="SOAP: http(s) URL of the platform's WSDL (files of the server are refused).",
    )
    auth_type = fields.Selection(AUTH_TYPES, required=True, default="none", tracking=True)
    auth_header_name = fields.Char(
        string="Header Name",
        default="Authorization",
        help="Header carrying the token, e.g. Authorization (token 'Bearer …') or X-Api-Key.",
    )
    auth_token = fields.Char(string="Token", groups=NOC_GROUP, copy=False)
    username = fields.Char(groups=NOC_GROUP, copy=False)
    password = fields.Char(groups=NOC_GROUP, copy=False)
    verify_tls = fields.Boolean(string="Verify TLS Certificate", default=True)
    idempotency_header = fields.Char(
        default="Idempotency-Key",
        help="REST: header that carries each order's idempotency key.",
    )
    connect_timeout = fields.Float(default=5.0, help="Seconds to establish a connection.")
    read_timeout = fields.Float(default=30.0, help="Seconds to wait for the platform's answer.")
    sync_timeout = fields.Float(
        string="Synchronous Timeout",
        default=10.0,
        help="Seconds a single activation waits for the platform before it falls back to the "
        "queue.",
    )
    max_concurrency = fields.Integer(
        default=4, help="Calls in flight to this platform at most, across all Odoo workers."
    )
    rate_limit = fields.Integer(
        string="Rate Limit (calls/min)", default=0, help="Calls per minute at most; 0 = no limit."
    )
    service_type_ids = fields.Many2many(
        "telecom.provisioning.service.type",
        "telecom_provisioning_backend_service_type_rel",
        "backend_id",
        "service_type_id",
        string="Service Types",
        help="Services of these types are provisioned on this backend.",
    )
    plan_ids = fields.Many2many(
        "product.template",
        "telecom_provisioning_backend_plan_rel",
        "backend_id",
        "product_tmpl_id",
        string="Plans",
        domain=[("telecom_is_plan", "=", True)],
        help="Plans provisioned on this backend whatever their service type. A backend that "
        "lists a plan wins over a backend that serves its service type.",
    )
    mapping_ids = fields.One2many("telecom.provisioning.mapping", "backend_id", copy=True)
    error_ids = fields.One2many(
        "telecom.provisioning.error", "backend_id", string="Platform Error Codes", copy=True
    )
    retry_max_attempts = fields.Integer(
        string="Max Attempts", default=8, help="Attempts before a transient error gives up."
    )
    retry_max_age = fields.Integer(
        string="Max Age (minutes)",
        default=1440,
        help="An order still failing this long after it was queued stops retrying.",
    )
    retry_base_delay = fields.Float(
        string="Base Delay (s)",
        default=30.0,
        help="Delay before the first retry; it doubles with every attempt.",
    )
    retry_max_delay = fields.Float(string="Max Delay (s)", default=3600.0)
    retry_jitter = fields.Float(
        string="Jitter",
        default=0.25,
        help="Share of each delay drawn at random (0 to 1) so that retries of a wave spread out.",
    )
    sla_seconds = fields.Integer(
        string="SLA (s)",
        default=120,
        help="A single (synchronous) order still open after this many seconds raises an alert.",
    )
    sla_bulk_seconds = fields.Integer(
        string="Bulk SLA (s)",
        default=14400,
        help="The same for orders of bulk work (suspension waves, migrations).",
    )
    failure_rate_threshold = fields.Float(
        string="Failure Rate Alert (%)",
        default=20.0,
        help="Alert the NOC when this share of the calls failed over the alert window.",
    )
    failure_rate_window = fields.Integer(string="Alert Window (minutes)", default=15)
    failure_rate_min_calls = fields.Integer(
        string="Alert Minimum Calls",
        default=20,
        help="No failure-rate alert below this number of calls in the window.",
    )
    failure_alert_date = fields.Datetime(string="Last Failure-Rate Alert", readonly=True)
    responsible_id = fields.Many2one(
        "res.users",
        string="NOC Responsible",
        tracking=True,
        domain=lambda self: [("groups_id", "in", self.env.ref(NOC_GROUP).id)],
        help="Receives the escalation activities of this backend's orders.",
    )
    order_ids = fields.One2many("telecom.provisioning.order", "backend_id")
    # dashboard figures (computed on read, see _compute_dashboard)
    queued_count = fields.Integer(compute="_compute_dashboard")
    retrying_count = fields.Integer(compute="_compute_dashboard")
    failed_count = fields.Integer(compute="_compute_dashboard")
    in_flight_count = fields.Integer(
        string="Running", compute="_compute_dashboard", help="Calls in flight right now."
    )
    calls_hour = fields.Integer(string="Calls (1 h)", compute="_compute_dashboard")
    calls_day = fields.Integer(string="Calls (24 h)", compute="_compute_dashboard")
    success_rate_hour = fields.Float(string="Success % (1 h)", compute="_compute_dashboard")
    success_rate_day = fields.Float(string="Success % (24 h)", compute="_compute_dashboard")
    latency_p50_hour = fields.Float(string="p50 ms (1 h)", compute="_compute_dashboard")
    latency_p95_hour = fields.Float(string="p95 ms (1 h)", compute="_compute_dashboard")
    latency_p50_day = fields.Float(string="p50 ms (24 h)", compute="_compute_dashboard")
    latency_p95_day = fields.Float(string="p95 ms (24 h)", compute="_compute_dashboard")
    oldest_open_order_id = fields.Many2one(
        "telecom.provisioning.order", string="Oldest Open Order", compute="_compute_dashboard"
    )
    oldest_open_minutes = fields.Integer(string="Oldest Open (min)", compute="_compute_dashboard")

    # ------------------------------------------------------------
    # COMPUTE
    # ------------------------------------------------------------

    def _compute_dashboard(self):
        ids = tuple(self.ids) or (0,)
        now = fields.Datetime.now()
        counts = {}
        for backend, state, count in self.env["telecom.provisioning.order"]._read_group(
            [
                ("backend_id", "in", ids),
                ("state", "in", ("queued", "failed_retrying", "failed_permanent")),
            ],
            ["backend_id", "state"],
            ["__count"],
        ):
            counts[backend.id, state] = count
        self.env["telecom.provisioning.attempt"].flush_model()
        self.env["telecom.provisioning.order"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                SELECT backend_id,
                       count(*) FILTER (WHERE date >= %(hour)s),
                       count(*) FILTER (WHERE date >= %(hour)s AND success),
                       percentile_cont(0.5) WITHIN GROUP (ORDER BY duration_ms)
                           FILTER (WHERE date >= %(hour)s),
                       percentile_cont(0.95) WITHIN GROUP (ORDER BY duration_ms)
                           FILTER (WHERE date >= %(hour)s),
                       count(*),
                       count(*) FILTER (WHERE success),
                       percentile_cont(0.5) WITHIN GROUP (ORDER BY duration_ms),
                       percentile_cont(0.95) WITHIN GROUP (ORDER BY duration_ms)
                  FROM telecom_provisioning_attempt
                 WHERE backend_id IN %(ids)s AND date >= %(day)s
              GROUP BY backend_id
                """,
                ids=ids,
                hour=now - timedelta(hours=1),
                day=now - timedelta(days=1),
            )
        )
        stats = {row[0]: row[1:] for row in self.env.cr.fetchall()}
        self.env.cr.execute(
            SQL(
                """
                SELECT DISTINCT ON (backend_id) backend_id, id, create_date
                  FROM telecom_provisioning_order
                 WHERE backend_id IN %(ids)s AND state IN ('queued', 'running', 'failed_retrying')
              ORDER BY backend_id, create_date, id
                """,
                ids=ids,
            )
        )
        oldest = {row[0]: row[1:] for row in self.env.cr.fetchall()}
        in_flight = self._in_flight_counts()
        for backend in self:
            bid = backend._origin.id
            calls_h, ok_h, p50_h, p95_h, calls_d, ok_d, p50_d, p95_d = stats.get(
                bid, (0, 0, None, None, 0, 0, None, None)
            )
            backend.queued_count = counts.get((bid, "queued"), 0)
            backend.retrying_count = counts.get((bid, "failed_retrying"), 0)
            backend.failed_count = counts.get((bid, "failed_permanent"), 0)
            backend.in_flight_count = in_flight.get(bid, 0)
            backend.calls_hour = calls_h
            backend.calls_day = calls_d
            backend.success_rate_hour = 100.0 * ok_h / calls_h if calls_h else 0.0
            backend.success_rate_day = 100.0 * ok_d / calls_d if calls_d else 0.0
            backend.latency_p50_hour = p50_h or 0.0
            backend.latency_p95_hour = p95_h or 0.0
            backend.latency_p50_day = p50_d or 0.0
            backend.latency_p95_day = p95_d or 0.0
            order_id, created = oldest.get(bid, (False, None))
            backend.oldest_open_order_id = order_id
            backend.oldest_open_minutes = (
                int((now - created).total_seconds() // 60) if created else 0
            )

    # ------------------------------------------------------------
    # CONSTRAINT
    # ------------------------------------------------------------

    @api.constrains("kind", "base_url", "wsdl_url")
    def _check_endpoint(self):
        for backend in self:
            if backend.kind == "rest" and not backend.base_url:
                raise ValidationError(
                    self.env._("REST backend %(name)s needs a base URL.", name=backend.name)
                )
            if backend.kind == "soap" and not backend.wsdl_url:
                raise ValidationError(
                    self.env._("SOAP backend %(name)s needs a WSDL.", name=backend.name)
                )
            scheme = urlsplit(backend.wsdl_url or "").scheme.lower()
            if backend.wsdl_url and scheme not in ("http", "https"):
                # a file path would let a NOC user read any file of the server (the WSDL
                # loader opens local paths and file:// URLs)
                raise ValidationError(
                    self.env._(
                        "The WSDL of %(name)s must be an http:// or https:// URL, not a file "
                        "of the server: %(wsdl)s",
                        name=backend.name,
                        wsdl=backend.wsdl_url,
                    )
                )

    @api.constrains(
        "connect_timeout",
        "read_timeout",
        "sync_timeout",
        "max_concurrency",
        "rate_limit",
        "retry_max_attempts",
        "retry_max_age",
        "retry_base_delay",
        "retry_max_delay",
        "retry_jitter",
        "sla_seconds",
        "sla_bulk_seconds",
    )
    def _check_limits(self):
        for backend in self:
            problems = []
            if min(backend.connect_timeout, backend.read_timeout, backend.sync_timeout) <= 0:
                problems.append(self.env._("timeouts must be positive"))
            if not 1 <= backend.max_concurrency < SLOT_FACTOR:
                problems.append(
                    self.env._("max concurrency must be between 1 and %(max)s", max=SLOT_FACTOR - 1)
                )
            if backend.rate_limit < 0:
                problems.append(self.env._("the rate limit cannot be negative"))
            if backend.retry_max_attempts < 1 or backend.retry_max_age < 1:
                problems.append(self.env._("max attempts and max age must be at least 1"))
            if backend.retry_base_delay < 0 or backend.retry_max_delay < backend.retry_base_delay:
                problems.append(self.env._("the max delay must be at least the base delay"))
            if not 0 <= backend.retry_jitter <= 1:
                problems.append(self.env._("jitter must be between 0 and 1"))
            if backend.sla_seconds < 1 or backend.sla_bulk_seconds < 1:
                problems.append(self.env._("SLAs must be at least one second"))
            if problems:
                raise ValidationError(
                    self.env._(
                        "Backend %(name)s: %(problems)s.",
                        name=backend.name,
                        problems="; ".join(problems),
                    )
                )

    @api.constrains("auth_type", "auth_header_name")
    def _check_auth(self):
        for backend in self:
            if backend.auth_type == "header" and not backend.auth_header_name:
                raise ValidationError(
                    self.env._(
                        "Backend %(name)s sends a token in a header: name the header.",
                        name=backend.name,
                    )
                )

    # ------------------------------------------------------------
    # ACTION
    # ------------------------------------------------------------

    def action_pause(self):
        self.paused = True
        for backend in self:
            backend.message_post(body=self.env._("Backend paused: nothing is sent until resumed."))

    def action_resume(self):
        self.paused = False
        for backend in self:
            backend.message_post(body=self.env._("Backend resumed."))
        self.env.ref("telecom_provisioning.ir_cron_process_orders")._trigger()

    def action_retry_failed(self):
        orders = self.env["telecom.provisioning.order"].search(
            [("backend_id", "in", self.ids), ("state", "=", "failed_permanent")]
        )
        if not orders:
            raise UserError(self.env._("No failed order to retry on this backend."))
        orders.action_retry()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._("%(count)s orders queued again.", count=len(orders)),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def action_view_orders(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "telecom_provisioning.action_telecom_provisioning_order"
        )
        states = self.env.context.get("order_states")
        domain = [("backend_id", "=", self.id)]
        if states:
            domain.append(("state", "in", states))
        action["domain"] = domain
        action["context"] = {"default_backend_id": self.id}
        return action

    def action_open_oldest_order(self):
        self.ensure_one()
        if not self.oldest_open_order_id:
            raise UserError(self.env._("Backend %(name)s has no open order.", name=self.name))
        return {
            "type": "ir.actions.act_window",
            "res_model": "telecom.provisioning.order",
            "res_id": self.oldest_open_order_id.id,
            "view_mode": "form",
        }

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    def _adapter_config(self):
        """Everything the adapter needs, secrets included (read as superuser)."""
        self.ensure_one()
        backend = self.sudo()
        return AdapterConfig(
            name=backend.name,
            kind=backend.kind,
            base_url=backend.base_url or "",
            wsdl_url=backend.wsdl_url or "",
            auth_type=backend.auth_type,
            auth_header_name=backend.auth_header_name or "Authorization",
            auth_token=backend.auth_token or "",
            username=backend.username or "",
            password=backend.password or "",
            connect_timeout=backend.connect_timeout,
            read_timeout=backend.read_timeout,
            verify_tls=backend.verify_tls,
            idempotency_header=backend.idempotency_header or "Idempotency-Key",
        )

    def _get_adapter(self):
        self.ensure_one()
        try:
            cls = adapter_class(self.kind)
        except KeyError:
            raise UserError(
                self.env._("No adapter is installed for backends of kind %(kind)s.", kind=self.kind)
            ) from None
        return cls(self._adapter_config())

    @api.model
    def _route(self, plan):
        """The backend that provisions services of ``plan`` (a product.template), or empty."""
        backends = self.search([])
        by_plan = backends.filtered(lambda b: plan in b.plan_ids)
        if by_plan:
            return by_plan[0]
        return backends.filtered(
            lambda b: plan.telecom_service_type in b.service_type_ids.mapped("code")
        )[:1]

    def _endpoint(self, action):
        self.ensure_one()
        line = self.mapping_ids.filtered(lambda m: m.kind == "endpoint" and m.action == action)
        return line[:1].target or None

    def _map_payload(self, action, canonical):
        """The payload this platform expects for ``action``, built from our ``canonical`` one.

        Raises PermanentError(mapping_error) when a required key has no value.
        """
        self.ensure_one()
        lines = self.mapping_ids.filtered(
            lambda m: m.kind in ("field", "constant") and m.action in (False, action)
        )
        if not lines:
            return dict(canonical)
        payload = {}
        # general lines first, so that a line of the action overrides them
        for line in lines.sorted(lambda m: (bool(m.action), m.sequence, m.id)):
            if line.kind == "constant":
                value = line._constant()
            else:
                value = canonical.get(line.source)
                if value is None or value == "":
                    if line.required:
                        raise PermanentError(
                            "mapping_error",
                            self.env._(
                                "Backend %(backend)s needs %(key)s for %(action)s, and the "
                                "order has no value for it.",
                                backend=self.name,
                                key=line.source,
                                action=action,
                            ),
                        )
                    continue
            node = payload
            *parents, leaf = line.target.split(".")
            for part in parents:
                node = node.setdefault(part, {})
            node[leaf] = value
        return payload

    def _retry_policy(self):
        """The backend's retry settings as the suite's shared RetryPolicy."""
        self.ensure_one()
        return RetryPolicy(
            base_delay=self.retry_base_delay,
            max_delay=self.retry_max_delay,
            jitter=self.retry_jitter,
        )

    def _retry_delay(self, attempt, retry_after=None):
        """Seconds before retry number ``attempt`` (1 = first retry): exponential backoff,
        capped, with jitter; never shorter than the platform's Retry-After."""
        return self._retry_policy().delay(attempt, retry_after)

    def _acquire_slots(self, wanted):
        """Take up to ``wanted`` concurrency slots of this backend for the current transaction.

        Returns how many were taken. Slots are transaction-level advisory locks, so they are
        released at commit or rollback, including when a worker dies.
        """
        self.ensure_one()
        taken = 0
        for slot in range(self.max_concurrency):
            if taken >= wanted:
                break
            self.env.cr.execute(
                SQL(
                    "SELECT pg_try_advisory_xact_lock(%s, %s)",
                    SLOT_LOCK_NAMESPACE,
                    self.id * SLOT_FACTOR + slot,
                )
            )
            if self.env.cr.fetchone()[0]:
                taken += 1
        return taken

    def _in_flight_counts(self):
        """{backend id: slots held right now by any transaction}."""
        self.env.cr.execute(
            SQL(
                """
                SELECT objid::bigint / %(factor)s, count(*)
                  FROM pg_locks
                 WHERE locktype = 'advisory' AND classid = %(namespace)s AND objsubid = 2
                   AND granted
                   AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
              GROUP BY 1
                """,
                factor=SLOT_FACTOR,
                namespace=SLOT_LOCK_NAMESPACE,
            )
        )
        return dict(self.env.cr.fetchall())

    def _rate_capacity(self):
        """Calls still allowed this minute by the rate limit (None when unlimited)."""
        self.ensure_one()
        if not self.rate_limit:
            return None
        recent = self.env["telecom.provisioning.attempt"].search_count(
            [
                ("backend_id", "=", self.id),
                ("date", ">=", fields.Datetime.now() - timedelta(minutes=1)),
            ]
        )
        return max(self.rate_limit - recent, 0)

    def _noc_responsible(self):
        """Who receives escalations: the backend's responsible, else the first NOC operator."""
        self.ensure_one()
        if self.responsible_id:
            return self.responsible_id
        noc_users = (
            self.env.ref(NOC_GROUP)
            .sudo()
            .users.filtered(lambda u: u.active and not u._is_superuser() and u._is_internal())
        )
        return noc_users.sorted("id")[:1] or self.env.user

    def _failure_rate(self):
        """(calls, failed calls) over the backend's alert window."""
        self.ensure_one()
        since = fields.Datetime.now() - timedelta(minutes=self.failure_rate_window or 15)
        groups = self.env["telecom.provisioning.attempt"]._read_group(
            [("backend_id", "=", self.id), ("date", ">=", since)], ["success"], ["__count"]
        )
        counts = dict(groups)
        return sum(counts.values()), counts.get(False, 0)

    @api.model
    def _cron_check_failure_rates(self, batch_size=100):
        """Alert the NOC (an activity on the backend) when a backend fails too often."""
        backends = self.search([("paused", "=", False)], limit=batch_size)
        activity_type = self.env.ref("telecom_provisioning.mail_activity_type_backend_failure_rate")
        alerted = 0
        for backend in backends:
            calls, failed = backend._failure_rate()
            if calls < max(backend.failure_rate_min_calls, 1):
                continue
            rate = 100.0 * failed / calls
            if rate < backend.failure_rate_threshold:
                continue
            if backend.activity_ids.filtered(lambda a: a.activity_type_id == activity_type):
                continue
            message = self.env._(
                "%(failed)s of the last %(calls)s calls to %(backend)s failed (%(rate)s%%) over "
                "the last %(window)s minutes; alert threshold %(threshold)s%%.",
                failed=failed,
                calls=calls,
                backend=backend.name,
                rate=round(rate, 1),
                window=backend.failure_rate_window,
                threshold=backend.failure_rate_threshold,
            )
            backend.activity_schedule(
                "telecom_provisioning.mail_activity_type_backend_failure_rate",
                summary=self.env._("Failure rate of %(backend)s", backend=backend.name),
                note=message,
                user_id=backend._noc_responsible().id,
            )
            backend.message_post(body=message)
            backend.failure_alert_date = fields.Datetime.now()
            alerted += 1
        self.env["ir.cron"]._notify_progress(done=len(backends), remaining=0)
        return alerted
