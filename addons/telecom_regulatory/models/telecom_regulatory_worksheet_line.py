from collections import defaultdict

from odoo import api, fields, models

from .telecom_form499_election import SAFE_HARBOR_CATEGORIES
from .telecom_form499_split import SPLIT_METHODS

INCOME_ACCOUNT_TYPES = ("income", "income_other")
COLUMNS = ("total", "interstate", "international")
# Revenue the safe harbors may be applied to: monthly and activation charges (and the
# promotions that reduce them). Toll, international and itemised usage are reported on their
# actual jurisdiction (Form 499-A / 499-Q instructions, "Safe Harbors").
SAFE_HARBOR_KINDS = ("recurring", "charge", "discount")
# (interstate %, international %) of a rated call by its jurisdiction.
ACTUAL_JURISDICTION = {
    "intrastate": (0.0, 0.0),
    "interstate": (100.0, 0.0),
    "international": (0.0, 100.0),
}


class TelecomRegulatoryWorksheetLine(models.Model):
    _name = "telecom.regulatory.worksheet.line"
    _description = "Form 499 Worksheet Line"
    _order = "filing_id, sequence, id"

    company_id = fields.Many2one(related="filing_id.company_id")

    # ------------------------------------------------------------
    # FIELDS
    # ------------------------------------------------------------

    filing_id = fields.Many2one(
        "telecom.regulatory.filing", required=True, ondelete="cascade", index=True
    )
    currency_id = fields.Many2one(related="filing_id.currency_id")
    line_id = fields.Many2one("telecom.form499.line", string="499 Line", required=True)
    code = fields.Char(related="line_id.code", string="Line")
    block = fields.Selection(related="line_id.block")
    sequence = fields.Integer(related="line_id.sequence", store=True)
    total = fields.Monetary(string="(a) Total Revenue")
    interstate = fields.Monetary(string="(b) Interstate")
    international = fields.Monetary(string="(c) International")
    intrastate = fields.Monetary(compute="_compute_intrastate")
    split_method = fields.Selection(SPLIT_METHODS)
    split_note = fields.Char(string="Split Basis")
    move_line_ids = fields.Many2many("account.move.line", string="Journal Items")
    move_line_count = fields.Integer(compute="_compute_move_line_count")

    # ------------------------------------------------------------
    # COMPUTE
    # ------------------------------------------------------------

    @api.depends("total", "interstate", "international")
    def _compute_intrastate(self):
        for line in self:
            line.intrastate = line.total - line.interstate - line.international

    def _compute_move_line_count(self):
        for line in self:
            line.move_line_count = len(line.move_line_ids)

    # ------------------------------------------------------------
    # ACTION
    # ------------------------------------------------------------

    def action_view_move_lines(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Journal items of line %(line)s", line=self.code),
            "res_model": "account.move.line",
            "view_mode": "list,form",
            "domain": [("id", "in", self.move_line_ids.ids)],
            "context": {"create": False},
        }

    # ------------------------------------------------------------
    # BUSINESS: revenue by Form 499-A line
    # ------------------------------------------------------------

    @api.model
    def _telecom_revenue_items(self, company, date_from, date_to):
        """Posted journal items of the period that are revenue (income accounts) or federal
        USF recovery charged to customers (booked to a liability account)."""
        return (
            self.env["account.move.line"]
            .sudo()
            .search(
                [
                    ("company_id", "=", company.id),
                    ("parent_state", "=", "posted"),
                    ("date", ">=", date_from),
                    ("date", "<=", date_to),
                    "|",
                    ("account_id.account_type", "in", INCOME_ACCOUNT_TYPES),
                    ("telecom_tax_kind", "=", "federal_usf"),
                ]
            )
        )

    @api.model
    def _telecom_safe_harbor_category(self, item, product, regulatory_class):
        """The safe-harbor category of ``item``'s revenue ('mobile', 'voip') or False."""
        service_type = item.telecom_service_id.service_type or product.telecom_service_type
        if service_type == "mobile" and regulatory_class in ("interstate", "intrastate"):
            return "mobile"
        if regulatory_class == "voip":
            return "voip"
        return False

    @api.model
    def _telecom_form499a_figures(self, filing):
        """``{499-A line: figures}`` of the posted accounting of ``filing``'s period, where
        figures hold the three columns, the journal items, the split methods and bases.

        Each item's jurisdiction: USF recovery by its split (interstate); itemised usage with a
        rated jurisdiction on that jurisdiction; monthly and activation charges of a
        safe-harbor category by the filer's election for the quarter of the item (safe harbor,
        traffic study or actual); anything else by the line's split table."""
        Line = self.env["telecom.form499.line"]
        Mapping = self.env["telecom.form499.mapping"]
        usf_line = Line.search([("form", "=", "499a"), ("line_kind", "=", "usf_recovery")], limit=1)
        fallback = Line.search([("form", "=", "499a"), ("line_kind", "=", "non_telecom")], limit=1)
        elections = self.env["telecom.form499.election"]._telecom_elections(
            filing.company_id, filing.date_from, filing.date_to
        )
        figures = defaultdict(
            lambda: {
                **dict.fromkeys(COLUMNS, 0.0),
                "items": [],
                "methods": set(),
                "bases": set(),
            }
        )
        mappings = Mapping.search([])
        cache = {}
        problems = {"unmapped": set(), "no_election": set(), "not_eligible": defaultdict(int)}
        carrier_of = {}  # partner id -> carrier's carrier customer?
        for item in self._telecom_revenue_items(
            filing.company_id, filing.date_from, filing.date_to
        ):
            partner = item.partner_id or item.move_id.partner_id
            if partner.id not in carrier_of:
                carrier_of[partner.id] = bool(partner) and partner._telecom_is_carrier_customer()
            block = "carrier" if carrier_of[partner.id] else "end_user"
            product = item.product_id
            if not product.telecom_regulatory_class and item.telecom_service_id:
                product = item.telecom_service_id.product_id  # e.g. a promotion's discount
            if item.telecom_tax_kind == "federal_usf":
                line = usf_line
                share = self._telecom_split_share(cache, usf_line, "interstate", filing)
            else:
                line, share = self._telecom_item_line_and_share(
                    filing, item, block, product, (mappings, cache, elections, problems)
                )
                if not line:
                    line = fallback
            amount = -item.balance
            target = figures[line]
            interstate_pct, international_pct, method, basis = share
            target["total"] += amount
            target["interstate"] += amount * interstate_pct / 100.0
            target["international"] += amount * international_pct / 100.0
            target["items"].append(item.id)
            if method:
                target["methods"].add(method)
                target["bases"].add(basis)
        self._telecom_report_problems(filing, problems, fallback)
        currency = filing.currency_id
        for values in figures.values():
            for column in COLUMNS:
                values[column] = currency.round(values[column])
        return figures

    @api.model
    def _telecom_item_line_and_share(self, filing, item, block, product, context):
        """``(499-A line, (interstate %, international %, method, basis))`` of a revenue item."""
        mappings, cache, elections, problems = context
        Mapping = self.env["telecom.form499.mapping"]
        regulatory_class = item.telecom_regulatory_class or product.telecom_regulatory_class
        usage = item.telecom_line_kind == "usage" and item.telecom_regulatory_class in (
            ACTUAL_JURISDICTION
        )
        key = (block, product.id, regulatory_class, usage)
        if key not in cache:
            cache[key] = (
                Mapping._telecom_line_for(block, product, mappings, regulatory_class, usage)
                if product or regulatory_class
                else self.env["telecom.form499.line"]
            )
        line = cache[key]
        if not line and (product.telecom_service_type or regulatory_class):
            problems["unmapped"].add(product)
        if usage:
            interstate, international = ACTUAL_JURISDICTION[item.telecom_regulatory_class]
            return line, (interstate, international, "actual", self.env._("rated calls"))
        category = self._telecom_safe_harbor_category(item, product, regulatory_class)
        if not category:
            return line, self._telecom_split_share(cache, line, regulatory_class, filing)
        election = next(
            (e for e in elections.get(category, []) if e.date_from <= item.date <= e.date_to),
            None,
        )
        if election is None:
            problems["no_election"].add((category, item.date.year, (item.date.month - 1) // 3 + 1))
            return line, (0.0, 0.0, False, "")
        if election.method == "safe_harbor" and item.telecom_line_kind not in SAFE_HARBOR_KINDS:
            problems["not_eligible"][product, category] += 1
            return line, (0.0, 0.0, False, "")
        basis = f"{election.interstate_pct:g}% / {election.international_pct:g}% ({category})"
        return line, (election.interstate_pct, election.international_pct, election.method, basis)

    @api.model
    def _telecom_split_share(self, cache, line, regulatory_class, filing):
        """Share of ``line`` from the split table (cached per line and class)."""
        key = ("split", line.id, regulatory_class or False)
        if key not in cache:
            split = self.env["telecom.form499.split"]._telecom_split_for(
                filing.company_id, line, regulatory_class, filing.date_from, filing.date_to
            )
            cache[key] = (
                (
                    split.interstate_pct,
                    split.international_pct,
                    split.method,
                    f"{split.interstate_pct:g}% / {split.international_pct:g}%"
                    + (f" ({split.regulatory_class})" if split.regulatory_class else ""),
                )
                if split
                else (0.0, 0.0, False, "")
            )
            if not split and line.line_kind == "revenue":
                filing._add_error(
                    self.env._(
                        "Line %(line)s has no interstate/international split for the period: "
                        "all of it is reported as intrastate. Record its split.",
                        line=line.code,
                    ),
                    blocking=False,
                )
        return cache[key]

    @api.model
    def _telecom_report_problems(self, filing, problems, fallback):
        categories = dict(SAFE_HARBOR_CATEGORIES)
        for product in problems["unmapped"]:
            filing._add_error(
                self.env._(
                    "Revenue from %(product)s has no 499 line mapping: reported as "
                    "non-telecommunications revenue (line %(line)s). Map its regulatory class.",
                    product=product.display_name,
                    line=fallback.code,
                ),
                blocking=False,
                record=product,
            )
        for category, year, quarter in sorted(problems["no_election"]):
            filing._add_error(
                self.env._(
                    "%(company)s made no election for %(category)s revenue in %(year)s Q%(q)s: "
                    "record the safe harbor or the traffic study used for that quarter "
                    "(Regulatory > Configuration > Safe Harbor Elections).",
                    company=filing.company_id.name,
                    category=categories[category],
                    year=year,
                    q=quarter,
                )
            )
        for (product, category), count in problems["not_eligible"].items():
            filing._add_error(
                self.env._(
                    "%(count)s journal item(s) of %(product)s are neither monthly or activation "
                    "charges nor rated calls: the %(category)s safe harbor does not apply to "
                    "them. Bill them through the bill run (usage with its jurisdiction) or elect "
                    "a traffic study.",
                    count=count,
                    product=product.display_name,
                    category=categories[category],
                ),
                record=product,
            )

    @api.model
    def _telecom_form499a_totals(self, filing, figures):
        """Block 4-B figures ``{code: columns}``: gross revenue (419), contribution base (420),
        uncollectibles shared in proportion (421, 422) and the net base (423)."""
        currency = filing.currency_id

        def total(predicate):
            return {
                column: sum(values[column] for line, values in figures.items() if predicate(line))
                for column in COLUMNS
            }

        gross = total(lambda line: line.block in ("block3", "block4a"))
        base = total(
            lambda line: line.block == "block4a" and line.line_kind in ("revenue", "usf_recovery")
        )
        uncollectible = filing._telecom_uncollectible_amount()

        def share(figures_, amount):
            return {
                column: currency.round(amount * figures_[column] / gross["total"])
                if gross["total"]
                else 0.0
                for column in COLUMNS
            }

        uncollectible_base = share(base, uncollectible)
        return {
            "419": gross,
            "420": base,
            "421": share(gross, uncollectible),
            "422": uncollectible_base,
            "423": {column: base[column] - uncollectible_base[column] for column in COLUMNS},
        }

    @api.model
    def _telecom_build(self, filing):
        """Worksheet lines of ``filing`` from the posted accounting of its period: the 499-A
        lines, or the 499-Q lines (own line numbers) derived from the same figures."""
        filing.worksheet_line_ids.unlink()
        figures = self._telecom_form499a_figures(filing)
        totals = self._telecom_form499a_totals(filing, figures)
        if filing.filing_type == "499q":
            return self._telecom_build_499q(filing, figures, totals)
        vals_list = [
            {
                "filing_id": filing.id,
                "line_id": line.id,
                **{column: values[column] for column in COLUMNS},
                "split_method": next(iter(values["methods"]))
                if len(values["methods"]) == 1
                else False,
                "split_note": ", ".join(sorted(values["bases"])),
                "move_line_ids": [fields.Command.set(values["items"])],
            }
            for line, values in sorted(figures.items(), key=lambda kv: (kv[0].sequence, kv[0].id))
        ]
        lines_by_code = {
            line.code: line
            for line in self.env["telecom.form499.line"].search(
                [("form", "=", "499a"), ("code", "in", list(totals))]
            )
        }
        vals_list += [
            {"filing_id": filing.id, "line_id": lines_by_code[code].id, **columns}
            for code, columns in totals.items()
            if code in lines_by_code
        ]
        return self.create(vals_list)

    @api.model
    def _telecom_build_499q(self, filing, figures, totals):
        """499-Q lines: each seeded 499-Q line names the figure it carries (historical or
        projected) in ``q_figure``; projected = historical x (1 + projected growth)."""
        currency = filing.currency_id
        growth = 1 + filing.projection_growth_pct / 100.0

        def total(predicate):
            return {
                column: sum(values[column] for line, values in figures.items() if predicate(line))
                for column in COLUMNS
            }

        historical = {
            "carrier": total(lambda line: line.block == "block3"),
            "all_revenue": totals["419"],
            "non_telecom": total(lambda line: line.line_kind == "non_telecom"),
            "usf_recovery": total(lambda line: line.line_kind == "usf_recovery"),
            "end_user": totals["420"],
            "end_user_collected": totals["423"],
        }

        def items_of(predicate):
            return [i for line, v in figures.items() if predicate(line) for i in v["items"]]

        end_user_items = items_of(
            lambda line: line.block == "block4a" and line.line_kind in ("revenue", "usf_recovery")
        )
        items = {
            "carrier": items_of(lambda line: line.block == "block3"),
            "all_revenue": items_of(lambda line: line.block in ("block3", "block4a")),
            "non_telecom": items_of(lambda line: line.line_kind == "non_telecom"),
            "usf_recovery": items_of(lambda line: line.line_kind == "usf_recovery"),
            "end_user": end_user_items,
            "end_user_collected": end_user_items,
        }
        vals_list = []
        for line in self.env["telecom.form499.line"].search([("form", "=", "499q")]):
            if not line.q_figure:
                continue
            columns = historical[line.q_figure]
            factor = growth if line.q_projected else 1.0
            vals_list.append(
                {
                    "filing_id": filing.id,
                    "line_id": line.id,
                    **{column: currency.round(columns[column] * factor) for column in COLUMNS},
                    "move_line_ids": [fields.Command.set(items[line.q_figure])],
                }
            )
        return self.create(vals_list)
