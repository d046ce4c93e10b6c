import re

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools.periods import STATE_FIPS

TRACT_PATTERN = re.compile(r"^\d{11}$")


class ResPartner(models.Model):
    _inherit = "res.partner"

    # ------------------------------------------------------------
    # FIELDS
    # ------------------------------------------------------------

    telecom_census_tract = fields.Char(
        string="Census Tract",
        size=11,
        help="11-digit 2020 census tract code of this service address (state, county and "
        "tract FIPS; text, leading zeros kept), e.g. 06075010100.",
    )
    telecom_state_fips = fields.Char(
        string="State FIPS",
        compute="_compute_telecom_state_fips",
        store=True,
        help="2-digit FIPS code of the address's state.",
    )
    telecom_reseller_certificate = fields.Boolean(
        string="Reseller Certificate on File",
        help="This wholesale customer gave a reseller certificate: its revenue is reported on "
        "the carrier's carrier lines (Block 3) of Form 499.",
    )
    telecom_reseller_certificate_date = fields.Date(string="Reseller Certificate Date")

    # ------------------------------------------------------------
    # COMPUTE
    # ------------------------------------------------------------

    @api.depends("state_id", "country_id")
    def _compute_telecom_state_fips(self):
        for partner in self:
            code = partner.state_id.code if partner.state_id.country_id.code == "US" else False
            partner.telecom_state_fips = STATE_FIPS.get(code or "", False)

    # ------------------------------------------------------------
    # CONSTRAINT
    # ------------------------------------------------------------

    @api.constrains("telecom_census_tract", "telecom_state_fips")
    def _check_telecom_census_tract(self):
        for partner in self:
            tract = partner.telecom_census_tract
            if not tract:
                continue
            if not TRACT_PATTERN.match(tract):
                raise ValidationError(
                    self.env._(
                        "Census tract %(tract)r of %(partner)s must be 11 digits (state, county "
                        "and tract codes, leading zeros kept), e.g. 06075010100.",
                        tract=tract,
                        partner=partner.display_name,
                    )
                )
            if partner.telecom_state_fips and tract[:2] != partner.telecom_state_fips:
                raise ValidationError(
                    self.env._(
                        "Census tract %(tract)s of %(partner)s is not in its state (FIPS "
                        "%(fips)s): a tract starts with its state's FIPS code.",
                        tract=tract,
                        partner=partner.display_name,
                        fips=partner.telecom_state_fips,
                    )
                )

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    def _telecom_is_carrier_customer(self):
        """Revenue from this customer goes on the 499 carrier's carrier lines (Block 3)."""
        self.ensure_one()
        commercial = self.commercial_partner_id
        return commercial.telecom_segment == "wholesale" and bool(
            commercial.telecom_reseller_certificate
        )
