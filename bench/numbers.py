#!/usr/bin/env python3
"""Benchmark of telecom_numbers: a 1M-number block CSV import and available-number searches.

    python3 bench/numbers.py                  # fresh database num_bench, 1,000,000 numbers
    python3 bench/numbers.py --reuse          # reuse num_bench as it is (module installed)
    python3 bench/numbers.py --rows 200000 --searches 100

It creates the database with telecom_numbers installed (no demo data) unless --reuse is given,
generates a CSV of --rows numbers (10,000-line NXXs spread over several states and rate
centers), imports it with the module's set-based import, re-imports it (every row a duplicate),
then times available-number searches by state, rate center, NPA-NXX and vanity pattern and
prints p50/p95 in milliseconds, with the machine it ran on. Run it from the repository root;
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

from benchlib import ROOT, addons_path, create_database, db_args, load, machine  # noqa: E402

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

    started = time.perf_counter()
    content = generate_csv(args.rows)
    print(
        f"Generated a CSV of {args.rows:,} numbers ({len(content) / 1e6:.1f} MB) in "
        f"{time.perf_counter() - started:.1f} s",
        flush=True,
    )

    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        print(f"Machine: {machine(cr)}; load average {load()}")
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
        print(f"Load average at the end: {load()}")
        cr.rollback()


if __name__ == "__main__":
    main()
