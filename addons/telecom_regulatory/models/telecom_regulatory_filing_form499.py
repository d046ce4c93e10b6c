import io

from dateutil.relativedelta import relativedelta

from odoo import fields, models

from ..tools.periods import projection_quarter
from .telecom_regulatory_worksheet_line import INCOME_ACCOUNT_TYPES

try:
    import xlsxwriter
except ImportError:  # pragma: no cover - shipped with Odoo
    xlsxwriter = None


class TelecomRegulatoryFiling(models.Model):
    """Form 499-A / 499-Q: revenue worksheet, GL reconciliation and contribution estimate."""

    _inherit = "telecom.regulatory.filing"

    worksheet_line_ids = fields.One2many(
        "telecom.regulatory.worksheet.line", "filing_id", string="Worksheet"
    )
    gl_revenue = fields.Monetary(
        string="GL Revenue",
        readonly=True,
        help="Revenue of the period in the general ledger (posted items on income accounts).",
    )
    worksheet_gl_revenue = fields.Monetary(
        string="Worksheet Revenue from GL",
        readonly=True,
        help="Revenue placed on the worksheet's Block 3 and Block 4-A lines from income accounts.",
    )
    gl_difference = fields.Monetary(
        string="Difference to GL",
        readonly=True,
        help="GL revenue minus worksheet revenue: zero when every revenue item is on a line.",
    )
    usf_billed = fields.Monetary(
        string="USF Recovery Billed",
        readonly=True,
        help="Federal USF recovery charges billed to customers (line 403).",
    )
    uncollectible_amount = fields.Monetary(string="Uncollectibles", readonly=True)
    contribution_base = fields.Monetary(
        readonly=True, help="Interstate and international end-user revenue net of uncollectibles."
    )
    contribution_factor = fields.Float(string="Contribution Factor %", digits=(6, 3), readonly=True)
    contribution_estimate = fields.Monetary(string="Estimated USF Contribution", readonly=True)
    annual_contribution_estimate = fields.Monetary(readonly=True)
    usf_de_minimis = fields.Boolean(
        string="De Minimis",
        readonly=True,
        help="The estimated annual contribution is below the de minimis threshold.",
    )
    trs_estimate = fields.Monetary(string="TRS Estimate", readonly=True)
    nanpa_estimate = fields.Monetary(string="NANPA Estimate", readonly=True)
    usf_recovery_difference = fields.Monetary(
        string="USF Billed minus Contribution",
        readonly=True,
        help="Positive: customers were billed more USF recovery than the estimated contribution.",
    )
    projection_growth_pct = fields.Float(
        string="Projected Growth %",
        help="499-Q: growth applied to the quarter's revenue to project the coming quarter.",
    )
    projection_date_from = fields.Date(readonly=True)
    projection_date_to = fields.Date(readonly=True)
    form499_filer_id = fields.Char(related="company_id.telecom_filer_499_id")

    # ------------------------------------------------------------
    # GENERATION
    # ------------------------------------------------------------

    def _generate_499a(self):
        self._telecom_generate_form499()

    def _generate_499q(self):
        self._telecom_generate_form499()

    def _telecom_generate_form499(self):
        self.ensure_one()
        lines = self.env["telecom.regulatory.worksheet.line"]._telecom_build(self)
        by_code = {line.code: line for line in lines}
        currency = self.currency_id
        quarterly = self.filing_type == "499q"
        # 499-A: net base line 423, base 420, USF 403; 499-Q: projected collected end-user
        # revenue line 120 (what USAC bills on), end-user gross 115, USF pass-through 114
        net_code, base_code, usf_code = (
            ("120", "115", "114") if quarterly else ("423", "420", "403")
        )
        gl_revenue = self._telecom_gl_revenue()
        worksheet_gl = currency.round(
            -sum(
                self._telecom_worksheet_revenue_lines(lines)
                .move_line_ids.filtered(lambda i: i.account_id.account_type in INCOME_ACCOUNT_TYPES)
                .mapped("balance")
            )
        )
        net = by_code.get(net_code)
        base = (net.interstate + net.international) if net else 0.0
        factor = self._telecom_contribution_factor()
        projection = {}
        if quarterly:
            start, end = projection_quarter(self.due_date or self.date_to + relativedelta(days=32))
            projection = {"projection_date_from": start, "projection_date_to": end}
        estimate = currency.round(base * (factor or 0.0) / 100.0)
        months = 3 if quarterly else 12
        annual = currency.round(estimate * 12 / months)
        company = self.company_id
        base_line = by_code.get(base_code)
        minimum = company.telecom_regulatory_minimum_fee
        usf_billed = by_code[usf_code].total if usf_code in by_code else 0.0
        trs = nanpa = 0.0
        if not quarterly and base_line:  # TRS and NANPA are assessed on the 499-A only
            if company.telecom_trs_factor:
                trs = max(
                    currency.round(
                        (base_line.interstate + base_line.international)
                        * company.telecom_trs_factor
                    ),
                    minimum,
                )
            if company.telecom_nanpa_factor:
                nanpa = max(currency.round(base_line.total * company.telecom_nanpa_factor), minimum)
        self.write(
            {
                "gl_revenue": gl_revenue,
                "worksheet_gl_revenue": worksheet_gl,
                "gl_difference": currency.round(gl_revenue - worksheet_gl),
                "usf_billed": usf_billed,
                "uncollectible_amount": self._telecom_uncollectible_amount(),
                "contribution_base": base,
                "contribution_factor": factor or 0.0,
                "contribution_estimate": estimate,
                "annual_contribution_estimate": annual,
                "usf_de_minimis": annual < company.telecom_usf_de_minimis,
                "trs_estimate": trs,
                "nanpa_estimate": nanpa,
                "usf_recovery_difference": currency.round(usf_billed - estimate),
                **projection,
            }
        )
        if not currency.is_zero(self.gl_difference):
            self._add_error(
                self.env._(
                    "The worksheet differs from the general ledger's revenue by %(amount)s: "
                    "check the journal items of the period.",
                    amount=self.gl_difference,
                )
            )
        self._attach_file(f"{self._file_prefix()}_worksheet.csv", self._telecom_form499_csv())
        if xlsxwriter:
            self._attach_file(
                f"{self._file_prefix()}_worksheet.xlsx",
                self._telecom_form499_xlsx(),
                mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
        self._telecom_attach_report(
            "telecom_regulatory.action_report_form499_worksheet",
            f"{self._file_prefix()}_worksheet",
        )
        return lines

    def _telecom_worksheet_revenue_lines(self, lines):
        """The worksheet lines whose journal items make up the period's revenue once: 499-A
        Blocks 3 and 4-A; 499-Q the historical all-sources line."""
        if self.filing_type == "499q":
            return lines.filtered(
                lambda x: x.line_id.q_figure == "all_revenue" and not x.line_id.q_projected
            )
        return lines.filtered(lambda x: x.block in ("block3", "block4a"))

    def _telecom_gl_revenue(self):
        """Revenue of the period read from the ledger (an independent aggregate query)."""
        self.ensure_one()
        groups = (
            self.env["account.move.line"]
            .sudo()
            ._read_group(
                [
                    ("company_id", "=", self.company_id.id),
                    ("parent_state", "=", "posted"),
                    ("date", ">=", self.date_from),
                    ("date", "<=", self.date_to),
                    ("account_id.account_type", "in", INCOME_ACCOUNT_TYPES),
                ],
                [],
                ["balance:sum"],
            )
        )
        return self.currency_id.round(-(groups[0][0] or 0.0))

    def _telecom_uncollectible_amount(self):
        """Receivables written off in the period: movements of the bad debt account."""
        self.ensure_one()
        account = self.company_id.telecom_uncollectible_account_id
        if not account:
            return 0.0
        groups = (
            self.env["account.move.line"]
            .sudo()
            ._read_group(
                [
                    ("account_id", "=", account.id),
                    ("parent_state", "=", "posted"),
                    ("date", ">=", self.date_from),
                    ("date", "<=", self.date_to),
                ],
                [],
                ["balance:sum"],
            )
        )
        return self.currency_id.round(groups[0][0] or 0.0)

    def _telecom_contribution_factor(self):
        """499-Q: factor of the projected quarter; 499-A: mean of the period's quarters."""
        self.ensure_one()
        Factor = self.env["telecom.usf.contribution.factor"]
        if self.filing_type == "499q":
            start, __ = projection_quarter(self.due_date or self.date_to + relativedelta(days=32))
            days = [start]
        else:
            days = []
            day = self.date_from
            while day <= self.date_to:
                days.append(day)
                day += relativedelta(months=3)
        factors = [Factor._telecom_factor_for(day) for day in days]
        missing = [day for day, factor in zip(days, factors, strict=True) if factor is None]
        for day in missing:
            self._add_error(
                self.env._(
                    "No USF contribution factor is recorded for the quarter of %(date)s.", date=day
                ),
                blocking=False,
            )
        known = [factor for factor in factors if factor is not None]
        return sum(known) / len(known) if known else None

    # ------------------------------------------------------------
    # EXPORT
    # ------------------------------------------------------------

    def _telecom_form499_rows(self):
        self.ensure_one()
        return [
            [
                line.code,
                line.line_id.name,
                line.total,
                line.interstate,
                line.international,
                line.split_method or "",
                line.split_note or "",
            ]
            for line in self.worksheet_line_ids
        ]

    def _telecom_form499_header(self):
        return [
            "line",
            "description",
            "total",
            "interstate",
            "international",
            "split_method",
            "split_basis",
        ]

    def _telecom_form499_summary(self):
        return [
            ("GL revenue", self.gl_revenue),
            ("Worksheet revenue from GL", self.worksheet_gl_revenue),
            ("Difference", self.gl_difference),
            ("USF recovery billed", self.usf_billed),
            ("Contribution base", self.contribution_base),
            ("Contribution factor %", self.contribution_factor),
            ("Estimated USF contribution", self.contribution_estimate),
            ("USF billed minus contribution", self.usf_recovery_difference),
            ("De minimis", "yes" if self.usf_de_minimis else "no"),
            ("TRS estimate", self.trs_estimate),
            ("NANPA estimate", self.nanpa_estimate),
        ]

    def _telecom_form499_blocks(self):
        """``[(block label, worksheet lines)]`` in the form's order, for the printed form."""
        self.ensure_one()
        labels = dict(self.env["telecom.form499.line"]._fields["block"].selection)
        blocks = []
        for line in self.worksheet_line_ids.sorted(lambda x: (x.line_id.sequence, x.id)):
            if not blocks or blocks[-1][0] != labels[line.block]:
                blocks.append((labels[line.block], line))
            else:
                blocks[-1] = (blocks[-1][0], blocks[-1][1] | line)
        return blocks

    def _telecom_form499_csv(self):
        rows = self._telecom_form499_rows()
        rows.append([])
        rows += [[label, "", value] for label, value in self._telecom_form499_summary()]
        return self._csv_bytes(self._telecom_form499_header(), rows)

    def _telecom_form499_xlsx(self):
        buffer = io.BytesIO()
        workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
        sheet = workbook.add_worksheet("Worksheet")
        bold = workbook.add_format({"bold": True})
        money = workbook.add_format({"num_format": "#,##0.00"})
        sheet.write(0, 0, f"{self.name} ({self.company_id.name})", bold)
        sheet.write(1, 0, f"{self.date_from} - {self.date_to}")
        for col, title in enumerate(self._telecom_form499_header()):
            sheet.write(3, col, title, bold)
        row = 4
        for values in self._telecom_form499_rows():
            for col, value in enumerate(values):
                if isinstance(value, float):
                    sheet.write_number(row, col, value, money)
                else:
                    sheet.write(row, col, value)
            row += 1
        row += 1
        for label, value in self._telecom_form499_summary():
            sheet.write(row, 0, label, bold)
            sheet.write(row, 2, value, money if isinstance(value, float) else None)
            row += 1
        sheet.set_column(1, 1, 60)
        sheet.set_column(2, 9, 16)
        workbook.close()
        return buffer.getvalue()
