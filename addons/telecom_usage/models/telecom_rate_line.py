from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

USAGE_TYPES = [("voice", "Voice"), ("sms", "SMS"), ("data", "Data")]
TIME_BANDS = [
    ("any", "Any Time"),
    ("peak", "Peak"),
    ("offpeak", "Off-Peak"),
    ("weekend", "Weekend"),
]
# Rating units per usage type: voice in seconds, SMS in messages, data in kilobytes; the
# price is per minute, per message and per megabyte: units / divisor * price.
UNIT_DIVISORS = {"voice": 60, "sms": 1, "data": 1024}
DEFAULT_INCREMENTS = {"voice": (60, 6), "sms": (1, 1), "data": (1, 1)}


class TelecomRateLine(models.Model):
    _name = "telecom.rate.line"
    _description = "Telecom Usage Rate"
    _order = "rate_plan_id, usage_type, prefix, time_band, sequence, id"
    _sql_constraints = [
        (
            "increments_positive",
            "CHECK(first_increment > 0 AND next_increment > 0)",
            "Rounding increments must be positive.",
        ),
        (
            "price_positive",
            "CHECK(price >= 0 AND minimum_charge >= 0)",
            "Prices and minimum charges cannot be negative.",
        ),
    ]

    # ------------------------------------------------------------
    # FIELDS
    # ------------------------------------------------------------

    rate_plan_id = fields.Many2one(
        "telecom.rate.plan", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="rate_plan_id.company_id", store=True)
    currency_id = fields.Many2one(related="rate_plan_id.currency_id")
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    usage_type = fields.Selection(USAGE_TYPES, required=True, default="voice")
    prefix = fields.Char(
        string="Destination Prefix",
        default="",
        help="Digits the called number starts with, country code included (1 for North "
        "America, 44 for the UK, 1900 for premium). The longest matching prefix wins; an "
        "empty prefix matches every destination.",
    )
    destination_group = fields.Char(
        required=True,
        default="Domestic",
        help="Group shown on the invoice summary (Domestic, Canada, International, Premium...).",
    )
    time_band = fields.Selection(
        TIME_BANDS,
        required=True,
        default="any",
        help="Peak: weekdays within the rate plan's peak hours; off-peak: other weekday hours; "
        "weekend: Saturday and Sunday (local time). A line for a band beats an any-time line.",
    )
    roaming = fields.Boolean(
        help="Rates roaming usage only. Roaming usage takes a roaming line when one matches, "
        "otherwise the home line."
    )
    price = fields.Float(
        digits=(16, 5),
        help="Price per minute (voice), per message (SMS) or per megabyte (data).",
    )
    minimum_charge = fields.Float(
        digits=(16, 2), help="Least amount charged for a charged record (after allowances)."
    )
    first_increment = fields.Integer(
        compute="_compute_increments",
        store=True,
        readonly=False,
        help="Units charged at least (seconds for voice, KB for data): 60 means the first "
        "minute is charged in full.",
    )
    next_increment = fields.Integer(
        compute="_compute_increments",
        store=True,
        readonly=False,
        help="Step after the first increment: 6 means six-second steps.",
    )
    use_allowance = fields.Boolean(
        string="Uses Allowance",
        default=True,
        help="Usage rated by this line uses the included minutes/SMS/data of the rate plan first.",
    )

    # ------------------------------------------------------------
    # COMPUTE
    # ------------------------------------------------------------

    @api.depends("usage_type")
    def _compute_increments(self):
        for line in self:
            line.first_increment, line.next_increment = DEFAULT_INCREMENTS[line.usage_type]

    @api.depends("usage_type", "prefix", "time_band", "destination_group")
    def _compute_display_name(self):
        bands = dict(TIME_BANDS)
        types = dict(USAGE_TYPES)
        for line in self:
            line.display_name = " ".join(
                p
                for p in (
                    types.get(line.usage_type),
                    line.prefix and f"+{line.prefix}",
                    line.destination_group,
                    line.time_band != "any" and bands.get(line.time_band),
                )
                if p
            )

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    @api.ondelete(at_uninstall=False)
    def _unlink_except_used(self):
        self.env["telecom.usage.record"].flush_model()
        self.env.cr.execute(
            "SELECT rate_line_id FROM telecom_usage_record WHERE rate_line_id = ANY(%s) LIMIT 1",
            [self.ids],
        )
        if self.env.cr.fetchone():
            raise UserError(
                self.env._("A rate used by rated usage cannot be deleted: archive it instead.")
            )

    # ------------------------------------------------------------
    # CONSTRAINT
    # ------------------------------------------------------------

    @api.constrains("prefix")
    def _check_prefix(self):
        for line in self:
            if line.prefix and not line.prefix.isdigit():
                raise ValidationError(
                    self.env._(
                        "Destination prefix %(prefix)s: digits only, country code first "
                        "(no + sign).",
                        prefix=line.prefix,
                    )
                )
