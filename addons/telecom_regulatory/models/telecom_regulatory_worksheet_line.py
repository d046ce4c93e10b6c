from collections import defaultdict

from odoo import api, fields, models

from .telecom_form499_split import SPLIT_METHODS

INCOME_ACCOUNT_TYPES = ("income", "income_other")


class TelecomRegulatoryWorksheetLine(models.Model):
    _name = "telecom.regulatory.worksheet.line"
    _description = "Form 499 Worksheet Line"
    _order = "filing_id, sequence, id"

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
    total = fields.Monetary(string="Total Revenue")
    interstate = fields.Monetary(string="Interstate")
    international = fields.Monetary(string="International")
    intrastate = fields.Monetary(compute="_compute_intrastate")
    split_method = fields.Selection(SPLIT_METHODS)
    split_note = fields.Char(string="Split Basis")
    projected_total = fields.Monetary(string="Projected Total")
    projected_interstate = fields.Monetary(string="Projected Interstate")
    projected_international = fields.Monetary(string="Projected International")
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
    # BUSINESS
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
    def _telecom_build(self, filing):
        """Worksheet lines of ``filing`` from the posted accounting of its period."""
        filing.worksheet_line_ids.unlink()
        Line = self.env["telecom.form499.line"]
        Mapping = self.env["telecom.form499.mapping"]
        Split = self.env["telecom.form499.split"]
        currency = filing.currency_id
        usf_line = Line.search([("line_kind", "=", "usf_recovery")], limit=1)
        fallback = Line.search([("line_kind", "=", "non_telecom")], limit=1)
        sums = defaultdict(lambda: {"total": 0.0, "interstate": 0.0, "international": 0.0})
        items_of = defaultdict(list)
        split_of = {}
        unmapped = set()
        mappings = Mapping.search([])
        line_of = {}  # (block, product id) -> 499 line
        carrier_of = {}  # partner id -> carrier's carrier customer?
        for item in self._telecom_revenue_items(
            filing.company_id, filing.date_from, filing.date_to
        ):
            amount = -item.balance
            partner = item.partner_id or item.move_id.partner_id
            if partner.id not in carrier_of:
                carrier_of[partner.id] = bool(partner) and partner._telecom_is_carrier_customer()
            block = "carrier" if carrier_of[partner.id] else "end_user"
            product = item.product_id
            if not product.telecom_regulatory_class and item.telecom_service_id:
                product = item.telecom_service_id.product_id  # e.g. a promotion's discount
            regulatory_class = product.telecom_regulatory_class
            if item.telecom_tax_kind == "federal_usf":
                line = usf_line
                regulatory_class = "interstate"
            else:
                if (block, product.id) not in line_of:
                    line_of[block, product.id] = (
                        Mapping._telecom_line_for(block, product, mappings) if product else Line
                    )
                line = line_of[block, product.id]
                if not line:
                    if product.telecom_service_type or product.telecom_regulatory_class:
                        unmapped.add(product)  # a telecom product nobody mapped: say so
                    line = fallback
            key = (line.id, regulatory_class or False)
            if key not in split_of:
                split_of[key] = Split._telecom_split_for(
                    line, regulatory_class, filing.date_from, filing.date_to
                )
            split = split_of[key]
            figures = sums[line.id]
            figures["total"] += amount
            figures["interstate"] += amount * split.interstate_pct / 100.0
            figures["international"] += amount * split.international_pct / 100.0
            figures.setdefault("splits", set()).add(split.id)
            items_of[line.id].append(item.id)
        for product in unmapped:
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
        vals_list = []
        for line in Line.search([("line_kind", "not in", ("total", "uncollectible"))]):
            figures = sums.get(line.id)
            if not figures:
                continue
            splits = Split.browse(figures.get("splits", set()) - {False})
            if line.line_kind == "revenue" and not splits:
                filing._add_error(
                    self.env._(
                        "Line %(line)s has no interstate/international split for the period: "
                        "all of it is reported as intrastate. Record its safe harbor or traffic "
                        "study figures.",
                        line=line.code,
                    ),
                    blocking=False,
                )
            methods = set(splits.mapped("method"))
            vals_list.append(
                {
                    "filing_id": filing.id,
                    "line_id": line.id,
                    "total": currency.round(figures["total"]),
                    "interstate": currency.round(figures["interstate"]),
                    "international": currency.round(figures["international"]),
                    "split_method": methods.pop() if len(methods) == 1 else False,
                    "split_note": ", ".join(
                        f"{s.interstate_pct:g}% / {s.international_pct:g}%"
                        + (f" ({s.regulatory_class})" if s.regulatory_class else "")
                        for s in splits
                    ),
                    "move_line_ids": [fields.Command.set(items_of[line.id])],
                }
            )
        lines = self.create(vals_list)
        return lines | self._telecom_build_totals(filing, lines)

    @api.model
    def _telecom_build_totals(self, filing, lines):
        """Block 4-B: gross revenue, contribution base, uncollectibles and net base."""
        Line = self.env["telecom.form499.line"]
        currency = filing.currency_id

        def total(records):
            return {
                "total": sum(records.mapped("total")),
                "interstate": sum(records.mapped("interstate")),
                "international": sum(records.mapped("international")),
            }

        def share(figures, amount, of):
            return {
                key: currency.round(amount * figures[key] / of[key]) if of[key] else 0.0
                for key in ("total", "interstate", "international")
            }

        gross = total(lines.filtered(lambda x: x.block in ("block3", "block4a")))
        base = total(
            lines.filtered(
                lambda x: (
                    x.block == "block4a" and x.line_id.line_kind in ("revenue", "usf_recovery")
                )
            )
        )
        uncollectible = filing._telecom_uncollectible_amount()
        uncollectible_gross = share(gross, uncollectible, {k: gross["total"] for k in gross})
        uncollectible_base = share(base, uncollectible, {k: gross["total"] for k in base})
        net = {key: base[key] - uncollectible_base[key] for key in base}
        values = {
            "419": gross,
            "420": base,
            "421": uncollectible_gross,
            "422": uncollectible_base,
            "423": net,
        }
        vals_list = []
        for code, figures in values.items():
            line = Line.search([("code", "=", code)], limit=1)
            if line:
                vals_list.append({"filing_id": filing.id, "line_id": line.id, **figures})
        return self.create(vals_list)
