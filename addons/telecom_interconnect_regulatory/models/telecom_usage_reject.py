from odoo import models

from odoo.addons.telecom_interconnect.models.telecom_usage_file import _digits


class TelecomUsageReject(models.Model):
    """A rejected trunk record names a trunk, not a line of ours: its reads are logged for
    the customers holding its calling or called number."""

    _inherit = "telecom.usage.reject"

    def _telecom_cpni_customers(self):
        trunk_rows = self.sudo().filtered(lambda r: r.telecom_file_kind == "interconnect")
        digits = (
            _digits(number or "")
            for number in trunk_rows.mapped("calling_number") + trunk_rows.mapped("called_number")
        )
        holders = self.env["telecom.number"]._telecom_customers_of_numbers(
            f"+{number}" for number in digits if number
        )
        return super()._telecom_cpni_customers() | holders
