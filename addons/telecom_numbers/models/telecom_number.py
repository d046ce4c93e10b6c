import logging
from datetime import datetime, time, timedelta

import phonenumbers
import psycopg2

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools.sql import SQL, create_index, index_exists

from odoo.addons.telecom_catalog.tools.adapter_errors import RECORD_ERRORS
from odoo.addons.telecom_catalog.tools.locking import lock_ids

from ..adapters import NpacRequestError, NpacTransportError

_logger = logging.getLogger(__name__)

NUMBER_STATUSES = [
    ("available", "Available"),
    ("reserved", "Reserved"),
    ("assigned", "Assigned"),
    ("aging", "Aging"),
    ("administrative", "Administrative"),
    ("intermediate", "Intermediate"),
    ("porting_in", "Porting In"),
    ("porting_out", "Porting Out"),
    ("ported_out", "Ported Out"),
    ("snapped_back", "Snapped Back"),
]
# Allowed status changes (47 CFR 52.15(f) categories plus porting). Anything else is refused.
# A move to "available" is further restricted: from aging only once the aging period has
# ended, from any other status only when the number was not assigned since it last aged.
STATUS_TRANSITIONS = {
    "available": ("reserved", "assigned", "administrative", "intermediate"),
    "reserved": ("available", "assigned"),
    "assigned": ("aging", "porting_out", "snapped_back"),
    "aging": ("available", "assigned"),
    "administrative": ("available",),
    "intermediate": ("available", "assigned", "aging"),
    "porting_in": ("assigned", "ported_out", "snapped_back"),
    "porting_out": ("assigned", "ported_out"),
    "ported_out": ("porting_in", "aging"),
    # a ported-in number given back to its owner on disconnect; only a new port brings it back
    "snapped_back": ("porting_in",),
}
# Numbers gone to another carrier: a port-in may bring them back (win-back).
GONE_STATUSES = ("ported_out", "snapped_back")
# NRUF (Form 502) category of each status, for numbers of our own blocks (source "native"):
# numbers ported in belong to another carrier's blocks and are never counted; porting in,
# ported out and snapped back are not ours.
NRUF_CATEGORY = {
    "assigned": "assigned",
    "porting_out": "assigned",
    "intermediate": "intermediate",
    "reserved": "reserved",
    "aging": "aging",
    "administrative": "administrative",
    "available": "available",
}
NRUF_CATEGORIES = ("assigned", "intermediate", "reserved", "aging", "administrative", "available")


def utilization(counts):
    """The one utilization rule (47 CFR 52.15(g)(2)): assigned numbers (porting out included:
    in service until the port completes) / all numbers of our blocks counted in the NRUF
    categories x 100, rounded to 2 decimals. ``counts`` maps NRUF category -> count."""
    total = sum(counts.get(category, 0) for category in NRUF_CATEGORIES)
    return round(100.0 * counts.get("assigned", 0) / total, 2) if total else 0.0


NUMBER_TYPES = [("geographic", "Geographic"), ("toll_free", "Toll-free"), ("mobile", "Mobile")]
NUMBER_SOURCES = [("native", "Native Block"), ("ported_in", "Ported In")]
# NANP toll-free area codes (service access codes).
TOLL_FREE_NPAS = ("800", "833", "844", "855", "866", "877", "888")
MAX_RESERVATION_DAYS = 180
# Telephone keypad: vanity letters to digits.
KEYPAD = str.maketrans(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
    "2223334445556667777888999922233344455566677778889999",
)


def to_e164(env, value, region="US"):
    """Return ``value`` as an E.164 string (+12025550123) or raise a ValidationError."""
    text = (value or "").strip()
    if not text:
        raise ValidationError(env._("A telephone number is required."))
    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as error:
        raise ValidationError(
            env._("'%(number)s' is not a telephone number: %(error)s", number=text, error=error)
        ) from error
    if not phonenumbers.is_valid_number(parsed):
        raise ValidationError(
            env._(
                "'%(number)s' is not a valid telephone number: check the area code, the exchange "
                "and the number of digits.",
                number=text,
            )
        )
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def vanity_digits(pattern):
    """Digits a vanity pattern stands for ("CALL" -> "2255"); other characters are dropped."""
    return "".join(ch for ch in (pattern or "").translate(KEYPAD) if ch.isdigit())


class TelecomNumber(models.Model):
    _name = "telecom.number"
    _description = "Telephone Number"
    _check_company_auto = True
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "name"
    _rec_names_search = ["name", "national_number"]
    _sql_constraints = [
        ("name_uniq", "UNIQUE(name)", "This telephone number is already in the inventory."),
    ]

    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )

    # ------------------------------------------------------------
    # FIELDS
    # ------------------------------------------------------------

    name = fields.Char(
        string="Number",
        required=True,
        copy=False,
        help="The number in E.164 form (+12025550123). Any usual spelling is accepted and "
        "normalised.",
    )
    national_number = fields.Char(
        string="National Format", compute="_compute_number_parts", store=True
    )
    npa = fields.Char(string="NPA", compute="_compute_number_parts", store=True, help="Area code.")
    nxx = fields.Char(
        string="NXX", compute="_compute_number_parts", store=True, help="Exchange (central office)."
    )
    line = fields.Char(compute="_compute_number_parts", store=True, help="Line number.")
    rate_center = fields.Char(
        help="Rate center of the number (upper case, as in the LERG), e.g. WASHINGTON."
    )
    lata = fields.Char(string="LATA", help="Local access and transport area code (3 digits).")
    # The state is stored as its code, not as a many2one: a foreign key would cost a lookup
    # per row on the multi-million-row bulk imports. state_id gives the record back.
    state_code = fields.Selection(
        selection="_selection_state_code", string="State", help="US state of the rate center."
    )
    state_id = fields.Many2one(
        "res.country.state",
        string="State Record",
        compute="_compute_state_id",
        inverse="_inverse_state_id",
        search="_search_state_id",
    )
    ocn = fields.Char(
        string="OCN", help="Operating company number of the carrier holding the number (4 chars)."
    )
    number_type = fields.Selection(NUMBER_TYPES, required=True, default="geographic")
    source = fields.Selection(NUMBER_SOURCES, required=True, default="native")
    status = fields.Selection(
        NUMBER_STATUSES,
        required=True,
        default="available",
        readonly=True,
        help="Available, reserved, assigned, aging, administrative and intermediate are the "
        "FCC (47 CFR 52.15(f)) categories; porting in/out and ported out follow number "
        "portability. Use the buttons to change it: only allowed changes are possible.",
    )
    status_date = fields.Datetime(
        string="Status Since", readonly=True, default=fields.Datetime.now, copy=False
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        index="btree_not_null",
        readonly=True,
        ondelete="restrict",
        help="Customer the number is reserved for, assigned to, or was last assigned to while "
        "it ages.",
    )
    sale_line_id = fields.Many2one(
        "sale.order.line", string="Sale Order Line", readonly=True, index="btree_not_null"
    )
    reserved_until = fields.Date(readonly=True, copy=False)
    assigned_date = fields.Date(readonly=True, copy=False)
    disconnect_date = fields.Date(
        readonly=True, copy=False, help="Permanent disconnection date that started aging."
    )
    aging_until = fields.Date(
        readonly=True, copy=False, help="Aging ends on this date; then the number is released."
    )
    aging_required = fields.Boolean(
        readonly=True,
        copy=False,
        help="Set when the number is assigned: a number that was assigned must pass aging "
        "before it becomes available again.",
    )
    block_id = fields.Many2one(
        "telecom.number.block",
        string="Block",
        ondelete="set null",
        index="btree_not_null",
        check_company=True,
    )
    import_id = fields.Many2one(
        "telecom.number.import", string="Imported By", readonly=True, ondelete="set null"
    )
    history_ids = fields.One2many("telecom.number.history", "number_id", string="History")
    sim_ids = fields.One2many("telecom.sim", "number_id", string="SIMs")
    sim_id = fields.Many2one(
        "telecom.sim",
        string="Current SIM",
        compute="_compute_sim_id",
        help="The SIM or eSIM profile of this line (assigned or active).",
    )
    service_reference = fields.Char(
        readonly=True,
        index="btree_not_null",
        help="The service (line) reference the number had in the legacy system, kept by the "
        "inventory migration.",
    )
    snap_back_date = fields.Date(
        readonly=True,
        copy=False,
        help="Ported-in number disconnected: the port ended with the number portability "
        "administrator on this date and the number went back to the carrier owning it.",
    )
    snap_back_pending = fields.Boolean(
        readonly=True,
        copy=False,
        help="The snap-back is not confirmed by the NPAC/SOA vendor yet; the job Telecom: send "
        "number snap-backs retries it.",
    )
    snap_back_reference = fields.Char(string="Snap-back Reference", readonly=True, copy=False)
    port_request_ids = fields.Many2many(
        "telecom.port.request",
        "telecom_port_request_number_rel",
        "number_id",
        "request_id",
        string="Port Requests",
        readonly=True,
    )
    npa_nxx = fields.Char(
        string="NPA-NXX",
        compute="_compute_npa_nxx",
        search="_search_npa_nxx",
        help="Search by area code and exchange, e.g. 202-555.",
    )
    vanity = fields.Char(
        compute="_compute_vanity",
        search="_search_vanity",
        help="Search by letters or digits anywhere in the number: CALL finds ...2255...",
    )

    # ------------------------------------------------------------
    # COMPUTE
    # ------------------------------------------------------------

    @api.depends("name")
    def _compute_number_parts(self):
        for number in self:
            number.national_number = number.npa = number.nxx = number.line = False
            try:
                parsed = phonenumbers.parse(number.name or "", "US")
            except phonenumbers.NumberParseException:
                continue
            number.national_number = phonenumbers.format_number(
                parsed, phonenumbers.PhoneNumberFormat.NATIONAL
            )
            national = str(parsed.national_number)
            if parsed.country_code == 1 and len(national) == 10:
                number.npa, number.nxx, number.line = national[:3], national[3:6], national[6:]

    @api.depends("sim_ids.state")
    def _compute_sim_id(self):
        for number in self:
            number.sim_id = number.sim_ids.filtered(lambda s: s.state in ("assigned", "active"))[:1]

    @api.model
    def _selection_state_code(self):
        states = (
            self.env["res.country.state"]
            .sudo()
            .search([("country_id", "=", self.env.ref("base.us").id)], order="name")
        )
        return [(state.code, state.name) for state in states]

    @api.depends("state_code")
    def _compute_state_id(self):
        codes = set(self.mapped("state_code")) - {False}
        states = self.env["res.country.state"].search(
            [("country_id", "=", self.env.ref("base.us").id), ("code", "in", list(codes))]
        )
        by_code = {state.code: state for state in states}
        for number in self:
            number.state_id = by_code.get(number.state_code, False)

    def _inverse_state_id(self):
        for number in self:
            number.state_code = number.state_id.code if number.state_id else False

    def _search_state_id(self, operator, value):
        if value is False or value is None:
            return [("state_code", operator, False)]
        field = "name" if isinstance(value, str) else "id"
        positive = operator not in ("!=", "not in", "not ilike")
        operator = {"!=": "=", "not in": "in", "not ilike": "ilike"}.get(operator, operator)
        states = self.env["res.country.state"].search(
            [("country_id", "=", self.env.ref("base.us").id), (field, operator, value)]
        )
        return [("state_code", "in" if positive else "not in", states.mapped("code"))]

    @api.depends("npa", "nxx")
    def _compute_npa_nxx(self):
        for number in self:
            number.npa_nxx = f"{number.npa}-{number.nxx}" if number.npa else False

    def _compute_vanity(self):
        self.vanity = False

    def _search_npa_nxx(self, operator, value):
        if operator not in ("=", "ilike", "like") or not isinstance(value, str):
            raise UserError(self.env._("Search NPA-NXX with a value such as 202-555."))
        digits = "".join(ch for ch in value if ch.isdigit())
        domain = [("npa", "=", digits[:3])]
        if len(digits) > 3:
            domain.append(("nxx", "=", digits[3:6]))
        return domain

    def _search_vanity(self, operator, value):
        if operator not in ("=", "ilike", "like") or not isinstance(value, str):
            raise UserError(self.env._("Search a vanity pattern with letters or digits."))
        digits = vanity_digits(value)
        if not digits:
            raise UserError(
                self.env._(
                    "The vanity pattern '%(pattern)s' has no letters or digits.", pattern=value
                )
            )
        return [("name", "like", digits)]

    # ------------------------------------------------------------
    # CONSTRAINT
    # ------------------------------------------------------------

    @api.constrains("reserved_until", "status")
    def _check_reserved_until(self):
        for number in self.filtered(lambda n: n.status == "reserved"):
            if not number.reserved_until:
                raise ValidationError(
                    self.env._(
                        "Reserved number %(number)s needs an expiry date.", number=number.name
                    )
                )

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    def init(self):
        """Indexes for the available-number search on millions of rows.

        Partial indexes on ``status = 'available'`` keep them small (only what can be sold)
        and let PostgreSQL walk them in number order for ``LIMIT`` queries. The vanity
        search (``name LIKE '%2255%'``) uses a trigram index when pg_trgm is available.
        """
        cr = self.env.cr
        table = self._table
        available = "status = 'available'"
        create_index(
            cr, "telecom_number_avail_statecode_idx", table, ["state_code", "name"], where=available
        )
        create_index(
            cr, "telecom_number_avail_rc_idx", table, ["rate_center", "name"], where=available
        )
        create_index(
            cr, "telecom_number_avail_npanxx_idx", table, ["npa", "nxx", "name"], where=available
        )
        # Status filters other than "available" (which has its own indexes): a partial index,
        # so the millions of available numbers a block import adds do not feed it.
        create_index(
            cr, "telecom_number_status_idx", table, ["status"], where="status <> 'available'"
        )
        create_index(
            cr, "telecom_number_aging_idx", table, ["aging_until"], where="status = 'aging'"
        )
        create_index(
            cr,
            "telecom_number_reserved_idx",
            table,
            ["reserved_until"],
            where="status = 'reserved'",
        )
        if not index_exists(cr, "telecom_number_avail_trgm_idx") and self._telecom_has_trigram():
            create_index(
                cr,
                "telecom_number_avail_trgm_idx",
                table,
                ["name gin_trgm_ops"],
                method="gin",
                where=available,
            )

    def _telecom_has_trigram(self):
        cr = self.env.cr
        cr.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        if cr.fetchone():
            return True
        try:
            with cr.savepoint():
                cr.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            return True
        except psycopg2.Error:  # no privilege: the vanity search works without index
            _logger.warning("pg_trgm is not available: vanity number search will not be indexed.")
            return False

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name"):
                vals["name"] = to_e164(self.env, vals["name"])
            if vals.get("rate_center"):
                vals["rate_center"] = vals["rate_center"].strip().upper()
        numbers = super().create(vals_list)
        for number in numbers:
            if number.npa in TOLL_FREE_NPAS and number.number_type != "toll_free":
                number.number_type = "toll_free"
        numbers._telecom_log_history(
            dict.fromkeys(numbers.ids, (False, False)),
            self.env.context.get("telecom_status_reason") or self.env._("Added to the inventory"),
        )
        return numbers

    def write(self, vals):
        if vals.get("name"):
            vals["name"] = to_e164(self.env, vals["name"])
        if vals.get("rate_center"):
            vals["rate_center"] = vals["rate_center"].strip().upper()
        if "status" not in vals:
            return super().write(vals)
        changing = self.filtered(lambda n: n.status != vals["status"])
        changing._telecom_check_transition(vals["status"])
        before = {n.id: (n.status, n.partner_id.id) for n in changing}
        vals.setdefault("status_date", fields.Datetime.now())
        result = super().write(vals)
        changing._telecom_log_history(
            before,
            self.env.context.get("telecom_status_reason") or self.env._("Status changed"),
        )
        return result

    @api.ondelete(at_uninstall=False)
    def _unlink_except_in_use(self):
        in_use = self.filtered(
            lambda n: (
                n.aging_required or n.status in ("reserved", "assigned", "aging", "porting_out")
            )
        )
        if in_use:
            raise UserError(
                self.env._(
                    "Numbers that are reserved, assigned, aging, porting out or were ever assigned "
                    "cannot be deleted, their history must be kept: %(numbers)s",
                    numbers=", ".join(in_use[:10].mapped("name")),
                )
            )

    # ------------------------------------------------------------
    # ACTION
    # ------------------------------------------------------------

    def action_open_status_wizard(self):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Change Number Status"),
            "res_model": "telecom.number.status.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_number_ids": self.ids,
                "default_action": self.env.context.get("telecom_wizard_action", "reserve"),
            },
        }

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    def _telecom_check_transition(self, new_status):
        """Raise a UserError naming every number of ``self`` that cannot move to ``new_status``."""
        labels = dict(NUMBER_STATUSES)
        if new_status not in labels:
            raise UserError(self.env._("Unknown number status '%(status)s'.", status=new_status))
        today = fields.Date.context_today(self)
        for number in self:
            old = number.status
            if new_status not in STATUS_TRANSITIONS.get(old, ()):
                allowed = ", ".join(labels[s] for s in STATUS_TRANSITIONS.get(old, ()))
                raise UserError(
                    self.env._(
                        "Number %(number)s cannot go from %(old)s to %(new)s. From %(old)s it can "
                        "only go to: %(allowed)s.",
                        number=number.name,
                        old=labels[old],
                        new=labels[new_status],
                        allowed=allowed or self.env._("nothing"),
                    )
                )
            if new_status != "available":
                continue
            if old == "aging" and number.aging_until and number.aging_until > today:
                raise UserError(
                    self.env._(
                        "Number %(number)s is aging until %(date)s; it can be released only "
                        "after that date.",
                        number=number.name,
                        date=number.aging_until,
                    )
                )
            if old != "aging" and number.aging_required:
                raise UserError(
                    self.env._(
                        "Number %(number)s was assigned to a customer: it must pass aging "
                        "(disconnect it) before it is available again.",
                        number=number.name,
                    )
                )

    def _telecom_log_history(self, before, reason):
        """Write one history row per number; ``before`` maps id -> (old status, old partner id)."""
        if not self:
            return
        extra = self.env.context.get("telecom_history_values") or {}
        now = fields.Datetime.now()
        self.env["telecom.number.history"].sudo().create(
            [
                {
                    "number_id": number.id,
                    "date": now,
                    "user_id": self.env.uid,
                    "from_status": before[number.id][0],
                    "to_status": number.status,
                    "partner_id": number.partner_id.id or before[number.id][1],
                    "reason": reason,
                    "sale_line_id": number.sale_line_id.id,
                    **extra,
                }
                for number in self
            ]
        )
        self.invalidate_recordset(["history_ids"])

    def _telecom_set_status(self, status, reason, values=None, history_values=None):
        """Move ``self`` to ``status`` (validated, with history) and write ``values``."""
        already = self.filtered(lambda n: n.status == status)
        if already:
            raise UserError(
                self.env._(
                    "Number %(number)s is already %(status)s.",
                    number=already[0].name,
                    status=dict(NUMBER_STATUSES)[status].lower(),
                )
            )
        history = dict(
            self.env.context.get("telecom_history_values") or {}, **(history_values or {})
        )
        ctx = {"telecom_status_reason": reason, "telecom_history_values": history}
        return self.with_context(**ctx).write(dict(values or {}, status=status))

    def _telecom_reserve(self, partner, until, reason=None):
        """Reserve the numbers for ``partner`` until ``until`` (at most 180 days ahead)."""
        today = fields.Date.context_today(self)
        until = fields.Date.to_date(until)
        if not until or until < today:
            raise ValidationError(self.env._("A reservation must end today or later."))
        if until > today + timedelta(days=MAX_RESERVATION_DAYS):
            raise ValidationError(
                self.env._(
                    "A reservation can last at most %(days)s days: choose an end date on or "
                    "before %(date)s.",
                    days=MAX_RESERVATION_DAYS,
                    date=today + timedelta(days=MAX_RESERVATION_DAYS),
                )
            )
        return self._telecom_set_status(
            "reserved",
            reason or self.env._("Reserved until %(date)s", date=until),
            {"partner_id": partner.id, "reserved_until": until},
        )

    def _telecom_assign(self, partner, reason, sale_line=False):
        """Assign the numbers to ``partner`` (a reserved number only to the partner it is held
        for, an aging number only back to its previous customer)."""
        for number in self:
            if number.status in ("reserved", "aging") and number.partner_id != partner:
                raise UserError(
                    self.env._(
                        "Number %(number)s is %(status)s for %(holder)s and cannot be assigned to "
                        "%(partner)s.",
                        number=number.name,
                        status=dict(NUMBER_STATUSES)[number.status].lower(),
                        holder=number.partner_id.display_name,
                        partner=partner.display_name,
                    )
                )
        partner._telecom_ensure_account_number()
        self._telecom_set_status(
            "assigned",
            reason,
            {
                "partner_id": partner.id,
                "sale_line_id": sale_line.id if sale_line else False,
                "assigned_date": fields.Date.context_today(self),
                "aging_required": True,
                "reserved_until": False,
                "disconnect_date": False,
                "aging_until": False,
            },
        )
        # the SIM given to the line at activation is in service with it
        self.sim_ids.filtered(lambda s: s.state == "assigned")._telecom_set_state("active", reason)
        return True

    def _telecom_ensure_sims(self, partner, kind=None):
        """Give each mobile line of ``self`` without a SIM one (reserved for ``partner``, else
        from stock, see ``telecom.sim._telecom_take_from_stock``). Returns the SIMs. With no
        SIM left the line goes on without one and the number says so (the platform decides
        whether it can activate it)."""
        Sim = self.env["telecom.sim"].sudo()
        for number in self.filtered(lambda n: not n.sim_id):
            sim = Sim._telecom_take_from_stock(partner, kind, required=False)
            if not sim:
                number.message_post(
                    body=self.env._(
                        "No SIM was in stock for this line: it was sent to the network without "
                        "one. Import the SIM vendor's file and give the line a SIM."
                    )
                )
                continue
            sim._telecom_assign(
                number, partner, self.env._("Given to line %(number)s", number=number.name)
            )
        self.invalidate_recordset(["sim_id"])
        return self.mapped("sim_id")

    def _telecom_service_suspended(self):
        """Whether the service using this number is suspended (then it is not disconnected
        and does not age). Hook: telecom_billing overrides it with the service state."""
        self.ensure_one()
        return False

    def _telecom_disconnect(self, on_date, reason):
        """Permanently disconnect the numbers on ``on_date``: they age for the period of their
        customer's type, then the aging cron releases them. Ported-in numbers snap back to
        their carrier instead (:meth:`_telecom_snap_back`). Their SIMs are retired."""
        on_date = fields.Date.to_date(on_date) or fields.Date.context_today(self)
        self._telecom_check_not_suspended()
        ported_in = self.filtered(lambda n: n.source == "ported_in")
        if ported_in:
            ported_in._telecom_snap_back(on_date, reason)
        AgingRule = self.env["telecom.number.aging.rule"]
        for number in self - ported_in:
            days = AgingRule._telecom_aging_days(number.partner_id)
            number._telecom_set_status(
                "aging",
                self.env._(
                    "Disconnected on %(date)s (%(days)s days of aging): %(reason)s",
                    date=on_date,
                    days=days,
                    reason=reason,
                ),
                {
                    "disconnect_date": on_date,
                    "aging_until": on_date + timedelta(days=days),
                    "sale_line_id": False,
                },
            )
        self.sim_ids.filtered(lambda s: s.state in ("assigned", "active"))._telecom_retire(
            self.env._("Line disconnected")
        )
        return True

    def _telecom_check_not_suspended(self):
        for number in self:
            if number._telecom_service_suspended():
                raise UserError(
                    self.env._(
                        "Number %(number)s belongs to a suspended service: a suspended service "
                        "keeps its number and does not age. Terminate the service first.",
                        number=number.name,
                    )
                )

    def _telecom_snap_back(self, on_date, reason):
        """Disconnected ported-in numbers go back to the carrier owning them: the port ends
        with the number portability administrator (through the NPAC/SOA vendor) on
        ``on_date`` and the numbers leave our inventory for good (status "snapped back",
        history kept): they never age and are never sold again."""
        self._telecom_set_status(
            "snapped_back",
            self.env._(
                "Ported-in number disconnected on %(date)s, given back to its carrier "
                "(snap-back): %(reason)s",
                date=on_date,
                reason=reason,
            ),
            {
                "disconnect_date": on_date,
                "snap_back_date": on_date,
                "snap_back_pending": True,
                "partner_id": False,
                "sale_line_id": False,
                "reserved_until": False,
                "aging_until": False,
            },
        )
        for number in self:
            number._telecom_send_snap_back()
        return True

    def _telecom_send_snap_back(self):
        """Ask the NPAC/SOA vendor to end the port of this snapped-back number. Changes
        nothing but the pending flag: a transport failure is retried by the cron, a refusal
        is handed to the Number Administrators."""
        self.ensure_one()
        backend = (
            self.env["telecom.npac.backend"].sudo().search([("is_default", "=", True)], limit=1)
        )
        if not backend:
            self._telecom_snap_back_refused(
                self.env._("No default NPAC/SOA vendor: end the port with the NPAC by hand.")
            )
            return False
        key = f"SNAP/{self.name}/{fields.Date.to_string(self.snap_back_date)}"
        try:
            answer = backend._telecom_adapter().snap_back(
                self.name, fields.Date.to_string(self.snap_back_date), key
            )
        except NpacTransportError as error:
            self.message_post(
                body=self.env._(
                    "The snap-back could not reach the vendor; it will be retried: %(error)s",
                    error=error,
                )
            )
            return False
        except NpacRequestError as error:
            self._telecom_snap_back_refused(str(error))
            return False
        self.write({"snap_back_pending": False, "snap_back_reference": answer.get("reference")})
        self.message_post(
            body=self.env._(
                "Snap-back confirmed by %(vendor)s (reference %(ref)s).",
                vendor=backend.name,
                ref=answer.get("reference"),
            )
        )
        return True

    def _telecom_snap_back_refused(self, message):
        self.write({"snap_back_pending": False})
        self.activity_schedule(
            "telecom_numbers.mail_activity_snap_back",
            summary=self.env._("Snap-back to do by hand"),
            note=message,
        )

    @api.model
    def _cron_send_snap_backs(self, batch_size=100):
        """Send the snap-backs the vendor has not confirmed yet, one batch per call."""
        self.flush_model(["snap_back_pending"])
        numbers = self.browse(
            lock_ids(self.env, self._table, SQL("snap_back_pending"), limit=batch_size)
        )
        done = 0
        for number in numbers:
            try:
                with self.env.cr.savepoint():
                    done += bool(number._telecom_send_snap_back())
            except RECORD_ERRORS as error:
                number.message_post(
                    body=self.env._("The snap-back could not be sent: %(error)s", error=error)
                )
        # a vendor that failed is tried again at the next scheduled run, not in a loop
        failed = len(numbers) - done
        remaining = 0 if failed else self.search_count([("snap_back_pending", "=", True)])
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
        return done

    def _telecom_release(self, reason):
        """Return the numbers to the available pool (validated: aging ended or never assigned)."""
        self._telecom_check_transition("available")
        return self._telecom_set_status(
            "available",
            reason,
            {
                "partner_id": False,
                "sale_line_id": False,
                "reserved_until": False,
                "disconnect_date": False,
                "aging_until": False,
                "aging_required": False,
            },
        )

    @api.model
    def _telecom_search_available(
        self, state=None, rate_center=None, npa_nxx=None, vanity=None, limit=50
    ):
        """Available numbers matching every given criterion, in number order.

        ``state`` is a res.country.state record or a two-letter code, ``rate_center`` an exact
        rate center name, ``npa_nxx`` digits such as "202555" or "202", ``vanity`` letters or
        digits ("CALL") found anywhere in the number.
        """
        domain = [("status", "=", "available")]
        if state:
            code = state.upper() if isinstance(state, str) else state.code
            domain.append(("state_code", "=", code))
        if rate_center:
            domain.append(("rate_center", "=", rate_center.strip().upper()))
        if npa_nxx:
            domain += self._search_npa_nxx("=", npa_nxx)
        if vanity:
            domain += self._search_vanity("=", vanity)
        return self.search(domain, limit=limit)

    @api.model
    def _telecom_nruf_counts(self, as_of):
        """NRUF counts from the inventory: ``[(rate center, state code, "NPA-NXX-X",
        {category: count})]`` for the geographic and mobile numbers of our own blocks, as of
        the end of ``as_of``.

        Each number counts in the category of its current status, unless its history shows a
        change after ``as_of``: then the status it had before the first of those changes
        (first written, by id: rows written in one transaction may carry clocks of different
        precision); a number created after ``as_of`` had none and is not counted. Every way
        of creating or changing numbers writes history, bulk imports included, so this is
        exact.
        """
        self.flush_model()
        self.env["telecom.number.history"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                WITH later AS (
                    SELECT DISTINCT ON (number_id) number_id, from_status
                      FROM telecom_number_history
                     WHERE date >= %(end)s
                     ORDER BY number_id, id)
                SELECT coalesce(n.rate_center, ''), coalesce(n.state_code, ''),
                       n.npa || '-' || n.nxx || '-' || left(n.line, 1),
                       CASE WHEN l.number_id IS NULL THEN n.status ELSE l.from_status END,
                       count(*)
                  FROM telecom_number n
                  LEFT JOIN later l ON l.number_id = n.id
                 WHERE n.number_type IN ('geographic', 'mobile') AND n.source = 'native'
                 GROUP BY 1, 2, 3, 4
                 ORDER BY 1, 2, 3
                """,
                end=datetime.combine(as_of + timedelta(days=1), time.min),
            )
        )
        rows = {}
        for rate_center, state_code, block, status, count in self.env.cr.fetchall():
            category = NRUF_CATEGORY.get(status)
            if category:
                counts = rows.setdefault((rate_center, state_code, block), {})
                counts[category] = counts.get(category, 0) + count
        return [(*key, counts) for key, counts in rows.items()]

    def _telecom_run_batch(self, method, reason, error_prefix):
        """Apply ``method(reason)`` to the numbers in one savepoint, or one by one on error
        (the error is posted on the number that failed). Returns the count done."""
        try:
            with self.env.cr.savepoint():
                getattr(self, method)(reason)
            return len(self)
        except (UserError, ValidationError):
            done = 0
            for number in self:
                try:
                    with self.env.cr.savepoint():
                        getattr(number, method)(reason)
                    done += 1
                except (UserError, ValidationError) as error:
                    number.message_post(body=f"{error_prefix} {error}")
            return done

    @api.model
    def _telecom_action_list(self, name, domain):
        """The list of the numbers of ``domain``, titled after the record ``name``."""
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Numbers of %(name)s", name=name),
            "res_model": "telecom.number",
            "view_mode": "list,form",
            "domain": domain,
        }

    @api.model
    def _telecom_release_due(self, status, date_field, batch_size, reason, error_prefix):
        """Release one batch of ``status`` numbers whose ``date_field`` timer ran out (before
        today for a reservation, up to today for aging), locked for this worker; reports the
        progress to the cron runner."""
        today = fields.Date.context_today(self)
        operator = "<" if status == "reserved" else "<="
        self.flush_model(["status", date_field])
        where = SQL(
            "status = %s AND %s %s %s", status, SQL.identifier(date_field), SQL(operator), today
        )
        numbers = self.browse(lock_ids(self.env, self._table, where, limit=batch_size))
        done = numbers._telecom_run_batch("_telecom_release", reason, error_prefix)
        remaining = self.search_count([("status", "=", status), (date_field, operator, today)])
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
        return done

    @api.model
    def _cron_expire_reservations(self, batch_size=1000):
        """Return numbers whose reservation ended to the available pool, one batch per call."""
        return self._telecom_release_due(
            "reserved",
            "reserved_until",
            batch_size,
            self.env._("Reservation expired"),
            self.env._("The expired reservation could not be released:"),
        )

    @api.model
    def _cron_release_aged_numbers(self, batch_size=1000):
        """Release numbers whose aging period ended, one batch per call."""
        return self._telecom_release_due(
            "aging",
            "aging_until",
            batch_size,
            self.env._("Aging period ended"),
            self.env._("The aged number could not be released:"),
        )
