from odoo import fields, models, tools

from .telecom_rate_line import USAGE_TYPES


class TelecomRaUsagePeriod(models.Model):
    """Revenue assurance report: usage rated vs billed per billing period and usage type
    (counts and amounts), with what is still to bill."""

    _name = "telecom.ra.usage.period"
    _description = "Usage Rated vs Billed per Period"
    _auto = False
    _order = "period_start desc, usage_type"

    period_start = fields.Date(string="Billing Period", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    usage_type = fields.Selection(USAGE_TYPES, readonly=True)
    rated_count = fields.Integer(string="Rated", readonly=True)
    rated_amount = fields.Monetary(readonly=True)
    billed_count = fields.Integer(string="Billed", readonly=True)
    billed_amount = fields.Monetary(readonly=True)
    unbilled_count = fields.Integer(string="Not Billed Yet", readonly=True)
    unbilled_amount = fields.Monetary(readonly=True)

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            f"""
            CREATE VIEW {self._table} AS
            SELECT row_number() OVER (ORDER BY r.period_start, v.company_id, r.usage_type) AS id,
                   r.period_start, v.company_id, r.usage_type,
                   COUNT(*) AS rated_count, SUM(r.charge) AS rated_amount,
                   COUNT(*) FILTER (WHERE r.state = 'billed') AS billed_count,
                   COALESCE(SUM(r.charge) FILTER (WHERE r.state = 'billed'), 0) AS billed_amount,
                   COUNT(*) FILTER (WHERE r.state = 'rated') AS unbilled_count,
                   COALESCE(SUM(r.charge) FILTER (WHERE r.state = 'rated'), 0)
                       AS unbilled_amount
              FROM telecom_usage_record r
              JOIN telecom_service v ON v.id = r.service_id
             GROUP BY r.period_start, v.company_id, r.usage_type
            """  # noqa: S608 - table name of the model, no user input
        )
