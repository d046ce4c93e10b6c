import re

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from .telecom_number import NRUF_CATEGORY, NUMBER_TYPES, TOLL_FREE_NPAS, to_e164, utilization

BLOCK_TYPES = [
    ("thousands", "Thousands-block (NPA-NXX-X)"),
    ("nxx", "Full NXX (10,000 numbers)"),
    ("range", "Range"),
]


class TelecomNumberBlock(models.Model):
    _name = "telecom.number.block"
    _description = "Telephone Number Block"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "npa, nxx, line_from"
    _sql_constraints = [
        (
            "range_uniq",
            "UNIQUE(npa, nxx, line_from)",
            "A block already starts at this number.",
        ),
        (
            "range_order",
            "CHECK(line_from <= line_to)",
            "A block's last line must not be before its first line.",
        ),
    ]

    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )

    # ------------------------------------------------------------
    # FIELDS
    # ------------------------------------------------------------

    name = fields.Char(compute="_compute_name", store=True)
    npa = fields.Char(string="NPA", required=True, size=3, tracking=True, help="Area code.")
    nxx = fields.Char(string="NXX", required=True, size=3, tracking=True, help="Exchange.")
    line_from = fields.Char(string="First Line", required=True, size=4, default="0000")
    line_to = fields.Char(string="Last Line", required=True, size=4, default="0999")
    block_type = fields.Selection(BLOCK_TYPES, compute="_compute_block_type", store=True)
    rate_center = fields.Char(tracking=True, help="Rate center (upper case, as in the LERG).")
    lata = fields.Char(string="LATA", help="Local access and transport area (3 digits).")
    state_id = fields.Many2one("res.country.state", string="State", ondelete="restrict")
    ocn = fields.Char(string="OCN", help="Operating company number of the block holder.")
    number_type = fields.Selection(NUMBER_TYPES, required=True, default="geographic")
    effective_date = fields.Date(help="Date the block was assigned to us (LERG effective date).")
    note = fields.Text()
    number_ids = fields.One2many("telecom.number", "block_id", string="Numbers")
    size = fields.Integer(compute="_compute_block_type", store=True, help="Numbers in the range.")
    number_count = fields.Integer(string="Number Count", compute="_compute_counts")
    available_count = fields.Integer(string="Available", compute="_compute_counts")
    utilization = fields.Float(
        string="Utilization (%)",
        compute="_compute_counts",
        help="Assigned numbers (porting out included) / the block's numbers in the NRUF "
        "categories x 100: the same rule as the NRUF report (see telecom.number utilization).",
    )

    # ------------------------------------------------------------
    # COMPUTE
    # ------------------------------------------------------------

    @api.depends("npa", "nxx", "line_from", "line_to")
    def _compute_name(self):
        for block in self:
            block.name = f"{block.npa}-{block.nxx}-{block.line_from}..{block.line_to}"

    @api.depends("line_from", "line_to")
    def _compute_block_type(self):
        for block in self:
            first, last = block.line_from or "", block.line_to or ""
            if first.isdigit() and last.isdigit():
                block.size = int(last) - int(first) + 1
            else:
                block.size = 0
            if (first, last) == ("0000", "9999"):
                block.block_type = "nxx"
            elif first[1:] == "000" and last[1:] == "999" and first[:1] == last[:1]:
                block.block_type = "thousands"
            else:
                block.block_type = "range"

    def _compute_counts(self):
        groups = self.env["telecom.number"]._read_group(
            [("block_id", "in", self.ids), ("source", "=", "native")],
            ["block_id", "status"],
            ["__count"],
        )
        counts = {}
        for block, status, count in groups:
            counts.setdefault(block.id, {})[status] = count
        for block in self:
            by_status = counts.get(block.id, {})
            block.number_count = sum(by_status.values())
            block.available_count = by_status.get("available", 0)
            categories = {}
            for status, count in by_status.items():
                category = NRUF_CATEGORY.get(status)
                if category:
                    categories[category] = categories.get(category, 0) + count
            block.utilization = utilization(categories)

    # ------------------------------------------------------------
    # CONSTRAINT
    # ------------------------------------------------------------

    @api.constrains("npa", "nxx", "line_from", "line_to")
    def _check_range(self):
        for block in self:
            if not re.fullmatch(r"[2-9]\d\d", block.npa or "") or block.npa[1:] == "11":
                raise ValidationError(
                    self.env._("Area code %(npa)s is not a valid NPA.", npa=block.npa)
                )
            if not re.fullmatch(r"[2-9]\d\d", block.nxx or "") or block.nxx[1:] == "11":
                raise ValidationError(
                    self.env._("Exchange %(nxx)s is not a valid NXX.", nxx=block.nxx)
                )
            if not (
                re.fullmatch(r"\d{4}", block.line_from or "")
                and re.fullmatch(r"\d{4}", block.line_to or "")
            ):
                raise ValidationError(
                    self.env._("First and last lines are four digits, e.g. 1000 and 1999.")
                )
            # The numbering plan itself (e.g. an unassigned area code) is checked by phonenumbers.
            to_e164(self.env, f"+1{block.npa}{block.nxx}{block.line_from}")
            overlap = self.search_count(
                [
                    ("id", "!=", block.id),
                    ("npa", "=", block.npa),
                    ("nxx", "=", block.nxx),
                    ("line_from", "<=", block.line_to),
                    ("line_to", ">=", block.line_from),
                ],
                limit=1,
            )
            if overlap:
                raise ValidationError(
                    self.env._("Block %(block)s overlaps another block.", block=block.name)
                )

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("rate_center"):
                vals["rate_center"] = vals["rate_center"].strip().upper()
            if vals.get("npa") in TOLL_FREE_NPAS:
                vals["number_type"] = "toll_free"
        return super().create(vals_list)

    # ------------------------------------------------------------
    # ACTION
    # ------------------------------------------------------------

    def action_generate_numbers(self):
        """Create every number of the blocks' ranges that is not in the inventory yet."""
        created = self._telecom_generate_numbers()
        for block in self:
            block.message_post(
                body=self.env._(
                    "%(count)s numbers added to the inventory.", count=created[block.id]
                )
            )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._(
                    "%(count)s numbers added to the inventory.", count=sum(created.values())
                ),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def action_view_numbers(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Numbers of %(block)s", block=self.name),
            "res_model": "telecom.number",
            "view_mode": "list,form",
            "domain": [("block_id", "=", self.id)],
            "context": {"default_block_id": self.id},
        }

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    def _telecom_generate_numbers(self):
        """Set-based: INSERT ... SELECT generate_series ... ON CONFLICT DO NOTHING.

        Returns ``{block id: numbers created}``; numbers already in the inventory are left as
        they are (re-running creates no duplicates).
        """
        self.check_access("write")
        self.env["telecom.number"].check_access("create")
        self.env["telecom.number"].flush_model()
        created = {}
        History = self.env["telecom.number.history"]
        for block in self:
            created[block.id] = History._telecom_log_inserted(
                SQL(
                    """
                INSERT INTO telecom_number (
                    name, national_number, npa, nxx, line, rate_center, lata, state_code, ocn,
                    number_type, source, status, status_date, aging_required, block_id, company_id,
                    create_uid, create_date, write_uid, write_date)
                SELECT '+1' || b.npa || b.nxx || l.line,
                       '(' || b.npa || ') ' || b.nxx || '-' || l.line,
                       b.npa, b.nxx, l.line, b.rate_center, b.lata, bs.code, b.ocn,
                       b.number_type, 'native', 'available', now() AT TIME ZONE 'UTC', false,
                       b.id, b.company_id, %(uid)s, now() AT TIME ZONE 'UTC', %(uid)s,
                       now() AT TIME ZONE 'UTC'
                  FROM telecom_number_block b
                  LEFT JOIN res_country_state bs ON bs.id = b.state_id
                 CROSS JOIN LATERAL (SELECT lpad(g::text, 4, '0') AS line
                                  FROM generate_series(b.line_from::int, b.line_to::int) g) l
                 WHERE b.id = %(block)s
                ON CONFLICT (name) DO NOTHING
                """,
                    uid=self.env.uid,
                    block=block.id,
                ),
                self.env._("Added to the inventory from block %(block)s", block=block.name),
            )
        self.env["telecom.number"].invalidate_model()
        return created
