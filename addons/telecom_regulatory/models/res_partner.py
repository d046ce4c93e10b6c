import re

from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError

from odoo.addons.telecom_catalog.tools.cpni import CPNI_GROUP
from odoo.addons.telecom_catalog.tools.secrets import hash_secret, verify_secret

from ..tools.periods import STATE_FIPS

CPNI_APPROVALS = [
    ("none", "No Approval"),
    ("opt_out", "Opt-out Approval (notified, did not object)"),
    ("opt_in", "Opt-in Approval (express consent)"),
    ("denied", "Opted Out / Denied"),
]
CPNI_APPROVAL_CHANNELS = [
    ("written", "Written"),
    ("oral", "Oral"),
    ("electronic", "Electronic"),
    ("portal", "Customer Portal"),
]
# Address of record: a change sends an account change notice (47 CFR 64.2010(f)).
ADDRESS_OF_RECORD_FIELDS = ("street", "street2", "city", "zip", "state_id", "country_id", "email")

TRACT_PATTERN = re.compile(r"^\d{11}$")


class ResPartner(models.Model):
    _name = "res.partner"
    _inherit = ["res.partner", "telecom.cpni.logged.mixin"]
    _telecom_cpni_fields = ("telecom_cpni_service_mix",)

    # ------------------------------------------------------------
    # FIELDS
    # ------------------------------------------------------------

    telecom_census_tract = fields.Char(
        string="Census Tract",
        size=11,
        help="11-digit 2020 census tract code of this service address (state, county and "
        "tract FIPS; text, leading zeros kept), e.g. 06075010100.",
    )
    telecom_state_fips = fields.Char(
        string="State FIPS",
        compute="_compute_telecom_state_fips",
        store=True,
        help="2-digit FIPS code of the address's state.",
    )
    telecom_reseller_certificate = fields.Boolean(
        string="Reseller Certificate on File",
        help="This wholesale customer gave a reseller certificate: its revenue is reported on "
        "the carrier's carrier lines (Block 3) of Form 499.",
    )
    telecom_reseller_certificate_date = fields.Date(string="Reseller Certificate Date")
    # CPNI -----------------------------------------------------------------------------
    telecom_cpni_password_hash = fields.Char(groups="base.group_system", copy=False)
    telecom_cpni_backup_answer_hash = fields.Char(groups="base.group_system", copy=False)
    telecom_cpni_backup_question = fields.Char(
        string="CPNI Back-up Question", groups=CPNI_GROUP, copy=False
    )
    telecom_cpni_password_set = fields.Boolean(
        string="CPNI Password Set", compute="_compute_telecom_cpni_password_set", compute_sudo=True
    )
    telecom_bsl_location_id = fields.Many2one(
        "telecom.bdc.location",
        string="FCC Location (BSL)",
        index="btree_not_null",
        help="The Broadband Serviceable Location of the Fabric at this service address: the "
        "key of the BDC availability file. Matched on street and ZIP after a Fabric import.",
    )
    telecom_cpni_approval = fields.Selection(
        CPNI_APPROVALS,
        string="CPNI Approval",
        default="none",
        tracking=True,
        help="Whether the customer allows the use of its CPNI for marketing: opt-out approval "
        "(notified and did not object within the waiting period), opt-in (express consent) or "
        "denied.",
    )
    telecom_cpni_approval_date = fields.Date(string="CPNI Approval Date", tracking=True)
    telecom_cpni_authorized_contact = fields.Boolean(
        string="Authorized CPNI Contact",
        tracking=True,
        help="A contact of a business account who may make the account's CPNI choices (on the "
        "portal too). Other contacts of the business see the choice, they cannot change it.",
    )
    telecom_cpni_approval_channel = fields.Selection(
        CPNI_APPROVAL_CHANNELS, string="CPNI Approval Channel", tracking=True
    )
    telecom_cpni_optout_notice_date = fields.Date(
        string="CPNI Opt-out Notice Sent",
        readonly=True,
        tracking=True,
        help="Day the last CPNI opt-out notice was sent (from the notice records). Without an "
        "objection, the customer's opt-out approval is assumed once the waiting period has "
        "passed (47 CFR 64.2008(d)(1): 30 days, plus 3 days when mailed).",
    )
    telecom_cpni_optout_notice_ids = fields.One2many(
        "telecom.cpni.optout.notice", "partner_id", string="CPNI Opt-out Notices"
    )
    telecom_cpni_renotice_due = fields.Date(
        string="CPNI Re-notice Due",
        compute="_compute_telecom_cpni_renotice_due",
        store=True,
        help="Opt-out approval rests on a notice repeated every two years (47 CFR "
        "64.2008(d)(2)): the day the next one is due.",
    )
    telecom_cpni_service_mix = fields.Text(
        string="Service Mix (CPNI)",
        compute="_compute_telecom_cpni_service_mix",
        groups=CPNI_GROUP,
        help="Services the customer subscribes to, with quantities and status: CPNI.",
    )
    telecom_cpni_notice_ids = fields.One2many(
        "telecom.cpni.notice", "partner_id", string="Account Change Notices"
    )

    # ------------------------------------------------------------
    # COMPUTE
    # ------------------------------------------------------------

    @api.depends("state_id", "country_id")
    def _compute_telecom_state_fips(self):
        for partner in self:
            code = partner.state_id.code if partner.state_id.country_id.code == "US" else False
            partner.telecom_state_fips = STATE_FIPS.get(code or "", False)

    def _compute_telecom_cpni_password_set(self):
        for partner in self:
            partner.telecom_cpni_password_set = bool(partner.sudo().telecom_cpni_password_hash)

    def _compute_telecom_cpni_service_mix(self):
        # a computed field is not checked by the ORM on attribute access (exports): check here
        if not self.env.su and not self.env.user.has_group(CPNI_GROUP):
            raise AccessError(
                self.env._("Only CPNI Authorized employees may see a customer's service mix.")
            )
        Service = self.env["telecom.service"].sudo()
        for partner in self:
            services = Service.search(
                [
                    ("partner_id", "child_of", partner.commercial_partner_id.id),
                    ("state", "!=", "terminated"),
                ]
            )
            partner.telecom_cpni_service_mix = "\n".join(
                f"{s.product_id.display_name} x{s.quantity} ({s.state})" for s in services
            )

    # ------------------------------------------------------------
    # CONSTRAINT
    # ------------------------------------------------------------

    @api.constrains("telecom_census_tract", "telecom_state_fips")
    def _check_telecom_census_tract(self):
        for partner in self:
            tract = partner.telecom_census_tract
            if not tract:
                continue
            if not TRACT_PATTERN.match(tract):
                raise ValidationError(
                    self.env._(
                        "Census tract %(tract)r of %(partner)s must be 11 digits (state, county "
                        "and tract codes, leading zeros kept), e.g. 06075010100.",
                        tract=tract,
                        partner=partner.display_name,
                    )
                )
            if partner.telecom_state_fips and tract[:2] != partner.telecom_state_fips:
                raise ValidationError(
                    self.env._(
                        "Census tract %(tract)s of %(partner)s is not in its state (FIPS "
                        "%(fips)s): a tract starts with its state's FIPS code.",
                        tract=tract,
                        partner=partner.display_name,
                        fips=partner.telecom_state_fips,
                    )
                )

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    def _telecom_is_carrier_customer(self):
        """Revenue from this customer goes on the 499 carrier's carrier lines (Block 3)."""
        self.ensure_one()
        commercial = self.commercial_partner_id
        return commercial.telecom_segment == "wholesale" and bool(
            commercial.telecom_reseller_certificate
        )

    # ------------------------------------------------------------
    # CRUD (address of record changes)
    # ------------------------------------------------------------

    def write(self, vals):
        watched = [name for name in ADDRESS_OF_RECORD_FIELDS if name in vals]
        before = {}
        if watched and not self.env.context.get("telecom_cpni_no_notice"):
            for partner in self._telecom_cpni_customers_of_record():
                before[partner] = (
                    partner._telecom_contact_point(),
                    {name: partner[name] for name in watched},
                )
        result = super().write(vals)
        Notice = self.env["telecom.cpni.notice"]
        for partner, (contact_point, old_values) in before.items():
            if any(partner[name] != value for name, value in old_values.items()):
                Notice._telecom_notify(partner, "address", contact_point)
        return result

    # ------------------------------------------------------------
    # BUSINESS: CPNI
    # ------------------------------------------------------------

    def _telecom_cpni_may_choose(self):
        """Whether this contact may change its account's CPNI approval: the holder of an
        individual account; for a business, the company itself or its authorized contacts."""
        self.ensure_one()
        account = self.commercial_partner_id
        return not account.is_company or self == account or self.telecom_cpni_authorized_contact

    def _telecom_cpni_customers_of_record(self):
        """Accounts among these partners (commercial partners with a telecom subscription)."""
        accounts = self.filtered(lambda p: p.id and p == p.commercial_partner_id)
        if not accounts:
            return accounts
        Subscription = self.env["telecom.subscription"].sudo().with_context(active_test=False)
        groups = Subscription._read_group([("partner_id", "in", accounts.ids)], ["partner_id"])
        with_subscription = {partner.id for (partner,) in groups}
        return accounts.filtered(lambda p: p.id in with_subscription)

    def _telecom_contact_point(self):
        """Where an account change notice goes now: the email of record, else the postal
        address of record."""
        self.ensure_one()
        if self.email:
            return {"channel": "email", "to": self.email}
        address = ", ".join(
            part for part in (self.street, self.city, self.state_id.code, self.zip) if part
        )
        return {"channel": "mail", "to": address or self.display_name}

    @api.model
    def _telecom_check_cpni_secret(self, partner, secret):
        """A CPNI password or back-up answer must not be readily available biographical data
        or account information (47 CFR 64.2010(b))."""
        value = (secret or "").strip().lower()
        if len(value) < 6:
            raise ValidationError(self.env._("A CPNI password has at least 6 characters."))
        compact = re.sub(r"[^a-z0-9]", "", value)
        forbidden = set()
        email_name = (partner.email or "").split("@")[0]
        for text in (partner.name, partner.street, partner.city, email_name):
            forbidden.update(
                t for t in re.split(r"[^a-z0-9]+", (text or "").lower()) if len(t) >= 3
            )
        digits = re.sub(r"\D", "", " ".join(filter(None, (partner.phone, partner.mobile))))
        if digits:
            forbidden.update({digits[-4:], digits})
        if partner.zip:
            forbidden.add(re.sub(r"\D", "", partner.zip))
        forbidden.discard("")
        hits = [token for token in forbidden if len(token) >= 3 and token in compact]
        if hits:
            raise ValidationError(
                self.env._(
                    "The CPNI password or back-up answer must not be based on the customer's "
                    "readily available data (name, address, phone number, email, ZIP). Choose "
                    "something else."
                )
            )

    def _telecom_set_cpni_secret(self, password=None, question=None, answer=None):
        """Set the CPNI password and/or back-up question and answer (stored hashed), and
        notify the customer at its contact point of record."""
        self.ensure_one()
        partner = self.commercial_partner_id
        if not (
            self.env.su
            or self.env.user.has_group(CPNI_GROUP)
            or (self.env.user.share and self.env.user.commercial_partner_id == partner)
        ):
            raise AccessError(self.env._("Only CPNI Authorized staff may set a CPNI password."))
        contact_point = partner._telecom_contact_point()
        values = {}
        if password:
            self._telecom_check_cpni_secret(partner, password)
            values["telecom_cpni_password_hash"] = hash_secret(password.strip())
        if answer:
            if not question:
                raise ValidationError(self.env._("A back-up answer needs its question."))
            self._telecom_check_cpni_secret(partner, answer)
            values["telecom_cpni_backup_answer_hash"] = hash_secret(answer.strip().lower())
            values["telecom_cpni_backup_question"] = question
        partner.sudo().write(values)
        Notice = self.env["telecom.cpni.notice"]
        if password:
            Notice._telecom_notify(partner, "password", contact_point)
        if answer:
            Notice._telecom_notify(partner, "backup", contact_point)

    @api.depends("telecom_cpni_optout_notice_ids.renotice_due")
    def _compute_telecom_cpni_renotice_due(self):
        for partner in self:
            dues = partner.telecom_cpni_optout_notice_ids.mapped("renotice_due")
            partner.telecom_cpni_renotice_due = max(dues) if dues else False

    def _telecom_verify_cpni_secret(self, secret, method="password"):
        self.ensure_one()
        partner = self.commercial_partner_id.sudo()
        if method == "backup":
            stored, given = partner.telecom_cpni_backup_answer_hash, (secret or "").strip().lower()
        else:
            stored, given = partner.telecom_cpni_password_hash, (secret or "").strip()
        return verify_secret(given, stored)

    @api.model
    def _cron_telecom_cpni_opt_out_approvals(self, batch_size=500):
        """Customers sent an opt-out notice who did not object by the end of its waiting period
        get opt-out approval, dated the end of the waiting period."""
        Notice = self.env["telecom.cpni.optout.notice"]
        domain = [
            ("partner_id.telecom_cpni_approval", "=", "none"),
            ("approval_from", "<=", fields.Date.context_today(self)),
        ]
        notices = Notice.search(domain, order="approval_from, id", limit=batch_size)
        channels = {"mail": "written", "email": "electronic", "portal": "portal"}
        for notice in notices:
            partner = notice.partner_id
            if partner.telecom_cpni_approval != "none":
                continue  # an earlier notice of the batch gave the approval
            partner.write(
                {
                    "telecom_cpni_approval": "opt_out",
                    "telecom_cpni_approval_date": notice.approval_from,
                    "telecom_cpni_approval_channel": channels[notice.channel],
                }
            )
        self.env["ir.cron"]._notify_progress(
            done=len(notices), remaining=Notice.search_count(domain)
        )
