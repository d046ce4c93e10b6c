from collections import defaultdict

from odoo import api, fields, models

BDC_FILES = [
    ("fbs", "Fixed Broadband Subscription"),
    ("fvs", "Fixed Voice Subscription"),
    ("mbs", "Mobile Broadband Subscription"),
]
# Column headers in the FCC's order (help.bdc.fcc.gov "How to Format ... Subscription Data").
BDC_HEADERS = {
    "fbs": [
        "tract",
        "technology_code",
        "advertised_download_speed",
        "advertised_upload_speed",
        "total_connections",
        "consumer_connections",
    ],
    "fvs": [
        "tract",
        "service_type",
        "total_lines_or_subscriptions",
        "consumer_lines_or_subscriptions",
    ],
    "mbs": [
        "state",
        "min_download_speed",
        "min_upload_speed",
        "total_subscriptions",
        "consumer_subscriptions",
    ],
}
VOICE_SERVICE_TYPE_CODES = {"fixed_voice": "0", "voip": "1"}


def _speed(value):
    """Speed in Mbps as the BDC wants it: an integer when whole, else up to 3 decimals."""
    value = round(float(value or 0.0), 3)
    return str(int(value)) if value == int(value) else f"{value:.3f}".rstrip("0")


class TelecomRegulatoryBdcRow(models.Model):
    _name = "telecom.regulatory.bdc.row"
    _description = "BDC Subscription Row"
    _order = "file_type, tract, state_fips, technology_code, download_speed, upload_speed, id"

    # ------------------------------------------------------------
    # FIELDS
    # ------------------------------------------------------------

    filing_id = fields.Many2one(
        "telecom.regulatory.filing", required=True, ondelete="cascade", index=True
    )
    file_type = fields.Selection(BDC_FILES, string="File", required=True)
    tract = fields.Char(size=11)
    state_fips = fields.Char(string="State FIPS", size=2)
    technology_code = fields.Char(string="Technology")
    voice_service_type = fields.Selection(
        [("0", "0 - Voice-grade Equivalent Lines"), ("1", "1 - Interconnected VoIP")],
        string="Voice Service Type",
    )
    download_speed = fields.Float(string="Download (Mbps)", digits=(12, 3))
    upload_speed = fields.Float(string="Upload (Mbps)", digits=(12, 3))
    total_count = fields.Integer(string="Total")
    consumer_count = fields.Integer(string="Consumer")
    service_ids = fields.Many2many("telecom.service", string="Services")

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    def _csv_values(self):
        self.ensure_one()
        if self.file_type == "fbs":
            return [
                self.tract,
                self.technology_code,
                _speed(self.download_speed),
                _speed(self.upload_speed),
                self.total_count,
                self.consumer_count,
            ]
        if self.file_type == "fvs":
            return [self.tract, self.voice_service_type, self.total_count, self.consumer_count]
        return [
            self.state_fips,
            _speed(self.download_speed),
            _speed(self.upload_speed),
            self.total_count,
            self.consumer_count,
        ]

    @api.model
    def _telecom_services_as_of(self, company, as_of):
        """Services in service on ``as_of`` (started, not ended before it)."""
        return (
            self.env["telecom.service"]
            .sudo()
            .search(
                [
                    ("company_id", "=", company.id),
                    ("state", "!=", "pending"),
                    ("date_start", "<=", as_of),
                    "|",
                    ("date_end", "=", False),
                    ("date_end", ">=", as_of),
                    ("service_type", "in", ("broadband", "fixed_voice", "voip", "mobile")),
                ]
            )
        )

    @api.model
    def _telecom_build(self, filing):
        """Rows of the three BDC subscription files of ``filing``; blocking errors for the
        services that cannot be placed (no census tract, technology, speed or state)."""
        filing.bdc_row_ids.unlink()
        services = self._telecom_services_as_of(filing.company_id, filing.date_to)
        groups = defaultdict(lambda: {"total": 0, "consumer": 0, "services": []})
        for service in services:
            key = self._telecom_row_key(filing, service)
            if not key:
                continue
            partner = service.partner_id.commercial_partner_id
            count = 1 if service.service_type == "broadband" else service.quantity
            group = groups[key]
            group["total"] += count
            if partner.telecom_segment == "residential":
                group["consumer"] += count
            group["services"].append(service.id)
        vals_list = []
        for key, group in groups.items():
            file_type, area, code, down, up = key
            vals = {
                "filing_id": filing.id,
                "file_type": file_type,
                "download_speed": down,
                "upload_speed": up,
                "total_count": group["total"],
                "consumer_count": group["consumer"],
                "service_ids": [fields.Command.set(group["services"])],
            }
            if file_type == "mbs":
                vals["state_fips"] = area
            else:
                vals["tract"] = area
            if file_type == "fbs":
                vals["technology_code"] = code
            if file_type == "fvs":
                vals["voice_service_type"] = code
            vals_list.append(vals)
        return self.create(vals_list)

    @api.model
    def _telecom_row_key(self, filing, service):
        """``(file, tract or state, code, download, upload)`` of ``service``, or None after
        logging why it cannot be reported."""
        address = service.service_address_id or service.partner_id
        partner = service.partner_id.commercial_partner_id
        plan = service.product_id.product_tmpl_id
        if partner.telecom_segment == "wholesale":
            return None  # not an end-user connection: the reseller reports it
        service_type = service.service_type
        if service_type == "mobile":
            if not plan._telecom_attribute("included_data_gb"):
                return None  # voice-only mobile plan: not mobile broadband
            if not address.telecom_state_fips:
                filing._add_error(
                    self.env._(
                        "Mobile service %(service)s: its service address %(address)s has no US "
                        "state; set it to report the subscription.",
                        service=service.display_name,
                        address=address.display_name,
                    ),
                    record=service,
                )
                return None
            down, up = self._telecom_speeds(filing, service, plan)
            if down is None:
                return None
            return ("mbs", address.telecom_state_fips, False, down, up)
        if service_type == "broadband" and plan.telecom_bdc_resold:
            return None
        if not address.telecom_census_tract:
            filing._add_error(
                self.env._(
                    "Service %(service)s: its service address %(address)s has no census tract; "
                    "enter the 11-digit 2020 tract code on the address.",
                    service=service.display_name,
                    address=address.display_name,
                ),
                record=service,
            )
            return None
        tract = address.telecom_census_tract
        if service_type in VOICE_SERVICE_TYPE_CODES:
            return ("fvs", tract, VOICE_SERVICE_TYPE_CODES[service_type], 0.0, 0.0)
        technology = plan._telecom_bdc_technology()
        if not technology:
            filing._add_error(
                self.env._(
                    "Broadband plan %(plan)s (service %(service)s) has no BDC technology code: "
                    "set its Technology attribute or its BDC Technology Code.",
                    plan=plan.display_name,
                    service=service.display_name,
                ),
                record=service,
            )
            return None
        down, up = self._telecom_speeds(filing, service, plan)
        if down is None:
            return None
        return ("fbs", tract, technology, down, up)

    @api.model
    def _telecom_speeds(self, filing, service, plan):
        down = plan._telecom_attribute("download_mbps")
        up = plan._telecom_attribute("upload_mbps")
        if not down or not up:
            filing._add_error(
                self.env._(
                    "Plan %(plan)s (service %(service)s) has no advertised download/upload "
                    "speed: set its Download Speed and Upload Speed attributes.",
                    plan=plan.display_name,
                    service=service.display_name,
                ),
                record=service,
            )
            return None, None
        return float(down), float(up)
