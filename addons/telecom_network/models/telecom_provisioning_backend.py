from odoo import api, fields, models
from odoo.exceptions import UserError


class TelecomProvisioningBackend(models.Model):
    _inherit = "telecom.provisioning.backend"

    # ------------------------------------------------------------
    # FIELDS
    # ------------------------------------------------------------

    reconcile_enabled = fields.Boolean(
        string="Reconcile Daily",
        help="The daily reconciliation compares what this platform has provisioned with "
        "billing and raises revenue assurance findings.",
    )
    reconcile_source = fields.Selection(
        [("api", "Read API"), ("file", "Inventory extract file")],
        default="api",
        required=True,
        help="Platforms without a read API (batch-file platforms) are reconciled from an "
        "inventory extract (CSV) uploaded on the reconciliation run.",
    )
    reconcile_page_size = fields.Integer(
        default=500,
        help="Subscribers read and compared per page (one commit per page). A read API gives "
        "at most 1,000 a page (the adapter's limit); an inventory extract any number.",
    )
    reconcile_max_pages_per_minute = fields.Integer(
        default=0,
        help="Read rate limit of the platform: at most this many pages a minute (0: no limit). "
        "The run waits for the next cron call once the limit is reached.",
    )
    outage_feed = fields.Boolean(
        string="Pull Outages",
        help="The platform's monitoring reports outages through its read API "
        "(GET …/outages); a cron pulls them into outage records.",
    )
    outage_feed_since = fields.Char(
        string="Outages Pulled Until",
        readonly=True,
        help="Where the next pull resumes: the latest change time the feed reported.",
    )
    reconciliation_ids = fields.One2many("telecom.network.reconciliation", "backend_id")
    xref_ids = fields.One2many("telecom.network.xref", "backend_id")

    # ------------------------------------------------------------
    # ACTION
    # ------------------------------------------------------------

    def action_start_reconciliation(self):
        self.ensure_one()
        run = self.env["telecom.network.reconciliation"].create(
            {"backend_id": self.id, "source": self.reconcile_source}
        )
        if run.source == "api":
            run.action_start()
        return {
            "type": "ir.actions.act_window",
            "res_model": "telecom.network.reconciliation",
            "res_id": run.id,
            "view_mode": "form",
        }

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    def _network_read_adapter(self):
        """The adapter of this backend, refusing platforms without a read API."""
        self.ensure_one()
        adapter = self._get_adapter()
        if not adapter.can_read:
            raise UserError(
                self.env._(
                    "Backend %(backend)s has no read API: reconcile it from an inventory "
                    "extract file.",
                    backend=self.name,
                )
            )
        return adapter

    def _network_product_ids(self):
        """Plans (product.product ids) whose services this backend provisions."""
        self.ensure_one()
        templates = self.env["product.template"].search(
            [("telecom_service_type", "not in", (False, "addon"))]
        )
        routed = templates.filtered(lambda t: self._route(t) == self)
        return routed.product_variant_ids.ids

    @api.model
    def _cron_schedule_reconciliations(self, batch_size=50):
        """Daily: one reconciliation run per backend that asks for it (API source)."""
        backends = self.search(
            [("reconcile_enabled", "=", True), ("reconcile_source", "=", "api")], limit=batch_size
        )
        Run = self.env["telecom.network.reconciliation"]
        for backend in backends:
            if not Run.search_count([("backend_id", "=", backend.id), ("state", "=", "running")]):
                Run.create({"backend_id": backend.id, "source": "api"}).action_start()
        self.env["ir.cron"]._notify_progress(done=len(backends), remaining=0)
        return backends
