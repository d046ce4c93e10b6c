import logging

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from odoo.addons.telecom_catalog.tools.adapter_errors import RECORD_ERRORS
from odoo.addons.telecom_catalog.tools.locking import lock_ids

_logger = logging.getLogger(__name__)

OUTAGE_STATES = [
    ("open", "Ongoing"),
    ("closed", "Closed, to credit"),
    ("credited", "Credited"),
    ("cancelled", "Cancelled"),
]
OUTAGE_SOURCES = [("noc", "NOC"), ("monitoring", "Monitoring system"), ("file", "File import")]


class TelecomNetworkOutage(models.Model):
    """A service failure: what it hit (an area by ZIP codes or states, services, equipment,
    circuits), when it started and ended. Once closed, the cron credits every service affected
    beyond the policy's threshold on its next bill (a pending ``telecom.charge`` credit), once.

    Outages come from the NOC (this form), or from the monitoring system through the standard
    import of this model (CSV: name, external id, start, end, ZIP codes, source ``file``)."""

    _name = "telecom.network.outage"
    _description = "Network Outage"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date_start desc, id desc"
    _check_company_auto = True
    _sql_constraints = [
        (
            "external_ref_uniq",
            "UNIQUE(company_id, external_ref)",
            "The monitoring system's id of an outage is imported once.",
        ),
        ("dates_ordered", "CHECK(date_end IS NULL OR date_end >= date_start)",
         "An outage cannot end before it starts."),
    ]  # fmt: skip

    # ------------------------------------------------------------
    # FIELDS
    # ------------------------------------------------------------

    name = fields.Char(required=True, tracking=True)
    reference = fields.Char(readonly=True, copy=False, default="/")
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    state = fields.Selection(
        OUTAGE_STATES, required=True, default="open", tracking=True, index=True
    )
    source = fields.Selection(OUTAGE_SOURCES, required=True, default="noc")
    external_ref = fields.Char(string="Monitoring ID", copy=False)
    date_start = fields.Datetime(required=True, tracking=True)
    date_end = fields.Datetime(tracking=True)
    duration_hours = fields.Float(compute="_compute_duration_hours", store=True)
    area_zips = fields.Char(
        string="Affected ZIP Codes", help="Comma-separated ZIP codes of service addresses hit."
    )
    area_state_ids = fields.Many2many("res.country.state", string="Affected States")
    service_ids = fields.Many2many(
        "telecom.service", string="Affected Services", check_company=True
    )
    equipment_ids = fields.Many2many("telecom.network.equipment", string="Affected Equipment")
    circuit_ids = fields.Many2many("telecom.network.circuit", string="Affected Circuits")
    description = fields.Text()
    credit_error = fields.Char(
        readonly=True, copy=False, help="Why the last crediting failed; Credit Now tries again."
    )
    credit_ids = fields.One2many("telecom.network.outage.credit", "outage_id", readonly=True)
    credit_count = fields.Integer(compute="_compute_credits")
    credit_amount = fields.Monetary(compute="_compute_credits")

    # ------------------------------------------------------------
    # COMPUTE / CONSTRAINT
    # ------------------------------------------------------------

    @api.depends("date_start", "date_end")
    def _compute_duration_hours(self):
        for outage in self:
            if outage.date_start and outage.date_end:
                seconds = (outage.date_end - outage.date_start).total_seconds()
                outage.duration_hours = seconds / 3600.0
            else:
                outage.duration_hours = 0.0

    @api.depends("credit_ids.amount")
    def _compute_credits(self):
        for outage in self:
            outage.credit_count = len(outage.credit_ids)
            outage.credit_amount = sum(outage.credit_ids.mapped("amount"))

    @api.constrains("state", "date_end")
    def _check_closed_has_end(self):
        for outage in self:
            if outage.state in ("closed", "credited") and not outage.date_end:
                raise ValidationError(
                    self.env._("Outage %(o)s needs an end time to be closed.", o=outage.name)
                )

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("reference", "/") == "/":
                vals["reference"] = (
                    self.env["ir.sequence"].next_by_code("telecom.network.outage") or "/"
                )
        outages = super().create(vals_list)
        if outages.filtered(lambda o: o.state == "closed"):
            self._telecom_trigger_credits()
        return outages

    # ------------------------------------------------------------
    # ACTION
    # ------------------------------------------------------------

    def action_close(self):
        for outage in self:
            if outage.state != "open":
                raise UserError(self.env._("Outage %(o)s is not ongoing.", o=outage.name))
        self.filtered(lambda o: not o.date_end).write({"date_end": fields.Datetime.now()})
        self.write({"state": "closed"})
        self._telecom_trigger_credits()
        return True

    def action_cancel(self):
        if self.credit_ids:
            raise UserError(self.env._("Credited outages cannot be cancelled."))
        self.write({"state": "cancelled"})
        return True

    def action_credit_now(self):
        for outage in self.filtered(lambda o: o.state == "closed"):
            outage.credit_error = False
            outage._telecom_credit()
        return True

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    def _telecom_trigger_credits(self):
        self.env.ref("telecom_network.ir_cron_credit_outages").sudo()._trigger()

    def _telecom_affected_services(self):
        """Services hit: listed ones, those of the equipment and circuits, and those whose
        service address is in the area; billed (started, not ended) when the outage began."""
        self.ensure_one()
        Service = self.env["telecom.service"].sudo()
        services = self.service_ids | self.equipment_ids.service_id | self.circuit_ids.service_id
        area = []
        zips = [z.strip() for z in (self.area_zips or "").split(",") if z.strip()]
        if zips:
            area.append([("service_address_id.zip", "in", zips)])
        if self.area_state_ids:
            area.append([("service_address_id.state_id", "in", self.area_state_ids.ids)])
        for domain in area:
            services |= Service.search(
                domain + [("company_id", "=", self.company_id.id), ("state", "!=", "pending")]
            )
        start = fields.Date.to_date(self.date_start)
        return services.filtered(
            lambda s: (
                s.date_start and s.date_start <= start and (not s.date_end or s.date_end >= start)
            )
        )

    def _telecom_credit(self):
        """Credit every affected service not credited yet for this outage."""
        self.ensure_one()
        done = set(self.credit_ids.service_id.ids)
        product = self.env.ref("telecom_network.product_outage_credit")
        Policy = self.env["telecom.network.outage.policy"].sudo()
        credited = self.env["telecom.network.outage.credit"]
        for service in self._telecom_affected_services():
            if service.id in done:
                continue
            policy = Policy._for_partner(service.partner_id, self.company_id)
            if not policy:
                continue
            monthly = service._telecom_network_monthly_amount()
            units, amount = policy._credit(monthly, self.duration_hours, service.currency_id)
            if service.currency_id.is_zero(amount):
                continue
            credited |= self._telecom_credit_service(
                service, policy, monthly, units, amount, product
            )
        self.state = "credited"
        self.message_post(
            body=self.env._(
                "%(n)s service(s) credited %(amount)s in total for %(h)s hours of outage.",
                n=len(credited),
                amount=self.currency_id.format(sum(credited.mapped("amount"))),
                h=round(self.duration_hours, 2),
            )
        )
        return credited

    def _telecom_credit_service(self, service, policy, monthly, units, amount, product):
        unit_label = self.env._("hour(s)") if policy.unit == "hour" else self.env._("day(s)")
        charge = (
            self.env["telecom.charge"]
            .sudo()
            .create(
                {
                    "subscription_id": service.subscription_id.id,
                    "service_id": service.id,
                    "product_id": product.id,
                    "kind": "adjustment",
                    "name": self.env._(
                        "Service outage credit %(ref)s: %(units)s %(unit)s (%(start)s to %(end)s)",
                        ref=self.reference,
                        units=units,
                        unit=unit_label,
                        start=fields.Datetime.to_string(self.date_start),
                        end=fields.Datetime.to_string(self.date_end),
                    ),
                    "date": fields.Date.to_date(self.date_end),
                    "quantity": 1,
                    "price_unit": -amount,
                    "note": self.name,
                }
            )
        )
        credit = (
            self.env["telecom.network.outage.credit"]
            .sudo()
            .create(
                {
                    "outage_id": self.id,
                    "service_id": service.id,
                    "policy_id": policy.id,
                    "hours": self.duration_hours,
                    "units": units,
                    "monthly_amount": monthly,
                    "amount": amount,
                    "charge_id": charge.id,
                }
            )
        )
        service.message_post(
            body=self.env._(
                "Outage %(ref)s (%(name)s): credit of %(amount)s on the next bill.",
                ref=self.reference,
                name=self.name,
                amount=service.currency_id.format(amount),
            )
        )
        return credit

    @api.model
    def _cron_pull_outages(self, batch_size=20):
        """Pull the outages monitoring reports, per backend with an outage feed; a backend
        whose feed fails is logged and retried on the next call."""
        backends = self.env["telecom.provisioning.backend"].search(
            [("outage_feed", "=", True)], limit=batch_size
        )
        for backend in backends:
            try:
                items = backend._network_read_adapter().list_outages(backend.outage_feed_since)
                with self.env.cr.savepoint():
                    self._telecom_import_monitoring(backend, items)
            except RECORD_ERRORS as error:
                _logger.warning("Outage feed of %s failed: %s", backend.name, error)
                backend.message_post(body=self.env._("Outage feed failed: %(e)s", e=str(error)))
        self.env["ir.cron"]._notify_progress(done=len(backends), remaining=0)
        return backends

    @api.model
    def _telecom_import_monitoring(self, backend, items):
        """Create or update outages from the feed, keyed by the monitoring id; an outage the
        feed reports ended is closed (and credited by the credit cron)."""
        Service = self.env["telecom.service"].sudo()
        outages = self.browse()
        for item in items:
            vals = {
                "name": item.get("name") or item["id"],
                "source": "monitoring",
                "date_start": fields.Datetime.to_datetime(item["start"]),
                "date_end": fields.Datetime.to_datetime(item.get("end")) or False,
                "area_zips": ", ".join(item.get("zips") or []),
                "service_ids": [
                    (6, 0, Service.search([("name", "in", item.get("service_refs") or [])]).ids)
                ],
            }
            outage = self.search(
                [("external_ref", "=", item["id"]), ("company_id", "=", self.env.company.id)]
            )
            if outage and outage.state not in ("open", "closed"):
                continue
            if outage:
                outage.write(vals)
            else:
                outage = self.create(dict(vals, external_ref=item["id"]))
            if outage.date_end and outage.state == "open":
                outage.action_close()
            outages |= outage
        updated = [item.get("updated") for item in items if item.get("updated")]
        if updated:
            backend.outage_feed_since = max(updated)
        return outages

    @api.model
    def _cron_credit_outages(self, batch_size=5):
        """Credit closed outages, a few per call, each in its own savepoint."""
        self.flush_model()
        ids = lock_ids(
            self.env,
            self._table,
            SQL("state = 'closed' AND credit_error IS NULL"),
            limit=batch_size,
        )
        outages = self.browse(ids)
        for outage in outages:
            try:
                with self.env.cr.savepoint():
                    outage._telecom_credit()
            except RECORD_ERRORS as error:
                _logger.exception("Crediting outage %s failed", outage.reference)
                outage.credit_error = str(error)
                outage.message_post(body=self.env._("Crediting failed: %(e)s", e=str(error)))
        remaining = self.search_count([("state", "=", "closed"), ("credit_error", "=", False)])
        self.env["ir.cron"]._notify_progress(done=len(outages), remaining=remaining)
        return outages
