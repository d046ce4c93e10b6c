from odoo import fields, models

RUN_LINE_STATES = [
    ("error", "Error"),
    ("waiting_tax", "Waiting for Tax Engine"),
    ("skipped", "Nothing to Bill"),
    ("not_posted", "Invoice not Posted"),
]


class TelecomBillRunLine(models.Model):
    _name = "telecom.bill.run.line"
    _description = "Bill Run Log Line"
    _order = "run_id, id"
    _sql_constraints = [
        (
            "run_subscription_uniq",
            "UNIQUE(run_id, subscription_id)",
            "A subscription appears once in the log of a bill run.",
        ),
    ]

    company_id = fields.Many2one(related="run_id.company_id")
    run_id = fields.Many2one("telecom.bill.run", required=True, ondelete="cascade", index=True)
    subscription_id = fields.Many2one(
        "telecom.subscription", required=True, ondelete="cascade", index=True
    )
    partner_id = fields.Many2one(related="subscription_id.partner_id")
    state = fields.Selection(RUN_LINE_STATES, required=True, index=True)
    message = fields.Text()
