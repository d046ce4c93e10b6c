import base64
import io

import qrcode

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from odoo.addons.telecom_catalog.tools.locking import lock_ids

from ..tools.sim import eid_error, iccid_error, imsi_error, pin_error

SIM_STATES = [
    ("in_stock", "In Stock"),
    ("reserved", "Reserved"),
    ("assigned", "Assigned"),
    ("active", "Active"),
    ("swapped", "Swapped Out"),
    ("retired", "Retired"),
]
# Allowed state changes; anything else is refused. "Swapped out": replaced by a SIM swap, until
# the network confirms the swap (then retired).
SIM_TRANSITIONS = {
    "in_stock": ("reserved", "assigned", "retired"),
    "reserved": ("in_stock", "assigned", "retired"),
    "assigned": ("in_stock", "active", "retired"),
    "active": ("swapped", "retired"),
    "swapped": ("retired", "active"),
    "retired": (),
}
SIM_KINDS = [("physical", "Physical SIM"), ("esim", "eSIM Profile")]
# SIMs that belong to a line.
LINE_STATES = ("assigned", "active")
SECRET_GROUP = "telecom_catalog.group_telecom_number_admin"


class TelecomSim(models.Model):
    _name = "telecom.sim"
    _description = "SIM Card or eSIM Profile"
    _check_company_auto = True
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "name"
    _sql_constraints = [
        ("name_uniq", "UNIQUE(name)", "This ICCID is already in the SIM inventory."),
        ("imsi_uniq", "UNIQUE(imsi)", "This IMSI belongs to another SIM."),
    ]

    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )

    # ------------------------------------------------------------
    # FIELDS
    # ------------------------------------------------------------

    name = fields.Char(
        string="ICCID",
        required=True,
        copy=False,
        help="Integrated circuit card id: 19 or 20 digits starting with 89, the last one a "
        "Luhn check digit.",
    )
    kind = fields.Selection(SIM_KINDS, required=True, default="physical")
    imsi = fields.Char(string="IMSI", required=True, copy=False, help="15 digits.")
    state = fields.Selection(
        SIM_STATES, required=True, default="in_stock", readonly=True, tracking=True, index=True
    )
    state_date = fields.Datetime(string="State Since", readonly=True, default=fields.Datetime.now)
    number_id = fields.Many2one(
        "telecom.number",
        string="Line (Number)",
        readonly=True,
        index="btree_not_null",
        ondelete="restrict",
        help="The mobile line (MSISDN) the SIM serves.",
        check_company=True,
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        readonly=True,
        index="btree_not_null",
        help="Customer the SIM is reserved for or serves.",
    )
    import_id = fields.Many2one("telecom.sim.import", string="Imported By", readonly=True)
    # Secrets: only Number Administrators read them (never portal users or plain users, so
    # they are not exported either).
    pin1 = fields.Char(string="PIN1", groups=SECRET_GROUP, copy=False)
    puk1 = fields.Char(string="PUK1", groups=SECRET_GROUP, copy=False)
    pin2 = fields.Char(string="PIN2", groups=SECRET_GROUP, copy=False)
    puk2 = fields.Char(string="PUK2", groups=SECRET_GROUP, copy=False)
    # eSIM profile
    eid = fields.Char(
        string="EID", copy=False, help="eUICC id of the device the profile was installed on."
    )
    smdp_address = fields.Char(
        string="SM-DP+ Address", help="The server the device downloads the profile from."
    )
    matching_id = fields.Char(
        string="Activation Code",
        groups=SECRET_GROUP,
        copy=False,
        help="Matching id of the profile at the SM-DP+: with the address it forms the "
        "activation code the customer scans (LPA:1$address$code).",
    )
    history_ids = fields.One2many("telecom.sim.history", "sim_id", string="History")

    # ------------------------------------------------------------
    # CONSTRAINT
    # ------------------------------------------------------------

    @api.constrains("name", "imsi", "eid", "kind", "smdp_address")
    def _check_identifiers(self):
        for sim in self:
            checks = (
                ("ICCID", sim.name, iccid_error(sim.name)),
                ("IMSI", sim.imsi, imsi_error(sim.imsi)),
                ("EID", sim.eid, sim.eid and eid_error(sim.eid)),
            )
            for label, value, error in checks:
                if error:
                    raise ValidationError(
                        self.env._(
                            "%(label)s %(value)s is not valid: %(error)s.",
                            label=label,
                            value=value,
                            error=error,
                        )
                    )
            if sim.kind == "esim" and not sim.smdp_address:
                raise ValidationError(
                    self.env._("eSIM profile %(iccid)s needs its SM-DP+ address.", iccid=sim.name)
                )

    @api.constrains("pin1", "puk1", "pin2", "puk2")
    def _check_secrets(self):
        for sim in self.sudo():
            secrets = ((sim.pin1, False), (sim.puk1, True), (sim.pin2, False), (sim.puk2, True))
            for value, puk in secrets:
                if value and pin_error(value, puk):
                    raise ValidationError(
                        self.env._(
                            "SIM %(iccid)s: %(error)s.", iccid=sim.name, error=pin_error(value, puk)
                        )
                    )

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            for key in ("name", "imsi", "eid"):
                if vals.get(key):
                    vals[key] = "".join(vals[key].split())
        sims = super().create(vals_list)
        sims._telecom_log_history(
            dict.fromkeys(sims.ids, False), self.env._("Added to the SIM inventory")
        )
        return sims

    @api.ondelete(at_uninstall=False)
    def _unlink_except_used(self):
        if any(sim.state != "in_stock" or sim.number_id for sim in self):
            raise UserError(
                self.env._("Only SIMs in stock never used can be deleted; retire the others.")
            )

    # ------------------------------------------------------------
    # ACTION
    # ------------------------------------------------------------

    def action_retire(self):
        self._telecom_retire(self.env._("Retired by %(user)s", user=self.env.user.name))
        return True

    def action_return_to_stock(self):
        for sim in self:
            sim._telecom_set_state(
                "in_stock",
                self.env._("Returned to stock by %(user)s", user=self.env.user.name),
                {"partner_id": False, "number_id": False},
            )
        return True

    def action_open_swap(self):
        self.ensure_one()
        if self.state != "active":
            raise UserError(self.env._("Only an active SIM can be swapped."))
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("SIM Swap"),
            "res_model": "telecom.sim.swap",
            "view_mode": "form",
            "target": "new",
            "context": {"default_old_sim_id": self.id, "default_channel": "backend"},
        }

    def action_send_esim_code(self):
        for sim in self:
            sim._telecom_send_esim_code()
        return True

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    def _telecom_log_history(self, before, reason, swap=False):
        """One history row per SIM; ``before`` maps id -> old state."""
        self.env["telecom.sim.history"].sudo().create(
            [
                {
                    "sim_id": sim.id,
                    "from_state": before[sim.id],
                    "to_state": sim.state,
                    "number_id": sim.number_id.id,
                    "partner_id": sim.partner_id.id,
                    "reason": reason,
                    "swap_id": swap.id if swap else False,
                }
                for sim in self
            ]
        )
        self.invalidate_recordset(["history_ids"])

    def _telecom_set_state(self, state, reason, values=None, swap=False):
        """Move the SIMs to ``state`` (validated, with history) and write ``values``."""
        labels = dict(SIM_STATES)
        for sim in self:
            if state not in SIM_TRANSITIONS[sim.state]:
                raise UserError(
                    self.env._(
                        "SIM %(iccid)s cannot go from %(old)s to %(new)s.",
                        iccid=sim.name,
                        old=labels[sim.state],
                        new=labels[state],
                    )
                )
        before = {sim.id: sim.state for sim in self}
        self.write(dict(values or {}, state=state, state_date=fields.Datetime.now()))
        self._telecom_log_history(before, reason, swap)
        return True

    def _telecom_retire(self, reason, swap=False):
        return self._telecom_set_state("retired", reason, swap=swap)

    def _telecom_reserve(self, partner, reason=None):
        return self._telecom_set_state(
            "reserved",
            reason or self.env._("Reserved for %(partner)s", partner=partner.display_name),
            {"partner_id": partner.id},
        )

    def _telecom_assign(self, number, partner, reason, swap=False):
        """Give the SIM to the line ``number`` of ``partner`` (active with the line)."""
        self.ensure_one()
        if self.state == "reserved" and self.partner_id and self.partner_id != partner:
            raise UserError(
                self.env._(
                    "SIM %(iccid)s is reserved for %(holder)s.",
                    iccid=self.name,
                    holder=self.partner_id.display_name,
                )
            )
        self._telecom_set_state(
            "assigned", reason, {"number_id": number.id, "partner_id": partner.id}, swap
        )
        if self.kind == "esim":
            self._telecom_send_esim_code()
        return True

    @api.model
    def _telecom_take_from_stock(self, partner, kind=None, required=True):
        """A SIM for ``partner``'s new line: one reserved for them, else one in stock of
        ``kind`` (physical by default), locked so that two activations never take the same.
        None left: an error, or with ``required=False`` an empty recordset."""
        self.flush_model(["state", "partner_id", "kind"])
        reserved = SQL("state = 'reserved' AND partner_id = %s", partner.id)
        ids = lock_ids(self.env, self._table, reserved, limit=1)
        if not ids:
            stock = SQL("state = 'in_stock' AND kind = %s", kind or "physical")
            ids = lock_ids(self.env, self._table, stock, limit=1)
        if not ids and required:
            raise UserError(
                self.env._(
                    "No %(kind)s is in stock for the line of %(partner)s: import the SIM "
                    "vendor's file first.",
                    kind=dict(SIM_KINDS)[kind or "physical"],
                    partner=partner.display_name,
                )
            )
        return self.browse(ids)

    def _telecom_activation_code(self):
        """The eSIM activation code (GSMA SGP.22): ``LPA:1$<SM-DP+ address>$<matching id>``."""
        self.ensure_one()
        sim = self.sudo()
        return f"LPA:1${sim.smdp_address}${sim.matching_id or ''}"

    def _telecom_qr_png(self):
        """PNG bytes of the QR code of the eSIM activation code."""
        self.ensure_one()
        if self.kind != "esim":
            raise UserError(self.env._("Only an eSIM profile has an activation QR code."))
        buffer = io.BytesIO()
        qrcode.make(self._telecom_activation_code(), box_size=6, border=2).save(buffer)
        return buffer.getvalue()

    def _telecom_send_esim_code(self):
        """Email the customer the eSIM activation QR code (template, QR attached)."""
        self.ensure_one()
        if self.kind != "esim" or not self.partner_id:
            return False
        attachment = self.env["ir.attachment"].create(
            {
                "name": f"esim-{self.name}.png",
                "datas": base64.b64encode(self._telecom_qr_png()),
                "res_model": self._name,
                "res_id": self.id,
                "mimetype": "image/png",
            }
        )
        self.message_post_with_source(
            "telecom_numbers.mail_template_esim_activation",
            subtype_xmlid="mail.mt_comment",
            message_type="comment",
            attachment_ids=attachment.ids,
        )
        return True

    def _telecom_network_values(self):
        """What the provisioning platform needs of the SIM (no PIN/PUK)."""
        self.ensure_one()
        sim = self.sudo()
        values = {"iccid": sim.name, "imsi": sim.imsi, "sim_type": sim.kind}
        if sim.kind == "esim":
            values.update(
                eid=sim.eid or None,
                smdp_address=sim.smdp_address,
                matching_id=sim.matching_id,
            )
        return values
