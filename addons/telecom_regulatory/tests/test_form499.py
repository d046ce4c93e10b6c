import base64
import io
from datetime import date

import openpyxl

from odoo.exceptions import ValidationError
from odoo.fields import Command
from odoo.tests import tagged

from .common import TelecomRegulatoryCase


@tagged("post_install", "-at_install")
class TestForm499(TelecomRegulatoryCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Account = cls.env["account.account"]
        company_domain = Account._check_company_domain(cls.company)
        cls.income = Account.search([*company_domain, ("account_type", "=", "income")], limit=1)
        cls.usf_payable = Account.create(
            {"name": "T Federal USF payable", "code": "T2410", "account_type": "liability_current"}
        )
        cls.bad_debt = Account.create(
            {"name": "T Bad debt", "code": "T6810", "account_type": "expense"}
        )
        cls.company.write(
            {
                "telecom_uncollectible_account_id": cls.bad_debt.id,
                "telecom_trs_factor": 0.01,
                "telecom_nanpa_factor": 0.0001,
            }
        )
        Partner = cls.env["res.partner"]
        cls.carrier = Partner.create(
            {
                "name": "T Reseller with certificate",
                "is_company": True,
                "telecom_customer_type": "wholesale",
                "telecom_reseller_certificate": True,
            }
        )
        cls.wholesale_no_cert = Partner.create(
            {"name": "T Wholesale without certificate", "telecom_customer_type": "wholesale"}
        )
        day = date(2025, 3, 10)
        cls.move_residential = cls._invoice_for(
            cls.customer,
            day,
            [
                (cls.plan_basic, 1000.0),
                (cls.plan_voip, 500.0),
                (cls.addon_intl, 200.0),
                (cls.plan_fiber, 300.0),
                (cls.plan_fixed_voice, 100.0),
            ],
            usf=60.0,
        )
        cls._invoice_for(cls.carrier, day, [(cls.plan_basic, 400.0)])
        cls._invoice_for(cls.wholesale_no_cert, day, [(cls.plan_voip, 100.0)])
        # outside the period: ignored
        cls._invoice_for(cls.customer, date(2026, 1, 5), [(cls.plan_basic, 999.0)])
        # a receivable of 50.00 written off to bad debt
        receivable = cls.customer.property_account_receivable_id
        write_off = cls.env["account.move"].create(
            {
                "move_type": "entry",
                "date": date(2025, 6, 30),
                "line_ids": [
                    Command.create(
                        {
                            "account_id": cls.bad_debt.id,
                            "debit": 50.0,
                            "partner_id": cls.customer.id,
                        }
                    ),
                    Command.create(
                        {"account_id": receivable.id, "credit": 50.0, "partner_id": cls.customer.id}
                    ),
                ],
            }
        )
        write_off.action_post()
        # the filer elected the safe harbors for 2025 (one election per category and period)
        cls.elections = cls.env["telecom.form499.election"].create(
            [
                {"category": category, "date_from": date(2025, 1, 1), "date_to": date(2025, 12, 31)}
                for category in ("mobile", "voip")
            ]
        )

    @classmethod
    def _write_off(cls, amount, day):
        receivable = cls.customer.property_account_receivable_id
        move = cls.env["account.move"].create(
            {
                "move_type": "entry",
                "date": day,
                "line_ids": [
                    Command.create(
                        {
                            "account_id": cls.bad_debt.id,
                            "debit": amount,
                            "partner_id": cls.customer.id,
                        }
                    ),
                    Command.create(
                        {
                            "account_id": receivable.id,
                            "credit": amount,
                            "partner_id": cls.customer.id,
                        }
                    ),
                ],
            }
        )
        move.action_post()
        return move

    @classmethod
    def _invoice_for(cls, partner, day, lines, usf=0.0):
        """Posted invoice of ``lines``: ``(product, amount)`` billed as monthly charges, or
        ``(product, amount, line kind, line regulatory class)`` as the bill run writes them."""
        line_vals = [
            Command.create(
                {
                    "product_id": product.id,
                    "quantity": 1,
                    "price_unit": amount,
                    "account_id": cls.income.id,
                    "tax_ids": [Command.clear()],
                    "telecom_line_kind": kind,
                    "telecom_regulatory_class": line_class,
                }
            )
            for product, amount, kind, line_class in (
                (line + ("recurring", False))[:4] for line in lines
            )
        ]
        if usf:
            line_vals.append(
                Command.create(
                    {
                        "name": "Federal USF recovery",
                        "quantity": 1,
                        "price_unit": usf,
                        "account_id": cls.usf_payable.id,
                        "tax_ids": [Command.clear()],
                        "telecom_line_kind": "tax",
                        "telecom_tax_kind": "federal_usf",
                    }
                )
            )
        move = cls.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": partner.id,
                "invoice_date": day,
                "date": day,
                "invoice_line_ids": line_vals,
            }
        )
        move.action_post()
        return move

    def _mobile_traffic_study(self):
        """The 2025 mobile election: a traffic study, 25 % interstate, 2.5 % international."""
        election = self.elections.filtered(lambda e: e.category == "mobile")
        election.write(
            {
                "method": "traffic_study",
                "interstate_pct": 25.0,
                "international_pct": 2.5,
                "note": "T study of 2024 CDRs",
            }
        )
        return election

    def _filing(self, filing_type="499a", date_from=date(2025, 1, 1), date_to=date(2025, 12, 31)):
        filing = self.env["telecom.regulatory.filing"].create(
            {"filing_type": filing_type, "date_from": date_from, "date_to": date_to}
        )
        return filing

    @staticmethod
    def _lines(filing):
        return {
            line.code: (line.total, line.interstate, line.international)
            for line in filing.worksheet_line_ids
        }

    def test_499a_safe_harbor_reconciles_to_gl(self):
        filing = self._filing()
        filing.action_generate()
        lines = self._lines(filing)
        self.assertEqual(lines["409"], (1000.0, 371.0, 0.0))  # mobile safe harbor 37.1 %
        self.assertEqual(lines["404.4"], (600.0, 389.4, 0.0))  # VoIP 64.9 %, incl. no-cert resale
        self.assertEqual(lines["413"], (200.0, 0.0, 200.0))  # international calling
        self.assertEqual(lines["404.1"], (100.0, 0.0, 0.0))  # local: intrastate
        self.assertEqual(lines["418"], (300.0, 0.0, 0.0))  # broadband: not telecom
        self.assertEqual(lines["403"], (60.0, 60.0, 0.0))  # USF recovery billed
        self.assertEqual(lines["308"], (400.0, 148.4, 0.0))  # carrier's carrier mobile
        self.assertEqual(lines["419"], (2660.0, 968.8, 200.0))
        self.assertEqual(lines["420"], (1960.0, 820.4, 200.0))
        self.assertEqual(lines["421"], (50.0, 18.21, 3.76))
        self.assertEqual(lines["422"], (36.84, 15.42, 3.76))
        self.assertEqual(lines["423"], (1923.16, 804.98, 196.24))
        # reconciliation: every income item of the period is on a line
        self.assertEqual(filing.gl_revenue, 2600.0)
        self.assertEqual(filing.worksheet_gl_revenue, 2600.0)
        self.assertEqual(filing.gl_difference, 0.0)
        self.assertFalse(filing.error_ids.filtered("blocking"))
        # drill-down to the journal items
        line_409 = filing.worksheet_line_ids.filtered(lambda x: x.code == "409")
        self.assertEqual(line_409.move_line_ids.move_id, self.move_residential)
        self.assertEqual(line_409.move_line_ids.product_id, self.plan_basic)
        # contribution: mean of the FCC's 2025 factors (36.3 + 36.6 + 36.0 + 38.1) / 4 = 36.75 %
        # on 804.98 + 196.24 = 1001.22: 367.948... -> 367.95
        self.assertAlmostEqual(filing.contribution_factor, 36.75)
        self.assertEqual(filing.contribution_base, 1001.22)
        self.assertEqual(filing.contribution_estimate, 367.95)
        self.assertTrue(filing.usf_de_minimis)
        self.assertEqual(filing.usf_billed, 60.0)
        self.assertEqual(filing.usf_recovery_difference, -307.95)
        self.assertEqual(filing.trs_estimate, 25.0)  # 1% of 1020.40 = 10.20, minimum 25
        self.assertEqual(filing.nanpa_estimate, 25.0)
        names = self.env["ir.attachment"].search(
            [("res_model", "=", filing._name), ("res_id", "=", filing.id)]
        )
        self.assertEqual(
            sorted(names.mapped("name")),
            [
                "499a_2025-12-31_worksheet.csv",
                "499a_2025-12-31_worksheet.html",  # PDF on a server (tests render HTML)
                "499a_2025-12-31_worksheet.xlsx",
            ],
        )
        xlsx = names.filtered(lambda a: a.name.endswith(".xlsx"))
        sheet = openpyxl.load_workbook(io.BytesIO(base64.b64decode(xlsx.datas))).active
        rows = {row[0]: row for row in sheet.iter_rows(values_only=True) if row[0]}
        self.assertEqual(rows["409"][2:5], (1000.0, 371.0, 0.0))
        self.assertEqual(rows["Difference"][2], 0.0)
        csv_file = names.filtered(lambda a: a.name.endswith(".csv"))
        lines = base64.b64decode(csv_file.datas).decode().splitlines()
        self.assertEqual(
            lines[0], "line,description,total,interstate,international,split_method,split_basis"
        )

    def test_499a_traffic_study_election(self):
        self._mobile_traffic_study()
        filing = self._filing()
        filing.action_generate()
        lines = self._lines(filing)
        # the election covers all the filer's mobile revenue: end users and carrier's carrier
        self.assertEqual(lines["409"], (1000.0, 250.0, 25.0))  # 25 % and 2.5 % of 1000
        self.assertEqual(lines["308"], (400.0, 100.0, 10.0))  # 25 % and 2.5 % of 400
        line_409 = filing.worksheet_line_ids.filtered(lambda x: x.code == "409")
        self.assertEqual(line_409.split_method, "traffic_study")
        # 420 = 409 + 404.4 + 413 + 404.1 + 403: interstate 250 + 389.4 + 60, international
        # 25 + 200
        self.assertEqual(lines["420"], (1960.0, 699.4, 225.0))
        self.assertEqual(filing.gl_difference, 0.0)

    def test_each_filer_reads_its_own_splits(self):
        """Splits are a filer's figures: another company's split of line 413 changes nothing
        in this company's worksheet."""
        Split = self.env["telecom.form499.split"]
        ours = Split.search(
            [
                ("company_id", "=", self.company.id),
                ("line_id.code", "=", "413"),
                ("regulatory_class", "=", "international"),
            ]
        )
        self.assertEqual(len(ours), 1)
        company_b = self.env["res.company"].create({"name": "T 499 Filer B"})
        theirs = ours.copy(
            {"company_id": company_b.id, "interstate_pct": 50.0, "international_pct": 50.0}
        )
        filing = self._filing()
        filing.action_generate()
        self.assertEqual(self._lines(filing)["413"], (200.0, 0.0, 200.0))
        found = Split._telecom_split_for(
            company_b, ours.line_id, "international", filing.date_from, filing.date_to
        )
        self.assertEqual(found, theirs)

    def test_499q_own_lines_and_projection(self):
        self._write_off(98.0, date(2025, 3, 31))
        filing = self._filing("499q", date(2025, 1, 1), date(2025, 3, 31))
        filing.projection_growth_pct = 10.0
        self.assertEqual(filing.due_date, date(2025, 5, 1))
        filing.action_generate()
        self.assertEqual(
            (filing.projection_date_from, filing.projection_date_to),
            (date(2025, 7, 1), date(2025, 9, 30)),
        )
        lines = self._lines(filing)
        # the 499-Q's own lines only, none of the 499-A's
        self.assertEqual(sorted(lines), [str(code) for code in range(110, 121)])
        # historical quarter: carrier's carrier mobile 400 at 37.1 %
        self.assertEqual(lines["110"], (400.0, 148.4, 0.0))
        # all sources: 400 + 1000 + 600 + 200 + 100 + 300 + 60 USF;
        # interstate 148.4 + 371 + 389.4 + 60; international 200
        self.assertEqual(lines["112"], (2660.0, 968.8, 200.0))
        self.assertEqual(lines["113"], (300.0, 0.0, 0.0))  # broadband: non-telecom
        self.assertEqual(lines["114"], (60.0, 60.0, 0.0))  # USF pass-through
        self.assertEqual(lines["115"], (1960.0, 820.4, 200.0))  # end-user telecom
        # uncollectibles 98 shared in proportion to gross revenue 2660:
        # 1960 x 98 / 2660 = 72.21, 820.4 x 98 / 2660 = 30.23, 200 x 98 / 2660 = 7.37
        self.assertEqual(lines["116"], (1887.79, 790.17, 192.63))
        # projected = historical x 1.10
        self.assertEqual(lines["111"], (440.0, 163.24, 0.0))
        self.assertEqual(lines["117"], (2926.0, 1065.68, 220.0))
        self.assertEqual(lines["118"], (330.0, 0.0, 0.0))
        self.assertEqual(lines["119"], (2156.0, 902.44, 220.0))
        # Line 120 = Line 119 less uncollectibles = 116 x 1.10
        self.assertEqual(lines["120"], (2076.57, 869.19, 211.89))
        # contribution on line 120 (b) + (c) = 1081.08 at the Q3 2025 factor 36.0 %: 389.19
        self.assertEqual(filing.contribution_factor, 36.0)
        self.assertEqual(filing.contribution_base, 1081.08)
        self.assertEqual(filing.contribution_estimate, 389.19)
        self.assertEqual(filing.gl_revenue, 2600.0)
        self.assertEqual(filing.gl_difference, 0.0)
        line_115 = filing.worksheet_line_ids.filtered(lambda x: x.code == "115")
        self.assertEqual(line_115.line_id.block, "q_end_user")
        # drill-down: the end-user items (residential invoice, resale without certificate)
        # mobile, VoIP, international, local, USF of the residential invoice; resale VoIP
        self.assertEqual(len(line_115.move_line_ids), 6)
        self.assertIn(self.move_residential, line_115.move_line_ids.move_id)

    def test_worksheets_print_in_the_form_layout(self):
        report = self.env.ref("telecom_regulatory.action_report_form499_worksheet")
        self.company.telecom_filer_499_id = "831234"
        annual = self._filing()
        quarterly = self._filing("499q", date(2025, 1, 1), date(2025, 3, 31))
        (annual | quarterly).action_generate()
        html_a = str(report._render_qweb_html(report.report_name, annual.ids)[0])
        self.assertIn("FCC Form 499-A Telecommunications Reporting Worksheet", html_a)
        self.assertIn("Block 4-A: End-User and Non-Telecommunications Revenue", html_a)
        self.assertIn("Interconnected VoIP: bundled local and toll service", html_a)
        self.assertIn("831234", html_a)
        self.assertIn("<td>404.4</td>", html_a)
        self.assertIn("1,960", html_a)  # line 420 (a), whole dollars
        self.assertNotIn("<td>115</td>", html_a)
        html_q = str(report._render_qweb_html(report.report_name, quarterly.ids)[0])
        self.assertIn("FCC Form 499-Q Telecommunications Reporting Worksheet", html_q)
        self.assertIn("<td>120</td>", html_q)
        self.assertIn("End-user telecommunications revenue: gross billed, projected", html_q)
        self.assertNotIn("<td>404.4</td>", html_q)
        # printed by Odoo's report engine (wkhtmltopdf)
        pdf = report.with_context(force_report_rendering=True)._render_qweb_pdf(
            report.report_name, quarterly.ids
        )[0]
        self.assertTrue(pdf.startswith(b"%PDF"))

    def test_safe_harbor_only_on_monthly_and_activation_charges(self):
        """Mobile and VoIP safe harbors apply to monthly and activation charges; rated calls
        go on their jurisdiction (line 413 by the usage mapping)."""
        self.env["telecom.form499.election"].create(
            [
                {"category": category, "date_from": date(2024, 4, 1), "date_to": date(2024, 6, 30)}
                for category in ("mobile", "voip")
            ]
        )
        self._invoice_for(
            self.customer,
            date(2024, 5, 10),
            [
                (self.plan_basic, 100.0),  # monthly mobile charge
                (self.plan_basic, 30.0, "usage", "interstate"),
                (self.plan_basic, 20.0, "usage", "international"),
                (self.plan_basic, 10.0, "usage", "intrastate"),
                (self.plan_voip, 80.0),  # monthly VoIP charge
                (self.plan_voip, 50.0, "charge", False),  # VoIP activation charge
            ],
        )
        filing = self._filing("499q", date(2024, 4, 1), date(2024, 6, 30))
        filing.action_generate()
        figures = self.env["telecom.regulatory.worksheet.line"]._telecom_form499a_figures(filing)
        by_code = {line.code: values for line, values in figures.items()}
        columns = ("total", "interstate", "international")

        def row(code):
            return tuple(by_code[code][column] for column in columns)

        self.assertEqual(row("409"), (100.0, 37.1, 0.0))  # 37.1 % of 100
        self.assertEqual(row("404.4"), (130.0, 84.37, 0.0))  # 64.9 % of 80 + 50 = 84.37
        # calls: 30 interstate, 20 international, 10 intrastate, all on their jurisdiction
        self.assertEqual(row("413"), (60.0, 30.0, 20.0))
        self.assertEqual(by_code["413"]["methods"], {"actual"})
        self.assertFalse(filing.error_ids.filtered("blocking"))
        lines = self._lines(filing)
        self.assertEqual(lines["115"], (290.0, 151.47, 20.0))  # 37.1 + 84.37 + 30; 20

    def test_election_enforced(self):
        Election = self.env["telecom.form499.election"]
        # no election for 2024 Q3 mobile: the filing cannot be reviewed
        self._invoice_for(self.customer, date(2024, 8, 1), [(self.plan_basic, 100.0)])
        filing = self._filing("499q", date(2024, 7, 1), date(2024, 9, 30))
        filing.action_generate()
        blocking = filing.error_ids.filtered("blocking")
        self.assertEqual(len(blocking), 1)
        self.assertIn("made no election", blocking.message)
        self.assertIn("2024 Q3", blocking.message)
        # an item that is not a monthly/activation charge nor a rated call: not safe harbor
        Election.create(
            {"category": "mobile", "date_from": date(2024, 7, 1), "date_to": date(2024, 9, 30)}
        )
        self._invoice_for(self.customer, date(2024, 8, 2), [(self.plan_basic, 5.0, False, False)])
        filing.action_generate()
        self.assertIn("safe harbor does not apply", filing.error_ids.filtered("blocking").message)
        # one election per filer, category and quarter
        with self.assertRaises(ValidationError):  # inside the 2025 election
            Election.create(
                {"category": "mobile", "date_from": date(2025, 4, 1), "date_to": date(2025, 6, 30)}
            )
        with self.assertRaises(ValidationError):  # neither a quarter nor a year
            Election.create(
                {"category": "voip", "date_from": date(2024, 2, 1), "date_to": date(2024, 4, 30)}
            )
        with self.assertRaises(ValidationError):  # the safe harbor is the FCC's figure
            Election.create(
                {
                    "category": "voip",
                    "date_from": date(2024, 1, 1),
                    "date_to": date(2024, 3, 31),
                    "interstate_pct": 50.0,
                }
            )
        with self.assertRaises(ValidationError):  # a traffic study names its source
            Election.create(
                {
                    "category": "voip",
                    "date_from": date(2024, 1, 1),
                    "date_to": date(2024, 3, 31),
                    "method": "traffic_study",
                    "interstate_pct": 50.0,
                }
            )

    def test_contribution_factors_are_the_fcc_figures(self):
        Factor = self.env["telecom.usf.contribution.factor"]
        expected = {
            date(2025, 2, 1): 36.3,
            date(2025, 5, 1): 36.6,
            date(2025, 8, 1): 36.0,
            date(2025, 11, 1): 38.1,
            date(2026, 2, 1): 37.6,
        }
        for day, factor in expected.items():
            self.assertEqual(Factor._telecom_factor_for(day), factor)
        self.assertTrue(self.env.ref("telecom_regulatory.usf_factor_2025_q3").public_notice)

    def test_officer_generates_and_drills_down(self):
        officer = self.env["res.users"].create(
            {
                "name": "T Officer",
                "login": "t_499_officer",
                "groups_id": [
                    (6, 0, [self.env.ref("telecom_catalog.group_telecom_regulatory").id])
                ],
            }
        )
        filing = self._filing().with_user(officer)
        filing.action_generate()
        self.assertEqual(filing.gl_difference, 0.0)
        self.assertEqual(filing.gl_revenue, 2600.0)
        filing.action_review()
        self.assertEqual(filing.reviewer_id, officer)
        # drill-down: the officer reads the journal items behind a line
        line = filing.worksheet_line_ids.filtered(lambda x: x.code == "409")
        action = line.action_view_move_lines()
        items = self.env["account.move.line"].with_user(officer).search(action["domain"])
        self.assertEqual(items.read(["balance"])[0]["balance"], -1000.0)
