from odoo import api, fields, models
from odoo.exceptions import ValidationError

from odoo.addons.telecom_catalog.models.product_template import REGULATORY_CLASSES, SERVICE_TYPES
from odoo.addons.telecom_catalog.models.res_partner import CUSTOMER_TYPES

TAX_KINDS = [
    ("federal_usf", "Federal USF Recovery"),
    ("state_usf", "State USF"),
    ("e911", "911 Fee"),
    ("sales_tax", "Sales Tax"),
    ("communications_tax", "Communications Services Tax"),
    ("regulatory_fee", "Other Regulatory Fee"),
]
TAX_COMPUTATIONS = [
    ("percent", "Percentage of the Charge"),
    ("per_line", "Amount per Voice Line"),
]
JURISDICTION_LEVELS = [
    ("federal", "Federal"),
    ("state", "State"),
    ("county", "County"),
    ("city", "City"),
    ("district", "Special District"),
]


class TelecomTaxRate(models.Model):
    _name = "telecom.tax.rate"
    _description = "Telecom Tax or Fee Rate"
    _order = "state_id, kind, date_from desc, id"
    _check_company_auto = True
    _sql_constraints = [
        ("rate_positive", "CHECK(rate >= 0)", "A tax or fee rate cannot be negative."),
        ("cap_positive", "CHECK(cap >= 0)", "A cap cannot be negative."),
        (
            "share_range",
            "CHECK(base_share > 0 AND base_share <= 100)",
            "The taxable share must be between 0 (excluded) and 100 percent.",
        ),
        (
            "dates_ordered",
            "CHECK(date_to IS NULL OR date_to >= date_from)",
            "A rate cannot end before it starts.",
        ),
    ]

    # ------------------------------------------------------------
    # FIELDS
    # ------------------------------------------------------------

    name = fields.Char(
        string="Invoice Label", required=True, translate=True, help="Printed on the invoice."
    )
    kind = fields.Selection(TAX_KINDS, required=True, index=True)
    jurisdiction_level = fields.Selection(
        JURISDICTION_LEVELS, string="Level", compute="_compute_jurisdiction_level", store=True
    )
    state_id = fields.Many2one(
        "res.country.state",
        string="State",
        index=True,
        domain="[('country_id.code', '=', 'US')]",
        help="Empty for a federal rate, applied in every state.",
    )
    county = fields.Char(help="Applies only to service addresses in this county.")
    city = fields.Char(help="Applies only to service addresses in this city.")
    service_type = fields.Selection(
        SERVICE_TYPES, help="Applies only to charges of this service type; empty for all."
    )
    regulatory_class = fields.Selection(
        REGULATORY_CLASSES,
        help="Applies only to charges of this regulatory class; empty for all. Federal USF is "
        "set per class: interstate and international at 100 % of the charge, interconnected "
        "VoIP at its safe-harbor share.",
    )
    customer_type = fields.Selection(
        CUSTOMER_TYPES, help="Applies only to customers of this type; empty for all."
    )
    computation = fields.Selection(TAX_COMPUTATIONS, required=True, default="percent")
    rate = fields.Float(
        required=True,
        digits=(12, 6),
        help="Percentage (e.g. 36.6 for 36.6 %) or amount per voice line, per month.",
    )
    base_share = fields.Float(
        string="Taxable Share (%)",
        default=100.0,
        digits=(6, 3),
        help="Part of the charge the rate applies to, e.g. 64.9 for the FCC VoIP safe harbor "
        "(interstate share of interconnected VoIP revenue).",
    )
    date_from = fields.Date(string="Effective From", required=True)
    date_to = fields.Date(string="Effective To", help="Last day the rate applies; empty if open.")
    exemptible = fields.Boolean(
        default=True,
        help="A customer's exemption certificate for this kind removes it (911 fees usually "
        "cannot be exempted).",
    )
    account_id = fields.Many2one(
        "account.account",
        string="Liability Account",
        required=True,
        check_company=True,
        domain="[('account_type', 'in', ('liability_current', 'liability_non_current'))]",
        help="Account the collected amounts are booked to (taxes and fees payable).",
    )
    engine_id = fields.Many2one(
        "telecom.tax.engine",
        string="Tax Table",
        required=True,
        ondelete="cascade",
        index=True,
        domain="[('engine_type', '=', 'table')]",
        default=lambda self: self._default_engine_id(),
        help="Built-in engine whose table holds this rate.",
    )
    company_id = fields.Many2one(related="engine_id.company_id", store=True, index=True)
    active = fields.Boolean(default=True)
    fee_ids = fields.Many2many(
        "telecom.tax.rate",
        "telecom_tax_rate_fee_rel",
        "rate_id",
        "fee_id",
        string="Also Taxes These Fees",
        help="Tax on tax: where the jurisdiction taxes these fees (e.g. a sales tax on the 911 "
        "fee), this rate also applies to their amounts on the lines it taxes.",
    )
    cap = fields.Float(
        string="Cap per Invoice",
        digits=(12, 2),
        help="Most this tax or fee charges on one invoice (e.g. a 911 fee capped per account); "
        "0 for no cap.",
    )

    @api.model
    def _default_engine_id(self):
        return (
            self.env["telecom.tax.engine"]
            ._telecom_engine_for(self.env.company)
            .filtered(lambda e: e.engine_type == "table")
        )

    # ------------------------------------------------------------
    # COMPUTE
    # ------------------------------------------------------------

    @api.depends("state_id", "county", "city")
    def _compute_jurisdiction_level(self):
        for rate in self:
            if rate.city:
                rate.jurisdiction_level = "city"
            elif rate.county:
                rate.jurisdiction_level = "county"
            elif rate.state_id:
                rate.jurisdiction_level = "state"
            else:
                rate.jurisdiction_level = "federal"

    # ------------------------------------------------------------
    # CONSTRAINT
    # ------------------------------------------------------------

    @api.constrains("kind", "state_id", "county", "city")
    def _check_jurisdiction(self):
        for rate in self:
            if (rate.county or rate.city) and not rate.state_id:
                raise ValidationError(
                    self.env._(
                        "Rate %(name)s: a county or city rate needs its state.", name=rate.name
                    )
                )
            if rate.kind == "federal_usf" and rate.state_id:
                raise ValidationError(
                    self.env._("Rate %(name)s: federal USF has no state.", name=rate.name)
                )
            if rate.kind == "state_usf" and not rate.state_id:
                raise ValidationError(
                    self.env._("Rate %(name)s: a state USF rate needs its state.", name=rate.name)
                )

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    def _telecom_rows(self):
        """Plain rows for the table engine (adapters/table.py)."""
        return [
            {
                "id": rate.id,
                "name": rate.name,
                "kind": rate.kind,
                "state": rate.state_id.code or "",
                "county": rate.county or "",
                "city": rate.city or "",
                "service_type": rate.service_type or "",
                "regulatory_class": rate.regulatory_class or "",
                "customer_type": rate.customer_type or "",
                "computation": rate.computation,
                "rate": rate.rate,
                "base_share": rate.base_share,
                "date_from": rate.date_from,
                "date_to": rate.date_to,
                "exemptible": rate.exemptible,
                "fee_ids": tuple(rate.fee_ids.ids),
                "cap": rate.cap,
            }
            for rate in self
        ]
