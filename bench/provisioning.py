#!/usr/bin/env python3
"""Provisioning benchmark: N activations (10,000 by default) against the local REST platform
simulator with a share of transient failures (5 % by default).

What it does:
1. drops and creates the database ``prov_bench`` with telecom_provisioning (and what it
   depends on) installed, without demo data;
2. starts the REST platform simulator of the module's tests on 127.0.0.1 in this process; it
   answers 503 to a random 5 % of the requests and counts what it provisions;
3. creates a REST backend (8 concurrent calls, retries after 1 s doubling, 25 % jitter),
   a broadband plan with provisioning attributes, and N pending services; asks each service
   for its activation from a scheduled-job context, which queues N bulk provisioning orders
   (a migration or bulk activation wave);
4. runs the provisioning worker, ``telecom.provisioning.order._cron_process_orders``, in
   ``--workers`` processes (default 1, like the single cron job of a server), each calling it
   in a loop and committing after every call as Odoo's cron runner does, until no order is
   open; retries wait for their backoff delay;
5. prints throughput, call latency (p50/p95/p99 of the platform calls), queue-to-done
   times, the final states (all N must be done and every service active), what the simulator
   saw (exactly N activations provisioned: retries never provisioned twice), and the machine.

Usage:  python3 bench/provisioning.py [--orders 10000] [--workers 1] [--failure-rate 0.05]
                                      [--batch-size 200] [--db prov_bench] [--keep-db]
Environment: PGHOST, PGPORT, PGUSER (defaults 127.0.0.1, 5432, current user).
"""

import argparse
import getpass
import importlib.util
import multiprocessing
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import psycopg2
from benchlib import total_memory

ROOT = Path(__file__).resolve().parent.parent
MODULE = ROOT / "addons" / "telecom_provisioning"
PGHOST = os.environ.get("PGHOST", "127.0.0.1")
PGPORT = os.environ.get("PGPORT", "5432")
PGUSER = os.environ.get("PGUSER", getpass.getuser())


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def addons_path():
    import odoo

    package_dir = Path(odoo.__file__).parent
    for candidate in (package_dir.parent / "addons", package_dir / "addons"):
        if (candidate / "sale_management" / "__manifest__.py").is_file():
            return f"{candidate},{ROOT / 'addons'}"
    sys.exit("Cannot find Odoo's standard addons next to the odoo package.")


def odoo_args(db):
    return [
        "-c",
        str(ROOT / "odoo.conf"),
        f"--addons-path={addons_path()}",
        f"--db_host={PGHOST}",
        f"--db_port={PGPORT}",
        f"--db_user={PGUSER}",
        "-d",
        db,
    ]


def recreate_database(db):
    conn = psycopg2.connect(dbname="postgres", host=PGHOST, port=PGPORT, user=PGUSER)
    conn.autocommit = True
    with conn.cursor() as cr:
        cr.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
    conn.close()
    log(f"installing telecom_provisioning into a fresh database {db} (no demo data)")
    subprocess.run(
        [sys.executable, "-m", "odoo", *odoo_args(db)]
        + ["-i", "telecom_provisioning", "--without-demo=all", "--stop-after-init"]
        + ["--log-level=warn", "--workers=0", "--max-cron-threads=0"],
        check=True,
    )


def load_simulators():
    path = MODULE / "tests" / "platform_simulators.py"
    spec = importlib.util.spec_from_file_location("platform_simulators", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_CONFIGURED = []


def open_registry(db):
    import odoo
    from odoo.modules.registry import Registry

    if not _CONFIGURED:
        odoo.tools.config.parse_config(odoo_args(db) + ["--log-level=warn", "--workers=0"])
        _CONFIGURED.append(db)
    return Registry(db)


def prepare(db, url, count, batch=1000):
    """Backend, plan, services, then the activation requests (queued bulk orders)."""
    from odoo import SUPERUSER_ID, api

    registry = open_registry(db)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
        env["telecom.provisioning.backend"].create(
            {
                "name": "Bench REST platform",
                "kind": "rest",
                "base_url": url + "/api/v1",
                "connect_timeout": 2.0,
                "read_timeout": 5.0,
                "max_concurrency": 8,
                "retry_base_delay": 1.0,
                "retry_max_delay": 8.0,
                "retry_jitter": 0.25,
                "retry_max_attempts": 10,
                "service_type_ids": [
                    (
                        6,
                        0,
                        env["telecom.provisioning.service.type"]
                        .search([("code", "=", "broadband")])
                        .ids,
                    )
                ],
            }
        )
        attribute = env["telecom.attribute"].search([("code", "=", "download_mbps")])
        attribute = attribute or env["telecom.attribute"].create(
            {"name": "Download", "code": "download_mbps", "value_type": "integer"}
        )
        plan = env["product.product"].create(
            {
                "name": "Bench Fiber 500",
                "default_code": "FIB-500",
                "type": "service",
                "list_price": 60.0,
                "telecom_service_type": "broadband",
                "telecom_regulatory_class": "info_service",
            }
        )
        env["telecom.attribute.value"].create(
            {
                "product_tmpl_id": plan.product_tmpl_id.id,
                "attribute_id": attribute.id,
                "value": "500",
            }
        )
        us = env.ref("base.us")
        partners = env["res.partner"].create(
            [
                {
                    "name": f"Bench customer {n}",
                    "city": "Austin",
                    "zip": "78701",
                    "country_id": us.id,
                }
                for n in range(count // 100 or 1)
            ]
        )
        subscriptions = env["telecom.subscription"].create(
            [{"partner_id": p.id, "bill_cycle_day": 1} for p in partners]
        )
        cr.commit()
        log(f"creating {count} pending services")
        start = time.monotonic()
        for offset in range(0, count, batch):
            env["telecom.service"].create(
                [
                    {
                        "subscription_id": subscriptions[n % len(subscriptions)].id,
                        "product_id": plan.id,
                        "service_address_id": subscriptions[n % len(subscriptions)].partner_id.id,
                    }
                    for n in range(offset, min(offset + batch, count))
                ]
            )
            cr.commit()
        log(f"  {count} services in {time.monotonic() - start:.1f} s")
        log(f"requesting {count} activations from a scheduled-job context (queued, bulk)")
        start = time.monotonic()
        services = env["telecom.service"].search([], order="id")
        bulk = env(context=dict(env.context, cron_id=0, telecom_provisioning_mode="bulk"))
        for offset in range(0, count, batch):
            for service in services[offset : offset + batch].with_env(bulk):
                service._telecom_request_activate()
            cr.commit()
            env.invalidate_all()
        queued = time.monotonic() - start
        log(f"  {count} orders queued in {queued:.1f} s ({count / queued:.0f} orders/s)")
        # a production database has planner statistics; a freshly filled one has none yet
        cr.execute("ANALYZE")
    return queued


def worker(db, batch_size, index):
    from odoo import SUPERUSER_ID, api

    registry = open_registry(db)
    calls = 0
    while True:
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            done = env["telecom.provisioning.order"]._cron_process_orders(batch_size=batch_size)
            cr.commit()
            calls += 1
            left = env["telecom.provisioning.order"].search_count(
                [("state", "in", ("queued", "running", "failed_retrying"))]
            )
        if not left:
            return calls
        if not done:
            time.sleep(0.2)  # every due order is taken; wait for the next backoff to end


def report(db, count, elapsed, queued, sim, workers, batch_size):
    from odoo import SUPERUSER_ID, api, release

    registry = open_registry(db)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        cr.execute("SELECT state, count(*) FROM telecom_provisioning_order GROUP BY state")
        states = dict(cr.fetchall())
        cr.execute(
            """
            SELECT count(*), count(*) FILTER (WHERE success),
                   count(*) FILTER (WHERE replayed),
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY duration_ms),
                   percentile_cont(0.95) WITHIN GROUP (ORDER BY duration_ms),
                   percentile_cont(0.99) WITHIN GROUP (ORDER BY duration_ms)
              FROM telecom_provisioning_attempt
            """
        )
        attempts, successes, replays, p50, p95, p99 = cr.fetchone()
        cr.execute(
            """
            SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY completion_seconds),
                   percentile_cont(0.95) WITHIN GROUP (ORDER BY completion_seconds),
                   max(attempt_count)
              FROM telecom_provisioning_order WHERE state = 'done'
            """
        )
        c50, c95, max_attempts = cr.fetchone()
        cr.execute("SELECT count(*) FROM telecom_provisioning_order WHERE attempt_count > 1")
        retried = cr.fetchone()[0]
        cr.execute("SELECT state, count(*) FROM telecom_service GROUP BY state")
        services = dict(cr.fetchall())
        cr.execute("SHOW server_version")
        pg_version = cr.fetchone()[0]
        del env
    import requests
    import zeep

    memory = total_memory()
    all_done = states.get("done", 0) == count and len(states) == 1
    print()
    print("=" * 72)
    print(
        f"Provisioning bench: {count} activations, REST simulator, "
        f"{sim.failure_rate:.0%} transient failures"
    )
    print("=" * 72)
    print(
        f"workers                : {workers} process(es), batch size {batch_size}, "
        f"8 concurrent calls per batch"
    )
    print(f"queueing               : {count / queued:,.0f} orders/s ({queued:.1f} s)")
    print(f"processing             : {elapsed:.1f} s -> {count / elapsed:,.0f} activations/s")
    print(
        f"platform calls         : {attempts} ({successes} ok, {attempts - successes} failed, "
        f"{replays} replayed)"
    )
    print(f"call latency           : p50 {p50:.1f} ms, p95 {p95:.1f} ms, p99 {p99:.1f} ms")
    print(f"queued -> done         : p50 {c50:.1f} s, p95 {c95:.1f} s (whole wave queued at once)")
    print(f"orders retried         : {retried} (max {max_attempts} attempts for one order)")
    print(f"final order states     : {states}")
    print(f"final service states   : {services}")
    print(
        f"simulator              : {sim.calls} requests, {len(sim.provisioned)} provisioned, "
        f"{sim.count('activate')} activations"
    )
    print(f"all {count} done          : {'YES' if all_done else 'NO'}")
    keys = {p["key"] for p in sim.provisioned}
    once = len(keys) == len(sim.provisioned) == count
    print(f"provisioned once each  : {'YES' if once else 'NO'}")
    print("-" * 72)
    print(f"machine                : {os.cpu_count()} cores, {memory} RAM, {platform.platform()}")
    print(
        f"versions               : Python {platform.python_version()}, Odoo {release.version}, "
        f"PostgreSQL {pg_version}, requests {requests.__version__}, zeep {zeep.__version__}"
    )
    print("=" * 72)
    return all_done and services.get("active", 0) == count


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=10000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--failure-rate", type=float, default=0.05)
    parser.add_argument("--batch-size", type=int, default=200)
    parser.add_argument("--db", default="prov_bench")
    parser.add_argument("--keep-db", action="store_true", help="do not drop the database after")
    parser.add_argument(
        "--queue-only", action="store_true", help="stop once the orders are queued (profiling)"
    )
    args = parser.parse_args()

    recreate_database(args.db)
    simulators = load_simulators()
    sim = simulators.RestPlatformSimulator(failure_rate=args.failure_rate, seed=2024).start()
    try:
        queued = prepare(args.db, sim.url, args.orders)
        if args.queue_only:
            log(f"orders queued in {args.db}; simulator stopped (--queue-only)")
            return
        log(f"processing with {args.workers} worker process(es)")
        start = time.monotonic()
        if args.workers == 1:
            worker(args.db, args.batch_size, 0)
        else:
            context = multiprocessing.get_context("spawn")
            with context.Pool(args.workers) as pool:
                pool.starmap(worker, [(args.db, args.batch_size, i) for i in range(args.workers)])
        elapsed = time.monotonic() - start
        ok = report(args.db, args.orders, elapsed, queued, sim, args.workers, args.batch_size)
    finally:
        sim.stop()
    if not args.keep_db:
        conn = psycopg2.connect(dbname="postgres", host=PGHOST, port=PGPORT, user=PGUSER)
        conn.autocommit = True
        with conn.cursor() as cr:
            cr.execute(f'DROP DATABASE IF EXISTS "{args.db}" WITH (FORCE)')
        conn.close()
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
