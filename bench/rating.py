#!/usr/bin/env python3
"""Benchmark of usage rating: generate N CDRs, import and rate them set-based.

    python3 bench/rating.py 1000000           # fresh database rating_bench, 1M CDRs
    python3 bench/rating.py 100000 --reuse    # reuse rating_bench (services kept)

It creates the database with telecom_usage installed (no demo data) unless --reuse is given,
creates --services mobile services with their numbers and a default rate plan of about 40
rates (domestic peak/off-peak/weekend, international prefixes, premium, SMS, data, roaming)
with included minutes, generates a CSV of N CDRs over one month (70% voice, 20% SMS, 10% data),
imports and rates it with telecom.usage.file, and prints rows/s with the machine it ran on
(cores, memory, versions, load average). Run it from the repository root; database
connection settings come from odoo.conf and the PG* environment variables.
"""

import argparse
import calendar
import logging
import os
import random
import time

from benchlib import ROOT, addons_path, create_database, db_args, load, machine

INTERNATIONAL = [
    ("44", "United Kingdom", 0.12),
    ("447", "United Kingdom Mobile", 0.25),
    ("33", "France", 0.12),
    ("336", "France Mobile", 0.22),
    ("49", "Germany", 0.10),
    ("52", "Mexico", 0.08),
    ("521", "Mexico Mobile", 0.15),
    ("91", "India", 0.09),
    ("86", "China", 0.07),
    ("63", "Philippines", 0.18),
    ("234", "Nigeria", 0.30),
    ("61", "Australia", 0.11),
    ("81", "Japan", 0.13),
    ("55", "Brazil", 0.14),
    ("39", "Italy", 0.12),
    ("34", "Spain", 0.12),
    ("1876", "Jamaica", 0.35),
    ("1809", "Dominican Republic", 0.20),
    ("1900", "Premium", 1.99),
    ("1800", "Toll Free", 0.0),
    ("1888", "Toll Free", 0.0),
]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("rows", type=int, nargs="?", default=1_000_000, help="CDRs to rate")
    parser.add_argument("--db", default="rating_bench", help="database name")
    parser.add_argument("--reuse", action="store_true", help="reuse the database as it is")
    parser.add_argument("--services", type=int, default=2000, help="services (numbers)")
    parser.add_argument("--config", default=os.path.join(ROOT, "odoo.conf"))
    parser.add_argument("--addons-path", default=None, help="default: Odoo's addons + addons/")
    return parser.parse_args()


def setup_services(env, count):
    """``count`` active mobile services, each with its own number, and a default rate plan."""
    Service = env["telecom.service"]
    existing = Service.search([("name", "=like", "BENCH-%")])
    if existing:
        return existing.number_ids.mapped("name")
    plan = env["product.product"].create(
        {
            "name": "Bench Mobile",
            "type": "service",
            "list_price": 30.0,
            "telecom_service_type": "mobile",
            "telecom_regulatory_class": "interstate",
        }
    )
    customer = env["res.partner"].create({"name": "Bench Customer", "is_company": True})
    subscriptions = env["telecom.subscription"].create(
        [
            {"partner_id": customer.id, "bill_cycle_day": 1 + i % 28}
            for i in range(max(1, count // 4))
        ]
    )
    services = Service.create(
        [
            {
                "name": f"BENCH-{i:06d}",
                "subscription_id": subscriptions[i % len(subscriptions)].id,
                "product_id": plan.id,
            }
            for i in range(count)
        ]
    )
    env.cr.execute(
        "UPDATE telecom_service SET state = 'active', date_start = '2025-12-01' WHERE id = ANY(%s)",
        [services.ids],
    )
    numbers = [f"+1303{2000000 + i:07d}" for i in range(count)]
    env["telecom.number"].create(
        [
            {
                "name": number,
                "status": "assigned",
                "state_code": "CO",
                "partner_id": customer.id,
                "service_id": service.id,
            }
            for number, service in zip(numbers, services, strict=True)
        ]
    )
    voice = {"usage_type": "voice", "first_increment": 60, "next_increment": 6}
    lines = [
        {**voice, "prefix": "1", "time_band": "peak", "price": 0.05},
        {**voice, "prefix": "1", "time_band": "offpeak", "price": 0.03},
        {**voice, "prefix": "1", "time_band": "weekend", "price": 0.02},
        {**voice, "prefix": "1", "roaming": True, "price": 0.25, "destination_group": "Roaming"},
    ]
    lines += [
        {
            **voice,
            "prefix": prefix,
            "destination_group": group,
            "price": price,
            "use_allowance": False,
            "minimum_charge": 0.10 if price > 1 else 0.0,
        }
        for prefix, group, price in INTERNATIONAL
    ]
    lines += [
        {"usage_type": "sms", "price": 0.02},
        {"usage_type": "sms", "prefix": "44", "destination_group": "International", "price": 0.1},
        {"usage_type": "sms", "roaming": True, "destination_group": "Roaming", "price": 0.25},
        {"usage_type": "data", "price": 0.01},
        {"usage_type": "data", "roaming": True, "destination_group": "Roaming", "price": 2.0},
    ]
    lines += [
        {**voice, "prefix": f"1{npa}", "time_band": "peak", "price": 0.04}
        for npa in ("212", "303", "415", "512", "617", "720", "808", "919", "202")
    ]
    env["telecom.rate.plan"].create(
        {
            "name": "Bench default rates",
            "is_default": True,
            "allowance_voice_minutes": 300,
            "allowance_sms": 100,
            "allowance_data_mb": 2048,
            "rate_line_ids": [(0, 0, vals) for vals in lines],
        }
    )
    env.cr.commit()
    return numbers


def generate_csv(rows, numbers, seed, month=0):
    """CSV bytes of ``rows`` CDRs spread over the ``month``-th month after January 2026."""
    rng = random.Random(seed)
    header = (
        "record_id,service,start_time,duration,called_number,direction,usage_type,"
        "volume_bytes,roaming,source_switch"
    )
    out = [header]
    intl = [prefix for prefix, _g, _p in INTERNATIONAL]
    year, mon = divmod(month, 12)
    base = calendar.timegm((2026 + year, mon + 1, 1, 5, 0, 0))
    append = out.append
    for i in range(rows):
        number = numbers[rng.randrange(len(numbers))]
        moment = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(base + rng.randrange(27 * 86400)))
        kind = rng.random()
        roaming = "1" if rng.random() < 0.02 else "0"
        if kind < 0.7:
            if rng.random() < 0.9:
                called = f"+1{rng.randrange(2002000000, 9899999999)}"
            else:
                called = f"+{rng.choice(intl)}{rng.randrange(10**8, 10**9)}"
            append(
                f"S{seed}-{i:09d},{number},{moment},{rng.randrange(0, 1800)},{called},out,"
                f"voice,0,{roaming},SW{i % 4}"
            )
        elif kind < 0.9:
            called = f"+1{rng.randrange(2002000000, 9899999999)}"
            append(f"S{seed}-{i:09d},{number},{moment},0,{called},out,sms,0,{roaming},SMSC1")
        else:
            volume = rng.randrange(1000, 50_000_000)
            append(f"S{seed}-{i:09d},{number},{moment},0,,out,data,{volume},{roaming},PGW1")
    return ("\n".join(out) + "\n").encode()


def main():
    args = parse_args()
    paths = addons_path(args.addons_path)
    if not args.reuse:
        create_database(args.db, args.config, paths, "telecom_usage")

    import odoo
    from odoo.tools import config

    config.parse_config(
        ["-c", args.config, f"--addons-path={paths}", *db_args(), "-d", args.db, "--log-level=warn"]
    )
    logging.getLogger("odoo.addons.telecom_billing.models.telecom_usage_file").setLevel(
        logging.INFO
    )
    registry = odoo.modules.registry.Registry(args.db)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        started = time.perf_counter()
        numbers = setup_services(env, args.services)
        print(f"{len(numbers):,} services ready in {time.perf_counter() - started:.1f} s")
        seed = int(time.time())
        started = time.perf_counter()
        # each run rates a month of its own (a later month than the runs before)
        month = env["telecom.usage.file"].search_count([])
        content = generate_csv(args.rows, numbers, seed, month)
        print(
            f"Generated {args.rows:,} CDRs ({len(content) / 1e6:.1f} MB) in "
            f"{time.perf_counter() - started:.1f} s",
            flush=True,
        )
        print(f"Machine: {machine(cr)}")
        print(f"Load average before: {load()}", flush=True)
        started = time.perf_counter()
        usage_file = env["telecom.usage.file"]._telecom_import_csv(
            content, f"bench-{seed}.csv", store_file=False
        )
        cr.commit()
        elapsed = time.perf_counter() - started
        print(
            f"Import + rating: {usage_file.read_count:,} rows in {elapsed:.1f} s "
            f"({usage_file.read_count / elapsed:,.0f} rows/s): {usage_file.rated_count:,} "
            f"rated ({usage_file.amount_rated:,.2f} USD), {usage_file.rejected_count:,} "
            f"rejected, {usage_file.duplicate_count:,} duplicates",
            flush=True,
        )
        print(f"Load average after: {load()}")


if __name__ == "__main__":
    main()
