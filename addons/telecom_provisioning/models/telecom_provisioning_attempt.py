from odoo import api, fields, models
from odoo.tools import create_index

from .telecom_provisioning_error import ERROR_CLASSIFICATIONS
from .telecom_provisioning_order import ORDER_ACTIONS


class TelecomProvisioningAttempt(models.Model):
    """One call to the platform for an order: what was sent, what came back, how long it took.

    Request and response summaries never hold credentials (the adapters mask them).
    """

    _name = "telecom.provisioning.attempt"
    _description = "Provisioning Attempt"
    _order = "date desc, id desc"
    _rec_name = "order_id"

    company_id = fields.Many2one(related="order_id.company_id")

    # ------------------------------------------------------------
    # FIELDS
    # ------------------------------------------------------------

    order_id = fields.Many2one(
        "telecom.provisioning.order", required=True, ondelete="cascade", index=True
    )
    backend_id = fields.Many2one(
        "telecom.provisioning.backend", required=True, ondelete="cascade", readonly=True
    )
    action = fields.Selection(ORDER_ACTIONS, readonly=True)
    date = fields.Datetime(required=True, default=fields.Datetime.now, readonly=True)
    duration_ms = fields.Float(
        string="Duration (ms)", readonly=True, aggregator="avg", digits=(16, 1)
    )
    success = fields.Boolean(readonly=True)
    replayed = fields.Boolean(
        readonly=True,
        help="The platform had already done this request (same idempotency key) and answered "
        "with the original result without provisioning again.",
    )
    http_status = fields.Integer(string="HTTP Status", readonly=True, aggregator=None)
    error_code = fields.Char(readonly=True)
    error_id = fields.Many2one(
        "telecom.provisioning.error", string="Catalogued Error", readonly=True
    )
    classification = fields.Selection(ERROR_CLASSIFICATIONS, readonly=True)
    error_message = fields.Text(readonly=True)
    request_summary = fields.Text(readonly=True)
    response_summary = fields.Text(readonly=True)

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    def init(self):
        # dashboard and rate-limit queries read the recent attempts of one backend
        create_index(
            self.env.cr,
            "telecom_provisioning_attempt_backend_date_idx",
            self._table,
            ["backend_id", "date"],
        )

    @api.depends("order_id", "date")
    def _compute_display_name(self):
        for attempt in self:
            attempt.display_name = f"{attempt.order_id.name} @ {attempt.date}"
