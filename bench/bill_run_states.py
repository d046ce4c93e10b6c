#!/usr/bin/env python3
"""Chunk time of the bill run on two database states, alternated: does a chunk cost more
after 90,000 bills than at the start of the run? Alternating the states in one process
cancels the machine's drift (a long run's per-10,000 figures mix the two).

    # the states: generated data (bill_run.py --data), and a copy billed in-process up to 90,000
    python3 bench/bill_run.py 100000 --no-contract --data bench_data_100000_nc --generate-only
    python3 bench/bill_run_states.py --make bench_state_0 --from bench_data_100000_nc --bills 0
    python3 bench/bill_run_states.py --make bench_state_90k --from bench_data_100000_nc \\
        --bills 90000
    # the measure: 4 rounds, each 4 chunks of 500 on either state
    python3 bench/bill_run_states.py bench_state_0,bench_state_90k --rounds 4 --chunks 4

Each measured chunk is rolled back, so every round measures the same state; a warm-up chunk
per state comes first (what a cron worker does once is not counted). Rolled-back chunks
leave dead rows (autovacuum off on the CI machine): compare the states of one measure, not
measures with each other.
"""

import argparse
import functools
import os
import shutil
import statistics
import time

import bill_run


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("databases", nargs="?", help="the states to compare: db1,db2[,...]")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--chunks", type=int, default=4, help="measured chunks per round")
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--make", help="make this state database (bench_...)")
    parser.add_argument("--from", dest="source", help="with --make: the generated data")
    parser.add_argument("--bills", type=int, default=0, help="with --make: bills to commit")
    args = parser.parse_args()
    if bool(args.make) == bool(args.databases) or (args.make and not args.source):
        parser.error("either DATABASES, or --make with --from")
    for name in [args.make, args.source, *(args.databases or "").split(",")]:
        if name and not name.startswith("bench_"):
            parser.error("the databases' names must start with bench_")
    return args


@functools.cache
def configure():
    """Odoo's configuration, parsed once (the addons path is the same for every state)."""
    from odoo.tools import config

    config.parse_config([*bill_run.odoo_args("bench_state", False), "--log-level=warn"])


def registry(db):
    import odoo

    configure()
    return odoo.modules.registry.Registry(db)


def environment(cr):
    import odoo

    return odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})


def bill_run_id(env):
    """The running bill run of the state, started when there is none."""
    run = env["telecom.bill.run"].search([("state", "=", "running")], limit=1)
    return run.id or bill_run.start_bill_run(env)


def make(args):
    """Copy the generated data into ``args.make`` and bill ``args.bills`` of it, committed
    chunk by chunk as the job does."""
    bill_run.drop_db(args.make)
    with bill_run.pg() as cr:
        cr.execute(f'CREATE DATABASE "{args.make}" TEMPLATE "{args.source}"')
    filestore = bill_run.data_dir() / "filestore"
    if (filestore / args.source).is_dir():
        shutil.copytree(filestore / args.source, filestore / args.make)
    with registry(args.make).cursor() as cr:
        env = environment(cr)
        run = env["telecom.bill.run"].browse(bill_run_id(env))
        billed, started = 0, time.perf_counter()
        while billed < args.bills:
            done = run._telecom_process_chunk(min(args.batch_size, args.bills - billed))
            cr.commit()
            if not done:
                break
            billed += done
        bill_run.log(f"{args.make}: {billed:,} bills in {time.perf_counter() - started:.0f} s")


def backend_cpu(cr):
    """CPU seconds used so far by the PostgreSQL backend of ``cr`` (a local server)."""
    cr.execute("SELECT pg_backend_pid()")
    with open(f"/proc/{cr.fetchone()[0]}/stat") as stat:
        fields_ = stat.read().rpartition(")")[2].split()
    return (int(fields_[11]) + int(fields_[12])) / os.sysconf("SC_CLK_TCK")


def measure(args):
    databases = args.databases.split(",")
    runs, times = {}, {db: [] for db in databases}
    cpu = {db: [] for db in databases}
    for db in databases:
        with registry(db).cursor() as cr:
            env = environment(cr)
            if db == databases[0]:
                bill_run.log(f"Machine: {bill_run.machine(cr)}; load {bill_run.load()}")
            runs[db] = bill_run_id(env)
            cr.commit()
            env["telecom.bill.run"].browse(runs[db])._telecom_process_chunk(args.batch_size)
            cr.rollback()
    for round_ in range(args.rounds):
        for db in databases:
            for __ in range(args.chunks):
                with registry(db).cursor() as cr:
                    env = environment(cr)
                    database_cpu = backend_cpu(cr)
                    started, own_cpu = time.perf_counter(), time.process_time()
                    run = env["telecom.bill.run"].browse(runs[db])
                    done = run._telecom_process_chunk(args.batch_size)
                    env.flush_all()
                    times[db].append(time.perf_counter() - started)
                    cpu[db].append(time.process_time() - own_cpu + backend_cpu(cr) - database_cpu)
                    cr.rollback()
            chunk = statistics.mean(times[db][-args.chunks :])
            bill_run.log(f"round {round_ + 1} {db}: {chunk:.2f} s a chunk of {done}")
    first = statistics.mean(times[databases[0]])
    print()
    for db in databases:
        mean = statistics.mean(times[db])
        print(
            f"{db:24} mean {mean:6.3f} s, median {statistics.median(times[db]):6.3f} s "
            f"over {len(times[db])} chunks ({100 * (mean / first - 1):+.1f} %); "
            f"CPU (Odoo + PostgreSQL) mean {statistics.mean(cpu[db]):6.3f} s"
        )
    print(f"\nLoad average at the end: {bill_run.load()}")


if __name__ == "__main__":
    arguments = parse_args()
    if arguments.make:
        make(arguments)
    else:
        measure(arguments)
