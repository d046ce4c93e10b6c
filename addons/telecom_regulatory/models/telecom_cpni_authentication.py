from odoo import api, fields, models
from odoo.exceptions import UserError

AUTH_METHODS = [
    ("password", "CPNI Password"),
    ("backup", "Back-up Question"),
    ("call_back", "Call Back to Number of Record"),
    ("photo_id", "Valid Photo ID (in store)"),
    ("portal", "Portal Login and Re-authentication"),
]
AUTH_RESULTS = [
    ("passed", "Passed"),
    ("failed", "Failed"),
    ("call_back", "Call Back to Number of Record"),
]


class TelecomCpniAuthentication(models.Model):
    _name = "telecom.cpni.authentication"
    _description = "CPNI Customer Authentication"
    _order = "date desc, id desc"

    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )

    date = fields.Datetime(default=fields.Datetime.now, required=True, readonly=True, index=True)
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, readonly=True, index=True
    )
    user_id = fields.Many2one(
        "res.users", string="Staff", default=lambda self: self.env.user, readonly=True
    )
    channel = fields.Selection(
        [("phone", "Inbound Call"), ("store", "Retail Store"), ("portal", "Customer Portal")],
        required=True,
        readonly=True,
    )
    method = fields.Selection(AUTH_METHODS, required=True, readonly=True)
    result = fields.Selection(AUTH_RESULTS, required=True, readonly=True)
    photo_id_type = fields.Char(string="Photo ID Type", readonly=True)
    photo_id_last4 = fields.Char(
        string="Photo ID Last 4", size=4, readonly=True, help="Last 4 characters only."
    )
    call_back_number = fields.Char(readonly=True)
    note = fields.Char(readonly=True)

    @api.model
    def _telecom_valid_for(self, partner, channel, minutes=60):
        """The passed authentication of ``partner`` on ``channel`` in the last ``minutes``."""
        since = fields.Datetime.subtract(fields.Datetime.now(), minutes=minutes)
        return self.search(
            [
                ("partner_id", "=", partner.commercial_partner_id.id),
                ("channel", "=", channel),
                ("result", "=", "passed"),
                ("date", ">=", since),
            ],
            limit=1,
        )

    @api.model
    def _telecom_require(self, partner, channel):
        auth = self._telecom_valid_for(partner, channel)
        if not auth:
            raise UserError(
                self.env._(
                    "Authenticate %(customer)s first: on the phone with the CPNI password or "
                    "back-up answer (or call back the number of record), in store with a valid "
                    "photo ID. Call detail is never discussed before.",
                    customer=partner.commercial_partner_id.display_name,
                )
            )
        return auth
