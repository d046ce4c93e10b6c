from odoo import fields, models

from .telecom_sim import SIM_STATES


class TelecomSimHistory(models.Model):
    _name = "telecom.sim.history"
    _description = "SIM History"
    _order = "date desc, id desc"

    company_id = fields.Many2one(related="sim_id.company_id")

    sim_id = fields.Many2one(
        "telecom.sim", string="SIM", required=True, ondelete="cascade", index=True
    )
    date = fields.Datetime(required=True, default=fields.Datetime.now, readonly=True)
    user_id = fields.Many2one(
        "res.users", string="By", default=lambda self: self.env.user, readonly=True
    )
    from_state = fields.Selection(SIM_STATES, readonly=True)
    to_state = fields.Selection(SIM_STATES, required=True, readonly=True)
    number_id = fields.Many2one("telecom.number", string="Line", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    reason = fields.Char(readonly=True)
    swap_id = fields.Many2one("telecom.sim.swap", string="SIM Swap", readonly=True)
