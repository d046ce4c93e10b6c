from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL


class TelecomNpacCallback(models.Model):
    """The signature of every vendor callback accepted, kept while its timestamp is fresh: a
    request replayed within that window carries a signature already seen and is refused
    (``controllers/npac.py``)."""

    _name = "telecom.npac.callback"
    _description = "NPAC Vendor Callback Received"
    _order = "id desc"
    _log_access = False
    _sql_constraints = [
        (
            "signature_uniq",
            "UNIQUE(backend_id, signature)",
            "This vendor callback was already received.",
        ),
    ]

    company_id = fields.Many2one(related="backend_id.company_id")

    backend_id = fields.Many2one(
        "telecom.npac.backend", required=True, readonly=True, ondelete="cascade"
    )
    signature = fields.Char(required=True, readonly=True)
    received = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now)

    @api.model
    def _telecom_first_time(self, backend, signature, max_age):
        """Record ``signature`` of ``backend``; False when it was already received (a
        replay). Signatures older than ``max_age`` seconds are forgotten: their timestamp
        is refused anyway."""
        self.env.execute_query(
            SQL(
                "DELETE FROM telecom_npac_callback WHERE received < %s",
                fields.Datetime.now() - timedelta(seconds=2 * max_age),
            )
        )
        inserted = self.env.execute_query(
            SQL(
                "INSERT INTO telecom_npac_callback (backend_id, signature, received) "
                "VALUES (%s, %s, %s) ON CONFLICT (backend_id, signature) DO NOTHING RETURNING id",
                backend.id,
                signature,
                fields.Datetime.now(),
            )
        )
        self.invalidate_model()
        return bool(inserted)
