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
