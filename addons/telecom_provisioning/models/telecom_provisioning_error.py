from odoo import api, fields, models
from odoo.exceptions import ValidationError

ERROR_CLASSIFICATIONS = [
    ("transient", "Transient (retry)"),
    ("permanent", "Permanent (stop and escalate)"),
]
ERROR_CATEGORIES = [
    ("transport", "Transport"),
    ("platform", "Platform"),
    ("internal", "Internal"),
]


class TelecomProvisioningError(models.Model):
    """Error catalogue: what a platform or transport error code means for an order.

    Adapters raise errors with a code and a default classification (retryable or permanent);
    an entry here overrides that default. A backend-specific entry wins over a global one.
    """

    _name = "telecom.provisioning.error"
    _description = "Provisioning Error Catalogue Entry"
    _order = "category, code"

    company_id = fields.Many2one(related="backend_id.company_id")

    # ------------------------------------------------------------
    # FIELDS
    # ------------------------------------------------------------

    code = fields.Char(
        required=True,
        index=True,
        help="The code as the adapter reports it: a transport code (timeout, "
        "connection_refused, http_5xx, http_429, ...) or the platform's own error code "
        "(e.g. INVALID_PLAN from a REST body or a SOAP fault detail).",
    )
    name = fields.Char(string="Meaning", required=True, translate=True)
    classification = fields.Selection(
        ERROR_CLASSIFICATIONS,
        required=True,
        default="permanent",
        help="Transient: the order is retried with exponential backoff up to the backend's "
        "maximum attempts and age. Permanent: the order stops in Failed and the NOC gets an "
        "activity.",
    )
    category = fields.Selection(ERROR_CATEGORIES, required=True, default="platform")
    backend_id = fields.Many2one(
        "telecom.provisioning.backend",
        ondelete="cascade",
        help="Leave empty for a code that means the same on every platform.",
    )
    description = fields.Text(
        translate=True, help="What the NOC should check or do when this error occurs."
    )
    active = fields.Boolean(default=True)

    # ------------------------------------------------------------
    # COMPUTE
    # ------------------------------------------------------------

    @api.depends("code", "name")
    def _compute_display_name(self):
        for error in self:
            error.display_name = f"{error.code} – {error.name}" if error.name else error.code

    # ------------------------------------------------------------
    # CONSTRAINT
    # ------------------------------------------------------------

    @api.constrains("code", "backend_id")
    def _check_code_unique(self):
        for error in self:
            duplicate = self.search_count(
                [
                    ("id", "!=", error.id),
                    ("code", "=", error.code),
                    ("backend_id", "=", error.backend_id.id),
                ]
            )
            if duplicate:
                raise ValidationError(
                    self.env._(
                        "Error code %(code)s is already in the catalogue%(scope)s; edit that "
                        "entry instead.",
                        code=error.code,
                        scope=self.env._(" for backend %(backend)s", backend=error.backend_id.name)
                        if error.backend_id
                        else "",
                    )
                )

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    @api.model
    def _lookup(self, code, backend=None):
        """The catalogue entry for ``code``: the backend's own entry first, then the global one."""
        if not code:
            return self.browse()
        backend_ids = [backend.id, False] if backend else [False]
        entries = self.search([("code", "=", code), ("backend_id", "in", backend_ids)])
        specific = entries.filtered("backend_id")
        return specific[:1] or entries[:1]
