import re

from odoo import api, fields, models

from .product_template import BDC_TECHNOLOGY_CODES


def normalize_street(street):
    """Street as the Fabric writes it, for matching: upper case, letters and digits only."""
    return " ".join(re.sub(r"[^A-Z0-9 ]", " ", (street or "").upper()).split())


class TelecomBdcLocation(models.Model):
    """A Broadband Serviceable Location of the FCC's National Broadband Map Fabric (licensed
    from CostQuest), imported by staff: the BDC availability file is keyed by its location id."""

    _name = "telecom.bdc.location"
    _description = "Broadband Serviceable Location (Fabric)"
    _order = "state, city, address_primary, id"
    _rec_name = "location_id"
    _sql_constraints = [
        ("location_uniq", "UNIQUE(location_id)", "A Fabric location id is imported once."),
    ]

    location_id = fields.Char(string="FCC Location ID", required=True, index=True)
    address_primary = fields.Char(string="Address", required=True)
    city = fields.Char(required=True)
    state = fields.Char(required=True, size=2)
    zip = fields.Char(required=True, size=5)
    unit_count = fields.Integer(default=1)
    block_geoid = fields.Char(string="Census Block", size=15)
    latitude = fields.Float(digits=(10, 7))
    longitude = fields.Float(digits=(10, 7))
    fabric_version = fields.Char(help="Fabric release the location comes from.")
    import_id = fields.Many2one("telecom.bdc.fabric.import", string="Imported By", index=True)
    served_technology = fields.Selection(
        BDC_TECHNOLOGY_CODES,
        help="The network can serve this location with this technology within 10 business "
        "days of a request, whether or not a customer is there: reported as available.",
    )
    street_key = fields.Char(compute="_compute_street_key", store=True, index=True)
    partner_ids = fields.One2many(
        "res.partner", "telecom_bsl_location_id", string="Service Addresses"
    )

    @api.depends("address_primary")
    def _compute_street_key(self):
        for location in self:
            location.street_key = normalize_street(location.address_primary)

    def _compute_display_name(self):
        for location in self:
            location.display_name = (
                f"{location.location_id}: {location.address_primary}, {location.city} "
                f"{location.state} {location.zip}"
            )

    @api.model
    def _telecom_match_addresses(self, partners):
        """Link ``partners`` (service addresses) without a location to the location at the
        same street and ZIP code; returns the partners matched."""
        matched = self.env["res.partner"]
        for partner in partners.filtered(lambda p: not p.telecom_bsl_location_id and p.street):
            location = self.search(
                [
                    ("street_key", "=", normalize_street(partner.street)),
                    ("zip", "=", (partner.zip or "")[:5]),
                ],
                limit=2,
            )
            if len(location) == 1:  # an ambiguous match is left to staff
                partner.telecom_bsl_location_id = location
                matched |= partner
        return matched
