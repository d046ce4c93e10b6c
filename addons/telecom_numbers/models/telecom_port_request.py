import re
from datetime import datetime, time, timedelta

import pytz

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from odoo.addons.telecom_catalog.tools.adapter_errors import RECORD_ERRORS
from odoo.addons.telecom_catalog.tools.locking import lock_ids
from odoo.addons.telecom_catalog.tools.secrets import decrypt_secret, encrypt_secret
from odoo.addons.telecom_catalog.tools.us_holidays import add_business_days, is_business_day

from ..adapters import NpacRequestError, NpacTransportError
from .telecom_number import GONE_STATUSES, TOLL_FREE_NPAS, to_e164
from .telecom_port_reject_code import PORT_DIRECTIONS

PORT_STATES = [
    ("draft", "Draft"),
    ("submitted", "Submitted"),
    ("foc", "FOC Received"),
    ("rejected", "Rejected"),
    ("resubmitted", "Resubmitted"),
    ("activated", "Activated"),
    ("cancelled", "Cancelled"),
]
# the PIN given is erased once a request reaches one of these
PIN_ERASED_STATES = ("activated", "cancelled")
# States in which the request waits for the vendor (polled by the cron).
PENDING_STATES = ("submitted", "resubmitted", "foc")
SUBSCRIBER_TYPES = [("residential", "Residential"), ("business", "Business")]
PORT_TYPES = [("simple", "Simple"), ("complex", "Complex")]
# Business days between the request and the earliest due date (FCC simple-port rule: one
# business day; complex ports: the customary four).
PORT_INTERVAL_DAYS = {"simple": 1, "complex": 4}
# A simple port received after this local hour counts as received the next business day.
PORT_CUTOFF_HOUR = 13
PORT_TIMEZONE = "America/New_York"
# A port-out request received outside business hours counts from this local hour of the next
# business day; its answer is due the same local time, the port interval's business days later.
BUSINESS_START_HOUR = 9
# The Number Administrators are alerted this long before an unanswered port-out lapses.
PORT_OUT_ALERT_BEFORE = timedelta(hours=2)
# Port-out review decisions staff take when automatic validation cannot decide.
REVIEW_DECISIONS = ("concur", "reject")


def _simplified(text):
    return re.sub(r"[^a-z0-9]", "", (text or "").casefold())


class TelecomPortRequest(models.Model):
    _name = "telecom.port.request"
    _description = "Number Port Request"
    _check_company_auto = True
    _inherit = ["portal.mixin", "mail.thread", "mail.activity.mixin"]
    _order = "id desc"
    _sql_constraints = [
        (
            "vendor_reference_uniq",
            "UNIQUE(backend_id, vendor_reference)",
            "A vendor reference belongs to one port request.",
        ),
    ]

    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )

    # ------------------------------------------------------------
    # FIELDS
    # ------------------------------------------------------------

    name = fields.Char(string="Reference", required=True, readonly=True, default="/", copy=False)
    direction = fields.Selection(
        PORT_DIRECTIONS,
        required=True,
        default="in",
        tracking=True,
        help="Port-in: a customer brings numbers from another carrier. Port-out: another "
        "carrier asks for our customer's numbers.",
    )
    state = fields.Selection(
        PORT_STATES, required=True, default="draft", tracking=True, copy=False, index=True
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        tracking=True,
        index=True,
        help="Port-in: the customer who will own the numbers. Port-out: our customer who owns "
        "them (found from the numbers when left empty).",
    )
    user_id = fields.Many2one(
        "res.users", string="Responsible", default=lambda self: self.env.user, tracking=True
    )
    number_input = fields.Text(
        string="Numbers to Port",
        help="One or more numbers, one per line or separated by commas, in any usual spelling.",
    )
    number_ids = fields.Many2many(
        "telecom.number",
        "telecom_port_request_number_rel",
        "request_id",
        "number_id",
        string="Numbers",
        readonly=True,
        copy=False,
        check_company=True,
    )
    number_count = fields.Integer(compute="_compute_number_count")
    losing_carrier = fields.Char(help="Port-in: the carrier the numbers leave.")
    winning_carrier = fields.Char(help="Port-out: the carrier the numbers go to.")
    account_number = fields.Char(
        help="Port-in: the customer's account number at the losing carrier. Port-out: the "
        "account number the winning carrier gave, checked against ours."
    )
    pin = fields.Char(
        string="PIN / Passcode",
        compute="_compute_pin",
        inverse="_inverse_pin",
        groups="telecom_catalog.group_telecom_number_admin",
        copy=False,
        help="Port-in: the customer's PIN at the losing carrier. Port-out: the PIN the winning "
        "carrier gave, checked against the customer's port-out PIN. Stored encrypted (it is "
        "sent on to the NPAC/SOA vendor) and erased once the request is activated or "
        "cancelled: type it to set it, it is never shown again.",
    )
    pin_encrypted = fields.Char(groups="base.group_system", copy=False, readonly=True)
    pin_set = fields.Boolean(string="PIN Given", compute="_compute_pin")
    authorized_name = fields.Char(
        help="Name of the account holder (or authorized person) as the carrier knows it.",
    )
    service_street = fields.Char()
    service_city = fields.Char()
    service_state_id = fields.Many2one("res.country.state", string="Service State")
    service_zip = fields.Char(string="Service ZIP")
    billing_telephone_number = fields.Char(
        string="Billing Telephone Number",
        help="BTN: the main number of the account at the losing carrier (port-in), or the one "
        "given by the winning carrier (port-out).",
    )
    subscriber_type = fields.Selection(SUBSCRIBER_TYPES, default="residential", required=True)
    port_type = fields.Selection(
        PORT_TYPES,
        default="simple",
        required=True,
        help="Simple port (FCC): a single line, no complex switch translations, no reseller; "
        "due one business day after a request received by 1 pm (New York time) on a "
        "business day. Complex ports need four business days.",
    )
    desired_due_date = fields.Date(string="Desired Due Date", tracking=True)
    earliest_due_date = fields.Date(compute="_compute_earliest_due_date")
    foc_date = fields.Date(
        string="FOC Date", tracking=True, copy=False, help="Firm order commitment date."
    )
    activation_date = fields.Datetime(readonly=True, copy=False)
    loa_file = fields.Binary(
        string="Letter of Authorization",
        attachment=True,
        copy=False,
        help="Signed LOA of the customer (PDF or image).",
    )
    loa_filename = fields.Char(copy=False)
    reject_code_id = fields.Many2one(
        "telecom.port.reject.code", string="Rejection Code", tracking=True, copy=False
    )
    reject_hint = fields.Text(related="reject_code_id.fix_hint", string="How to Fix")
    reject_message = fields.Text(string="Rejection Details", copy=False)
    attempt_ids = fields.One2many("telecom.port.attempt", "request_id", string="Attempts")
    attempt_count = fields.Integer(compute="_compute_attempt_count")
    backend_id = fields.Many2one(
        "telecom.npac.backend",
        string="NPAC/SOA Vendor",
        default=lambda self: self.env["telecom.npac.backend"].search(
            [("is_default", "=", True)], limit=1
        ),
        help="Vendor the request goes through. Leave empty to handle the port by hand (record "
        "FOC, rejection and activation with the buttons).",
    )
    vendor_reference = fields.Char(readonly=True, copy=False, index="btree_not_null")
    last_poll_date = fields.Datetime(readonly=True, copy=False)
    transport_error = fields.Text(
        readonly=True,
        copy=False,
        help="Last vendor call that failed in transit; nothing was changed, try again.",
    )
    received_date = fields.Datetime(
        readonly=True,
        copy=False,
        help="Port-out: when the gaining carrier's request reached us through the NPAC/SOA vendor.",
    )
    response_deadline = fields.Datetime(
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="Port-out: the answer is due by then (the port interval in business days, "
        "federal holidays excluded, from the request's receipt).",
    )
    answered_date = fields.Datetime(readonly=True, copy=False)
    deadline_alerted = fields.Boolean(readonly=True, copy=False)
    needs_review = fields.Boolean(
        readonly=True,
        copy=False,
        help="Automatic validation could not decide (the customer has no port-out PIN): a "
        "Number Administrator confirms with the customer, then concurs or rejects.",
    )

    # ------------------------------------------------------------
    # COMPUTE
    # ------------------------------------------------------------

    def _compute_access_url(self):
        super()._compute_access_url()
        for request in self:
            request.access_url = f"/my/port-requests/{request.id}"

    def _compute_pin(self):
        for request in self:
            request.pin = False
            request.pin_set = bool(request.sudo().pin_encrypted)

    def _inverse_pin(self):
        for request in self:
            pin = (request.pin or "").strip()
            request.sudo().pin_encrypted = encrypt_secret(self.env, pin)

    @api.depends("number_ids")
    def _compute_number_count(self):
        for request in self:
            request.number_count = len(request.number_ids)

    @api.depends("attempt_ids")
    def _compute_attempt_count(self):
        for request in self:
            request.attempt_count = len(request.attempt_ids)

    @api.depends("port_type")
    def _compute_earliest_due_date(self):
        for request in self:
            request.earliest_due_date = request._telecom_earliest_due_date()

    # ------------------------------------------------------------
    # CONSTRAINT
    # ------------------------------------------------------------

    @api.constrains("billing_telephone_number")
    def _check_billing_telephone_number(self):
        for request in self:
            if request.billing_telephone_number:
                to_e164(self.env, request.billing_telephone_number)

    # ------------------------------------------------------------
    # ONCHANGE
    # ------------------------------------------------------------

    @api.onchange("partner_id")
    def _onchange_partner_id(self):
        """Port-in: start from the customer's name and address (the losing carrier's records
        may differ; staff correct them). Port-out data comes from the other carrier."""
        partner = self.partner_id
        if self.direction != "in" or not partner:
            return
        self.authorized_name = partner.name
        self.service_street = partner.street
        self.service_city = partner.city
        self.service_state_id = partner.state_id
        self.service_zip = partner.zip

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].next_by_code("telecom.port.request") or "/"
            if vals.get("billing_telephone_number"):
                vals["billing_telephone_number"] = to_e164(
                    self.env, vals["billing_telephone_number"]
                )
        return super().create(vals_list)

    def write(self, vals):
        if vals.get("billing_telephone_number"):
            vals["billing_telephone_number"] = to_e164(self.env, vals["billing_telephone_number"])
        if vals.get("state") in PIN_ERASED_STATES:
            vals["pin_encrypted"] = False  # the PIN is not needed any more: it goes
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_sent(self):
        if any(request.state != "draft" or request.attempt_ids for request in self):
            raise UserError(
                self.env._("Only draft port requests never sent can be deleted; cancel the others.")
            )

    # ------------------------------------------------------------
    # ACTION
    # ------------------------------------------------------------

    def action_submit(self):
        self.ensure_one()
        if self.state != "draft":
            raise UserError(self.env._("Only a draft port request can be submitted."))
        return self._telecom_process("submit")

    def action_resubmit(self):
        self.ensure_one()
        if self.state != "rejected":
            raise UserError(self.env._("Only a rejected port request can be resubmitted."))
        return self._telecom_process("resubmit")

    def action_record_foc(self):
        self.ensure_one()
        if not self.foc_date:
            raise UserError(self.env._("Enter the FOC date the vendor gave, then record it."))
        self._telecom_apply_foc(self.foc_date, self.env._("FOC recorded by hand."))
        return True

    def action_open_reject_wizard(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Record a Rejection"),
            "res_model": "telecom.port.reject.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_request_id": self.id},
        }

    def action_activate(self):
        for request in self:
            if request.state != "foc":
                raise UserError(
                    self.env._(
                        "Port request %(name)s can be activated only after its FOC.",
                        name=request.name,
                    )
                )
            request._telecom_activate()
        return True

    def action_cancel(self):
        self.ensure_one()
        if self.state in ("activated", "cancelled"):
            raise UserError(
                self.env._("An activated or cancelled port request cannot be cancelled.")
            )
        if self.backend_id and self.vendor_reference:
            try:
                self.backend_id._telecom_adapter().cancel(self.vendor_reference)
            except (NpacTransportError, NpacRequestError) as error:
                return self._telecom_vendor_failure("cancel", error)
        self._telecom_cancel_local(self.env._("Cancelled by %(user)s.", user=self.env.user.name))
        return True

    def action_review_concur(self):
        """Staff confirmed the port-out with the customer: answer it (other checks still run)."""
        return self._telecom_review("concur")

    def action_review_reject(self):
        """The customer did not confirm the port-out: reject it."""
        return self._telecom_review("reject")

    def _telecom_review(self, decision):
        self.ensure_one()
        if not (self.needs_review and self.state == "draft"):
            raise UserError(self.env._("Only a port-out waiting for review can be decided."))
        self.activity_unlink(["telecom_numbers.mail_activity_port_out_review"])
        return self.with_context(telecom_port_out_review=decision)._telecom_process("submit")

    def action_poll_status(self):
        for request in self:
            request._telecom_poll()
        return True

    def action_view_numbers(self):
        self.ensure_one()
        return self.env["telecom.number"]._telecom_action_list(
            self.name, [("id", "in", self.number_ids.ids)]
        )

    # ------------------------------------------------------------
    # BUSINESS: validation
    # ------------------------------------------------------------

    def _telecom_parse_numbers(self):
        """E.164 numbers of ``number_input`` in order, without repeats; raises listing the bad
        entries."""
        self.ensure_one()
        numbers, bad = [], []
        for item in re.split(r"[,;\n]+", self.number_input or ""):
            if not item.strip():
                continue
            try:
                e164 = to_e164(self.env, item)
            except ValidationError:
                bad.append(item.strip())
                continue
            if e164 not in numbers:
                numbers.append(e164)
        if bad:
            raise ValidationError(
                self.env._("These are not valid telephone numbers: %(bad)s.", bad=", ".join(bad))
            )
        return numbers

    def _telecom_earliest_due_date(self, now=None):
        """First due date the port interval allows for a request sent at ``now`` (UTC):
        business days are Monday to Friday except the US federal holidays."""
        tz = pytz.timezone(PORT_TIMEZONE)
        local = pytz.utc.localize(now or fields.Datetime.now()).astimezone(tz)
        received = local.date()
        if not is_business_day(received) or local.hour >= PORT_CUTOFF_HOUR:
            received = add_business_days(received, 1)
        return add_business_days(received, PORT_INTERVAL_DAYS[self.port_type or "simple"])

    def _telecom_port_in_errors(self, numbers):
        """Plain-English reasons the port-in cannot be sent (empty list: it can)."""
        self.ensure_one()
        _ = self.env._
        errors = []
        if not numbers:
            errors.append(_("Enter at least one number to port."))
        if self.port_type == "simple" and len(numbers) > 1:
            errors.append(_("A simple port covers a single line: make it a complex port."))
        ours = (
            self.env["telecom.number"].search(
                [("name", "in", numbers), ("status", "not in", GONE_STATUSES)]
            )
            - self.number_ids
        )
        for number in ours:
            errors.append(
                _(
                    "%(number)s is already ours (%(status)s); only numbers of other carriers "
                    "can be ported in.",
                    number=number.name,
                    status=dict(number._fields["status"].selection)[number.status],
                )
            )
        required = {
            "partner_id": _("Customer"),
            "losing_carrier": _("Losing Carrier"),
            "account_number": _("Account Number"),
            "authorized_name": _("Authorized Name"),
            "service_street": _("Service Street"),
            "service_city": _("Service City"),
            "service_state_id": _("Service State"),
            "service_zip": _("Service ZIP"),
            "desired_due_date": _("Desired Due Date"),
            "loa_file": _("Letter of Authorization"),
        }
        missing = [label for field, label in required.items() if not self[field]]
        if missing:
            errors.append(_("Fill in: %(fields)s.", fields=", ".join(missing)))
        if self.service_zip and not re.fullmatch(r"\d{5}(-\d{4})?", self.service_zip.strip()):
            errors.append(_("The service ZIP code must be 5 digits (or ZIP+4)."))
        due = self.desired_due_date
        if due:
            earliest = self._telecom_earliest_due_date()
            if due < earliest:
                errors.append(
                    _(
                        "The desired due date %(due)s is too early for a %(type)s port: the "
                        "earliest is %(earliest)s.",
                        due=due,
                        type=dict(PORT_TYPES)[self.port_type].lower(),
                        earliest=earliest,
                    )
                )
            elif not is_business_day(due):
                errors.append(
                    _(
                        "The desired due date must be a business day (Monday to Friday, not a "
                        "federal holiday)."
                    )
                )
        return errors

    def _telecom_port_out_check(self, numbers):
        """(reject code xmlid, message) of the first port-out check that fails, or (False, '')."""
        self.ensure_one()
        _ = self.env._
        Number = self.env["telecom.number"]
        found = Number.search([("name", "in", numbers)])
        missing = set(numbers) - set(found.mapped("name"))
        if not numbers or missing:
            return "reject_not_on_account", _(
                "Not our numbers: %(numbers)s.", numbers=", ".join(sorted(missing))
            )
        pending = found.filtered(lambda n: n.status == "porting_out")
        if pending:
            return "reject_pending_order", _(
                "Already porting out: %(numbers)s.", numbers=", ".join(pending.mapped("name"))
            )
        inactive = found.filtered(lambda n: n.status != "assigned")
        if inactive:
            return "reject_number_inactive", _(
                "Not in service: %(numbers)s.", numbers=", ".join(inactive.mapped("name"))
            )
        owners = found.partner_id.commercial_partner_id
        if len(owners) != 1 or (
            self.partner_id and self.partner_id.commercial_partner_id != owners
        ):
            return "reject_not_on_account", _("The numbers are not all on the same account.")
        customer = owners.sudo()
        if customer.telecom_port_out_lock:
            return "reject_account_locked", _("The customer locked their numbers against ports.")
        if _simplified(self.account_number) != _simplified(customer.telecom_account_number):
            return "reject_account_mismatch", _("The account number does not match.")
        pin_error = self._telecom_port_out_pin_check(customer)
        if pin_error:
            return pin_error
        names = {_simplified(customer.name)} | {
            _simplified(p.name) for p in found.partner_id if p.name
        }
        if _simplified(self.authorized_name) not in names:
            return "reject_name_mismatch", _("The name does not match the account holder.")
        zips = {(p.zip or "").strip()[:5] for p in customer | found.partner_id if p.zip}
        if (self.service_zip or "").strip()[:5] not in zips:
            return "reject_address_mismatch", _("The ZIP code does not match the account.")
        if self.billing_telephone_number and self.billing_telephone_number not in (
            Number.search([("partner_id", "child_of", customer.id)]).mapped("name")
        ):
            return "reject_btn_mismatch", _("The billing telephone number is not on the account.")
        if self.desired_due_date and self.desired_due_date < self._telecom_earliest_due_date():
            return "reject_invalid_due_date", _(
                "The due date is earlier than the port interval allows (%(earliest)s).",
                earliest=self._telecom_earliest_due_date(),
            )
        return False, ""

    def _telecom_pin(self):
        """The PIN given, in clear, for the vendor and the port-out check (never for a
        screen)."""
        self.ensure_one()
        return decrypt_secret(self.env, self.sudo().pin_encrypted)

    def _telecom_port_out_pin_check(self, customer):
        """A port-out needs the customer's port-out PIN (FCC port-out fraud rules). A customer
        without one cannot be checked automatically: staff review it (``review``) and decide
        (context ``telecom_port_out_review``)."""
        _ = self.env._
        given = (self._telecom_pin() or "").strip()
        review = self.env.context.get("telecom_port_out_review")
        if not customer.telecom_port_out_pin_set:
            if review == "reject":
                return "reject_pin_mismatch", _("The customer did not confirm the port-out.")
            if review == "concur":
                return False
            return "review", _(
                "The customer has no port-out PIN: confirm the request with the customer on "
                "their contact point, then concur or reject."
            )
        if not given:
            return "reject_pin_mismatch", _("The port-out PIN is required.")
        if not customer._telecom_port_out_pin_matches(given):
            return "reject_pin_mismatch", _("The port-out PIN does not match.")
        return False

    # ------------------------------------------------------------
    # BUSINESS: inbound port-outs (from gaining carriers, through the vendor)
    # ------------------------------------------------------------

    @api.model
    def _telecom_response_deadline(self, received, port_type="simple"):
        """When the answer to a port-out received at ``received`` (UTC) is due: the same local
        time (New York) the port interval's business days later; a request received outside
        a business day counts from its start."""
        tz = pytz.timezone(PORT_TIMEZONE)
        local = pytz.utc.localize(received).astimezone(tz)
        day, at = local.date(), local.time().replace(microsecond=0)
        if not is_business_day(day):
            day, at = add_business_days(day, 1), time(BUSINESS_START_HOUR)
        due = add_business_days(day, PORT_INTERVAL_DAYS[port_type or "simple"])
        return tz.localize(datetime.combine(due, at)).astimezone(pytz.utc).replace(tzinfo=None)

    @api.model
    def _telecom_receive_port_outs(self, backend, items):
        """Record the port-out requests ``items`` the vendor ``backend`` sent (polled or
        pushed; see adapters/base.py), once each, and wake the validation job. Returns the
        requests created."""
        known = set(
            self.search(
                [
                    ("backend_id", "=", backend.id),
                    ("vendor_reference", "in", [item.get("reference") for item in items]),
                ]
            ).mapped("vendor_reference")
        )
        vals_list = []
        for item in items:
            if not item.get("reference") or item["reference"] in known:
                continue
            known.add(item["reference"])
            vals_list.append(self._telecom_port_out_vals(backend, item))
        requests = self.create(vals_list)
        for request in requests:
            request.message_post(
                body=self.env._(
                    "Port-out request received from %(carrier)s through %(vendor)s; answer due "
                    "by %(deadline)s (UTC).",
                    carrier=request.winning_carrier or self.env._("another carrier"),
                    vendor=backend.name,
                    deadline=request.response_deadline,
                )
            )
        if requests:
            self.env.ref("telecom_numbers.ir_cron_validate_port_outs")._trigger()
        return requests

    @api.model
    def _telecom_port_out_vals(self, backend, item):
        try:
            received = datetime.fromisoformat((item.get("received_at") or "")[:19])
        except ValueError:
            received = fields.Datetime.now()
        port_type = item.get("port_type") if item.get("port_type") in PORT_INTERVAL_DAYS else None
        numbers = item.get("numbers") or []
        return {
            "direction": "out",
            "backend_id": backend.id,
            "vendor_reference": item["reference"],
            "number_input": "\n".join(numbers if isinstance(numbers, list) else [numbers]),
            "winning_carrier": item.get("winning_carrier"),
            "account_number": item.get("account_number"),
            "pin": item.get("pin"),
            "authorized_name": item.get("authorized_name"),
            "service_zip": item.get("zip"),
            "billing_telephone_number": item.get("btn") or False,
            "desired_due_date": item.get("due_date") or False,
            "port_type": port_type or "simple",
            "received_date": received,
            "response_deadline": self._telecom_response_deadline(received, port_type),
        }

    def _telecom_auto_validate(self):
        """Validate and answer one received port-out; a number that is not valid or a
        request the checks cannot decide is left to staff (activity)."""
        self.ensure_one()
        try:
            with self.env.cr.savepoint():
                self._telecom_process("submit")
        except RECORD_ERRORS as error:  # UserError (ValidationError: a number that is not one)
            self._telecom_ask_review(str(error))

    def _telecom_ask_review(self, message):
        self.write({"needs_review": True})
        self.activity_schedule(
            "telecom_numbers.mail_activity_port_out_review",
            summary=self.env._("Port-out to review"),
            note=message,
            date_deadline=fields.Datetime.context_timestamp(self, self.response_deadline).date()
            if self.response_deadline
            else fields.Date.context_today(self),
        )

    @api.model
    def _cron_poll_port_outs(self):
        """Fetch the port-out requests waiting at each active vendor."""
        received = self.browse()
        for backend in self.env["telecom.npac.backend"].search([]):
            try:
                items = backend._telecom_adapter().port_outs()
            except (NpacTransportError, NpacRequestError) as error:
                backend.message_post(
                    body=self.env._(
                        "Port-out requests could not be fetched: %(error)s", error=error
                    )
                )
                continue
            received |= self._telecom_receive_port_outs(backend, items)
        return received

    @api.model
    def _cron_validate_port_outs(self, batch_size=50):
        """Validate and answer received port-outs, oldest deadline first, one batch per call."""
        self.flush_model()
        where = SQL(
            "direction = 'out' AND state = 'draft' AND received_date IS NOT NULL "
            "AND needs_review IS NOT TRUE"
        )
        requests = self.browse(
            lock_ids(self.env, self._table, where, order="response_deadline, id", limit=batch_size)
        )
        for request in requests:
            request._telecom_auto_validate()
        if requests.filtered("transport_error"):
            remaining = 0  # the vendor is down: the next scheduled run tries again
        else:
            self.flush_model()
            self.env.cr.execute(SQL("SELECT count(*) FROM telecom_port_request WHERE %s", where))
            remaining = self.env.cr.fetchone()[0]
        self.env["ir.cron"]._notify_progress(done=len(requests), remaining=remaining)
        return requests

    @api.model
    def _cron_alert_port_out_deadlines(self):
        """Alert the responsible of each port-out still unanswered close to its deadline."""
        soon = fields.Datetime.now() + PORT_OUT_ALERT_BEFORE
        late = self.search(
            [
                ("direction", "=", "out"),
                ("answered_date", "=", False),
                ("state", "=", "draft"),
                ("response_deadline", "<=", soon),
                ("deadline_alerted", "=", False),
            ]
        )
        for request in late:
            request.activity_schedule(
                "telecom_numbers.mail_activity_port_out_deadline",
                summary=self.env._(
                    "Answer due by %(deadline)s (UTC)", deadline=request.response_deadline
                ),
                note=request.transport_error or request.reject_message or "",
                user_id=(request.user_id or self.env.user).id,
            )
        late.write({"deadline_alerted": True})
        return late

    # ------------------------------------------------------------
    # BUSINESS: sending and vendor answers
    # ------------------------------------------------------------

    def _telecom_vendor_payload(self, numbers, decision=None):
        self.ensure_one()
        request = self.sudo()
        payload = {
            "type": "port_in" if self.direction == "in" else "port_out_response",
            "request": self.name,
            "numbers": numbers,
            "account_number": request.account_number,
            "pin": self._telecom_pin(),
            "authorized_name": request.authorized_name,
            "service_address": {
                "street": request.service_street,
                "city": request.service_city,
                "state": request.service_state_id.code,
                "zip": request.service_zip,
            },
            "btn": request.billing_telephone_number,
            "due_date": fields.Date.to_string(request.desired_due_date),
            "subscriber_type": request.subscriber_type,
            "port_type": request.port_type,
            "losing_carrier": request.losing_carrier,
            "winning_carrier": request.winning_carrier,
        }
        if decision:
            payload["decision"] = decision
        return payload

    def _telecom_next_key(self):
        """Idempotency key of the next attempt: unchanged while calls fail in transit."""
        sent = self.attempt_ids.filtered(lambda a: a.result != "transport_error")
        return f"{self.name}/{len(sent) + 1}"

    def _telecom_log_attempt(self, kind, result, numbers=(), **values):
        self.ensure_one()
        attempt = self.env["telecom.port.attempt"].create(
            {
                "request_id": self.id,
                "attempt_number": len(self.attempt_ids) + 1,
                "kind": kind,
                "result": result,
                "numbers": "\n".join(numbers),
                "due_date": self.desired_due_date,
                **values,
            }
        )
        self.invalidate_recordset(["attempt_ids"])
        return attempt

    def _telecom_vendor_failure(self, kind, error, numbers=(), key=False):
        """Log a failed vendor call; nothing else changes, so the request stays retryable."""
        transport = isinstance(error, NpacTransportError)
        self._telecom_log_attempt(
            kind,
            "transport_error" if transport else "refused",
            numbers,
            idempotency_key=key,
            message=str(error),
        )
        if transport:
            self.transport_error = str(error)
            body = self.env._(
                "The vendor could not be reached; nothing was changed, try again: %(error)s",
                error=error,
            )
        else:
            body = self.env._(
                "The vendor refused the request; fix it and try again: %(error)s", error=error
            )
        self.message_post(body=body)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {"type": "warning", "sticky": True, "message": body},
        }

    def _telecom_process(self, kind):
        """Submit or resubmit: port-in to the vendor, port-out validated and answered."""
        numbers = self._telecom_parse_numbers()
        if self.direction == "out":
            return self._telecom_process_port_out(kind, numbers)
        errors = self._telecom_port_in_errors(numbers)
        if errors:
            raise UserError("\n".join(errors))
        key = self._telecom_next_key()
        answer = {"status": "submitted"}
        if self.backend_id:
            try:
                answer = self.backend_id._telecom_adapter().submit(
                    self._telecom_vendor_payload(numbers), key
                )
            except (NpacTransportError, NpacRequestError) as error:
                return self._telecom_vendor_failure(kind, error, numbers, key)
        # The vendor has the request: from here on, change our records.
        self._telecom_sync_port_in_numbers(numbers)
        self._telecom_log_attempt(
            kind,
            "sent",
            numbers,
            idempotency_key=key,
            vendor_reference=answer.get("reference"),
        )
        self.write(
            {
                "state": "submitted" if kind == "submit" else "resubmitted",
                "vendor_reference": answer.get("reference") or self.vendor_reference,
                "transport_error": False,
                "reject_code_id": False,
                "reject_message": False,
                "foc_date": False,
            }
        )
        self.activity_unlink(["telecom_numbers.mail_activity_port_rejected"])
        self._telecom_apply_vendor_status(answer)
        return True

    def _telecom_process_port_out(self, kind, numbers):
        """Validate a port-out request against the customer's records and answer it."""
        code_xmlid, message = self._telecom_port_out_check(numbers)
        found = self.env["telecom.number"].search([("name", "in", numbers)])
        if not self.partner_id and len(found.partner_id.commercial_partner_id) == 1:
            self.partner_id = found.partner_id.commercial_partner_id
        if code_xmlid == "review":
            if not self.needs_review:
                self._telecom_ask_review(message)
                self._telecom_notify_port_out_customer()
            return True
        key = self._telecom_next_key()
        code = self.env.ref(f"telecom_numbers.{code_xmlid}") if code_xmlid else False
        foc = False
        if not code:
            earliest = self._telecom_earliest_due_date()
            foc = max(self.desired_due_date or earliest, earliest)
        if self.backend_id:
            try:
                self._telecom_send_port_out_answer(numbers, code, foc, message, key)
            except (NpacTransportError, NpacRequestError) as error:
                return self._telecom_vendor_failure("validation", error, numbers, key)
        self.write({"transport_error": False, "answered_date": fields.Datetime.now()})
        if code:
            self._telecom_log_attempt(
                "validation",
                "rejected",
                numbers,
                idempotency_key=key,
                reject_code_id=code.id,
                message=message,
            )
            self.write({"state": "rejected", "reject_code_id": code.id, "reject_message": message})
        else:
            found._telecom_set_status(
                "porting_out",
                self.env._("Port-out %(name)s validated", name=self.name),
                history_values={"port_request_id": self.id},
            )
            self._telecom_log_attempt(
                "validation",
                "foc",
                numbers,
                idempotency_key=key,
                foc_date=foc,
                message=self.env._("Validated: account, PIN, name and ZIP match."),
            )
            self.write(
                {
                    "state": "foc",
                    "foc_date": foc,
                    "number_ids": [fields.Command.set(found.ids)],
                    "reject_code_id": False,
                    "reject_message": False,
                }
            )
        self.write({"needs_review": False})
        self.activity_unlink(
            [
                "telecom_numbers.mail_activity_port_out_review",
                "telecom_numbers.mail_activity_port_out_deadline",
            ]
        )
        self._telecom_notify_port_out_customer()
        return True

    def _telecom_send_port_out_answer(self, numbers, code, foc, message, key):
        """Our answer to the vendor: to a request it sent us (``respond``), or, for a request
        staff typed in, as a submission."""
        adapter = self.backend_id._telecom_adapter()
        if self.received_date and self.vendor_reference:
            return adapter.respond(
                self.vendor_reference,
                {
                    "decision": "reject" if code else "concur",
                    "reject_code": code.code if code else None,
                    "foc_date": fields.Date.to_string(foc) if foc else None,
                    "message": message,
                },
                key,
            )
        payload = self._telecom_vendor_payload(numbers, "reject" if code else "concur")
        payload["reject_code"] = code.code if code else None
        answer = adapter.submit(payload, key)
        self.vendor_reference = answer.get("reference") or self.vendor_reference
        return answer

    def _telecom_notify_port_out_customer(self):
        """Email the customer about this port-out request (every request, whatever the result)."""
        if not self.partner_id:
            return
        self.message_post_with_source(
            "telecom_numbers.mail_template_port_out_notice",
            subtype_xmlid="mail.mt_comment",
            message_type="comment",
        )

    def _telecom_sync_port_in_numbers(self, numbers):
        """Numbers of the port-in sit in "porting in": create those new to us, take back those
        we had ported out, and drop those removed from the request."""
        Number = self.env["telecom.number"]
        history = {"port_request_id": self.id}
        reason = self.env._("Port-in %(name)s", name=self.name)
        self._telecom_drop_port_in_numbers(
            self.number_ids.filtered(lambda n: n.name not in numbers)
        )
        existing = {n.name: n for n in Number.search([("name", "in", numbers)])}
        win_back = Number.browse([n.id for n in existing.values() if n.status in GONE_STATUSES])
        win_back._telecom_set_status(
            "porting_in", reason, {"partner_id": self.partner_id.id}, history
        )
        new = Number.with_context(
            telecom_status_reason=reason, telecom_history_values=history
        ).create(
            [
                {
                    "name": e164,
                    "status": "porting_in",
                    "source": "ported_in",
                    "partner_id": self.partner_id.id,
                    "number_type": "toll_free" if e164[2:5] in TOLL_FREE_NPAS else "geographic",
                    "state_id": self.service_state_id.id,
                }
                for e164 in numbers
                if e164 not in existing
            ]
        )
        self.number_ids = [fields.Command.set((self.number_ids | win_back | new).ids)]

    def _telecom_drop_port_in_numbers(self, numbers):
        """Undo "porting in": numbers we had ported out (or snapped back) go back to that
        status, numbers created for this request leave the inventory."""
        if not numbers:
            return
        reason = self.env._("Removed from port-in %(name)s", name=self.name)
        back, created = {}, self.env["telecom.number"]
        for number in numbers:
            entry = number.history_ids.filtered(
                lambda h: h.port_request_id == self and h.to_status == "porting_in"
            )[-1:]
            if entry.from_status in GONE_STATUSES:
                back[entry.from_status] = back.get(entry.from_status, created.browse()) | number
            else:
                created |= number
        self.number_ids = [fields.Command.unlink(n.id) for n in numbers]
        for status, gone in back.items():
            gone._telecom_set_status(
                status, reason, {"partner_id": False}, {"port_request_id": self.id}
            )
        created.unlink()

    def _telecom_last_attempt(self):
        return self.attempt_ids.filtered(lambda a: a.result not in ("transport_error", "refused"))[
            :1
        ]

    def _telecom_apply_vendor_status(self, answer):
        """Apply a status reported by the vendor (submit answer, poll or callback). Idempotent."""
        self.ensure_one()
        status = answer.get("status")
        message = answer.get("message") or ""
        if status == "foc":
            foc = fields.Date.to_date(answer.get("foc_date")) or self.desired_due_date
            self._telecom_apply_foc(foc, message)
        elif status == "rejected":
            code = self.env["telecom.port.reject.code"]._telecom_from_vendor(
                answer.get("reject_code")
            )
            self._telecom_reject(code, message)
        elif status == "activated" and self.state != "activated":
            self._telecom_activate()
        elif status == "cancelled" and self.state != "cancelled":
            self._telecom_cancel_local(message or self.env._("Cancelled by the vendor."))
        return True

    def _telecom_apply_foc(self, foc_date, message=""):
        self.ensure_one()
        if self.state == "foc" and self.foc_date == foc_date:
            return
        if self.state not in ("submitted", "resubmitted", "foc"):
            raise UserError(
                self.env._(
                    "Port request %(name)s cannot receive a FOC while %(state)s.",
                    name=self.name,
                    state=dict(PORT_STATES)[self.state].lower(),
                )
            )
        self.write({"state": "foc", "foc_date": foc_date})
        self._telecom_last_attempt().write(
            {"result": "foc", "foc_date": foc_date, "message": message}
        )

    def _telecom_reject(self, code, message=""):
        """Record a rejection: staff fix the fields and resubmit; numbers stay "porting in"."""
        self.ensure_one()
        if self.state == "rejected" and self.reject_code_id == code:
            return
        if self.state not in ("submitted", "resubmitted", "foc"):
            raise UserError(
                self.env._(
                    "Port request %(name)s cannot be rejected while %(state)s.",
                    name=self.name,
                    state=dict(PORT_STATES)[self.state].lower(),
                )
            )
        self.write({"state": "rejected", "reject_code_id": code.id, "reject_message": message})
        self._telecom_last_attempt().write(
            {"result": "rejected", "reject_code_id": code.id, "message": message}
        )
        self.activity_schedule(
            "telecom_numbers.mail_activity_port_rejected",
            summary=self.env._("Rejected: %(reason)s", reason=code.name),
            note=code.fix_hint,
            user_id=(self.user_id or self.env.user).id,
        )

    def _telecom_activate(self):
        self.ensure_one()
        history = {"port_request_id": self.id}
        if self.direction == "in":
            numbers = self.number_ids.with_context(telecom_history_values=history)
            numbers._telecom_assign(
                self.partner_id, self.env._("Port-in %(name)s activated", name=self.name)
            )
            numbers.write({"source": "ported_in"})
        else:
            self.number_ids._telecom_set_status(
                "ported_out",
                self.env._("Port-out %(name)s completed", name=self.name),
                {"partner_id": False, "sale_line_id": False},
                history,
            )
        self.write({"state": "activated", "activation_date": fields.Datetime.now()})
        self._telecom_last_attempt().write({"result": "activated"})
        if self.direction == "out":
            self._telecom_port_out_completed()

    def _telecom_port_out_completed(self):
        """Hook called once a port-out is complete (numbers are "ported out").

        telecom_billing overrides it to flag the services of these numbers for termination.
        """
        self.ensure_one()
        return True

    def _telecom_cancel_local(self, message):
        self.ensure_one()
        if self.direction == "in":
            self._telecom_drop_port_in_numbers(self.number_ids)
        else:
            self.number_ids.filtered(lambda n: n.status == "porting_out")._telecom_set_status(
                "assigned",
                self.env._("Port-out %(name)s cancelled", name=self.name),
                history_values={"port_request_id": self.id},
            )
        self._telecom_log_attempt("cancel", "cancelled", message=message)
        self.write({"state": "cancelled"})
        self.activity_unlink(["telecom_numbers.mail_activity_port_rejected"])

    def _telecom_poll(self):
        """Ask the vendor for the status of this request and apply it."""
        self.ensure_one()
        if not (self.backend_id and self.vendor_reference) or self.state not in PENDING_STATES:
            return False
        try:
            answer = self.backend_id._telecom_adapter().status(self.vendor_reference)
        except (NpacTransportError, NpacRequestError) as error:
            self.write({"transport_error": str(error), "last_poll_date": fields.Datetime.now()})
            return False
        self.write({"last_poll_date": fields.Datetime.now(), "transport_error": False})
        self._telecom_apply_vendor_status(answer)
        return True

    @api.model
    def _cron_poll_npac_status(self, batch_size=50):
        """Poll the vendor for requests waiting on it, least recently polled first."""
        self.flush_model(["state", "backend_id", "vendor_reference", "last_poll_date"])
        ids = lock_ids(
            self.env,
            self._table,
            SQL(
                "state IN %s AND backend_id IS NOT NULL AND vendor_reference IS NOT NULL",
                PENDING_STATES,
            ),
            order="last_poll_date NULLS FIRST, id",
            limit=batch_size,
        )
        requests = self.browse(ids)
        done = 0
        for request in requests:
            try:
                with self.env.cr.savepoint():
                    request._telecom_poll()
                done += 1
            except (UserError, ValidationError) as error:
                request.message_post(
                    body=self.env._(
                        "The vendor status could not be applied: %(error)s", error=error
                    )
                )
        self.env["ir.cron"]._notify_progress(done=done, remaining=0)
        return done
