import base64
import csv
import io
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.telecom_catalog.tools.csv_rows import (
    CsvRows,
    csv_line,
    shown,
    to_decimal,
    to_int,
)

from .telecom_interconnect_rate import INTERCONNECT_DIRECTIONS, INTERCONNECT_JURISDICTIONS

# Bounds of a deck row: E.164 numbers have at most 15 digits; the rate column is
# numeric(16, 6); increments are seconds, at most a day (billed seconds fit an integer).
MAX_PREFIX = 15
PRICE_DIGITS = (16, 6)
MAX_INCREMENT = 86_400
DECK_STATES = [("draft", "Draft"), ("done", "Imported")]
# Columns of a carrier's CSV deck; either ``prefix`` or ``npanxx`` names the numbers.
DECK_COLUMNS = [
    "prefix",
    "npanxx",
    "jurisdiction",
    "rate",
    "description",
    "first_increment",
    "next_increment",
    "minimum_charge",
]
JURISDICTION_ALIASES = {
    "inter": "interstate",
    "intra": "intrastate",
    "intl": "international",
    **{code: code for code, _label in INTERCONNECT_JURISDICTIONS},
}


def _parse_deck_row(row):
    """Values of one deck row (dict by column name) or ValueError with the reason."""
    prefix = (row.get("prefix") or "").strip().lstrip("+")
    npanxx = (row.get("npanxx") or "").strip().replace("-", "")
    if npanxx:
        if len(npanxx) != 6 or not (npanxx.isascii() and npanxx.isdigit()):
            raise ValueError(f"NPA-NXX {shown(npanxx)} is not six digits")
        prefix = "1" + npanxx
    if not prefix:
        raise ValueError("missing prefix")
    if not (prefix.isascii() and prefix.isdigit() and len(prefix) <= MAX_PREFIX):
        raise ValueError(f"prefix {shown(prefix)} is not 1 to {MAX_PREFIX} digits")
    jurisdiction = JURISDICTION_ALIASES.get((row.get("jurisdiction") or "").strip().lower())
    if not jurisdiction:
        raise ValueError(f"jurisdiction {shown(row.get('jurisdiction') or '')} is not known")
    price = to_decimal(row.get("rate"), "rate", digits=PRICE_DIGITS)
    minimum = to_decimal(row.get("minimum_charge"), "minimum charge", default="0")
    first = to_int(row.get("first_increment"), "first increment", 1, MAX_INCREMENT, 60)
    following = to_int(row.get("next_increment"), "next increment", 1, MAX_INCREMENT, 60)
    return {
        "prefix": prefix,
        "jurisdiction": jurisdiction,
        "price": float(price),
        "minimum_charge": float(minimum),
        "first_increment": first,
        "next_increment": following,
        "description": (row.get("description") or "").strip()[:200] or False,
    }


class TelecomInterconnectDeck(models.Model):
    """A carrier rate deck (CSV) imported for one direction of an agreement, in force from a
    date. Its rows replace the rates of that direction from that date on; rows that cannot be
    read are kept as rejects with their reason, the good ones are imported."""

    _name = "telecom.interconnect.deck"
    _description = "Interconnect Rate Deck"
    _inherit = ["mail.thread"]
    _order = "date_from desc, id desc"

    name = fields.Char(required=True, default="/", readonly=True, copy=False)
    agreement_id = fields.Many2one(
        "telecom.interconnect.agreement", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="agreement_id.company_id", store=True)
    direction = fields.Selection(INTERCONNECT_DIRECTIONS, required=True)
    date_from = fields.Date(string="Effective From", required=True, default=fields.Date.today)
    file = fields.Binary(string="Deck File", attachment=True, copy=False)
    filename = fields.Char()
    state = fields.Selection(DECK_STATES, default="draft", required=True, readonly=True)
    read_count = fields.Integer(string="Rows", readonly=True)
    imported_count = fields.Integer(string="Imported", readonly=True)
    rejected_count = fields.Integer(string="Rejected", readonly=True)
    rate_ids = fields.One2many("telecom.interconnect.rate", "deck_id", string="Rates")
    reject_ids = fields.One2many("telecom.interconnect.deck.reject", "deck_id", string="Rejects")

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = (
                    self.env["ir.sequence"].next_by_code("telecom.interconnect.deck") or "/"
                )
        return super().create(vals_list)

    def action_import(self):
        for deck in self:
            if deck.state == "done":
                raise UserError(self.env._("Deck %(name)s is already imported.", name=deck.name))
            if not deck.file:
                raise UserError(self.env._("Attach the carrier's CSV deck to import."))
            deck._telecom_import(base64.b64decode(deck.file))
        return True

    def _telecom_import(self, content):
        """Read the CSV deck: good rows become rates from ``date_from`` (closing the rates of
        the same direction in force before), bad rows become rejects."""
        self.ensure_one()
        rows = CsvRows(
            self.env,
            content,
            [{"prefix", "npanxx"}, "jurisdiction", "rate"],
            what=self.env._("The deck"),
        )
        rates, rejects = self._telecom_read_rows(rows, set())
        self._telecom_close_previous_rates()
        self._telecom_insert_rates(rates)
        self.env["telecom.interconnect.deck.reject"].create(rejects)
        self.write(
            {
                "state": "done",
                "read_count": len(rates) + len(rejects),
                "imported_count": len(rates),
                "rejected_count": len(rejects),
            }
        )
        self.message_post(
            body=self.env._(
                "%(n)s rates imported, %(bad)s rows rejected.", n=len(rates), bad=len(rejects)
            )
        )

    def _telecom_reimport_rows(self, rejects):
        """Import the corrected ``rejects`` into this deck: good rows become its rates,
        the others rejects again (same line). Returns what it did, in a sentence."""
        rows = CsvRows(self.env, rejects._telecom_reimport_content(DECK_COLUMNS))
        seen = {(rate.prefix, rate.jurisdiction) for rate in self.rate_ids}
        rates, again = self._telecom_read_rows(rows, seen)
        lines = dict(enumerate(rejects.mapped("line_no"), start=2))
        for values in again:
            values["line_no"] = lines[values["line_no"]]
        self._telecom_insert_rates(rates)
        self.env["telecom.interconnect.deck.reject"].create(again)
        self.write(
            {
                "imported_count": self.imported_count + len(rates),
                "rejected_count": self.rejected_count - len(rates),
            }
        )
        return self.env._(
            "%(name)s: %(n)s rates imported, %(bad)s rows still rejected.",
            name=self.name,
            n=len(rates),
            bad=len(again),
        )

    def _telecom_read_rows(self, rows, seen):
        """``(rates, rejects)`` of ``rows`` (CsvRows): the values of each good row, the
        reject values of the others; ``seen`` holds the (prefix, jurisdiction) already read."""
        rates, rejects = [], []
        for row in rows:
            try:
                if row.reason:
                    raise ValueError(row.reason)
                values = _parse_deck_row(rows.record(row, DECK_COLUMNS))
                key = (values["prefix"], values["jurisdiction"])
                if key in seen:
                    raise ValueError(f"prefix {key[0]} ({key[1]}) repeated")
                seen.add(key)
            except ValueError as error:
                rejects.append(
                    {"deck_id": self.id, "line_no": row.line_no, "reason": str(error)[:500],
                     "raw": csv_line(rows.record(row, DECK_COLUMNS).values())}
                )  # fmt: skip
                continue
            rates.append(values)
        return rates, rejects

    def _telecom_insert_rates(self, rates):
        """``COPY`` the parsed rows into the rates: a carrier's NPA-NXX deck has hundreds of
        thousands of rows. ``_parse_deck_row`` already enforced what the rate's constraints
        check (digits-only prefix, positive increments, no negative amount)."""
        Rate = self.env["telecom.interconnect.rate"]
        Rate.flush_model()
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        fixed = [self.agreement_id.id, self.id, self.company_id.id, self.direction,
                 self.date_from, self.env.uid]  # fmt: skip
        for rate in rates:
            writer.writerow(
                [*fixed, rate["jurisdiction"], rate["prefix"], rate["description"] or "",
                 rate["price"], rate["first_increment"], rate["next_increment"],
                 rate["minimum_charge"]]
            )  # fmt: skip
        buffer.seek(0)
        self.env.cr.execute(
            """CREATE TEMP TABLE telecom_ic_deck_stage (
                   agreement_id integer, deck_id integer, company_id integer, direction text,
                   date_from date, uid integer, jurisdiction text, prefix text,
                   description text, price numeric, first_increment integer,
                   next_increment integer, minimum_charge numeric) ON COMMIT DROP"""
        )
        self.env.cr.copy_expert(
            "COPY telecom_ic_deck_stage FROM STDIN WITH (FORMAT csv, NULL '')", buffer
        )
        self.env.cr.execute(
            """
            INSERT INTO telecom_interconnect_rate (
                agreement_id, deck_id, company_id, direction, date_from, jurisdiction, prefix,
                description, price, first_increment, next_increment, minimum_charge,
                create_uid, create_date, write_uid, write_date)
            SELECT agreement_id, deck_id, company_id, direction, date_from, jurisdiction,
                   prefix, description, price, first_increment, next_increment,
                   minimum_charge, uid, now() AT TIME ZONE 'UTC', uid,
                   now() AT TIME ZONE 'UTC'
              FROM telecom_ic_deck_stage;
            DROP TABLE telecom_ic_deck_stage;
            """
        )
        Rate.invalidate_model()
        self.invalidate_recordset(["rate_ids"])

    def _telecom_close_previous_rates(self):
        """The deck replaces the rates of its direction from its date: earlier rates end the
        day before; a deck already in force on a later date must be imported after this one."""
        Rate = self.env["telecom.interconnect.rate"]
        domain = [
            ("agreement_id", "=", self.agreement_id.id),
            ("direction", "=", self.direction),
        ]
        if Rate.search_count([*domain, ("date_from", ">=", self.date_from)], limit=1):
            raise UserError(
                self.env._(
                    "Agreement %(agreement)s already has %(direction)s rates from %(date)s or "
                    "later: import the decks in date order.",
                    agreement=self.agreement_id.display_name,
                    direction=dict(INTERCONNECT_DIRECTIONS)[self.direction],
                    date=self.date_from,
                )
            )
        Rate.search(
            [*domain, "|", ("date_to", "=", False), ("date_to", ">=", self.date_from)]
        ).date_to = self.date_from - timedelta(days=1)
