from odoo import api, fields, models

# RAY BAUM'S Act dispatchable location applies to fixed voice and interconnected VoIP.
E911_SERVICE_TYPES = ("fixed_voice", "voip")
E911_ISSUES = [
    ("ok", "OK"),
    ("no_location", "No Registered Location"),
    ("not_dispatchable", "Location Not Validated / Not Dispatchable"),
    ("no_emergency_calling", "Suspended Without Emergency Calling"),
]


class TelecomService(models.Model):
    _inherit = "telecom.service"

    e911_issue = fields.Selection(
        E911_ISSUES,
        string="E911 Issue",
        compute="_compute_e911_issue",
        search="_search_e911_issue",
        help="Voice services without a valid registered 911 location, or suspended without "
        "emergency calling (the suite's policy keeps 911 during non-payment suspension).",
    )

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
        from the service address; with ``update``, move existing locations to it."""
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
