from markupsafe import Markup

from odoo import api, fields, models

# RAY BAUM'S Act dispatchable location applies to fixed voice and interconnected VoIP.
E911_SERVICE_TYPES = ("fixed_voice", "voip")
# An interconnected VoIP line goes live only once the 911 provider validated the registered
# location of each of its numbers (47 CFR 9.11: registered location obtained before service).
E911_GATED_SERVICE_TYPES = ("voip",)
E911_ISSUES = [
    ("ok", "OK"),
    ("no_location", "No Registered Location"),
    ("not_dispatchable", "Location Not Validated / Not Dispatchable"),
    ("no_test_call", "No Passed E911 Test Call"),
    ("no_emergency_calling", "Suspended Without Emergency Calling"),
]
E911_ACTIVATION_STATES = [
    ("none", "Not Required"),
    ("waiting", "Activation Waits for E911 Validation"),
    ("failed", "E911 Validation Failed"),
    ("revalidating", "Location Changed: Re-validating"),
    ("validated", "E911 Location Validated"),
]


class TelecomService(models.Model):
    """Staff reads of a service's mix (the CPNI fields telecom_billing declares) go to the CPNI
    access log."""

    _name = "telecom.service"
    # the logged mixin first: it extends telecom.cpni.mixin, which the model already inherits
    _inherit = ["telecom.cpni.logged.mixin", "telecom.service"]

    e911_issue = fields.Selection(
        E911_ISSUES,
        string="E911 Issue",
        compute="_compute_e911_issue",
        search="_search_e911_issue",
        help="Voice services without a valid registered 911 location, or suspended without "
        "emergency calling (the suite's policy keeps 911 during non-payment suspension).",
    )

    e911_activation_waiting = fields.Boolean(
        string="Activation Waits for E911",
        readonly=True,
        copy=False,
        help="The activation was asked and waits until the 911 provider validates the "
        "registered location of every number of the line.",
    )
    e911_activation_values = fields.Json(readonly=True, copy=False)
    e911_state = fields.Selection(
        E911_ACTIVATION_STATES,
        string="E911 Status",
        compute="_compute_e911_state",
        help="Where the registered 911 location of this line stands with the 911 provider.",
    )
    e911_state_reason = fields.Char(string="E911 Detail", compute="_compute_e911_state")
    e911_test_call_ids = fields.One2many(
        "telecom.e911.test.call", "service_id", string="E911 Test Calls"
    )

    @api.depends("e911_activation_waiting", "number_ids", "service_type", "state")
    def _compute_e911_state(self):
        Location = self.env["telecom.e911.location"].sudo()
        for service in self:
            state, reason = service._telecom_e911_state(Location)
            service.e911_state = state
            service.e911_state_reason = reason

    def _telecom_e911_state(self, Location):
        """``(E911 status, plain-English detail)`` of this line."""
        self.ensure_one()
        if self.state == "terminated" or not self._telecom_e911_gated():
            return "none", ""
        numbers = self.sudo().number_ids
        locations = Location.search([("number_id", "in", numbers.ids)])
        failed = locations.filtered(lambda x: x.sync_state == "error")
        if failed:
            return "failed", self.env._(
                "The 911 provider refused the location of %(numbers)s: %(error)s",
                numbers=", ".join(failed.number_id.mapped("name")),
                error=failed[0].sync_error or "",
            )
        ready = (
            numbers
            and len(locations) == len(numbers)
            and all(x.sync_state == "synced" and x.dispatchable for x in locations)
        )
        if ready:
            return "validated", ""
        if not numbers:
            reason = self.env._("The line has no telephone number yet.")
        elif len(locations) < len(numbers):
            reason = self.env._(
                "No registered location: enter a complete service address (street, city, state, "
                "ZIP)."
            )
        else:
            reason = self.env._("The 911 provider has not validated the registered location yet.")
        return ("waiting" if self.e911_activation_waiting else "revalidating"), reason

    @api.depends("state", "keep_emergency_calling", "number_ids", "service_type")
    def _compute_e911_issue(self):
        Location = self.env["telecom.e911.location"].sudo()
        for service in self:
            service.e911_issue = service._telecom_e911_issue(Location)

    def _telecom_e911_issue(self, Location):
        self.ensure_one()
        if self.state not in ("active", "suspended") or not self.is_voice:
            return "ok"
        if self.state == "suspended" and not self.keep_emergency_calling:
            return "no_emergency_calling"
        if self.service_type not in E911_SERVICE_TYPES:
            return "ok"
        numbers = self.sudo().number_ids
        if not numbers:
            return "no_location"
        locations = Location.search([("number_id", "in", numbers.ids)])
        if len(locations) < len(numbers):
            return "no_location"
        if not all(locations.mapped("dispatchable")):
            return "not_dispatchable"
        if self.service_type in E911_GATED_SERVICE_TYPES and not any(
            self.sudo().e911_test_call_ids.mapped("passed")
        ):
            return "no_test_call"
        return "ok"

    @api.model
    def _search_e911_issue(self, operator, value):
        services = self.search(
            [
                ("state", "in", ("active", "suspended")),
                ("service_type", "in", ("fixed_voice", "voip", "mobile")),
            ]
        )
        Location = self.env["telecom.e911.location"].sudo()
        issues = {service.id: service._telecom_e911_issue(Location) for service in services}
        if operator in ("=", "!="):
            values = {value}
        elif operator in ("in", "not in"):
            values = set(value)
        else:
            return [("id", "=", 0)]
        matching = [sid for sid, issue in issues.items() if issue in values]
        if operator in ("=", "in"):
            if "ok" in values:
                return ["|", ("id", "in", matching), ("id", "not in", list(issues))]
            return [("id", "in", matching)]
        if "ok" in values:
            return [("id", "in", [sid for sid, issue in issues.items() if issue not in values])]
        return [("id", "not in", matching)]

    # ------------------------------------------------------------
    # CRUD / HOOKS: a 911 location follows the service address
    # ------------------------------------------------------------

    def write(self, vals):
        result = super().write(vals)
        if "service_address_id" in vals:
            for service in self.filtered(lambda s: s.service_type in E911_SERVICE_TYPES):
                service._telecom_e911_register(update=True)
        return result

    def _telecom_after_activation(self, values):
        super()._telecom_after_activation(values)
        self._telecom_e911_register()
        if self.service_type in E911_GATED_SERVICE_TYPES:
            self.write({"e911_activation_waiting": False, "e911_activation_values": False})
            self.activity_schedule(
                "telecom_regulatory.mail_activity_e911_test_call",
                summary=self.env._("Place the E911 test call and record its result"),
                user_id=self.env.user.id,
            )

    # ------------------------------------------------------------
    # E911 GATE: an interconnected VoIP line goes live after its location is validated
    # ------------------------------------------------------------

    def action_activate(self):
        result = super().action_activate()
        waiting = self.filtered("e911_activation_waiting")
        if not waiting:
            return result
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Activation waits for E911"),
                "message": " ".join(
                    self.env._(
                        "%(service)s goes live once the 911 provider validates its registered "
                        "location. %(reason)s",
                        service=service.display_name,
                        reason=service.e911_state_reason,
                    )
                    for service in waiting
                ),
                "type": "warning",
                "sticky": True,
            },
        }

    def _telecom_e911_gated(self):
        """E911 gates the activation of interconnected VoIP lines of a company that manages its
        911 locations here (an active 911 provider)."""
        self.ensure_one()
        return self.service_type in E911_GATED_SERVICE_TYPES and bool(
            self.env["telecom.e911.provider"].sudo()._telecom_provider_for(self.company_id)
        )

    def _telecom_network_request(self, action, values):
        if action == "activate" and self._telecom_e911_gated():
            Location = self.env["telecom.e911.location"].sudo()
            if self._telecom_e911_state(Location)[0] != "validated":
                return self._telecom_e911_hold_activation(values)
        return super()._telecom_network_request(action, values)

    def _telecom_e911_hold_activation(self, values):
        """Keep the activation until the locations are validated: register them from the
        service address and ask the 911 provider at once; the validation releases it."""
        self.ensure_one()
        self.write({"e911_activation_waiting": True, "e911_activation_values": values})
        self._telecom_e911_register()
        locations = (
            self.env["telecom.e911.location"]
            .sudo()
            .search(
                [
                    ("number_id", "in", self.sudo().number_ids.ids),
                    ("sync_state", "=", "pending"),
                ]
            )
        )
        for location in locations:  # a validation releases the activation (see the location)
            location._telecom_sync()
        if self.e911_activation_waiting:
            self._message_log(
                body=Markup("<b>%s</b> %s")
                % (
                    self.env._("Activation waits for E911 validation."),
                    self._telecom_e911_state(self.env["telecom.e911.location"].sudo())[1],
                )
            )
        return False

    def _telecom_e911_release_activation(self):
        """The 911 provider validated the locations: the activation asked goes on."""
        Location = self.env["telecom.e911.location"].sudo()
        for service in self.filtered("e911_activation_waiting"):
            if service.state != "pending" or service._telecom_e911_state(Location)[0] != (
                "validated"
            ):
                continue
            values = service.e911_activation_values or {}
            service.write({"e911_activation_waiting": False, "e911_activation_values": False})
            service._message_log(
                body=self.env._("E911 location validated: the activation goes on.")
            )
            service._telecom_network_request("activate", values)

    def action_record_e911_test_call(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("E911 Test Call"),
            "res_model": "telecom.e911.test.call",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_service_id": self.id,
                "default_number_id": self.number_ids[:1].id,
            },
        }

    def _telecom_after_termination(self, values):
        """The numbers are disconnected: their 911 locations are removed at the provider."""
        super()._telecom_after_termination(values)
        locations = (
            self.env["telecom.e911.location"]
            .sudo()
            .search(
                [
                    ("number_id", "in", self.sudo().number_ids.ids),
                    ("sync_state", "not in", ("to_remove", "removed")),
                ]
            )
        )
        locations.write({"sync_state": "to_remove"})

    def _telecom_e911_register(self, update=False):
        """Fixed voice and VoIP: give each number a 911 location (to send to the provider)
        from the service address; with ``update``, move existing locations to it (they are
        validated again)."""
        self.ensure_one()
        if self.service_type not in E911_SERVICE_TYPES:
            return
        address = self.service_address_id or self.partner_id
        if not (address.street and address.city and address.state_id and address.zip):
            return  # listed in E911 Exceptions until someone enters the location
        values = {
            "street": address.street,
            "street2": address.street2 or False,
            "city": address.city,
            "state_id": address.state_id.id,
            "zip": address.zip,
            "country_id": (address.country_id or self.env.ref("base.us")).id,
        }
        Location = self.env["telecom.e911.location"].sudo()
        numbers = self.sudo().number_ids
        existing = Location.search([("number_id", "in", numbers.ids)])
        # a number given again after its disconnection gets its location back (to validate)
        moving = existing if update else existing.filtered(lambda x: x.sync_state == "removed")
        if moving:
            moving.write(values)
        Location.create(
            [
                {"number_id": number.id, "company_id": self.company_id.id, **values}
                for number in numbers - existing.number_id
            ]
        )

    def _telecom_portal_usage_access(self, kind, date_from, date_to):
        """A customer's own look at their usage or call detail on the portal is CPNI access too:
        it goes to the access log (channel Customer Portal)."""
        result = super()._telecom_portal_usage_access(kind, date_from, date_to)
        service = self.sudo()  # the portal user reads their own service through the portal
        what = (
            self.env._("call detail download")
            if kind == "call_detail"
            else self.env._("usage page")
        )
        self.env["telecom.cpni.access.log"].sudo().create(
            {
                "user_id": self.env.uid,
                "partner_id": service.partner_id.commercial_partner_id.id,
                "reason": self.env._("The customer opened their own %(what)s", what=what),
                "channel": "portal",
                "data_viewed": self.env._(
                    "%(service)s: %(what)s, %(start)s to %(end)s",
                    service=service.display_name,
                    what=what,
                    start=date_from,
                    end=date_to,
                ),
            }
        )
        return result
