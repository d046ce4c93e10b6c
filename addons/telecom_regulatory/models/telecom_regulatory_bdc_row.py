from collections import defaultdict

from odoo import api, fields, models

BDC_FILES = [
    ("fbs", "Fixed Broadband Subscription"),
    ("fvs", "Fixed Voice Subscription"),
    ("fvss", "Fixed Voice Subscription, State Level"),
    ("mbs", "Mobile Broadband Subscription"),
    ("fba", "Fixed Broadband Availability (locations)"),
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
    # state-level voice data with the over-the-top interconnected VoIP split: column names
    # ours (see the README's sources)
    "fvss": [
        "state",
        "service_type",
        "total_lines_or_subscriptions",
        "consumer_lines_or_subscriptions",
        "over_the_top_subscriptions",
    ],
    # fixed broadband availability, location list (BDC availability data specification)
    "fba": [
        "provider_id",
        "frn",
        "location_id",
        "brand_name",
        "technology",
        "max_advertised_download_speed",
        "max_advertised_upload_speed",
        "low_latency",
        "business_residential_code",
    ],
}
# BDC technology codes whose round-trip latency exceeds 100 ms (geostationary satellite).
HIGH_LATENCY_TECHNOLOGIES = ("60",)
VOICE_SERVICE_TYPE_CODES = {"fixed_voice": "0", "voip": "1"}


def _speed(value):
    """Speed in Mbps as the BDC wants it: an integer when whole, else up to 3 decimals."""
    value = round(float(value or 0.0), 3)
    return str(int(value)) if value == int(value) else f"{value:.3f}".rstrip("0")


class TelecomRegulatoryBdcRow(models.Model):
    _name = "telecom.regulatory.bdc.row"
    _description = "BDC Subscription Row"
    _order = "file_type, tract, state_fips, technology_code, download_speed, upload_speed, id"

    company_id = fields.Many2one(related="filing_id.company_id")

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
    ott_count = fields.Integer(
        string="Over the Top",
        help="Interconnected VoIP subscriptions whose broadband connection is not ours.",
    )
    location_id = fields.Many2one("telecom.bdc.location", string="FCC Location")
    low_latency = fields.Boolean(help="Round-trip latency of 100 ms or less.")
    market_code = fields.Selection(
        [("R", "R - Residential only"), ("B", "B - Business only"), ("X", "X - Both")],
        string="Business/Residential",
    )
    service_ids = fields.Many2many("telecom.service", string="Services")

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    def _csv_values(self):
        self.ensure_one()
        if self.file_type == "fba":
            company = self.filing_id.company_id
            return [
                company.telecom_bdc_provider_id or "",
                company.telecom_frn or "",
                self.location_id.location_id,
                company.name,
                self.technology_code,
                _speed(self.download_speed),
                _speed(self.upload_speed),
                int(self.low_latency),
                self.market_code,
            ]
        if self.file_type == "fvss":
            return [
                self.state_fips,
                self.voice_service_type,
                self.total_count,
                self.consumer_count,
                self.ott_count,
            ]
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
            count = 1 if service.service_type == "broadband" else service.quantity
            group = groups[key]
            group["total"] += count
            if service.product_id.telecom_bdc_market == "residential":
                group["consumer"] += count
            group["services"].append(service.id)
        vals_list = self._telecom_state_voice_vals(filing, services)
        vals_list += self._telecom_availability_vals(filing, services)
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
            if not self._telecom_check_market(filing, service, plan):
                return None
            down, up = self._telecom_mobile_speeds(filing, service, plan)
            if down is None:
                return None
            return ("mbs", address.telecom_state_fips, False, down, up)
        if service_type == "broadband" and plan.telecom_bdc_resold:
            return None
        if not self._telecom_check_market(filing, service, plan):
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
    def _telecom_state_voice_vals(self, filing, services):
        """State-level voice rows: lines (VGE) and interconnected VoIP subscriptions per state,
        consumer ones, and the VoIP subscriptions provided over the top (the customer's
        broadband at that address is not ours)."""
        broadband_at = {
            (s.partner_id.commercial_partner_id.id, (s.service_address_id or s.partner_id).id)
            for s in services
            if s.service_type == "broadband"
        }
        groups = defaultdict(lambda: {"total": 0, "consumer": 0, "ott": 0, "services": []})
        for service in services.filtered(lambda s: s.service_type in VOICE_SERVICE_TYPE_CODES):
            address = service.service_address_id or service.partner_id
            partner = service.partner_id.commercial_partner_id
            if partner.telecom_segment == "wholesale" or not address.telecom_state_fips:
                continue  # reported by the reseller / listed as an error by the tract rows
            if not service.product_id.telecom_bdc_market:
                continue  # listed as an error by the tract rows
            group = groups[
                address.telecom_state_fips, VOICE_SERVICE_TYPE_CODES[service.service_type]
            ]
            group["total"] += service.quantity
            if service.product_id.telecom_bdc_market == "residential":
                group["consumer"] += service.quantity
            if service.service_type == "voip" and (partner.id, address.id) not in broadband_at:
                group["ott"] += service.quantity
            group["services"].append(service.id)
        return [
            {
                "filing_id": filing.id,
                "file_type": "fvss",
                "state_fips": state,
                "voice_service_type": code,
                "total_count": group["total"],
                "consumer_count": group["consumer"],
                "ott_count": group["ott"],
                "service_ids": [fields.Command.set(group["services"])],
            }
            for (state, code), group in sorted(groups.items())
        ]

    @api.model
    def _telecom_offered_plans(self, technology):
        """The catalog's broadband plans of ``technology`` on sale (not grandfathered, not
        resold): what a location served with that technology can order."""
        plans = self.env["product.template"].search(
            [
                ("telecom_service_type", "=", "broadband"),
                ("sale_ok", "=", True),
                ("telecom_grandfathered", "=", False),
                ("telecom_bdc_resold", "=", False),
            ]
        )
        return plans.filtered(lambda p: p._telecom_bdc_technology() == technology)

    @api.model
    def _telecom_availability_vals(self, filing, services):
        """Availability location list: each Fabric location served (a service address of a
        broadband service in service, or a location staff marked served) x technology, with
        the maximum advertised speeds of the catalog's plans of that technology and whether
        they are designed for residential (R), business (B) or both (X) end users."""
        served = defaultdict(list)  # (location, technology) -> services
        unmatched = set()
        for service in services.filtered(lambda s: s.service_type == "broadband"):
            plan = service.product_id.product_tmpl_id
            technology = plan._telecom_bdc_technology()
            if plan.telecom_bdc_resold or not technology:
                continue
            address = service.service_address_id or service.partner_id
            if not address.telecom_bsl_location_id:
                unmatched.add(address)
                continue
            served[address.telecom_bsl_location_id, technology].append(service.id)
        Location = self.env["telecom.bdc.location"]
        for location in Location.search([("served_technology", "!=", False)]):
            served.setdefault((location, location.served_technology), [])
        if not Location.search_count([]):
            filing._add_error(
                self.env._(
                    "No Fabric location is imported: the availability file is not produced. "
                    "Import the Fabric CSV (Regulatory > BDC > Fabric Imports)."
                ),
                blocking=False,
            )
        for address in unmatched:
            filing._add_error(
                self.env._(
                    "Service address %(address)s is not matched to a Fabric location: it is not "
                    "in the availability file. Set its FCC Location on the address.",
                    address=address.display_name,
                ),
                blocking=False,
                record=address,
            )
        vals_list, offers = [], {}
        for (location, technology), service_ids in sorted(
            served.items(), key=lambda kv: (kv[0][0].location_id, kv[0][1])
        ):
            if technology not in offers:
                offers[technology] = self._telecom_offer(technology)
            offer = offers[technology]
            if not offer:
                continue
            vals_list.append(
                {
                    "filing_id": filing.id,
                    "file_type": "fba",
                    "location_id": location.id,
                    "technology_code": technology,
                    **offer,
                    "service_ids": [fields.Command.set(service_ids)],
                }
            )
        return vals_list

    @api.model
    def _telecom_offer(self, technology):
        """Maximum advertised speeds and market code of the plans offered on ``technology``."""
        plans = self._telecom_offered_plans(technology)
        speeds = [
            (
                float(p._telecom_attribute("download_mbps") or 0),
                float(p._telecom_attribute("upload_mbps") or 0),
            )
            for p in plans
        ]
        if not speeds:
            return {}
        markets = set(plans.mapped("telecom_bdc_market"))
        return {
            "download_speed": max(down for down, __ in speeds),
            "upload_speed": max(up for __, up in speeds),
            "low_latency": technology not in HIGH_LATENCY_TECHNOLOGIES,
            "market_code": "X"
            if len(markets - {False}) > 1
            else ("B" if markets == {"business"} else "R"),
        }

    @api.model
    def _telecom_plan_error(self, filing, plan, message):
        """A blocking error about ``plan``, once per filing (however many services use it)."""
        known = filing.error_ids.filtered(
            lambda e: (e.res_model, e.res_id, e.message) == (plan._name, plan.id, message)
        )
        if not known:
            filing._add_error(message, record=plan)

    @api.model
    def _telecom_check_market(self, filing, service, plan):
        """Consumer or business follows the plan (designed for residential end users or not):
        a plan that does not say blocks the filing."""
        if plan.telecom_bdc_market:
            return True
        self._telecom_plan_error(
            filing,
            plan,
            self.env._(
                "Plan %(plan)s does not say whether it is designed for residential or business "
                "end users: set Designed For on its BDC tab.",
                plan=plan.display_name,
            ),
        )
        return False

    @api.model
    def _telecom_mobile_speeds(self, filing, service, plan):
        """Mobile broadband: the plan's minimum advertised speeds, as the BDC asks."""
        down, up = plan.telecom_bdc_min_download_mbps, plan.telecom_bdc_min_upload_mbps
        if not down or not up:
            self._telecom_plan_error(
                filing,
                plan,
                self.env._(
                    "Mobile plan %(plan)s has no minimum advertised download/upload speed: set "
                    "them on its BDC tab (not the headline speeds).",
                    plan=plan.display_name,
                ),
            )
            return None, None
        return down, up

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
