from odoo import api, fields, models

from .product_template import SERVICE_TYPES
from .res_partner import SEGMENTS


class TelecomRevenueRule(models.Model):
    _name = "telecom.revenue.rule"
    _description = "Telecom Revenue Account Rule"
    _order = "company_id, sequence, id"
    _check_company_auto = True

    # ------------------------------------------------------------
    # FIELDS
    # ------------------------------------------------------------

    sequence = fields.Integer(
        default=10,
        help="Rules are tried in this order; the first one that matches gives the account.",
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    interconnect = fields.Boolean(
        help="Applies to interconnect products only (charges to other carriers). Rules without "
        "it never apply to interconnect products.",
    )
    service_type = fields.Selection(
        SERVICE_TYPES,
        help="Applies to products of this service type. Leave empty for every service type.",
    )
    segment = fields.Selection(
        SEGMENTS,
        string="Customer Segment",
        help="Applies to customers of this revenue segment. Leave empty for every segment.",
    )
    account_id = fields.Many2one(
        "account.account",
        string="Income Account",
        required=True,
        check_company=True,
        domain="[('account_type', 'in', ('income', 'income_other')), ('deprecated', '=', False)]",
    )
    active = fields.Boolean(default=True)
    note = fields.Char()

    # ------------------------------------------------------------
    # COMPUTE
    # ------------------------------------------------------------

    @api.depends("interconnect", "service_type", "segment", "account_id")
    def _compute_display_name(self):
        types = dict(self._fields["service_type"]._description_selection(self.env))
        segments = dict(self._fields["segment"]._description_selection(self.env))
        for rule in self:
            scope = [self.env._("Interconnect")] if rule.interconnect else []
            scope.append(types.get(rule.service_type) or self.env._("Any service"))
            scope.append(segments.get(rule.segment) or self.env._("any segment"))
            rule.display_name = "%s → %s" % (" / ".join(scope), rule.account_id.display_name)

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    @api.model
    def _telecom_match(self, product, partner, company):
        """First rule of ``company`` matching ``product`` sold to ``partner`` (or empty)."""
        product = product.product_tmpl_id if product._name == "product.product" else product
        interconnect = product.telecom_interconnect
        if not interconnect and not product.telecom_service_type:
            return self.browse()
        segment = partner.commercial_partner_id.telecom_segment if partner else False
        rules = self.sudo().search([("company_id", "=", company.id)])
        for rule in rules:
            if rule.interconnect != interconnect:
                continue
            if rule.service_type and rule.service_type != product.telecom_service_type:
                continue
            if rule.segment and rule.segment != segment:
                continue
            return rule.sudo(False)
        return self.browse()
