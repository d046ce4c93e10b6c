from odoo import fields, models

BDC_TECHNOLOGY_CODES = [
    ("0", "0 - Other"),
    ("10", "10 - Copper Wire"),
    ("40", "40 - Coaxial Cable / HFC"),
    ("50", "50 - Optical Carrier / Fiber to the Premises"),
    ("60", "60 - Geostationary Satellite"),
    ("61", "61 - Non-geostationary Satellite"),
    ("70", "70 - Unlicensed Terrestrial Fixed Wireless"),
    ("71", "71 - Licensed Terrestrial Fixed Wireless"),
    ("72", "72 - Licensed-by-Rule Terrestrial Fixed Wireless"),
]
# Default BDC technology code of the catalog's "technology" attribute values.
TECHNOLOGY_TO_BDC = {
    "fiber": "50",
    "cable": "40",
    "dsl": "10",
    "copper": "10",
    "fixed_wireless": "71",
    "5g": "71",
    "lte": "71",
}


BDC_MARKETS = [
    ("residential", "Residential end users (consumer)"),
    ("business", "Business, government or institutional end users"),
]


class ProductTemplate(models.Model):
    _inherit = "product.template"

    telecom_bdc_market = fields.Selection(
        BDC_MARKETS,
        string="Designed For (BDC)",
        help="Whom the plan is designed and marketed for. The BDC counts a subscription as "
        "'consumer' when its plan is designed for residential end users, whoever buys it.",
    )
    telecom_bdc_min_download_mbps = fields.Float(
        string="Minimum Advertised Download (Mbps)",
        digits=(12, 3),
        help="Mobile broadband: the minimum download speed advertised for the plan (what the "
        "BDC mobile subscription file reports), not its headline speed.",
    )
    telecom_bdc_min_upload_mbps = fields.Float(
        string="Minimum Advertised Upload (Mbps)",
        digits=(12, 3),
        help="Mobile broadband: the minimum upload speed advertised for the plan.",
    )
    telecom_bdc_technology_code = fields.Selection(
        BDC_TECHNOLOGY_CODES,
        string="BDC Technology Code",
        help="Technology code reported in the BDC fixed broadband subscription file. Leave "
        "empty to derive it from the plan's Technology attribute (fiber 50, cable 40, DSL and "
        "copper 10, fixed wireless/5G/LTE sold as fixed 71).",
    )
    telecom_bdc_resold = fields.Boolean(
        string="Resold Broadband (not facilities-based)",
        help="Connections of this plan run on another provider's facilities: they are left "
        "out of the BDC fixed broadband subscription file, which counts facilities-based "
        "connections only.",
    )

    def _telecom_bdc_technology(self):
        """BDC technology code of this plan as text ('50'), or False if unknown."""
        self.ensure_one()
        if self.telecom_bdc_technology_code:
            return self.telecom_bdc_technology_code
        return TECHNOLOGY_TO_BDC.get(self._telecom_attribute("technology") or "", False)
