#!/usr/bin/env python3
"""Network reconciliation benchmark: N subscribers (100,000 by default) read from the local REST
(or SOAP) platform simulator and compared with N billed services.

What it does:
1. makes the database: a copy of ``--template`` (fast; an existing database with
   telecom_network installed) or, without it, a fresh one with telecom_network installed
   without demo data;
2. starts the REST (``--protocol soap``: SOAP) platform simulator of telecom_provisioning's
   tests on 127.0.0.1 in this process;
3. creates a REST (SOAP: the simulator's WSDL, pages read with ``ListSubscribers``) backend for
   broadband (pages of ``--page-size`` subscribers), a broadband
   plan with a network profile, and N active services (plain SQL ``INSERT … SELECT``: the
   billing side only needs to exist); seeds the simulator with the same N subscribers, with
   deliberate differences: 0.1 % each of not billed (on the network only), not provisioned
   (billed only), profile mismatch and suspended on the network only;
   with ``--source file`` the same subscribers are written as the platform's inventory extract
   (CSV) and the run reads the extract instead of the read API;
4. runs the reconciliation cron, ``telecom.network.reconciliation._cron_run_reconciliations``,
   in a loop, committing after every call as Odoo's cron runner does (one page per call),
   until the run is done;
5. checks that exactly the seeded differences were found, and prints the time, pages,
   subscribers a second, the simulator's read calls and the machine with its load.

Usage:  python3 bench/network_reconciliation.py [--subscribers 100000] [--page-size 1000]
                                                [--db h27_netbench] [--template DB]
                                                [--protocol rest|soap] [--source api|file]
Environment: PGHOST, PGPORT, PGUSER (defaults 127.0.0.1, 5432, current user).
"""

import argparse
import base64
import time

import psycopg2
from benchlib import create_database, load, machine
from provisioning import PGHOST, PGPORT, PGUSER, addons_path, load_simulators, log, open_registry

DIFF_SHARE = 0.001  # of each kind


def make_database(db, template):
    conn = psycopg2.connect(dbname="postgres", host=PGHOST, port=PGPORT, user=PGUSER)
    conn.autocommit = True
    with conn.cursor() as cr:
        cr.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        if template:
            log(f"copying database {template} to {db}")
            cr.execute(f'CREATE DATABASE "{db}" TEMPLATE "{template}"')
    conn.close()
    if not template:
        create_database(db, "odoo.conf", addons_path(), "telecom_network")


def prepare(env, sim, protocol, count, page_size):
    """Backend, plan, N active services; returns the backend and the service references."""
    env["telecom.provisioning.backend"].search([]).active = False
    broadband = env["telecom.provisioning.service.type"].search([("code", "=", "broadband")])
    if protocol == "soap":
        endpoint = {"kind": "soap", "wsdl_url": sim.wsdl_url}
    else:
        endpoint = {"kind": "rest", "base_url": sim.url + "/api/v1"}
    backend = env["telecom.provisioning.backend"].create(
        {
            **endpoint,
            "name": f"Bench {protocol.upper()} platform",
            "connect_timeout": 2.0,
            "read_timeout": 30.0,
            "service_type_ids": [(6, 0, broadband.ids)],
            "reconcile_page_size": page_size,
        }
    )
    attribute = env["telecom.attribute"].search([("code", "=", "network_profile")])
    attribute = attribute or env["telecom.attribute"].create(
        {"name": "Network profile", "code": "network_profile", "value_type": "char"}
    )
    plan = env["product.product"].create(
        {
            "name": "Bench Fiber 500",
            "default_code": "NFIB-500",
            "type": "service",
            "list_price": 60.0,
            "telecom_service_type": "broadband",
            "telecom_regulatory_class": "info_service",
        }
    )
    env["telecom.attribute.value"].create(
        {"product_tmpl_id": plan.product_tmpl_id.id, "attribute_id": attribute.id, "value": "F500"}
    )
    # other broadband services of the template database are not this platform's
    env.cr.execute(
        "UPDATE telecom_service SET state = 'terminated' WHERE service_type = 'broadband'"
    )
    partner = env["res.partner"].create({"name": "Bench customer", "zip": "78701"})
    subscription = env["telecom.subscription"].create(
        {"partner_id": partner.id, "bill_cycle_day": 1}
    )
    env.flush_all()
    log(f"inserting {count} active services")
    env.cr.execute(
        """
        INSERT INTO telecom_service (name, subscription_id, partner_id, company_id, product_id,
                                     quantity, state, service_type, date_start, charged_until,
                                     create_uid, create_date, write_uid, write_date)
        SELECT 'NB' || lpad(n::text, 7, '0'), %(sub)s, %(partner)s, %(company)s, %(product)s,
               1, 'active', 'broadband', '2026-01-01', '2026-11-30', 1, now(), 1, now()
          FROM generate_series(1, %(count)s) n
        """,
        {
            "sub": subscription.id,
            "partner": partner.id,
            "company": env.company.id,
            "product": plan.id,
            "count": count,
        },
    )
    env.cr.commit()
    return backend, [f"NB{n:07d}" for n in range(1, count + 1)]


def seed_network(sim, refs):
    """The platform's view: every billed service, with deliberate differences."""
    step = int(1 / DIFF_SHARE)
    network = {}
    expected = {"net_not_billed": 0, "net_not_provisioned": 0, "net_profile": 0}
    expected["net_suspension"] = 0
    for index, ref in enumerate(refs):
        record = {"state": "active", "profile": "F500", "features": []}
        kind = index % step
        if kind == 1:
            expected["net_not_provisioned"] += 1
            continue
        if kind == 2:
            record["profile"] = "F1000"
            expected["net_profile"] += 1
        elif kind == 3:
            record["state"] = "suspended"
            expected["net_suspension"] += 1
        network[ref] = record
    for n in range(len(refs) // step):
        network[f"NX{n:07d}"] = {"state": "active", "profile": "F500", "features": []}
        expected["net_not_billed"] += 1
    sim.seed(network)
    return expected


def extract(sim):
    """The platform's subscribers as its inventory extract (CSV, base64)."""
    lines = [
        "service_ref,subscriber_id,state,profile,speed_mbps,features,msisdn,iccid,activated_on"
    ]
    for ref, sub in sorted(sim.subscribers.items()):
        values = (ref, sub.get("platform_id"), sub["state"], sub.get("profile"))
        lines.append(",".join(str(v or "") for v in values) + ",,,,,")
    return base64.b64encode("\n".join(lines).encode())


def reconcile(registry, backend_id, extract_file=None):
    from odoo import SUPERUSER_ID, api

    started = time.monotonic()  # the start reads (and stages) an extract: counted
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
        vals = {"backend_id": backend_id}
        if extract_file:
            vals.update(source="file", extract_file=extract_file, extract_filename="bench.csv")
        run = env["telecom.network.reconciliation"].create(vals)
        run.action_start()
        run_id = run.id
        cr.commit()
    calls = 0
    while True:
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True, "cron_id": 0})
            env["telecom.network.reconciliation"]._cron_run_reconciliations(batch_size=1)
            cr.commit()
            calls += 1
            state = env["telecom.network.reconciliation"].browse(run_id).state
            if state != "running":
                break
    return run_id, calls, time.monotonic() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--subscribers", type=int, default=100_000)
    parser.add_argument("--page-size", type=int, default=1000)
    parser.add_argument("--db", default="h27_netbench")
    parser.add_argument("--template", help="copy this database instead of installing")
    parser.add_argument("--protocol", choices=("rest", "soap"), default="rest")
    parser.add_argument("--source", choices=("api", "file"), default="api")
    args = parser.parse_args()
    from odoo import SUPERUSER_ID, api

    make_database(args.db, args.template)
    simulators = load_simulators()
    simulator_class = {
        "rest": simulators.RestPlatformSimulator,
        "soap": simulators.SoapPlatformSimulator,
    }[args.protocol]
    sim = simulator_class(prefix="BENCH").start()
    registry = open_registry(args.db)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
        backend, refs = prepare(env, sim, args.protocol, args.subscribers, args.page_size)
        backend_id = backend.id
    expected = seed_network(sim, refs)
    log(f"reconciling {args.subscribers} services against {len(sim.subscribers)} subscribers")
    extract_file = extract(sim) if args.source == "file" else None
    run_id, calls, elapsed = reconcile(registry, backend_id, extract_file)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        run = env["telecom.network.reconciliation"].browse(run_id)
        cr.execute(
            'SELECT "check", count(*) FROM telecom_ra_finding WHERE reconciliation_id = %s '
            "AND state = 'open' GROUP BY 1",
            [run_id],
        )
        found = dict(cr.fetchall())
        print()
        source = "inventory extract" if args.source == "file" else args.protocol
        print(f"Network reconciliation of {args.subscribers:,} billed services ({source})")
        print(f"  network subscribers read : {run.subscriber_count:,} in {run.page_count} pages")
        print(f"  billed services checked  : {run.billing_checked_count:,}")
        print(f"  cron calls (commits)     : {calls}")
        print(f"  simulator read calls     : {sim.read_calls}")
        print(f"  wall time                : {elapsed:.1f} s")
        print(f"  throughput               : {run.subscriber_count / elapsed:,.0f} subscribers/s")
        print(f"  findings (open)          : {found}")
        print(f"  expected                 : {expected}")
        print(f"  exact                    : {found == expected}")
        print(f"  state                    : {run.state}")
        print(f"  load average             : {load()}")
        print(f"  machine                  : {machine(cr)}")
    sim.stop()


if __name__ == "__main__":
    main()
