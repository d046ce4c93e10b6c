#!/usr/bin/env python3
"""Benchmark of telecom_numbers: a 1M-number block CSV import, available-number searches and
the 1M-number inventory migration (statuses, customers, porting history, SIMs).

    python3 bench/number_inventory.py                  # fresh database num_bench, 1,000,000 numbers
    python3 bench/number_inventory.py --reuse          # reuse num_bench as it is (module installed)
    python3 bench/number_inventory.py --rows 200000 --searches 100
    python3 bench/number_inventory.py --migration-only --migration-rows 1000000

It creates the database with telecom_numbers installed (no demo data) unless --reuse is given,
generates a CSV of --rows numbers (10,000-line NXXs spread over several states and rate
centers), imports it with the module's set-based import, re-imports it (every row a duplicate),
then times available-number searches by state, rate center, NPA-NXX and vanity pattern and
prints p50/p95 in milliseconds, with the machine it ran on. Then the inventory migration:
--migration-rows legacy numbers (other area codes) spread over the statuses (assigned,
reserved, aging, ported-in with their port date, carrier and NPAC transaction id,
available, administrative) for --customers customers, one row in a thousand wrong (unknown
customer, bad date, repeated number), and a SIM file for one line in ten; it prints the time,
the counts (rows = created + rejected), the history rows written and the rejects by reason.
Run it from the repository root;
database connection settings come from odoo.conf and the PG* environment variables.
"""

import os
import sys

# This script is named like the standard library's "numbers" module, which "decimal" (used by
# statistics, psycopg2 and Odoo) imports: keep the script's folder off the import path.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _HERE]
sys.path.append(_HERE)  # after the standard library: for benchlib

import argparse  # noqa: E402
import random  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from datetime import date  # noqa: E402

from benchlib import ROOT, addons_path, create_database, db_args, load, machine  # noqa: E402

ELIDED_VALUES = "'[^']*'|[0-9]+"  # as telecom_number_migration.py

# (NPA, state, LATA, rate centers) of the generated inventory.
AREAS = [
    ("202", "DC", "236", ["WASHINGTON"]),
    ("212", "NY", "132", ["NWYRCYZN01", "NWYRCYZN03"]),
    ("303", "CO", "656", ["DENVER", "AURORA"]),
    ("312", "IL", "358", ["CHICAGO"]),
    ("415", "CA", "722", ["SNFC CNTRL", "SNFC OCEAN"]),
    ("512", "TX", "558", ["AUSTIN"]),
    ("617", "MA", "128", ["BOSTON"]),
    ("719", "CO", "656", ["PUEBLO", "CO SPGS"]),
    ("808", "HI", "834", ["HONOLULU"]),
    ("919", "NC", "426", ["RALEIGH", "DURHAM"]),
]
VANITY = ["CALL", "CASH", "PIZZA", "TAXI", "HELP", "FLOWERS", "2255", "1234"]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="num_bench", help="database name (default num_bench)")
    parser.add_argument("--reuse", action="store_true", help="reuse the database as it is")
    parser.add_argument("--rows", type=int, default=1_000_000, help="numbers in the CSV")
    parser.add_argument("--searches", type=int, default=200, help="searches of each kind")
    parser.add_argument("--config", default=os.path.join(ROOT, "odoo.conf"))
    parser.add_argument("--addons-path", default=None, help="default: Odoo's addons + addons/")
    parser.add_argument("--no-reimport", action="store_true", help="skip the re-import")
    parser.add_argument("--migration-rows", type=int, default=1_000_000, help="legacy numbers")
    parser.add_argument("--customers", type=int, default=20_000, help="legacy customers")
    parser.add_argument(
        "--migration-only", action="store_true", help="skip the block import and the searches"
    )
    return parser.parse_args()


def generate_csv(rows):
    """CSV bytes of ``rows`` numbers: whole NXXs (10,000 lines) spread over AREAS."""
    import phonenumbers

    out = ["number,rate_center,lata,state,ocn,number_type"]
    count = 0
    nxx = 200
    while count < rows:
        for npa, state, lata, centers in AREAS:
            if count >= rows:
                break
            exchange = f"{nxx:03d}"
            if exchange[1:] == "11" or not phonenumbers.is_valid_number(
                phonenumbers.parse(f"+1{npa}{exchange}0000")
            ):
                continue
            center = centers[nxx % len(centers)]
            take = min(10_000, rows - count)
            prefix = f"+1{npa}{exchange}"
            suffix = f",{center},{lata},{state},7531,geographic"
            out.extend(f"{prefix}{line:04d}{suffix}" for line in range(take))
            count += take
        nxx += 1
    return ("\n".join(out) + "\n").encode()


# Area codes of the migrated inventory (not those of the block import).
MIGRATION_AREAS = [
    ("305", "FL", "MIAMI"),
    ("404", "GA", "ATLANTA"),
    ("503", "OR", "PORTLAND"),
    ("602", "AZ", "PHOENIX"),
    ("702", "NV", "LAS VEGAS"),
    ("713", "TX", "HOUSTON"),
    ("801", "UT", "SALT LAKE"),
    ("904", "FL", "JACKSONVILLE"),
    ("952", "MN", "MINNEAPOLIS"),
    ("972", "TX", "DALLAS"),
]
NEWLINE = b"\n"
MIGRATION_HEADER = (
    "number,status,customer,service_ref,source,rate_center,state,reserved_until,"
    "assigned_date,disconnect_date,aging_until,port_date,port_carrier,port_transaction_id"
)


def migration_row(index, e164, state, center, customers):
    """One legacy row: the status cycles through the mix; every 1000th row is wrong."""
    account = f"LEG{index % customers:07d}"
    kind = index % 20
    if index % 1000 == 999:  # wrong on purpose: three kinds of errors
        return [
            f"{e164},assigned,NOBODY{index},S{index},native,{center},{state},,,,,,,",
            f"{e164},aging,,,native,{center},{state},,,2026-02-30,2026-05-01,,,",
            f"{e164[:-4]}0000,assigned,{account},S{index},native,{center},{state},,,,,,,",
        ][index // 1000 % 3]
    if kind < 9:  # 45% assigned
        return f"{e164},assigned,{account},S{index},native,{center},{state},,2019-06-01,,,,,"
    if kind < 11:  # 10% reserved
        return f"{e164},reserved,{account},,native,{center},{state},2027-03-31,,,,,,"
    if kind < 13:  # 10% aging
        return (
            f"{e164},aging,{account},S{index},native,{center},{state},,2018-01-02,2026-11-15,"
            "2027-02-13,,,"
        )
    if kind < 16:  # 15% ported in, with their porting history
        return (
            f"{e164},assigned,{account},S{index},ported_in,{center},{state},,2021-04-12,,,"
            f"2021-04-12,Legacy Wireless,NPAC{index:09d}"
        )
    if kind < 19:  # 15% available
        return f"{e164},available,,,native,{center},{state},,,,,,,"
    return f"{e164},administrative,,,native,{center},{state},,,,,,,"  # 5%


def generate_migration(rows, customers):
    """(numbers CSV bytes, SIMs CSV bytes): legacy numbers and one SIM per tenth line."""
    import phonenumbers

    from odoo.addons.telecom_numbers.tools.sim import luhn_check_digit

    numbers, sims = [MIGRATION_HEADER], ["iccid,imsi,pin1,puk1,state,number"]
    index, nxx = 0, 200
    while index < rows:
        for npa, state, center in MIGRATION_AREAS:
            exchange = f"{nxx:03d}"
            if index >= rows or exchange[1:] == "11":
                continue
            if not phonenumbers.is_valid_number(phonenumbers.parse(f"+1{npa}{exchange}0000")):
                continue
            for line in range(min(10_000, rows - index)):
                e164 = f"+1{npa}{exchange}{line:04d}"
                numbers.append(migration_row(index, e164, state, center, customers))
                if index % 10 == 0 and index % 20 < 9 and index % 1000 != 999:
                    body = f"890126077{index:09d}"
                    sims.append(
                        f"{body}{luhn_check_digit(body)},310260{index:09d},1234,12345678,active,"
                        f"{e164}"
                    )
                index += 1
        nxx += 1
    return ("\n".join(numbers) + "\n").encode(), ("\n".join(sims) + "\n").encode()


def ensure_customers(env, count):
    """``count`` legacy customers with account numbers LEG0000000..., created once (SQL)."""
    env.cr.execute("SELECT count(*) FROM res_partner WHERE telecom_account_number LIKE 'LEG%%'")
    if env.cr.fetchone()[0] >= count:
        return
    env.cr.execute(
        """
        INSERT INTO res_partner (name, complete_name, telecom_account_number, active, type,
                                 is_company, autopost_bills, create_date, write_date)
        SELECT 'Legacy customer ' || g, 'Legacy customer ' || g, 'LEG' || lpad(g::text, 7, '0'),
               true, 'contact', false, 'ask', now(), now()
          FROM generate_series(0, %s - 1) g
        ON CONFLICT DO NOTHING
        """,
        [count],
    )
    env.cr.execute(
        "UPDATE res_partner SET commercial_partner_id = id WHERE commercial_partner_id IS NULL"
    )
    env.invalidate_all()


def run_migration(env, args):
    started = time.perf_counter()
    numbers, sims = generate_migration(args.migration_rows, args.customers)
    print(
        f"Generated a legacy extract of {args.migration_rows:,} numbers "
        f"({len(numbers) / 1e6:.1f} MB) and {sims.count(NEWLINE) - 1:,} SIMs in "
        f"{time.perf_counter() - started:.1f} s",
        flush=True,
    )
    ensure_customers(env, args.customers)
    env.cr.commit()
    env.cr.execute("SELECT count(*) FROM telecom_number_history")
    history_before = env.cr.fetchone()[0]
    started = time.perf_counter()
    migration = env["telecom.number.migration"]._telecom_migrate_csv(numbers, sims, "legacy.csv")
    env.cr.commit()
    elapsed = time.perf_counter() - started
    env.cr.execute("SELECT count(*) FROM telecom_number_history")
    history_written = env.cr.fetchone()[0] - history_before
    sim_import = migration.sim_import_id
    print(
        f"Migration: {migration.row_count:,} rows in {elapsed:.1f} s "
        f"({migration.row_count / elapsed:,.0f} rows/s, SIMs included; numbers alone "
        f"{migration.duration - sim_import.duration:.1f} s, SIMs {sim_import.duration:.1f} s): "
        f"{migration.created_count:,} created + {migration.rejected_count:,} rejected; "
        f"{history_written:,} history rows written; SIMs {sim_import.row_count:,} rows = "
        f"{sim_import.created_count:,} created + {sim_import.existing_count:,} already there + "
        f"{sim_import.rejected_count:,} rejected",
        flush=True,
    )
    env.cr.execute(
        """SELECT status || CASE WHEN source = 'ported_in' THEN ' (ported in)' ELSE '' END,
                  count(*) FROM telecom_number WHERE service_reference IS NOT NULL
                   OR name LIKE ANY(%s) GROUP BY 1 ORDER BY 1""",
        [[f"+1{npa}%" for npa, _state, _center in MIGRATION_AREAS]],
    )
    print(
        "  inventory of the migrated area codes by status: "
        + ", ".join(f"{status} {count:,}" for status, count in env.cr.fetchall())
    )
    env.cr.execute(
        "SELECT regexp_replace(reason, %s, '…', 'g'), count(*) "
        "FROM telecom_number_migration_reject WHERE migration_id = %s GROUP BY 1 ORDER BY 2 DESC",
        [ELIDED_VALUES, migration.id],
    )
    for reason, count in env.cr.fetchall():
        print(f"  rejected {count:,}: {reason[:90]}")
    started = time.perf_counter()
    counts = env["telecom.number"]._telecom_nruf_counts(date.today())
    print(
        f"NRUF counts from the inventory: {len(counts):,} thousands-blocks in "
        f"{time.perf_counter() - started:.1f} s"
    )


def percentile(values, pct):
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered)) - 1))
    return ordered[index]


def time_searches(env, args):
    Number = env["telecom.number"]
    rng = random.Random(42)
    env.cr.execute("SELECT DISTINCT npa, nxx FROM telecom_number_block")
    npa_nxx = env.cr.fetchall()
    kinds = {
        "state": lambda: {"state": rng.choice(AREAS)[1]},
        "rate center": lambda: {"rate_center": rng.choice(rng.choice(AREAS)[3])},
        "NPA-NXX": lambda: {"npa_nxx": "".join(rng.choice(npa_nxx))},
        "vanity": lambda: {"vanity": rng.choice(VANITY)},
        "state + vanity": lambda: {"state": rng.choice(AREAS)[1], "vanity": rng.choice(VANITY)},
    }
    results = {}
    for kind, make in kinds.items():
        timings, found = [], 0
        for _i in range(args.searches):
            criteria = make()
            env.invalidate_all()
            started = time.perf_counter()
            numbers = Number._telecom_search_available(limit=50, **criteria)
            numbers.read(["name", "national_number", "rate_center"])
            timings.append((time.perf_counter() - started) * 1000)
            found += len(numbers)
        results[kind] = (timings, found / args.searches)
    return results


def main():
    args = parse_args()
    paths = addons_path(args.addons_path)
    if not args.reuse:
        create_database(args.db, args.config, paths, "telecom_numbers")

    import odoo
    from odoo.tools import config

    config.parse_config(
        ["-c", args.config, f"--addons-path={paths}", *db_args(), "-d", args.db, "--log-level=warn"]
    )
    registry = odoo.modules.registry.Registry(args.db)

    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        print(f"Machine: {machine(cr)}; load average {load()}")
        if args.migration_only:
            run_migration(env, args)
            print(f"Load average at the end: {load()}")
            return
        started = time.perf_counter()
        content = generate_csv(args.rows)
        print(
            f"Generated a CSV of {args.rows:,} numbers ({len(content) / 1e6:.1f} MB) in "
            f"{time.perf_counter() - started:.1f} s",
            flush=True,
        )
        before = env["telecom.number"].search_count([])
        started = time.perf_counter()
        record = env["telecom.number.import"]._telecom_import_csv(
            content, "bench.csv", store_file=False
        )
        cr.commit()
        elapsed = time.perf_counter() - started
        print(
            f"Import: {record.row_count:,} rows in {elapsed:.1f} s "
            f"({record.row_count / elapsed:,.0f} rows/s): {record.created_count:,} created, "
            f"{record.existing_count:,} already there, {record.rejected_count:,} rejected, "
            f"{record.block_created_count:,} blocks created (inventory before: {before:,})",
            flush=True,
        )
        if not args.no_reimport:
            started = time.perf_counter()
            again = env["telecom.number.import"]._telecom_import_csv(
                content, "bench.csv", store_file=False
            )
            cr.commit()
            elapsed = time.perf_counter() - started
            print(
                f"Re-import of the same file: {elapsed:.1f} s, {again.created_count:,} created, "
                f"{again.existing_count:,} already there",
                flush=True,
            )
        cr.execute("ANALYZE telecom_number")
        total = env["telecom.number"].search_count([("status", "=", "available")])
        print(
            f"Available-number searches over {total:,} available numbers "
            f"({args.searches} of each kind, limit 50, read name/national/rate center):"
        )
        for kind, (timings, found) in time_searches(env, args).items():
            print(
                f"  {kind:<15} p50 {statistics.median(timings):7.2f} ms   "
                f"p95 {percentile(timings, 95):7.2f} ms   (avg {found:.0f} numbers found)"
            )
        cr.rollback()
        if args.migration_rows:
            run_migration(env, args)
        print(f"Load average at the end: {load()}")


if __name__ == "__main__":
    main()
