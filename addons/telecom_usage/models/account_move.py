from odoo import fields, models

from .telecom_rate_line import USAGE_TYPES

# Units of the bill's usage summary: (label, rated units per unit shown).
USAGE_SUMMARY_UNITS = {"voice": ("min", 60), "sms": ("msg", 1), "data": ("MB", 1024)}


class AccountMove(models.Model):
    _name = "account.move"
    _inherit = ["account.move", "telecom.cpni.mixin"]
    # The itemised call detail of a bill is CPNI: billing and accounting staff read the invoice
    # and its usage lines (amounts), never the file of the calls.
    _telecom_cpni_fields = ("telecom_call_detail_file",)

    # ------------------------------------------------------------
    # FIELDS
    # ------------------------------------------------------------

    telecom_call_detail_file = fields.Binary(
        string="Call Detail",
        attachment=True,
        copy=False,
        help="Itemised usage billed on this invoice (CSV). CPNI: CPNI Authorized staff only.",
    )

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    def _telecom_unbill(self):
        """The usage billed on a deleted draft invoice is rated again, waiting for the next
        bill, like its charges and recurring days; its call-detail file goes with it."""
        result = super()._telecom_unbill()
        # whoever deletes the invoice, all its usage goes back (call detail is CPNI: sudo)
        usage = self.env["telecom.usage.record"].sudo().search([("move_id", "in", self.ids)])
        usage.write({"state": "rated", "move_id": False})
        return result

    def _telecom_bill_usage_summary(self):
        """The usage billed on this bill by service and type: units used, units taken from
        the plan's allowance and the allowance itself (minutes, messages, MB)."""
        rows = super()._telecom_bill_usage_summary()
        self.env["telecom.usage.record"].flush_model()
        self.env.cr.execute(
            """
            SELECT r.service_id, r.usage_type, SUM(r.billable_units), SUM(r.included_units),
                   SUM(r.charge),
                   MAX(CASE r.usage_type WHEN 'voice' THEN p.allowance_voice_minutes
                                         WHEN 'sms' THEN p.allowance_sms
                                         ELSE p.allowance_data_mb END)
              FROM telecom_usage_record r
              LEFT JOIN telecom_rate_line l ON l.id = r.rate_line_id
              LEFT JOIN telecom_rate_plan p ON p.id = l.rate_plan_id
             WHERE r.move_id = %s
             GROUP BY 1, 2
             ORDER BY 1, 2
            """,
            [self.id],
        )
        types = dict(USAGE_TYPES)
        for service_id, usage_type, used, included, charge, allowance in self.env.cr.fetchall():
            service = self.env["telecom.service"].sudo().browse(service_id)
            unit, size = USAGE_SUMMARY_UNITS[usage_type]
            rows.append(
                {
                    "service": service._telecom_identifier() or service.name,
                    "type": types[usage_type],
                    "used": round((used or 0) / size, 1),
                    "included": round((included or 0) / size, 1),
                    "allowance": allowance or False,
                    "unit": unit,
                    "amount": self.currency_id.round(charge or 0.0),
                }
            )
        return rows
