import re

from odoo import fields, models
from odoo.exceptions import ValidationError

from odoo.addons.telecom_catalog.tools.secrets import hash_secret, verify_secret


class ResPartner(models.Model):
    _inherit = "res.partner"

    telecom_account_number = fields.Char(
        string="Telecom Account Number",
        copy=False,
        index="btree_not_null",
        tracking=True,
        help="The customer's account number with us, checked on port-out requests. Given "
        "automatically when a number is first assigned.",
    )
    telecom_port_out_pin = fields.Char(
        string="Port-Out PIN",
        compute="_compute_telecom_port_out_pin",
        inverse="_inverse_telecom_port_out_pin",
        copy=False,
        groups="telecom_catalog.group_telecom_number_admin",
        help="4 to 10 digits the customer gives their new carrier to move numbers away; a "
        "port-out request with another PIN is rejected. Stored hashed: type a new PIN to "
        "replace it, it cannot be read back.",
    )
    telecom_port_out_pin_hash = fields.Char(groups="base.group_system", copy=False)
    telecom_port_out_pin_set = fields.Boolean(
        string="Port-Out PIN Set", compute="_compute_telecom_port_out_pin"
    )
    telecom_port_out_lock = fields.Boolean(
        string="Port-Out Lock",
        tracking=True,
        help="The customer asked to lock their numbers: every port-out request is rejected "
        "until the lock is removed.",
    )
    telecom_sim_lock = fields.Boolean(
        string="SIM Swap Lock",
        tracking=True,
        help="The customer asked to lock their SIMs: every SIM swap is refused until the lock "
        "is removed.",
    )
    telecom_number_ids = fields.One2many("telecom.number", "partner_id", string="Numbers")
    telecom_number_count = fields.Integer(
        string="Telephone Numbers", compute="_compute_telecom_number_count"
    )

    def _compute_telecom_number_count(self):
        groups = self.env["telecom.number"]._read_group(
            [("partner_id", "in", self.ids)], ["partner_id"], ["__count"]
        )
        counts = {partner.id: count for partner, count in groups}
        for partner in self:
            partner.telecom_number_count = counts.get(partner.id, 0)

    def _compute_telecom_port_out_pin(self):
        for partner in self:
            partner.telecom_port_out_pin = False
            partner.telecom_port_out_pin_set = bool(partner.sudo().telecom_port_out_pin_hash)

    def _inverse_telecom_port_out_pin(self):
        for partner in self:
            pin = (partner.telecom_port_out_pin or "").strip()
            if pin and not re.fullmatch(r"\d{4,10}", pin):
                raise ValidationError(self.env._("A port-out PIN is 4 to 10 digits, nothing else."))
            partner.sudo().telecom_port_out_pin_hash = hash_secret(pin) if pin else False

    def _telecom_port_out_pin_matches(self, given):
        """Whether ``given`` is this account's port-out PIN (compared with its hash)."""
        self.ensure_one()
        return verify_secret((given or "").strip(), self.sudo().telecom_port_out_pin_hash)

    def action_view_telecom_numbers(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Telephone Numbers"),
            "res_model": "telecom.number",
            "view_mode": "list,form",
            "domain": [("partner_id", "child_of", self.commercial_partner_id.id)],
        }

    def _telecom_ensure_account_number(self):
        """Give each commercial partner without one an account number from the sequence."""
        for partner in self.commercial_partner_id.filtered(lambda p: not p.telecom_account_number):
            partner.sudo().telecom_account_number = (
                self.env["ir.sequence"].sudo().next_by_code("telecom.account.number")
            )
        return True

    def _telecom_set_port_out_protection(self, pin=None, lock=None, sim_lock=None):
        """Set the port-out PIN, port-out lock and/or SIM swap lock of this customer's
        account (commercial partner).

        Used by the customer (portal, after re-authentication) and by staff. The change is
        logged on the customer without the PIN itself; the lock is tracked.
        """
        self.ensure_one()
        customer = self.commercial_partner_id.sudo()
        vals = {}
        if pin is not None:
            pin = (pin or "").strip()
            if not re.fullmatch(r"\d{4,10}", pin):
                raise ValidationError(self.env._("A port-out PIN is 4 to 10 digits, nothing else."))
            if len(set(pin)) == 1:
                raise ValidationError(
                    self.env._("Choose a PIN that is not the same digit repeated.")
                )
            vals["telecom_port_out_pin"] = pin
        if lock is not None:
            vals["telecom_port_out_lock"] = bool(lock)
        if sim_lock is not None:
            vals["telecom_sim_lock"] = bool(sim_lock)
        if not vals:
            return False
        customer.write(vals)
        if pin is not None:
            customer.message_post(
                body=self.env._("Port-out PIN changed by %(user)s.", user=self.env.user.name),
                subtype_xmlid="mail.mt_note",
            )
        return True
