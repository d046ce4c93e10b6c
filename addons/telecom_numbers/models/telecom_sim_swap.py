from odoo import api, fields, models
from odoo.exceptions import UserError

from .telecom_sim import SIM_KINDS

SWAP_STATES = [
    ("draft", "Draft"),
    ("pending", "Sent to the Network"),
    ("done", "Done"),
    ("refused", "Refused"),
]
SWAP_CHANNELS = [("backend", "Staff"), ("portal", "Customer Portal")]
AUTH_METHODS = [
    ("portal_password", "Portal password confirmed"),
    ("account_pin", "Account PIN given"),
    ("id_document", "Photo ID checked in store"),
]


class TelecomSimSwap(models.Model):
    """A SIM swap: the line moves to a new SIM (or eSIM profile). Every swap, done or refused,
    is kept as a record (FCC SIM-swap fraud rules)."""

    _name = "telecom.sim.swap"
    _description = "SIM Swap"
    _inherit = ["mail.thread"]
    _order = "id desc"

    company_id = fields.Many2one(related="old_sim_id.company_id", store=True, index=True)

    # ------------------------------------------------------------
    # FIELDS
    # ------------------------------------------------------------

    name = fields.Char(string="Reference", required=True, readonly=True, default="/", copy=False)
    old_sim_id = fields.Many2one(
        "telecom.sim",
        string="Current SIM",
        required=True,
        domain="[('state', '=', 'active')]",
        ondelete="restrict",
    )
    number_id = fields.Many2one(
        "telecom.number", related="old_sim_id.number_id", store=True, string="Line"
    )
    partner_id = fields.Many2one(
        "res.partner", related="old_sim_id.partner_id", store=True, string="Customer", index=True
    )
    new_sim_id = fields.Many2one(
        "telecom.sim",
        string="New SIM",
        domain="[('state', 'in', ('in_stock', 'reserved')), ('kind', '=', new_kind)]",
        ondelete="restrict",
        help="The card the customer holds (physical SIM). Leave empty for an eSIM: a profile "
        "is taken from stock.",
    )
    new_kind = fields.Selection(SIM_KINDS, string="New SIM Type", required=True, default="esim")
    channel = fields.Selection(SWAP_CHANNELS, required=True, default="backend", readonly=True)
    auth_method = fields.Selection(
        AUTH_METHODS,
        string="Customer Authenticated By",
        help="How the customer proved who they are. Without it the swap is refused.",
    )
    pin_given = fields.Char(
        string="Account PIN Given",
        copy=False,
        help="The PIN the customer gave, checked against their account PIN, then erased.",
    )
    id_document_ref = fields.Char(
        string="ID Document", help="Type and last digits of the photo ID checked."
    )
    state = fields.Selection(SWAP_STATES, default="draft", required=True, tracking=True)
    refuse_reason = fields.Char(readonly=True)
    done_date = fields.Datetime(readonly=True)
    user_id = fields.Many2one(
        "res.users", string="Requested By", default=lambda self: self.env.user, readonly=True
    )

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].next_by_code("telecom.sim.swap") or "/"
        return super().create(vals_list)

    # ------------------------------------------------------------
    # ACTION
    # ------------------------------------------------------------

    def action_confirm(self):
        self.ensure_one()
        pin_given = self.pin_given
        self.pin_given = False
        self._telecom_perform(pin_given)
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "current",
        }

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    def _telecom_refusal(self, pin_given=None):
        """Why the swap cannot be done (a sentence), or False. Authentication first."""
        self.ensure_one()
        _ = self.env._
        customer = self.partner_id.commercial_partner_id.sudo()
        if self.old_sim_id.state != "active":
            return _("SIM %(iccid)s is not active.", iccid=self.old_sim_id.name)
        if not self.auth_method:
            return _("The customer was not authenticated.")
        if self.auth_method == "portal_password" and not self.env.context.get(
            "telecom_identity_checked"
        ):
            return _("The customer did not confirm their password.")
        if self.auth_method == "account_pin" and (
            not customer._telecom_port_out_pin_matches(pin_given)
        ):
            return _("The account PIN the customer gave does not match.")
        if self.auth_method == "id_document" and not self.id_document_ref:
            return _("Record the photo ID checked.")
        if customer.telecom_sim_lock:
            return _("The customer locked SIM changes on their account.")
        new = self.new_sim_id
        if self.new_kind == "physical" and not new:
            return _("Give the ICCID of the new SIM card.")
        if new and (
            new.state not in ("in_stock", "reserved")
            or (new.state == "reserved" and new.partner_id != self.partner_id)
        ):
            return _("SIM %(iccid)s is not available for this customer.", iccid=new.name)
        return False

    def _telecom_perform(self, pin_given=None):
        """Authenticate, notify the customer, then give the line its new SIM and ask the
        network to swap; a refusal is recorded (and the customer told) instead."""
        self.ensure_one()
        if self.state != "draft":
            raise UserError(self.env._("SIM swap %(name)s was processed already.", name=self.name))
        refusal = self._telecom_refusal(pin_given)
        if refusal:
            self.write({"state": "refused", "refuse_reason": refusal})
            self.message_post(body=self.env._("Refused: %(reason)s", reason=refusal))
            self._telecom_notify_customer()
            return False
        self._telecom_notify_customer()
        Sim = self.env["telecom.sim"].sudo()
        new = self.new_sim_id.sudo() or Sim._telecom_take_from_stock(self.partner_id, self.new_kind)
        reason = self.env._("SIM swap %(name)s", name=self.name)
        old = self.old_sim_id.sudo()
        old._telecom_set_state("swapped", reason, swap=self)
        new._telecom_assign(self.number_id, self.partner_id, reason, swap=self)
        self.write({"state": "pending", "new_sim_id": new.id})
        self._telecom_network_swap()
        return True

    def _telecom_notify_customer(self):
        """Tell the customer on their contact point (email) about this SIM change request."""
        if self.partner_id.email:
            self.message_post_with_source(
                "telecom_numbers.mail_template_sim_swap_notice",
                subtype_xmlid="mail.mt_comment",
                message_type="comment",
            )

    def _telecom_network_swap(self):
        """Hook: ask the network to move the line to the new SIM. Without a provisioning
        module the swap is done at once; telecom_provisioning sends an order and calls
        :meth:`_telecom_complete` when the network confirms."""
        return self._telecom_complete()

    def _telecom_complete(self):
        """The network moved the line: the new SIM is active, the old one retired."""
        self.ensure_one()
        if self.state != "pending":
            return False
        reason = self.env._("SIM swap %(name)s done", name=self.name)
        self.old_sim_id.sudo()._telecom_retire(reason, swap=self)
        self.new_sim_id.sudo()._telecom_set_state("active", reason, swap=self)
        self.write({"state": "done", "done_date": fields.Datetime.now()})
        return True
