#!/usr/bin/env python3
"""Benchmark of the legacy cut-over: N accounts with 24 months of invoice history.

    python3 bench/migration.py 100000                 # fresh database migration_bench
    python3 bench/migration.py 10000 --db h22_mig      # another database name

It creates the database with telecom_migration installed (no demo data) unless --reuse is
given, generates a legacy export of N accounts (one service each; 10 % with an add-on, 5 % a
promotion with months left, 2 % a negotiated price, 5 % an autopay token; cycle days 1 to 31;
10 % with an open bill, 3 % an unapplied credit, 2 % a deposit; 0.5 % duplicate rows and 0.1 %
invalid rows), 24 monthly invoices per account with two lines each (plan and a tax), then
times the duplicate check, the review (every candidate kept apart) and the migration step by
step, and prints the figures with the machine (cores, memory, versions, load average).
Run it from the repository root; database settings come from odoo.conf and the PG* variables.
"""

import argparse
import base64
import csv
import functools
import io
import os
import random
import resource
import time
from datetime import date

from benchlib import ROOT, addons_path, create_database, db_args, load, machine
from dateutil.relativedelta import relativedelta

CUTOVER = date(2026, 3, 10)
CUSTOMER_HEADER = [
    "legacy_id", "name", "email", "phone", "street", "city", "state", "zip", "customer_type",
    "bill_cycle_day", "balance", "unapplied_credit", "deposit", "payment_provider",
    "payment_token", "card_last4", "bill_delivery",
]  # fmt: skip
SERVICE_HEADER = [
    "legacy_id", "customer_id", "plan_code", "number", "circuit_id", "start_date",
    "billed_through", "addons", "promotion", "promotion_months_left", "negotiated_price",
]  # fmt: skip
INVOICE_HEADER = [
    "legacy_id", "customer_id", "invoice_date", "due_date", "period_start", "period_end",
    "amount_total", "amount_due", "status",
]  # fmt: skip
LINE_HEADER = ["invoice_id", "line_type", "description", "amount", "tax_type"]
# steps of the migration timed one by one (method of telecom.migration.batch: label)
STEPS = {
    "_telecom_migrate_customers": "customers and billing accounts",
    "_telecom_migrate_services": "services, numbers, add-ons, promotions",
    "_telecom_migrate_history": "invoice history and lines (set-based)",
    "_telecom_open_items": "open items (posted entries)",
    "_telecom_check_files": "validation: files",
    "_telecom_check_balances": "validation: accounts",
}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("accounts", type=int, nargs="?", default=100_000)
    parser.add_argument("--months", type=int, default=24, help="months of invoice history")
    parser.add_argument("--db", default="migration_bench", help="database name")
    parser.add_argument("--reuse", action="store_true", help="reuse the database as it is")
    parser.add_argument("--config", default=os.path.join(ROOT, "odoo.conf"))
    parser.add_argument("--addons-path", default=None, help="default: Odoo's addons + addons/")
    return parser.parse_args()


class CsvOut:
    """A CSV file built in memory as bytes, row by row (no list of rows is held)."""

    def __init__(self, header):
        self.buffer = io.BytesIO()
        self.text = io.TextIOWrapper(self.buffer, encoding="utf-8", newline="")
        self.writer = csv.writer(self.text, lineterminator="\n")
        self.writer.writerow(header)

    def append(self, row):
        self.writer.writerow(row)

    def getvalue(self):
        self.text.flush()
        return self.buffer.getvalue()


def to_csv(header, rows):
    out = CsvOut(header)
    for row in rows:
        out.append(row)
    return out.getvalue()


def peak_rss():
    """The largest resident memory of this process since the last ``reset_peak()`` (Linux
    VmHWM; elsewhere since it started), in MiB."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def reset_peak():
    """Start measuring the peak memory again (Linux: /proc/self/clear_refs)."""
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")
    except OSError:
        pass


def generate(accounts, months, rng):
    """The four legacy files (bytes) of ``accounts`` accounts, written row by row."""
    customers, services = CsvOut(CUSTOMER_HEADER), CsvOut(SERVICE_HEADER)
    invoices, lines = CsvOut(INVOICE_HEADER), CsvOut(LINE_HEADER)
    for n in range(accounts):
        ref = f"B{n:07d}"
        cycle = rng.randint(1, 31)
        duplicate_of = n - 1 - rng.randrange(min(n, 50)) if n and rng.random() < 0.005 else None
        phone = f"+1916{2000000 + (duplicate_of if duplicate_of is not None else n):07d}"
        email = f"c{duplicate_of if duplicate_of is not None else n}@bench.example"
        customer_type = "gold" if rng.random() < 0.001 else rng.choice(["residential", "business"])
        price = 40.00
        open_due = round(price * 1.1, 2) if rng.random() < 0.10 else 0.0
        credit = 15.00 if rng.random() < 0.03 else 0.0
        deposit = 100.00 if rng.random() < 0.02 else 0.0
        token = rng.random() < 0.05
        customers.append(
            [
                ref, f"Customer {n}", email, phone, f"{n} Main St", "Sacramento", "CA",
                f"{95000 + n % 900:05d}", customer_type, cycle,
                f"{open_due - credit:.2f}", f"{credit:.2f}" if credit else "",
                f"{deposit:.2f}" if deposit else "", "Bench Gateway" if token else "",
                f"tok_{n}" if token else "", "4242" if token else "", "email",
            ]
        )  # fmt: skip
        day = min(cycle, 28)
        start = CUTOVER - relativedelta(months=months + 1, day=day)
        billed = CUTOVER + relativedelta(day=day) - relativedelta(days=1)
        services.append(
            [
                f"S{n:07d}", ref, "BMOB", f"+1530{3000000 + n:07d}", "", start.isoformat(),
                billed.isoformat(), "BDATA" if rng.random() < 0.10 else "",
                "BENCH-PROMO" if rng.random() < 0.05 else "", "4",
                "35.00" if rng.random() < 0.02 else "",
            ]
        )  # fmt: skip
        for month in range(months):
            issued = CUTOVER - relativedelta(months=months - month, day=day)
            total = round(price * 1.1, 2)
            due = open_due if month == months - 1 else 0.0
            inv = f"I{n:07d}-{month:02d}"
            invoices.append(
                [
                    inv, ref, issued.isoformat(), (issued + relativedelta(days=20)).isoformat(),
                    issued.isoformat(), (issued + relativedelta(months=1, days=-1)).isoformat(),
                    f"{total:.2f}", f"{due:.2f}", "open" if due else "paid",
                ]
            )  # fmt: skip
            lines.append([inv, "plan", "Mobile 40", f"{price:.2f}", ""])
            lines.append([inv, "tax", "Federal USF", f"{total - price:.2f}", "FUSF"])
    return customers.getvalue(), services.getvalue(), invoices.getvalue(), lines.getvalue()


def setup_catalog(env):
    """Plan, add-on, promotion and payment provider the export refers to."""
    Product = env["product.product"]
    if not Product.search([("default_code", "=", "BENCH-MOB")]):
        Product.create(
            [
                {
                    "name": "Bench Mobile 40",
                    "default_code": "BENCH-MOB",
                    "type": "service",
                    "list_price": 40.0,
                    "telecom_service_type": "mobile",
                    "telecom_regulatory_class": "interstate",
                },
                {
                    "name": "Bench Data 5 GB",
                    "default_code": "BENCH-DATA",
                    "type": "service",
                    "list_price": 10.0,
                    "telecom_service_type": "addon",
                    "telecom_regulatory_class": "interstate",
                },
            ]
        )
        env["telecom.promotion"].create(
            {"name": "Bench Promo", "code": "BENCH-PROMO", "discount_value": 10}
        )
        env["payment.provider"].create({"name": "Bench Gateway", "code": "none"})
    return to_csv(["legacy_code", "plan"], [["BMOB", "BENCH-MOB"], ["BDATA", "BENCH-DATA"]])


def timed(cls, timings, peaks):
    """Wrap the methods of STEPS on ``cls`` to add their wall-clock time to ``timings`` and
    note the process's peak memory at their end in ``peaks``."""
    calls = {}
    for name in STEPS:
        original = getattr(cls, name)

        @functools.wraps(original)
        def wrapper(self, *args, _original=original, _name=name, **kwargs):
            started = time.perf_counter()
            reset_peak()
            try:
                return _original(self, *args, **kwargs)
            finally:
                timings[_name] = timings.get(_name, 0.0) + time.perf_counter() - started
                peaks[_name] = max(peaks.get(_name, 0.0), peak_rss())
                calls[_name] = calls.get(_name, 0) + 1
                if calls[_name] % 10 == 0:  # chunked steps: progress every 10 chunks
                    print(
                        f"    {STEPS[_name]}: {calls[_name]} chunks in {timings[_name]:.0f} s, "
                        f"peak RSS {peaks[_name]:,.0f} MiB",
                        flush=True,
                    )

        setattr(cls, name, wrapper)


def main():
    args = parse_args()
    paths = addons_path(args.addons_path)
    if not args.reuse:
        create_database(args.db, args.config, paths, "telecom_migration")

    import odoo
    from odoo.tools import config

    config.parse_config(
        ["-c", args.config, f"--addons-path={paths}", *db_args(), "-d", args.db, "--log-level=warn"]
    )
    registry = odoo.modules.registry.Registry(args.db)
    timings, peaks = {}, {}
    timed(registry["telecom.migration.batch"], timings, peaks)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {"tracking_disable": True})
        plan_map = setup_catalog(env)
        started = time.perf_counter()
        customers, services, invoices, lines = generate(
            args.accounts, args.months, random.Random(7)
        )
        print(
            f"Generated {args.accounts:,} accounts, {args.accounts * args.months:,} invoices, "
            f"{args.accounts * args.months * 2:,} invoice lines "
            f"({(len(customers) + len(services) + len(invoices) + len(lines)) / 1e6:.0f} MB) "
            f"in {time.perf_counter() - started:.1f} s, peak RSS {peak_rss():,.0f} MiB",
            flush=True,
        )
        batch = env["telecom.migration.batch"].create(
            {
                "name": f"Bench {args.accounts}",
                "date": CUTOVER,
                "customers_file": base64.b64encode(customers),
                "services_file": base64.b64encode(services),
                "plan_map_file": base64.b64encode(plan_map),
            }
        )
        # the two large files as attachments of their fields, without a base64 copy
        for field, content in (("invoices_file", invoices), ("invoice_lines_file", lines)):
            env["ir.attachment"].create(
                {
                    "name": field,
                    "res_model": batch._name,
                    "res_field": field,
                    "res_id": batch.id,
                    "raw": content,
                }
            )
        del customers, services, invoices, lines, content
        cr.commit()
        print(f"Machine: {machine(cr)}")
        reset_peak()
        print(f"Load average before: {load()}", flush=True)
        started = time.perf_counter()
        batch.action_find_duplicates()
        candidates = batch.duplicate_ids
        candidates.action_keep()
        cr.commit()
        print(
            f"Duplicate check: {len(candidates):,} candidates in "
            f"{time.perf_counter() - started:.1f} s (all kept apart), "
            f"peak RSS {peak_rss():,.0f} MiB",
            flush=True,
        )
        started = time.perf_counter()
        reset_peak()
        batch.action_run()
        cr.commit()
        elapsed = time.perf_counter() - started
        print(
            f"Migration: {args.accounts:,} accounts in {elapsed:.1f} s "
            f"({args.accounts / elapsed:,.0f} accounts/s): {batch.customer_count:,} customers, "
            f"{batch.service_count:,} services, {batch.invoice_count:,} invoices, "
            f"{batch.open_item_count:,} open items, {batch.token_count:,} payment tokens, "
            f"{batch.reject_count:,} rejected rows; validation {batch.validation_state}; "
            f"peak RSS {max([peak_rss(), *peaks.values()]):,.0f} MiB",
            flush=True,
        )
        for name, label in STEPS.items():
            print(
                f"  {label}: {timings.get(name, 0.0):.1f} s "
                f"(peak RSS during it {peaks.get(name, 0.0):,.0f} MiB)"
            )
        cr.execute("SELECT count(*) FROM telecom_migration_invoice_line")
        print(f"  invoice lines in the database: {cr.fetchone()[0]:,}")
        print(f"Load average after: {load()}")


if __name__ == "__main__":
    main()
