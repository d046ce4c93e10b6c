from odoo import api, fields, models
from odoo.exceptions import ValidationError


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    # ------------------------------------------------------------
    # FIELDS
    # ------------------------------------------------------------

    telecom_is_plan = fields.Boolean(related="product_id.telecom_is_plan")
    telecom_is_addon = fields.Boolean(related="product_id.telecom_is_addon")
    telecom_plan_line_id = fields.Many2one(
        "sale.order.line",
        string="Plan Line",
        compute="_compute_telecom_plan_line_id",
        store=True,
        readonly=False,
        index="btree_not_null",
        ondelete="cascade",
        domain="[('order_id', '=', order_id), ('telecom_is_plan', '=', True)]",
        help="The plan line this add-on belongs to. By default the nearest plan line above "
        "the add-on. Deleting the plan line deletes its add-ons.",
    )
    telecom_addon_line_ids = fields.One2many(
        "sale.order.line", "telecom_plan_line_id", string="Add-on Lines"
    )
    telecom_promotion_id = fields.Many2one(
        "telecom.promotion",
        string="Promotion",
        readonly=True,
        index="btree_not_null",
        ondelete="restrict",
        help="Set on the discount lines a promotion adds to the quotation.",
    )

    # ------------------------------------------------------------
    # COMPUTE
    # ------------------------------------------------------------

    @api.depends("product_id", "order_id")
    def _compute_telecom_plan_line_id(self):
        for line in self:
            if line.display_type or not line.product_id.telecom_is_addon:
                line.telecom_plan_line_id = False
                continue
            current = line.telecom_plan_line_id
            if current and current.telecom_is_plan and current in line.order_id.order_line:
                continue
            line.telecom_plan_line_id = line._telecom_nearest_plan_line()

    def _compute_analytic_distribution(self):
        # Same triggers as Odoo's compute: other lines never recompute because of us. A change
        # of service address alone is followed by sale.order (write and onchange).
        super()._compute_analytic_distribution()
        self._telecom_apply_state_distribution()

    # ------------------------------------------------------------
    # CONSTRAINT
    # ------------------------------------------------------------

    @api.constrains("product_id", "product_uom_qty", "telecom_plan_line_id")
    def _check_telecom_addons(self):
        self.order_id._telecom_check_addons()

    @api.constrains("product_id")
    def _check_telecom_grandfathered(self):
        if self.env.context.get("telecom_allow_grandfathered"):
            return
        for line in self:
            if line.product_id.telecom_grandfathered:
                raise ValidationError(line._telecom_grandfathered_message())

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            # The web client cannot point a new add-on line to a plan line saved in the same
            # request and sends no plan line: let the default (nearest plan line above) apply.
            if "telecom_plan_line_id" in vals and not vals["telecom_plan_line_id"]:
                del vals["telecom_plan_line_id"]
        return super().create(vals_list)

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    def _telecom_revenue_lines(self):
        """Lines selling telecom products (not sections, notes or other products)."""
        return self.filtered(
            lambda line: (
                not line.display_type
                and (line.product_id.telecom_service_type or line.product_id.telecom_interconnect)
            )
        )

    def _telecom_apply_state_distribution(self):
        """Distribute the telecom revenue among these lines to the state of their order's
        service address, unless distributed another way."""
        self.env["account.analytic.account"]._telecom_distribute_by_state(
            self._telecom_revenue_lines(), "order_id"
        )

    def _telecom_nearest_plan_line(self):
        """The last plan line above this line on its order (empty if none)."""
        self.ensure_one()
        plan_line = self.browse()
        for other in self.order_id.order_line:
            if other == self:
                break
            if not other.display_type and other.product_id.telecom_is_plan:
                plan_line = other
        return plan_line

    def _telecom_line_label(self):
        """How error messages name this line: its position on the order and its product."""
        self.ensure_one()
        lines = self.order_id.order_line
        number = lines.ids.index(self.id) + 1 if self.id in lines.ids else "?"
        name = (self.name or self.product_id.display_name or "").splitlines()[0:1]
        return self.env._("line %(number)s “%(name)s”", number=number, name="".join(name))

    def _telecom_grandfathered_message(self):
        self.ensure_one()
        product = self.product_id
        if product.telecom_successor_id:
            return self.env._(
                "%(plan)s is a grandfathered plan: existing customers keep it, but it can no "
                "longer be sold (%(line)s of %(order)s). Offer its successor %(successor)s "
                "instead.",
                plan=product.name,
                line=self._telecom_line_label(),
                order=self.order_id.name,
                successor=product.telecom_successor_id.name,
            )
        return self.env._(
            "%(plan)s is a grandfathered plan: existing customers keep it, but it can no longer "
            "be sold (%(line)s of %(order)s). Choose a plan still on sale.",
            plan=product.name,
            line=self._telecom_line_label(),
            order=self.order_id.name,
        )
