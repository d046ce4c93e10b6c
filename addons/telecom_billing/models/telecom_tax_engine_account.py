from odoo import fields, models

from .telecom_tax_rate import TAX_KINDS


class TelecomTaxEngineAccount(models.Model):
    _name = "telecom.tax.engine.account"
    _description = "Tax Engine Account Mapping"
    _sql_constraints = [
        ("kind_uniq", "UNIQUE(engine_id, kind)", "Each tax kind is mapped once per engine."),
    ]

    engine_id = fields.Many2one("telecom.tax.engine", required=True, ondelete="cascade")
    company_id = fields.Many2one(related="engine_id.company_id")
    kind = fields.Selection(TAX_KINDS, required=True)
    account_id = fields.Many2one(
        "account.account",
        string="Liability Account",
        required=True,
        check_company=True,
        domain="[('account_type', 'in', ('liability_current', 'liability_non_current'))]",
    )
