from odoo import fields, models

COMPLAINT_CATEGORIES = [
    ("employee_access", "Improper access by employees"),
    ("improper_disclosure", "Improper disclosure to unauthorized individuals"),
    ("online_access", "Improper access to online information"),
    ("other", "Other"),
]


class TelecomCpniComplaint(models.Model):
    _name = "telecom.cpni.complaint"
    _description = "CPNI Customer Complaint"
    _order = "date desc, id desc"

    date = fields.Date(default=fields.Date.context_today, required=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    partner_id = fields.Many2one("res.partner", string="Customer", required=True)
    category = fields.Selection(COMPLAINT_CATEGORIES, required=True)
    description = fields.Text()
    resolution = fields.Text()
