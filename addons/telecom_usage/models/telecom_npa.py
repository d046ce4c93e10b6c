import logging

import phonenumbers

from odoo import api, fields, models

_logger = logging.getLogger(__name__)

# NANP regions that are the United States for jurisdiction: the states, the District of
# Columbia and the territories (calls between them are interstate, not international).
US_REGIONS = ("US", "PR", "VI", "GU", "AS", "MP")


class TelecomNpa(models.Model):
    """A North American area code (NPA) and where it is: the country or territory and, in the
    United States, the state. Rating reads it to tell an intrastate call from an interstate
    or an international one (Canada and the Caribbean share country code 1)."""

    _name = "telecom.npa"
    _description = "Area Code (NPA)"
    _order = "code"
    _rec_name = "code"
    _sql_constraints = [("code_uniq", "UNIQUE(code)", "An area code is listed once.")]

    # ------------------------------------------------------------
    # FIELDS
    # ------------------------------------------------------------

    code = fields.Char(string="Area Code", size=3, required=True, index=True)
    region = fields.Char(
        size=2,
        required=True,
        help="ISO code of the country or territory of the area code (US, CA, PR, JM...).",
    )
    state_id = fields.Many2one(
        "res.country.state",
        string="State",
        help="State or territory of a United States area code; empty for toll-free and "
        "non-geographic codes (their calls are interstate).",
    )
    is_us = fields.Boolean(
        string="United States",
        compute="_compute_is_us",
        store=True,
        help="A state, the District of Columbia or a territory: calls to it are domestic.",
    )

    # ------------------------------------------------------------
    # COMPUTE
    # ------------------------------------------------------------

    @api.depends("region")
    def _compute_is_us(self):
        for npa in self:
            npa.is_us = npa.region in US_REGIONS

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    @api.model
    def _telecom_load_from_phonenumbers(self):
        """Create the area codes that the phonenumbers library knows and are missing here
        (existing rows, maybe corrected by staff, are kept)."""
        # imported here, not with the module: the geocoder's data take 0.3 s and ~100 MiB to
        # load, which every Odoo process (each worker, each cron worker) would pay at start
        from phonenumbers import geocoder

        known = set(self.with_context(active_test=False).search([]).mapped("code"))
        states = self.env["res.country.state"].search([("country_id.code", "=", "US")])
        by_code = {state.code: state.id for state in states}
        by_name = {state.name.lower(): state.id for state in states}
        vals_list = []
        for npa in range(200, 1000):
            code = str(npa)
            if code in known:
                continue
            number = phonenumbers.parse(f"+1{code}5550100")
            region = phonenumbers.region_code_for_number(number)
            if not region:
                continue
            vals = {"code": code, "region": region}
            if region in US_REGIONS:
                vals["state_id"] = self._telecom_state_of(
                    geocoder.description_for_number(number, "en"), region, by_code, by_name
                )
            vals_list.append(vals)
        _logger.info("Area codes: %s added from phonenumbers", len(vals_list))
        return self.create(vals_list)

    @api.model
    def _telecom_state_of(self, description, region, by_code, by_name):
        """The state of a geocoder description: "California", "New York, NY", a territory."""
        if region != "US":
            return by_code.get(region, False)
        if description.startswith("Washington D.C"):
            return by_code.get("DC", False)
        description = description.removesuffix(" State")  # "Washington State"
        head, __, tail = description.rpartition(", ")
        if head and len(tail) == 2:
            return by_code.get(tail, False)
        return by_name.get(description.lower(), False)
