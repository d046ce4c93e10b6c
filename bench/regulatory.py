#!/usr/bin/env python3
"""Benchmark of telecom_regulatory: 499-A worksheet, BDC files and NRUF on generated data.

    python3 bench/regulatory.py --db h_regulatory                 # 500 invoices, 1,000 services
    python3 bench/regulatory.py --db h_regulatory --invoices 10000 --services 20000

The database must have the telecom modules installed. Everything is created in one transaction
that is rolled back at the end: the database is left as it was. It creates --invoices posted
customer invoices of 5 lines (mobile, VoIP, international, broadband, local) plus a USF recovery
line each, --services broadband and voice services spread over census tracts, then times the
generation of a 499-A filing (journal items -> lines, GL reconciliation, CSV and XLSX), a BDC
filing (three CSV files) and an NRUF filing, and prints the figures with the machine.
"""

import argparse
import os
import platform
import time
from datetime import date

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True, help="database with the telecom modules")
    parser.add_argument("--invoices", type=int, default=500)
    parser.add_argument("--services", type=int, default=1000)
    parser.add_argument("--config", default=os.path.join(ROOT, "odoo.conf"))
    parser.add_argument("--addons-path", default=None)
    return parser.parse_args()


def timed(label, func, results):
    start = time.perf_counter()
    value = func()
    results.append((label, time.perf_counter() - start))
    return value


def product(env, name, service_type, regulatory_class, attributes=None):
    Attribute = env["telecom.attribute"]
    values = [
        (0, 0, {"attribute_id": Attribute.search([("code", "=", code)]).id, "value": str(value)})
        for code, value in (attributes or {}).items()
    ]
    return env["product.product"].create(
        {
            "name": name,
            "type": "service",
            "list_price": 10.0,
            "telecom_service_type": service_type,
            "telecom_regulatory_class": regulatory_class,
            "telecom_attribute_value_ids": values,
            "taxes_id": [(6, 0, [])],
        }
    )


def run(env, args):
    results = []
    company = env.company
    company.telecom_bdc_provider_id = company.telecom_bdc_provider_id or "131425"
    Account = env["account.account"]
    domain = Account._check_company_domain(company)
    income = Account.search([*domain, ("account_type", "=", "income")], limit=1)
    usf = Account.search([*domain, ("account_type", "=", "liability_current")], limit=1)
    plans = [
        product(env, "B Mobile", "mobile", "interstate", {"included_data_gb": 10,
                "download_mbps": 100, "upload_mbps": 10}),
        product(env, "B VoIP", "voip", "voip"),
        product(env, "B Intl", "addon", "international"),
        product(env, "B Fiber", "broadband", "info_service",
                {"technology": "fiber", "download_mbps": 500, "upload_mbps": 500}),
        product(env, "B Local", "fixed_voice", "intrastate"),
    ]  # fmt: skip
    state = env["res.country.state"].search([("code", "=", "CA"), ("country_id.code", "=", "US")])
    partners = env["res.partner"].create(
        [
            {
                "name": f"B Customer {i}",
                "street": f"{i} Bench St",
                "city": "Sacramento",
                "zip": "95814",
                "state_id": state.id,
                "country_id": env.ref("base.us").id,
                "telecom_customer_type": "residential" if i % 3 else "business",
                "telecom_census_tract": f"06067{i % 500:06d}",
            }
            for i in range(200)
        ]
    )
    year = date.today().year - 1

    def make_invoices():
        vals = []
        for i in range(args.invoices):
            lines = [
                (0, 0, {"product_id": p.id, "quantity": 1, "price_unit": 10.0 + (i % 7),
                        "account_id": income.id, "tax_ids": [(6, 0, [])]})
                for p in plans
            ]  # fmt: skip
            lines.append(
                (0, 0, {"name": "USF", "quantity": 1, "price_unit": 1.5, "account_id": usf.id,
                        "tax_ids": [(6, 0, [])], "telecom_tax_kind": "federal_usf"})
            )  # fmt: skip
            day = date(year, 1 + i % 12, 1 + i % 28)
            vals.append(
                {
                    "move_type": "out_invoice",
                    "partner_id": partners[i % len(partners)].id,
                    "invoice_date": day,
                    "date": day,
                    "invoice_line_ids": lines,
                }
            )
        moves = env["account.move"].create(vals)
        moves.action_post()
        return moves

    timed(f"create and post {args.invoices} invoices (setup)", make_invoices, results)

    def make_services():
        subscriptions = env["telecom.subscription"].create(
            [{"partner_id": p.id, "bill_cycle_day": 1} for p in partners]
        )
        kinds = [plans[3], plans[4], plans[1], plans[0]]
        services = env["telecom.service"].create(
            [
                {
                    "subscription_id": subscriptions[i % len(subscriptions)].id,
                    "product_id": kinds[i % len(kinds)].id,
                    "service_address_id": partners[i % len(partners)].id,
                }
                for i in range(args.services)
            ]
        )
        env.flush_all()
        env.cr.execute(
            "UPDATE telecom_service SET state = 'active', date_start = %s WHERE id = ANY(%s)",
            [date(year, 1, 1), services.ids],
        )
        env.invalidate_all()
        return services

    timed(f"create {args.services} services (setup)", make_services, results)
    Filing = env["telecom.regulatory.filing"]
    Filing.search([("date_to", "=", date(year, 12, 31))]).unlink()
    filing = Filing.create(
        {"filing_type": "499a", "date_from": date(year, 1, 1), "date_to": date(year, 12, 31)}
    )
    timed("499-A generate (lines, GL, CSV, XLSX)", filing.action_generate, results)
    items = sum(filing.worksheet_line_ids.filtered(lambda x: x.code < "419").mapped(
        "move_line_count"))  # fmt: skip
    bdc = Filing.create(
        {"filing_type": "bdc", "date_from": date(year, 7, 1), "date_to": date(year, 12, 31)}
    )
    timed("BDC generate (3 CSV files)", bdc.action_generate, results)
    nruf = Filing.create(
        {"filing_type": "nruf", "date_from": date(year + 1, 1, 1), "date_to": date.today()}
    )
    timed("NRUF generate", nruf.action_generate, results)
    print(f"machine: {platform.node()} {platform.machine()} {os.cpu_count()} CPU(s), "
          f"Python {platform.python_version()}")  # fmt: skip
    print(f"499-A: {items} journal items on {len(filing.worksheet_line_ids)} lines, "
          f"GL difference {filing.gl_difference}")  # fmt: skip
    print(f"BDC: {len(bdc.bdc_row_ids)} rows, {bdc.blocking_error_count} blocking errors")
    print(f"NRUF: {len(nruf.number_row_ids)} blocks")
    for label, seconds in results:
        print(f"{label:<48} {seconds:8.2f} s")


def main():
    args = parse_args()
    import odoo
    from odoo.tools import config

    argv = ["-c", args.config, "-d", args.db]
    if args.addons_path:
        argv += ["--addons-path", args.addons_path]
    config.parse_config(argv)
    registry = odoo.modules.registry.Registry(args.db)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {"tracking_disable": True})
        try:
            run(env, args)
        finally:
            cr.rollback()


if __name__ == "__main__":
    main()
