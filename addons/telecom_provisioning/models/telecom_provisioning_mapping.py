import json

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .telecom_provisioning_order import ORDER_ACTIONS

MAPPING_KINDS = [
    ("field", "Our field → their field"),
    ("constant", "Constant"),
    ("endpoint", "Endpoint / operation"),
]


class TelecomProvisioningMapping(models.Model):
    """One line of a backend's payload mapping.

    The order first builds our canonical payload (service reference, numbers, plan code, the
    plan's provisioning attributes by code, action-specific keys such as
    ``keep_emergency_calling``). A backend without field/constant lines receives that payload
    as is; otherwise it receives exactly what its lines describe:

    - *field*: the value of our key ``source`` is sent as ``target`` (dots nest:
      ``subscriber.msisdn``); a required line fails the order permanently when the key is
      missing;
    - *constant*: ``target`` is sent with ``value`` (JSON literal: ``true``, ``5``, ``"x"``;
      anything else is sent as text);
    - *endpoint*: the REST path or SOAP operation called for the action.

    Lines without an action apply to every action; a line for the action wins over a general
    line with the same target.
    """

    _name = "telecom.provisioning.mapping"
    _description = "Provisioning Payload Mapping Line"
    _order = "backend_id, sequence, id"

    company_id = fields.Many2one(related="backend_id.company_id")

    # ------------------------------------------------------------
    # FIELDS
    # ------------------------------------------------------------

    backend_id = fields.Many2one(
        "telecom.provisioning.backend", required=True, ondelete="cascade", index=True
    )
    sequence = fields.Integer(default=10)
    action = fields.Selection(
        ORDER_ACTIONS, help="Leave empty for a line that applies to every action."
    )
    kind = fields.Selection(MAPPING_KINDS, required=True, default="field")
    source = fields.Char(
        string="Our Key",
        help="Key of our payload: service_ref, account_ref, msisdn, numbers, plan_code, "
        "service_type, addon_code, new_plan_code, keep_emergency_calling, reason, circuit_id, "
        "iccid, imsi, sim (activation and SIM swap), old_iccid (SIM swap), "
        "or the code of a provisioning attribute of the plan (e.g. download_mbps).",
    )
    target = fields.Char(
        string="Their Field",
        required=True,
        help="Field name on the platform (dots nest objects), or for an endpoint line the REST "
        "path / SOAP operation name.",
    )
    value = fields.Char(string="Constant Value")
    required = fields.Boolean(
        help="Fail the order (permanent mapping_error) when our key has no value."
    )

    # ------------------------------------------------------------
    # CONSTRAINT
    # ------------------------------------------------------------

    @api.constrains("kind", "source", "value", "action", "target")
    def _check_line(self):
        for line in self:
            if line.kind == "field" and not line.source:
                raise ValidationError(
                    self.env._(
                        "Mapping line %(target)s of %(backend)s copies one of our fields: "
                        "fill in Our Key.",
                        target=line.target,
                        backend=line.backend_id.name,
                    )
                )
            if line.kind == "constant" and line.value in (False, None):
                raise ValidationError(
                    self.env._(
                        "Mapping line %(target)s of %(backend)s is a constant: fill in its value.",
                        target=line.target,
                        backend=line.backend_id.name,
                    )
                )
            if line.kind == "endpoint":
                if not line.action:
                    raise ValidationError(
                        self.env._(
                            "Endpoint line %(target)s of %(backend)s must name the action it "
                            "serves.",
                            target=line.target,
                            backend=line.backend_id.name,
                        )
                    )
                others = line.backend_id.mapping_ids.filtered(
                    lambda o, line=line: (
                        o != line and o.kind == "endpoint" and o.action == line.action
                    )
                )
                if others:
                    raise ValidationError(
                        self.env._(
                            "Backend %(backend)s has two endpoints for the same action; keep one.",
                            backend=line.backend_id.name,
                        )
                    )

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    def _constant(self):
        self.ensure_one()
        try:
            return json.loads(self.value)
        except (TypeError, ValueError):
            return self.value
