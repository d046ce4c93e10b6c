from odoo import api, fields, models, tools

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
    # CRUD
    # ------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        rules = super().create(vals_list)
        self.env.registry.clear_cache()  # _telecom_rule_keys
        return rules

    def write(self, vals):
        result = super().write(vals)
        self.env.registry.clear_cache()
        return result

    def unlink(self):
        result = super().unlink()
        self.env.registry.clear_cache()
        return result

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    @api.model
    @tools.ormcache("company_id")
    def _telecom_rule_keys(self, company_id):
        """``(id, interconnect, service_type, segment)`` of the active rules of the company,
        in order; cached (every invoice line asks) and cleared when a rule changes."""
        rules = self.sudo().with_context(active_test=True).search([("company_id", "=", company_id)])
        return tuple((r.id, r.interconnect, r.service_type, r.segment) for r in rules)

    @api.model
    def _telecom_match(self, product, partner, company, service_type=None):
        """First rule of ``company`` matching ``product`` sold to ``partner`` (or empty); a
        product without a service type of its own is matched as ``service_type``."""
        product = product.product_tmpl_id if product._name == "product.product" else product
        interconnect = product.telecom_interconnect
        product_type = product.telecom_service_type or service_type
        if not interconnect and not product_type:
            return self.browse()
        segment = partner.commercial_partner_id.telecom_segment if partner else False
        for rule_id, rule_interconnect, rule_type, rule_segment in self._telecom_rule_keys(
            company.id
        ):
            if rule_interconnect != interconnect:
                continue
            if rule_type and rule_type != product_type:
                continue
            if rule_segment and rule_segment != segment:
                continue
            return self.browse(rule_id)
        return self.browse()
