from odoo import api, fields, models

from ..adapters.e911 import E911Error, E911PermanentError

# Transient failures in a row after which the NOC is alerted (a refusal alerts at once).
ALERT_AFTER_FAILURES = 3

SYNC_STATES = [
    ("pending", "To Send"),
    ("synced", "Registered with the 911 Provider"),
    ("error", "Error"),
    ("to_remove", "To Remove (number disconnected)"),
    ("removed", "Removed from the 911 Provider"),
]
ADDRESS_FIELDS = ("street", "street2", "city", "state_id", "zip", "country_id", "floor", "unit")


class TelecomE911Location(models.Model):
    """Registered location of a voice number and its dispatchable location (validated civic
    address plus floor/suite/room, RAY BAUM'S Act section 506 / 47 CFR 9.16) sent to the 911
    provider."""

    _name = "telecom.e911.location"
    _description = "E911 Location"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "id desc"
    _sql_constraints = [
        ("number_uniq", "UNIQUE(number_id)", "A telephone number has one 911 location."),
    ]

    number_id = fields.Many2one(
        "telecom.number", string="Telephone Number", required=True, ondelete="cascade", index=True
    )
    service_id = fields.Many2one(related="number_id.service_id", store=True, index=True)
    partner_id = fields.Many2one(related="number_id.partner_id", store=True, string="Customer")
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    street = fields.Char(required=True, tracking=True)
    street2 = fields.Char(tracking=True)
    city = fields.Char(required=True, tracking=True)
    state_id = fields.Many2one("res.country.state", required=True, tracking=True)
    zip = fields.Char(required=True, tracking=True)
    country_id = fields.Many2one(
        "res.country", required=True, default=lambda self: self.env.ref("base.us")
    )
    floor = fields.Char(tracking=True)
    unit = fields.Char(string="Suite / Room", tracking=True)
    validated = fields.Boolean(
        readonly=True, tracking=True, help="The 911 provider validated the civic address."
    )
    validation_date = fields.Datetime(readonly=True)
    dispatchable = fields.Boolean(
        compute="_compute_dispatchable",
        store=True,
        help="Validated street address, plus floor or suite where the address has several.",
    )
    multi_unit = fields.Boolean(
        string="Multi-unit Building",
        help="The building has several floors or suites: a dispatchable location needs them.",
    )
    provider_id = fields.Many2one("telecom.e911.provider", string="911 Provider")
    provider_ref = fields.Char(string="Provider Reference", readonly=True)
    sync_state = fields.Selection(SYNC_STATES, default="pending", required=True, tracking=True)
    sync_error = fields.Char(readonly=True)
    sync_failures = fields.Integer(
        readonly=True, help="Failed attempts in a row; reset when the provider answers."
    )

    @api.depends("validated", "multi_unit", "floor", "unit", "street", "city", "zip")
    def _compute_dispatchable(self):
        for location in self:
            location.dispatchable = bool(
                location.validated
                and location.street
                and location.city
                and location.zip
                and (not location.multi_unit or location.floor or location.unit)
            )

    def _compute_display_name(self):
        for location in self:
            location.display_name = f"{location.number_id.name}: {location._telecom_one_line()}"

    def write(self, vals):
        moved = any(name in vals for name in ADDRESS_FIELDS)
        if moved:
            vals = dict(vals, validated=False, sync_state="pending", provider_ref=False)
        result = super().write(vals)
        if moved:  # a new location is validated again: send it now rather than in 15 minutes
            self.env.ref("telecom_regulatory.ir_cron_e911_sync")._trigger()
        return result

    def _telecom_one_line(self):
        self.ensure_one()
        parts = [self.street, self.street2, self.floor and f"Floor {self.floor}", self.unit]
        parts += [self.city, self.state_id.code, self.zip]
        return ", ".join(p for p in parts if p)

    def _telecom_payload(self):
        self.ensure_one()
        return {
            "street": self.street,
            "street2": self.street2 or "",
            "city": self.city,
            "state": self.state_id.code,
            "zip": self.zip,
            "country": self.country_id.code,
            "floor": self.floor or "",
            "unit": self.unit or "",
            "callback_number": self.number_id.name,
        }

    def action_sync(self):
        results = [location._telecom_sync() for location in self]
        return all(results)

    def _telecom_sync(self):
        """Validate and register this location with its 911 provider."""
        self.ensure_one()
        provider = self.provider_id or self.env["telecom.e911.provider"]._telecom_provider_for(
            self.company_id
        )
        if not provider:
            self._telecom_sync_failed(self.env._("No 911 provider."), permanent=True)
            return False
        adapter = provider._telecom_adapter()
        if self.sync_state == "to_remove":
            return self._telecom_remove(provider, adapter)
        try:
            result = adapter.validate(self._telecom_payload())
            if not result.get("valid"):
                raise E911PermanentError(
                    result.get("message") or self.env._("Address not found"), "invalid_address"
                )
            answer = adapter.provision(self.number_id.name, self._telecom_payload())
        except E911Error as error:
            super().write({"provider_id": provider.id})
            self._telecom_sync_failed(str(error), isinstance(error, E911PermanentError))
            return False
        super().write(
            {
                "validated": True,
                "validation_date": fields.Datetime.now(),
                "sync_state": "synced",
                "sync_error": False,
                "sync_failures": 0,
                "provider_id": provider.id,
                "provider_ref": answer.get("id"),
            }
        )
        self.activity_feedback(["telecom_regulatory.mail_activity_e911_sync_failed"])
        self.sudo().service_id._telecom_e911_release_activation()
        return True

    def _telecom_sync_failed(self, error, permanent):
        """Record a failed sync; a refusal, or several transient failures in a row, alert the
        NOC (an activity of type E911 Sync Failed for each NOC operator, once)."""
        self.ensure_one()
        failures = self.sync_failures + 1
        super().write(
            {
                "sync_state": "error" if permanent else "pending",
                "sync_error": error,
                "sync_failures": failures,
            }
        )
        self._message_log(body=self.env._("911 provider refused or failed: %(error)s", error=error))
        if permanent or failures >= ALERT_AFTER_FAILURES:
            self._telecom_alert_noc(error)

    def _telecom_alert_noc(self, error):
        activity_type = self.env.ref("telecom_regulatory.mail_activity_e911_sync_failed")
        alerted = self.activity_ids.filtered(lambda a: a.activity_type_id == activity_type).user_id
        operators = self.env.ref("telecom_catalog.group_telecom_noc").users.filtered("active")
        for user in (operators or self.env.user) - alerted:
            self.activity_schedule(
                "telecom_regulatory.mail_activity_e911_sync_failed",
                summary=self.env._(
                    "E911 sync failed for %(number)s: %(error)s",
                    number=self.number_id.name,
                    error=error,
                ),
                user_id=user.id,
            )

    def _telecom_remove(self, provider, adapter):
        """The number was disconnected: remove its location from the 911 database."""
        self.ensure_one()
        try:
            adapter.remove(self.number_id.name)
        except E911Error as error:
            super().write({"provider_id": provider.id})
            self._telecom_sync_failed(str(error), isinstance(error, E911PermanentError))
            if self.sync_state == "pending":
                super().write({"sync_state": "to_remove"})
            return False
        super().write({"sync_state": "removed", "sync_error": False, "validated": False})
        return True

    @api.model
    def _cron_e911_sync(self, batch_size=100):
        locations = self.search([("sync_state", "in", ("pending", "to_remove"))], limit=batch_size)
        for location in locations:
            with self.env.cr.savepoint():
                location._telecom_sync()
        remaining = self.search_count(
            [("sync_state", "in", ("pending", "to_remove")), ("id", "not in", locations.ids)]
        )
        self.env["ir.cron"]._notify_progress(done=len(locations), remaining=remaining)

    @api.model
    def _telecom_demo_locations(self):
        """Demo: register the location of the Bayview Dental voice seats (validated)."""
        partner = self.env.ref("telecom_catalog.partner_bayview_dental", raise_if_not_found=False)
        if not partner:
            return
        services = self.env["telecom.service"].search(
            [("partner_id", "=", partner.id), ("service_type", "=", "voip")]
        )
        for number in services.number_ids:
            values = {
                "street": partner.street,
                "city": partner.city,
                "state_id": partner.state_id.id,
                "zip": partner.zip,
                "multi_unit": True,
                "floor": "2",
                "unit": "Suite 210",
            }
            location = self.search([("number_id", "=", number.id)])
            if location:
                location.write(values)
            else:
                location = self.create({"number_id": number.id, **values})
            super(TelecomE911Location, location).write(
                {
                    "validated": True,
                    "validation_date": fields.Datetime.now(),
                    "sync_state": "synced",
                    "provider_ref": f"DEMO-{number.name[-4:]}",
                }
            )
        for service in services.filtered(lambda s: s.state == "active"):
            self.env["telecom.e911.test.call"].create(
                {
                    "service_id": service.id,
                    "number_id": service.number_ids[:1].id,
                    "result": "passed",
                    "location_read_back": partner.street,
                }
            )
