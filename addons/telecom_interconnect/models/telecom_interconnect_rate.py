from odoo import api, fields, models
from odoo.exceptions import ValidationError

INTERCONNECT_DIRECTIONS = [
    ("in", "Inbound (we terminate, we bill)"),
    ("out", "Outbound (they terminate, they bill)"),
]
INTERCONNECT_JURISDICTIONS = [
    ("local", "Local"),
    ("intrastate", "Intrastate"),
    ("interstate", "Interstate"),
    ("international", "International"),
]


class TelecomInterconnectRate(models.Model):
    """One row of a carrier rate deck: the price per minute of a direction and jurisdiction
    for the numbers starting with a prefix (country code and digits, or 1 + NPA-NXX), from a
    date. Rating takes the longest prefix in force on the day of the call."""

    _name = "telecom.interconnect.rate"
    _description = "Interconnect Rate"
    _order = "agreement_id, direction, jurisdiction, prefix, date_from desc"

    agreement_id = fields.Many2one(
        "telecom.interconnect.agreement", required=True, ondelete="cascade", index=True
    )
    deck_id = fields.Many2one("telecom.interconnect.deck", ondelete="restrict", readonly=True)
    company_id = fields.Many2one(related="agreement_id.company_id", store=True)
    currency_id = fields.Many2one(related="agreement_id.currency_id")
    direction = fields.Selection(INTERCONNECT_DIRECTIONS, required=True)
    jurisdiction = fields.Selection(INTERCONNECT_JURISDICTIONS, required=True)
    prefix = fields.Char(
        required=True,
        help="Digits the called number starts with, country code included: 1212555 for the "
        "NPA-NXX 212-555, 44 for the United Kingdom.",
    )
    description = fields.Char()
    price = fields.Float(string="Rate per Minute", digits=(16, 6), required=True)
    first_increment = fields.Integer(default=60, required=True, help="Seconds.")
    next_increment = fields.Integer(default=60, required=True, help="Seconds.")
    minimum_charge = fields.Monetary()
    date_from = fields.Date(required=True, default=fields.Date.today)
    date_to = fields.Date()

    def init(self):
        # rating looks up every prefix of a number in one index range
        self.env.cr.execute(
            """CREATE INDEX IF NOT EXISTS telecom_interconnect_rate_match_idx
                   ON telecom_interconnect_rate (agreement_id, direction, jurisdiction, prefix)"""
        )

    @api.constrains("prefix", "price", "first_increment", "next_increment", "date_from", "date_to")
    def _check_rate(self):
        for rate in self:
            if not rate.prefix.isdigit():
                raise ValidationError(
                    self.env._("Prefix %(prefix)s must be digits only.", prefix=rate.prefix)
                )
            if rate.price < 0 or rate.first_increment <= 0 or rate.next_increment <= 0:
                raise ValidationError(
                    self.env._(
                        "Rate %(prefix)s: the price cannot be negative and the increments "
                        "must be positive.",
                        prefix=rate.prefix,
                    )
                )
            if rate.date_to and rate.date_to < rate.date_from:
                raise ValidationError(
                    self.env._("Rate %(prefix)s ends before it starts.", prefix=rate.prefix)
                )
