from odoo import api, fields, models


class TelecomAddonGroup(models.Model):
    _name = "telecom.addon.group"
    _description = "Mutually Exclusive Add-on Group"
    _order = "sequence, name"
    _sql_constraints = [
        ("name_uniq", "UNIQUE(name)", "Another add-on group already has this name."),
    ]

    # ------------------------------------------------------------
    # FIELDS
    # ------------------------------------------------------------

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    description = fields.Text(
        translate=True,
        help="Why these add-ons exclude each other, shown to sales staff.",
    )
    addon_ids = fields.One2many(
        "product.template",
        "telecom_addon_group_id",
        string="Add-ons",
        domain=[("telecom_is_addon", "=", True)],
        help="A plan can carry only one add-on of this group.",
    )
    addon_count = fields.Integer(compute="_compute_addon_count")
    active = fields.Boolean(default=True)

    # ------------------------------------------------------------
    # COMPUTE
    # ------------------------------------------------------------

    @api.depends("addon_ids")
    def _compute_addon_count(self):
        for group in self:
            group.addon_count = len(group.addon_ids)
