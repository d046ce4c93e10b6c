import re

from odoo import api, fields, models
from odoo.exceptions import ValidationError

FRN_PATTERN = re.compile(r"^\d{10}$")


class ResCompany(models.Model):
    _inherit = "res.company"

    # ------------------------------------------------------------
    # FIELDS
    # ------------------------------------------------------------

    telecom_frn = fields.Char(
        string="FCC Registration Number (FRN)",
        size=10,
        help="The 10-digit FCC Registration Number of this company. It is part of the unique "
        "identifier of every broadband label (F + FRN + plan identifier).",
    )

    # ------------------------------------------------------------
    # CONSTRAINT
    # ------------------------------------------------------------

    @api.constrains("telecom_frn")
    def _check_telecom_frn(self):
        for company in self:
            if company.telecom_frn and not FRN_PATTERN.match(company.telecom_frn):
                raise ValidationError(
                    self.env._(
                        "The FCC Registration Number of %(company)s must be exactly 10 digits "
                        "(e.g. 0012345678); %(frn)r is not.",
                        company=company.name,
                        frn=company.telecom_frn,
                    )
                )
