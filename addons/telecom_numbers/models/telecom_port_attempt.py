from odoo import fields, models

ATTEMPT_KINDS = [
    ("submit", "Submission"),
    ("resubmit", "Resubmission"),
    ("validation", "Port-Out Validation"),
    ("cancel", "Cancellation"),
]
ATTEMPT_RESULTS = [
    ("sent", "Sent, Awaiting Answer"),
    ("transport_error", "Not Sent (Transport Error)"),
    ("refused", "Refused by the Vendor"),
    ("foc", "FOC Received / Concurred"),
    ("rejected", "Rejected"),
    ("activated", "Activated"),
    ("cancelled", "Cancelled"),
]


class TelecomPortAttempt(models.Model):
    _name = "telecom.port.attempt"
    _description = "Port Request Attempt"
    _order = "request_id, attempt_number desc, id desc"

    company_id = fields.Many2one(related="request_id.company_id")

    request_id = fields.Many2one(
        "telecom.port.request",
        string="Port Request",
        required=True,
        ondelete="cascade",
        index=True,
    )
    attempt_number = fields.Integer(string="Attempt", required=True, readonly=True)
    kind = fields.Selection(ATTEMPT_KINDS, required=True, readonly=True)
    date = fields.Datetime(required=True, default=fields.Datetime.now, readonly=True)
    user_id = fields.Many2one(
        "res.users", string="By", default=lambda self: self.env.user, readonly=True
    )
    numbers = fields.Text(readonly=True, help="Numbers sent with this attempt.")
    due_date = fields.Date(string="Requested Due Date", readonly=True)
    idempotency_key = fields.Char(
        readonly=True,
        help="Key sent to the vendor: a retried call with the same key is never processed twice.",
    )
    vendor_reference = fields.Char(readonly=True)
    result = fields.Selection(ATTEMPT_RESULTS, required=True, readonly=True)
    reject_code_id = fields.Many2one(
        "telecom.port.reject.code", string="Rejection Code", readonly=True
    )
    foc_date = fields.Date(string="FOC Date", readonly=True)
    message = fields.Text(readonly=True)
