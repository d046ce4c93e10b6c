#!/usr/bin/env python3
"""Bill run benchmark: N subscriptions billed (posted invoices) by the monthly bill run, side by
side with OCA ``contract``'s recurring invoice job on the same N customers.

    python3 bench/bill_run.py 1000                  # fresh bench_bill_1000, one cron worker
    python3 bench/bill_run.py 10000 --workers 2     # the run split across two cron workers
    python3 bench/bill_run.py 1000 --no-contract    # only our bill run
    python3 bench/bill_run.py 1000 --profile        # cProfile + SQL count of one chunk, in-process

What it does:
1. copies a template database (``bench_bill_tpl``: telecom_usage and OCA contract installed
   with demo data; built on first use, ``--rebuild-template`` to build it again) into a fresh
   ``bench_bill_<N>``; demo subscriptions are archived so that only generated ones are billed;
2. generates N customers (California, New York, Texas, Washington; residential and business),
   each with one subscription on cycle day 1 with 1-3 services on the demo plans (already
   billed up to the end of this month), a running promotion on 10 % of the services and a
   pending usage charge on half of the subscriptions (rated usage records, model
   ``telecom.usage.record``, when the rating module is installed), in batched creates;
3. starts the bill run of next month's period and launches ``odoo`` (prefork, 2 HTTP workers,
   ``--workers`` cron workers) with the bill run job due now: the job bills the run chunk by
   chunk (FOR UPDATE SKIP LOCKED), each chunk committed; the wall time runs from the launch to
   the run's end, peak memory is the largest RSS of an Odoo process;
4. checks with SQL that every subscription has exactly one posted invoice of the period;
5. unless ``--no-contract``: gives the same N customers an OCA contract with the same monthly
   lines (plans and promotion discounts), runs contract's "Generate Recurring Invoices from
   Contracts" job the same way (it leaves drafts), then posts them, and prints the ratio.

OCA contract must be on the addons path: ``pip install --no-deps --target .local/oca -r
bench/requirements.txt`` (see bench/README.md); it is installed in the bench databases only.
Environment: PGHOST, PGPORT, PGUSER (defaults 127.0.0.1, 5432, current user).
"""

import argparse
import contextlib
import cProfile
import functools
import getpass
import io
import os
import platform
import pstats
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from datetime import date, timedelta
from pathlib import Path

import benchlib
import psutil
import psycopg2

ROOT = Path(__file__).resolve().parent.parent
OCA = ROOT / ".local" / "oca" / "odoo" / "addons"
PGHOST = os.environ.get("PGHOST", "127.0.0.1")
PGPORT = os.environ.get("PGPORT", "5432")
PGUSER = os.environ.get("PGUSER", getpass.getuser())
# how often the script looks whether the job started and ended: the error it adds to a
# measured time (a run of 2,000 takes about 10 s)
POLL_SECONDS = 0.1
STATES = [("CA", "Sacramento", "95814"), ("NY", "Albany", "12207"), ("TX", "Austin", "78701")]
STATES.append(("WA", "Seattle", "98101"))


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int, nargs="?", default=1000, help="subscriptions")
    parser.add_argument("--workers", type=int, default=1, help="cron workers (default 1)")
    parser.add_argument(
        "--batch-size",
        type=int,
        default=500,
        help="subscriptions per chunk (the bill run job's batch_size; 500 as shipped)",
    )
    parser.add_argument("--db", help="database (default <prefix>bench_bill_<N>)")
    parser.add_argument(
        "--db-prefix",
        default="",
        help="prefix of every database of the run, template included (e.g. your name, so that "
        "engineers sharing a PostgreSQL server do not drop each other's bench databases)",
    )
    parser.add_argument("--no-contract", action="store_true", help="skip OCA contract")
    parser.add_argument("--rebuild-template", action="store_true")
    parser.add_argument("--profile", action="store_true", help="profile one chunk in-process")
    parser.add_argument(
        "--warm",
        action="store_true",
        help="with --profile: bill one chunk unprofiled first, then profile the next one",
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--generate-only", action="store_true", help="with --data: generate and keep, no run"
    )
    parser.add_argument(
        "--data",
        help="database (<prefix>bench_...) holding generated data: copied instead of generating "
        "when "
        "it exists, else made from this run's data (same N and --no-contract expected)",
    )
    parser.add_argument(
        "--kill-after",
        type=float,
        metavar="SECONDS",
        help="kill -9 the Odoo server SECONDS after the bill run job started (mid-chunk), "
        "start it again, and let the run finish: the count check proves nothing was billed "
        "twice nor lost",
    )
    parser.add_argument(
        "--kills", type=int, default=1, help="with --kill-after: how many times (default 1)"
    )
    parser.add_argument(
        "--writer",
        choices=["sql", "orm"],
        default="sql",
        help="invoice writer of the bill run (system parameter telecom_billing.bill_run_writer)",
    )
    args = parser.parse_args()
    prefix = f"{args.db_prefix}bench_"
    args.template = f"{prefix}bill_tpl"
    if not args.db:
        args.db = f"{prefix}bill_{args.n}" + (f"_w{args.workers}" if args.workers > 1 else "")
    if not args.db.startswith(prefix) or (args.data and not args.data.startswith(prefix)):
        parser.error(f"the database names must start with {prefix}")
    return args


def oca_contract_available():
    return (OCA / "contract" / "__manifest__.py").is_file()


def addons_path(contract=True):
    import odoo

    package_dir = Path(odoo.__file__).parent
    paths = [str(package_dir.parent / "addons"), str(package_dir / "addons"), str(ROOT / "addons")]
    if oca_contract_available():
        paths.append(str(OCA))
    elif contract:
        sys.exit(
            f"OCA contract is not in {OCA}: pip install --no-deps --target .local/oca "
            "-r bench/requirements.txt (or run with --no-contract)"
        )
    return ",".join(paths)


def odoo_args(db, contract=True):
    return [
        "-c",
        str(ROOT / "odoo.conf"),
        f"--addons-path={addons_path(contract)}",
        f"--db_host={PGHOST}",
        f"--db_port={PGPORT}",
        f"--db_user={PGUSER}",
        "-d",
        db,
    ]


@contextlib.contextmanager
def pg(dbname="postgres"):
    """A cursor in autocommit (``with psycopg2 connection`` would open a transaction, which
    holds NOTIFY back until it ends)."""
    conn = psycopg2.connect(dbname=dbname, host=PGHOST, port=PGPORT, user=PGUSER)
    conn.autocommit = True
    try:
        with conn.cursor() as cr:
            yield cr
    finally:
        conn.close()


@functools.cache
def data_dir():
    from odoo.tools import config

    config.parse_config(["-c", str(ROOT / "odoo.conf")])
    return Path(config["data_dir"]).resolve()


def db_exists(name):
    with pg() as cr:
        cr.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        return bool(cr.fetchone())


def drop_db(name):
    with pg() as cr:
        cr.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    shutil.rmtree(data_dir() / "filestore" / name, ignore_errors=True)


def addons_revision():
    """Git tree id of addons/ (the template is rebuilt when the addons changed)."""
    try:
        return subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "HEAD:addons"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


def template_revision(template):
    with pg() as cr:
        cr.execute(
            """SELECT shobj_description(oid, 'pg_database') FROM pg_database
                WHERE datname = %s""",
            [template],
        )
        row = cr.fetchone()
    return row[0] if row else None


def fresh_database(args):
    # OCA contract goes into the template whenever it is on the addons path, so that runs
    # with and without --no-contract share one template; the comment records it.
    # With kept data (--data) the template is not used: it is neither checked nor rebuilt
    # (make the data again after a change of the addons' schema or data files).
    contract = oca_contract_available()
    template = args.template
    source_db = template
    if args.data and db_exists(args.data):
        source_db = args.data
    revision = addons_revision() + ("+contract" if contract else "")
    built = db_exists(template) and template_revision(template)
    stale = source_db == template and built and revision and built != revision
    if stale:
        log(f"{template} was built from other addons: rebuilding it")
    if args.rebuild_template or stale or (source_db == template and not db_exists(template)):
        drop_db(template)
        modules = "telecom_usage" + (",contract" if contract else "")
        log(f"building the template database {template} ({modules}, demo data; a few minutes)")
        subprocess.run(
            [sys.executable, "-m", "odoo", *odoo_args(template, contract), "-i", modules]
            + ["--stop-after-init", "--no-http", "--log-level=warn"],
            check=True,
        )
        with pg() as cr:
            cr.execute(f'COMMENT ON DATABASE "{template}" IS %s', [revision])
    drop_db(args.db)
    with pg() as cr:
        cr.execute(f'CREATE DATABASE "{args.db}" TEMPLATE "{source_db}"')
    source = data_dir() / "filestore" / source_db
    if source.is_dir():
        shutil.copytree(source, data_dir() / "filestore" / args.db)
    log(f"fresh database {args.db} (copy of {source_db})")
    return source_db != template


def save_data(args):
    """Keep a copy of the generated (not yet billed) database for the next runs."""
    import odoo

    odoo.sql_db.close_all()
    drop_db(args.data)
    with pg() as cr:
        cr.execute(f'CREATE DATABASE "{args.data}" template "{args.db}"')
    source = data_dir() / "filestore" / args.db
    if source.is_dir():
        shutil.copytree(source, data_dir() / "filestore" / args.data)
    log(f"generated data kept in {args.data} (--data {args.data} reuses it)")


def machine(cr):
    import odoo

    cr.execute("SHOW server_version")
    server = cr.fetchone()[0]
    memory = psutil.virtual_memory().total / 1024**3
    return (
        f"{os.cpu_count()} cores, {memory:.1f} GiB RAM, {platform.platform()}, "
        f"Python {platform.python_version()}, Odoo {odoo.release.version}, PostgreSQL {server}"
    )


def load():
    return ", ".join(f"{value:.2f}" for value in os.getloadavg())


# ------------------------------------------------------------------------------------------
# Data
# ------------------------------------------------------------------------------------------


def period():
    """The billed period: next month from its first day (cycle day 1)."""
    today = date.today()
    start = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    return start


def batched(items, size):
    for index in range(0, len(items), size):
        yield items[index : index + size]


def generate(env, n, seed):
    """N customers, each with a subscription of 1-3 active services billed up to the period."""
    rng = random.Random(seed)
    period_start = period()
    started_on = (period_start - timedelta(days=70)).replace(day=1)
    ctx = {
        "tracking_disable": True,
        "mail_create_nolog": True,
        "mail_create_nosubscribe": True,
        "mail_notrack": True,
    }
    env = env(context=ctx)
    cr = env.cr
    env["telecom.subscription"].search([]).active = False
    plans = env["product.product"].search(
        [("telecom_is_plan", "=", True), ("telecom_grandfathered", "=", False)]
    )
    plans = plans.filtered(lambda p: p.product_tmpl_id._telecom_price_at(period_start) > 0)
    if not plans:
        sys.exit("No demo plans with a price: is telecom_catalog's demo data installed?")
    promotions = env["telecom.promotion"].search([])
    usage_model = "telecom.usage.record" in env
    usage_product = env["product.product"].search(
        [("telecom_service_type", "=", "one_time_fee")], limit=1
    ) or env["product.product"].search([("type", "=", "service")], limit=1)
    country = env.ref("base.us")
    states = {
        code: env["res.country.state"].search(
            [("code", "=", code), ("country_id", "=", country.id)]
        )
        for code, _city, _zip in STATES
    }
    log(
        f"generating {n:,} subscriptions: {len(plans)} plans, {len(promotions)} promotions, "
        f"usage as {'rated usage records' if usage_model else 'pending usage charges'}"
    )
    started = time.perf_counter()
    counts = {"services": 0, "promotions": 0, "usage": 0}
    for chunk in batched(range(n), 2000):
        partner_vals = []
        for i in chunk:
            code, city, zipcode = STATES[i % len(STATES)]
            partner_vals.append(
                {
                    "name": f"Bench Customer {i + 1:06d}",
                    "is_company": True,
                    "street": f"{i + 1} Bench St",
                    "city": city,
                    "zip": zipcode,
                    "state_id": states[code].id,
                    "country_id": country.id,
                    "email": f"bench{i + 1}@example.com",
                    "telecom_customer_type": "business" if i % 5 == 0 else "residential",
                }
            )
        partners = env["res.partner"].create(partner_vals)
        subscriptions = env["telecom.subscription"].create(
            [
                {"name": f"BENCH/{i + 1:06d}", "partner_id": partner.id, "bill_cycle_day": 1}
                for i, partner in zip(chunk, partners, strict=True)
            ]
        )
        service_vals = []
        for i, subscription in zip(chunk, subscriptions, strict=True):
            for k in range(rng.randint(1, 3)):
                service_vals.append(
                    {
                        "name": f"BENCH/{i + 1:06d}/{k + 1}",
                        "subscription_id": subscription.id,
                        "product_id": rng.choice(plans).id,
                        "quantity": 1,
                        "service_address_id": subscription.partner_id.id,
                    }
                )
        services = env["telecom.service"].create(service_vals)
        env.flush_all()
        cr.execute(
            """UPDATE telecom_service SET state = 'active', date_start = %s, charged_until = %s
                WHERE id = ANY(%s)""",
            [started_on, period_start - timedelta(days=1), services.ids],
        )
        cr.execute(
            "UPDATE telecom_subscription SET state = 'active' WHERE id = ANY(%s)",
            [subscriptions.ids],
        )
        env.invalidate_all()
        counts["services"] += len(services)
        promoted = []
        for service in services:
            if promotions and rng.random() < 0.10:
                fitting = [
                    p
                    for p in promotions
                    if not p.required_plan_ids
                    or service.product_id.product_tmpl_id in p.required_plan_ids
                ]
                if fitting:
                    promoted.append({"service_id": service.id, "promotion_id": fitting[0].id})
        if promoted:
            env["telecom.service.promotion"].create(promoted)
            counts["promotions"] += len(promoted)
        usage_for = [s for s in subscriptions if rng.random() < 0.5]
        if usage_model:
            counts["usage"] += _usage_records(env, usage_for, period_start, rng)
        else:
            env["telecom.charge"].create(
                [
                    {
                        "subscription_id": s.id,
                        "service_id": s.service_ids[:1].id,
                        "product_id": usage_product.id,
                        "name": "Usage: international and roaming minutes",
                        "kind": "one_time",
                        "date": period_start - timedelta(days=3),
                        "quantity": rng.randint(10, 300),
                        "price_unit": 0.05,
                    }
                    for s in usage_for
                ]
            )
            counts["usage"] += len(usage_for)
        env.cr.commit()
        env.invalidate_all()
    log(
        f"  {n:,} subscriptions, {counts['services']:,} services, {counts['promotions']:,} "
        f"promotions, {counts['usage']:,} usage {'records' if usage_model else 'charges'} in "
        f"{time.perf_counter() - started:.0f} s"
    )
    return counts


def _usage_records(env, subscriptions, period_start, rng):
    """Rated usage records of last month (rating module's model, when installed)."""
    Usage = env["telecom.usage.record"]
    vals = []
    for subscription in subscriptions:
        service = subscription.service_ids[:1]
        for k in range(3):
            day = period_start - timedelta(days=5 + k)
            vals.append(
                {
                    "name": f"BENCH-{service.id}-{k}",
                    "service_id": service.id,
                    "partner_id": subscription.partner_id.commercial_partner_id.id,
                    "start_time": f"{day} 12:00:00",
                    "usage_date": day,
                    "duration": rng.randint(30, 1800),
                    "called_number": "+442071234567",
                    "direction": "out",
                    "usage_type": "voice",
                    "charge": round(rng.uniform(0.1, 5.0), 2),
                    "state": "rated",
                }
            )
    fields = Usage._fields
    vals = [{k: v for k, v in row.items() if k in fields} for row in vals]
    Usage.create(vals)
    return len(vals)


def contracts(env, n_expected):
    """An OCA contract per generated customer with the same monthly lines, due today."""
    env = env(context={"tracking_disable": True, "mail_create_nolog": True, "mail_notrack": True})
    today = date.today()
    journal = env["account.journal"].search([("type", "=", "sale")], limit=1)
    started = time.perf_counter()
    subscriptions = env["telecom.subscription"].search([("name", "=like", "BENCH/%")], order="id")
    assert len(subscriptions) == n_expected, len(subscriptions)
    discount = env.ref("telecom_catalog.product_telecom_promotion_discount")
    total = 0
    for chunk in batched(subscriptions, 1000):
        vals_list = []
        for subscription in chunk:
            lines = []
            for service in subscription.service_ids:
                price = service.product_id.product_tmpl_id._telecom_price_at(period())
                lines.append(
                    {
                        "product_id": service.product_id.id,
                        "name": service.product_id.display_name,
                        "quantity": service.quantity,
                        "uom_id": service.product_id.uom_id.id,
                        "price_unit": price,
                    }
                )
                for promotion_line in service.promotion_line_ids:
                    amount = promotion_line.promotion_id._telecom_discount_amount(
                        price, subscription.currency_id, period()
                    )
                    lines.append(
                        {
                            "product_id": discount.id,
                            "name": promotion_line.promotion_id.name,
                            "quantity": 1,
                            "uom_id": discount.uom_id.id,
                            "price_unit": -amount,
                        }
                    )
            vals_list.append(
                {
                    "name": subscription.name,
                    "partner_id": subscription.partner_id.id,
                    "contract_type": "sale",
                    "journal_id": journal.id,
                    "line_recurrence": False,
                    "recurring_rule_type": "monthly",
                    "recurring_interval": 1,
                    "recurring_invoicing_type": "pre-paid",
                    "date_start": today,
                    "recurring_next_date": today,
                    "contract_line_ids": [(0, 0, line) for line in lines],
                }
            )
        env["contract.contract"].create(vals_list)
        total += len(vals_list)
        env.cr.commit()
        env.invalidate_all()
    log(f"  {total:,} OCA contracts in {time.perf_counter() - started:.0f} s")


# ------------------------------------------------------------------------------------------
# Running the jobs in an Odoo server
# ------------------------------------------------------------------------------------------


class Sampler(threading.Thread):
    """Peak RSS of the Odoo server and of each of its processes, sampled every 0.2 s."""

    def __init__(self, pid):
        super().__init__(daemon=True)
        self.root = psutil.Process(pid)
        self.peak_process = 0
        self.peak_total = 0
        self.job_time = None
        self.stopped = threading.Event()

    def run(self):
        while not self.stopped.is_set():
            try:
                procs = [self.root, *self.root.children(recursive=True)]
                rss = []
                for proc in procs:
                    try:
                        if proc.nice() > 0:
                            # Odoo starts cron workers at nice 10 (behind HTTP workers, which
                            # do not run here); on a shared machine that would measure the
                            # other users' load
                            proc.nice(0)
                        rss.append(proc.memory_info().rss)
                    except psutil.Error:
                        pass
                if rss:
                    self.peak_process = max(self.peak_process, max(rss))
                    self.peak_total = max(self.peak_total, sum(rss))
            except psutil.Error:
                pass
            self.stopped.wait(0.2)


def run_server_until(
    args, cron_xmlid, done_sql, label, cron_workers, contract=True, kill_after=None, kills=0
):
    """Make the cron job due, launch odoo until ``done_sql`` returns true; (seconds, sampler).
    With ``kill_after``, the server is killed with SIGKILL ``kill_after`` seconds after the
    job started (again after each restart, ``kills`` times) and started again."""
    import odoo

    with pg(args.db) as cr:
        cr.execute(
            "SELECT res_id FROM ir_model_data WHERE module = %s AND name = %s",
            cron_xmlid.split("."),
        )
        cron = cr.fetchone()[0]
        # copies of the job (--workers N): "<name> (worker k)", made by main()
        cr.execute(
            """SELECT id FROM ir_cron WHERE id = %s OR cron_name LIKE
                      (SELECT cron_name FROM ir_cron WHERE id = %s) || ' (worker %%'""",
            [cron, cron],
        )
        crons = [row[0] for row in cr.fetchall()]
        cr.execute("DELETE FROM ir_cron_progress WHERE cron_id = ANY(%s)", [crons])
        cr.execute(
            """UPDATE ir_cron SET lastcall = NULL,
                   nextcall = now() AT TIME ZONE 'UTC' - interval '1 minute'
                WHERE id = ANY(%s)""",
            [crons],
        )
        # other jobs must not compete with the measured one
        cr.execute(
            """UPDATE ir_cron SET nextcall = now() AT TIME ZONE 'UTC' + interval '1 day'
                WHERE id != ALL(%s)""",
            [crons],
        )
    logfile = ROOT / ".local" / f"{args.db}-{label}.log"
    # odoo-bin, not "python -m odoo": the prefork server starts its gevent process from argv[0]
    command = [
        sys.executable,
        str(Path(odoo.__file__).parent.parent / "odoo-bin"),
        *odoo_args(args.db, contract),
        f"--db-filter=^{args.db}$",
        "--workers=2",
        f"--max-cron-threads={cron_workers}",
        # no HTTP workers (nor the gevent process): the cron workers are what is measured
        "--no-http",
        "--limit-time-real-cron=0",
        "--limit-time-cpu=100000",
        "--limit-time-real=100000",
        "--log-level=info",
        f"--logfile={logfile}",
    ]
    env = dict(os.environ, ODOO_NOTIFY_CRON_CHANGES="1")

    def launch():
        with open(logfile, "ab") as output:
            return subprocess.Popen(
                command, env=env, start_new_session=True, stdout=output, stderr=subprocess.STDOUT
            )

    started = time.perf_counter()
    server = launch()
    sampler = Sampler(server.pid)
    sampler.start()
    job_started = None
    launched_job = None  # when this launch's job started (--kill-after counts from it)
    runs_before = 0  # progress rows (one per run of the job) before this launch
    try:
        with pg(args.db) as cr, pg() as wake:
            while True:
                time.sleep(POLL_SECONDS)
                if server.poll() is not None:
                    sys.exit(f"odoo stopped (exit {server.returncode}); see {logfile}")
                if launched_job is None:
                    # cron workers sleep up to a minute after they start: wake them as
                    # Odoo does when a job is triggered
                    wake.execute("SELECT pg_notify('cron_trigger', %s)", [args.db])
                    cr.execute("SELECT COUNT(*) FROM ir_cron_progress WHERE cron_id = %s", [cron])
                    if cr.fetchone()[0] > runs_before:
                        launched_job = time.perf_counter()
                        job_started = job_started or launched_job
                cr.execute(done_sql)
                if cr.fetchone()[0]:
                    break
                if kills and launched_job and time.perf_counter() - launched_job >= kill_after:
                    cr.execute("SELECT COUNT(*) FROM ir_cron_progress WHERE cron_id = %s", [cron])
                    runs_before = cr.fetchone()[0]
                    server = kill_and_restart(server, sampler, launch, cr)
                    kills -= 1
                    launched_job = None
        elapsed = time.perf_counter() - started
        sampler.job_time = time.perf_counter() - (job_started or started)
    finally:
        sampler.stopped.set()
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
    return elapsed, sampler


def kill_and_restart(server, sampler, launch, cr):
    """SIGKILL the server's processes (no clean-up, as a power cut would), then start it
    again: the job must resume where the killed one stopped."""
    os.killpg(server.pid, signal.SIGKILL)
    server.wait()
    cr.execute(
        "SELECT COUNT(*) FROM account_move WHERE telecom_period_start = %s AND state = 'posted'",
        [period()],
    )
    log(f"killed the server with SIGKILL mid-run ({cr.fetchone()[0]:,} bills posted): restarting")
    server = launch()
    sampler.root = psutil.Process(server.pid)
    return server


def start_bill_run(env, writer="sql"):
    env["ir.config_parameter"].set_param("telecom_billing.bill_run_writer", writer)
    run = (
        env["telecom.bill.run"]
        .with_context(tracking_disable=True)
        .create({"cycle_day": 1, "period_start": period(), "auto_post": True})
    )
    run.write({"state": "running", "date_started": time.strftime("%Y-%m-%d %H:%M:%S")})
    env.cr.commit()
    return run.id


CHECK_SQL = """
    SELECT COUNT(*) AS subscriptions,
           COUNT(*) FILTER (WHERE n = 1) AS one_invoice,
           COUNT(*) FILTER (WHERE n = 0) AS none,
           COUNT(*) FILTER (WHERE n > 1) AS several,
           SUM(lines) AS lines
      FROM (SELECT s.id,
                   COUNT(DISTINCT m.id) FILTER (WHERE m.state = 'posted') AS n,
                   COUNT(l.id) AS lines
              FROM telecom_subscription s
              LEFT JOIN account_move m
                ON m.telecom_subscription_id = s.id AND m.telecom_period_start = %s
              LEFT JOIN account_move_line l
                ON l.move_id = m.id AND l.display_type = 'product'
             WHERE s.name LIKE 'BENCH/%%'
             GROUP BY s.id) per_subscription
"""


def profile_chunk(registry, args):
    """cProfile and SQL count of one chunk of the bill run, in this process."""
    import odoo
    from odoo.sql_db import sql_counter  # noqa: F401 - counter of the queries of the process

    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        run_id = start_bill_run(env, args.writer)
        run = env["telecom.bill.run"].browse(run_id)
        if args.warm:
            # a first chunk unprofiled: what a cron worker does once (trigger trees,
            # ormcaches, rate tables) is not counted in the profiled chunk
            started = time.perf_counter()
            warmed = run._telecom_process_chunk(args.batch_size)
            env.flush_all()
            log(f"warm-up chunk: {warmed} subscriptions in {time.perf_counter() - started:.1f} s")
        before = odoo.sql_db.sql_counter
        profiler = cProfile.Profile()
        started = time.perf_counter()
        profiler.enable()
        done = run._telecom_process_chunk(args.batch_size)
        env.flush_all()
        profiler.disable()
        elapsed = time.perf_counter() - started
        queries = odoo.sql_db.sql_counter - before
        cr.rollback()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).sort_stats("cumulative")
    stats.print_stats(45)
    path = ROOT / ".local" / f"{args.db}-chunk.prof"
    stats.dump_stats(str(path))
    print(out.getvalue()[:12000])
    log(
        f"one chunk: {done} subscriptions in {elapsed:.1f} s ({done / elapsed:.1f}/s), "
        f"{queries:,} queries ({queries / max(done, 1):.0f} per subscription); profile {path}"
    )


def main():
    args = parse_args()
    contract = not args.no_contract
    reused = fresh_database(args)
    import odoo
    from odoo.tools import config

    config.parse_config([*odoo_args(args.db, contract), "--log-level=warn"])
    registry = odoo.modules.registry.Registry(args.db)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        log(f"Machine: {machine(cr)}")
        benchlib.compile_installed(cr, addons_path(contract).split(","))
        if reused:
            log(f"data of {args.data} reused: {args.n:,} subscriptions")
        else:
            generate(env, args.n, args.seed)
            if contract:
                contracts(env, args.n)
        cr.commit()
        cr.execute("ANALYZE")
    if args.data and not reused:
        save_data(args)
        if args.generate_only:
            return
        registry = odoo.modules.registry.Registry(args.db)
    if args.profile:
        profile_chunk(registry, args)
        return
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        run_id = start_bill_run(env, args.writer)
        # Odoo runs a job in one worker at a time: one copy of the bill run job per extra
        # cron worker, all billing chunks of the same run (FOR UPDATE SKIP LOCKED)
        job = env.ref("telecom_billing.ir_cron_telecom_bill_run")
        job.code = f"model._cron_bill_runs(batch_size={int(args.batch_size)})"
        for k in range(2, args.workers + 1):
            job.copy({"name": f"{job.name} (worker {k})"})
        env.cr.commit()
    odoo.sql_db.close_all()

    log(f"bill run of {args.n:,} subscriptions, {args.workers} cron worker(s); load {load()}")
    load_before = load()
    ours, sampler = run_server_until(
        args,
        "telecom_billing.ir_cron_telecom_bill_run",
        f"SELECT state NOT IN ('running', 'draft') FROM telecom_bill_run WHERE id = {int(run_id)}",  # noqa: S608
        "billrun",
        args.workers,
        contract,
        kill_after=args.kill_after,
        kills=args.kills if args.kill_after else 0,
    )
    load_after = load()
    with pg(args.db) as cr:
        cr.execute("SELECT state FROM telecom_bill_run WHERE id = %s", [run_id])
        state = cr.fetchone()[0]
        cr.execute(CHECK_SQL, [period()])
        subs, one, none, several, lines = cr.fetchone()
        cr.execute(
            """SELECT COUNT(*), COALESCE(SUM(debit) - SUM(credit), 0)
                 FROM account_move_line l JOIN account_move m ON m.id = l.move_id
                WHERE m.telecom_bill_run_id = %s AND m.state = 'posted'""",
            [run_id],
        )
        gl_lines, balance = cr.fetchone()
        cr.execute(
            "SELECT state, COUNT(*) FROM telecom_bill_run_line WHERE run_id = %s GROUP BY state",
            [run_id],
        )
        log_states = dict(cr.fetchall())
    print()
    print(
        f"Bill run ({args.workers} cron worker(s), chunks of {args.batch_size}, "
        f"{args.writer} invoice writer): state {state}"
    )
    print(
        f"  wall time        {ours:8.1f} s  (launch of odoo to the end of the run; "
        f"{sampler.job_time:.1f} s from the job's first chunk)"
    )
    print(
        f"  invoices/s       {one / ours:8.1f}  "
        f"({one / max(sampler.job_time, 0.001):.1f} from the job's first chunk)"
    )
    print(
        f"  peak RSS         {sampler.peak_process / 1024**2:8.0f} MiB largest Odoo process, "
        f"{sampler.peak_total / 1024**2:.0f} MiB all Odoo processes"
    )
    print(
        f"  count check      {subs:,} subscriptions: {one:,} with exactly one posted invoice, "
        f"{none:,} with none, {several:,} with several "
        f"-> {'OK' if one == subs == args.n else 'FAILED'}; "
        f"{int(lines):,} product lines, {gl_lines:,} journal items, "
        f"debit - credit = {balance:.2f}; run log {log_states or '{}'}"
    )
    print(f"  load average     before {load_before}; after {load_after}")

    if contract:
        log("OCA contract: recurring invoice job")
        theirs, csampler = run_server_until(
            args,
            "contract.contract_cron_for_invoice",
            """SELECT lastcall IS NOT NULL FROM ir_cron WHERE id = (
                   SELECT res_id FROM ir_model_data
                    WHERE module = 'contract' AND name = 'contract_cron_for_invoice')""",
            "contract",
            1,
            contract,
        )
        registry = odoo.modules.registry.Registry(args.db)
        with registry.cursor() as cr:
            env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
            started = time.perf_counter()
            drafts = env["account.move"].search(
                [("state", "=", "draft"), ("line_ids.contract_line_id", "!=", False)]
            )
            count = len(drafts)
            for chunk in batched(drafts.ids, 500):
                env["account.move"].browse(chunk).action_post()
                cr.commit()
                env.invalidate_all()
            posting = time.perf_counter() - started
            cr.execute(
                """SELECT COUNT(*) FROM account_move m
                    WHERE m.state = 'posted' AND EXISTS (SELECT 1 FROM account_move_line l
                          WHERE l.move_id = m.id AND l.contract_line_id IS NOT NULL)"""
            )
            posted = cr.fetchone()[0]
        total = theirs + posting
        print()
        print("OCA contract (18.0, recurring invoice job, one cron worker):")
        print(
            f"  job wall time    {theirs:8.1f} s  ({count:,} draft invoices; "
            f"{csampler.job_time:.1f} s from the job's start)"
        )
        print(f"  posting          {posting:8.1f} s  (action_post by 500, in the bench process)")
        print(f"  invoices/s       {posted / total:8.1f}  ({posted:,} posted)")
        print(f"  peak RSS         {csampler.peak_process / 1024**2:8.0f} MiB largest process")
        print(
            f"  ratio            {total / ours:8.1f}x  (contract job + posting / our bill run); "
            f"{theirs / ours:.1f}x on the job alone (drafts)"
        )
        from_start = (csampler.job_time + posting) / sampler.job_time
        print(
            f"  ratio, jobs only {from_start:8.1f}x  (from each job's start: Odoo's start-up, "
            f"{ours - sampler.job_time:.1f} and {theirs - csampler.job_time:.1f} s, left out)"
        )
    print(f"\nLoad average at the end: {load()}")


if __name__ == "__main__":
    main()
