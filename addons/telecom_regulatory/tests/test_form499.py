import base64
import io
from datetime import date

import openpyxl

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

    @classmethod
    def _invoice_for(cls, partner, day, lines, usf=0.0):
        line_vals = [
            Command.create(
                {
                    "product_id": product.id,
                    "quantity": 1,
                    "price_unit": amount,
                    "account_id": cls.income.id,
                    "tax_ids": [Command.clear()],
                }
            )
            for product, amount in lines
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

    def _split_409_by_traffic_study(self):
        """Line 409 split 25 % interstate, 2.5 % international by a traffic study from 2025."""
        return self.env["telecom.form499.split"].create(
            {
                "line_id": self.env.ref("telecom_regulatory.form499_line_409").id,
                "date_from": date(2025, 1, 1),
                "method": "traffic_study",
                "interstate_pct": 25.0,
                "international_pct": 2.5,
            }
        )

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
        # contribution: mean 2025 factor 36.925 % on 804.98 + 196.24
        self.assertAlmostEqual(filing.contribution_factor, 36.925)
        self.assertEqual(filing.contribution_base, 1001.22)
        self.assertEqual(filing.contribution_estimate, 369.70)
        self.assertTrue(filing.usf_de_minimis)
        self.assertEqual(filing.usf_billed, 60.0)
        self.assertEqual(filing.usf_recovery_difference, -309.70)
        self.assertEqual(filing.trs_estimate, 25.0)  # 1% of 1020.40 = 10.20, minimum 25
        self.assertEqual(filing.nanpa_estimate, 25.0)
        names = self.env["ir.attachment"].search(
            [("res_model", "=", filing._name), ("res_id", "=", filing.id)]
        )
        self.assertEqual(
            sorted(names.mapped("name")),
            ["499a_2025-12-31_worksheet.csv", "499a_2025-12-31_worksheet.xlsx"],
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

    def test_499a_actual_split(self):
        self._split_409_by_traffic_study()
        filing = self._filing()
        filing.action_generate()
        lines = self._lines(filing)
        self.assertEqual(lines["409"], (1000.0, 250.0, 25.0))
        line_409 = filing.worksheet_line_ids.filtered(lambda x: x.code == "409")
        self.assertEqual(line_409.split_method, "traffic_study")
        self.assertEqual(lines["420"], (1960.0, 699.4, 225.0))
        self.assertEqual(filing.gl_difference, 0.0)

    def test_499q_projection(self):
        filing = self._filing("499q", date(2025, 1, 1), date(2025, 3, 31))
        filing.projection_growth_pct = 10.0
        self.assertEqual(filing.due_date, date(2025, 5, 1))
        filing.action_generate()
        self.assertEqual(
            (filing.projection_date_from, filing.projection_date_to),
            (date(2025, 7, 1), date(2025, 9, 30)),
        )
        line_409 = filing.worksheet_line_ids.filtered(lambda x: x.code == "409")
        self.assertEqual((line_409.projected_total, line_409.projected_interstate), (1100.0, 408.1))
        self.assertEqual(filing.contribution_factor, 37.0)  # Q3 2025, the projected quarter
        self.assertEqual(filing.gl_revenue, 2600.0)

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
