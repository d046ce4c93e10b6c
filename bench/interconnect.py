#!/usr/bin/env python3
"""Benchmark of interconnect rating: import carrier decks, generate N trunk records, rate them.

    python3 bench/interconnect.py 1000000             # fresh database interconnect_bench
    python3 bench/interconnect.py 100000 --reuse      # reuse it (agreements and decks kept)

It creates the database with telecom_interconnect installed (no demo data) unless --reuse is
given, creates --carriers interconnect agreements (two trunk groups each) and imports, per
carrier and direction, a CSV deck of --npanxx NPA-NXX rows per domestic jurisdiction
(interstate, intrastate) plus fallbacks and about 40 international prefixes; then generates
a CSV of N trunk records over one month (half inbound, half outbound; 90 % domestic, most of
them to a deck NPA-NXX) and imports and rates it as an interconnect CDR file, and settles the
month of every carrier (statement only). Prints the figures with the machine it ran on.
"""

import argparse
import calendar
import random
import time

from benchlib import add_database_args, load, machine, open_registry, print_import

NPAS = ["212", "303", "415", "512", "617", "720", "808", "919", "202", "305", "312", "404",
        "206", "213", "602", "702", "713", "214", "612", "503"]  # fmt: skip
INTERNATIONAL = ["44", "447", "33", "336", "49", "52", "521", "91", "86", "63", "234", "61",
                 "81", "55", "39", "34", "7", "20", "27", "30", "31", "32", "41", "43", "45",
                 "46", "47", "48", "351", "353", "358", "60", "62", "64", "65", "66", "82",
                 "84", "90", "92"]  # fmt: skip


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("rows", type=int, nargs="?", default=1_000_000, help="trunk records")
    parser.add_argument("--carriers", type=int, default=10, help="interconnect agreements")
    parser.add_argument("--npanxx", type=int, default=2000, help="NPA-NXX rows per deck part")
    add_database_args(parser, "interconnect_bench")
    return parser.parse_args()


def deck_csv(rng, npanxx):
    rows = ["npanxx,prefix,jurisdiction,rate"]
    for jurisdiction, base in (("interstate", 0.006), ("intrastate", 0.009)):
        rows.append(f",1,{jurisdiction},{base:.4f}")
        for code in npanxx:
            rows.append(f"{code},,{jurisdiction},{base + rng.randrange(0, 40) / 10000:.4f}")
    rows.append(",1,local,0.0010")
    rows += [f",{p},international,{rng.randrange(20, 400) / 1000:.4f}" for p in INTERNATIONAL]
    return ("\n".join(rows) + "\n").encode()


def setup_agreements(env, carriers, npanxx_count):
    """Agreements with their trunks and decks; returns (trunk names, deck NPA-NXX codes)."""
    rng = random.Random(7)
    npanxx = sorted({f"{rng.choice(NPAS)}{rng.randrange(200, 1000):03d}"
                     for _i in range(npanxx_count * 3)})[:npanxx_count]  # fmt: skip
    Agreement = env["telecom.interconnect.agreement"]
    existing = Agreement.search([("name", "=like", "BENCH-%")])
    if existing:
        return existing.trunk_ids.mapped("name"), npanxx
    started = time.perf_counter()
    rates = 0
    for i in range(carriers):
        partner = env["res.partner"].create({"name": f"Bench Carrier {i}", "is_company": True})
        agreement = Agreement.create(
            {"name": f"BENCH-{i:03d}", "partner_id": partner.id, "date_start": "2025-01-01",
             "trunk_ids": [(0, 0, {"name": f"TG{i:03d}{t}"}) for t in "AB"]}
        )  # fmt: skip
        for direction in ("in", "out"):
            deck = env["telecom.interconnect.deck"].create(
                {"agreement_id": agreement.id, "direction": direction, "date_from": "2025-01-01"}
            )
            deck._telecom_import(deck_csv(rng, npanxx))
            rates += deck.imported_count
    env.cr.commit()
    elapsed = time.perf_counter() - started
    print(f"{carriers} carriers, {rates:,} deck rates imported in {elapsed:.1f} s "
          f"({rates / elapsed:,.0f} rows/s)")  # fmt: skip
    return Agreement.search([("name", "=like", "BENCH-%")]).trunk_ids.mapped("name"), npanxx


def generate_csv(rows, trunks, npanxx, seed, month):
    rng = random.Random(seed)
    out = ["record_id,trunk_group,start_time,duration,calling_number,called_number,direction"]
    year, mon = divmod(month, 12)
    base = calendar.timegm((2026 + year, mon + 1, 1, 0, 0, 0))
    append = out.append
    for i in range(rows):
        moment = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(base + rng.randrange(28 * 86400)))
        calling = f"+1{rng.choice(NPAS)}{rng.randrange(2000000, 9999999)}"
        draw = rng.random()
        if draw < 0.8:
            called = f"+1{rng.choice(npanxx)}{rng.randrange(10000):04d}"
        elif draw < 0.95:
            called = f"+1{rng.choice(NPAS)}{rng.randrange(2000000, 9999999)}"
        else:
            called = f"+{rng.choice(INTERNATIONAL)}{rng.randrange(10**8, 10**9)}"
        direction = "in" if i % 2 else "out"
        append(f"B{seed}-{i:09d},{rng.choice(trunks)},{moment},{rng.randrange(0, 1800)},"
               f"{calling},{called},{direction}")  # fmt: skip
    return ("\n".join(out) + "\n").encode()


def main():
    args = parse_args()
    registry = open_registry(args, "telecom_interconnect")

    import odoo

    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        trunks, npanxx = setup_agreements(env, args.carriers, args.npanxx)
        seed = int(time.time())
        month = env["telecom.usage.file"].search_count([("telecom_file_kind", "=", "interconnect")])
        started = time.perf_counter()
        content = generate_csv(args.rows, trunks, npanxx, seed, month)
        print(f"Generated {args.rows:,} trunk records ({len(content) / 1e6:.1f} MB) in "
              f"{time.perf_counter() - started:.1f} s", flush=True)  # fmt: skip
        print(f"Machine: {machine(cr)}")
        print(f"Load average before: {load()}", flush=True)
        started = time.perf_counter()
        usage_file = env["telecom.usage.file"].create(
            {"filename": f"bench-{seed}.csv", "telecom_file_kind": "interconnect"}
        )
        usage_file._telecom_import(content)
        cr.commit()
        print_import(usage_file, time.perf_counter() - started)
        started = time.perf_counter()
        agreements = env["telecom.interconnect.agreement"].search([("name", "=like", "BENCH-%")])
        first = odoo.fields.Date.to_date(f"{2026 + month // 12}-{month % 12 + 1:02d}-01")
        settlements = env["telecom.interconnect.settlement"]._telecom_settle_month(
            agreements, first
        )
        cr.commit()
        print(f"Settlement statements of {len(settlements)} carriers "
              f"({sum(settlements.mapped('cdr_count')):,} records) in "
              f"{time.perf_counter() - started:.1f} s")  # fmt: skip
        print(f"Load average after: {load()}")


if __name__ == "__main__":
    main()
