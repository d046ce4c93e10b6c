"""What the benchmark scripts share: addons path, database creation, the machine's description.

Run the scripts from the repository root; PostgreSQL settings come from odoo.conf and the
PGHOST / PGPORT / PGUSER environment variables.
"""

import compileall
import cProfile
import io
import os
import platform
import pstats
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def addons_path(explicit=None):
    """``explicit``, else Odoo's standard addons (source or packaged layout) and addons/."""
    if explicit:
        return explicit
    import odoo

    base = os.path.dirname(os.path.dirname(odoo.__file__))
    return f"{base}/addons,{base}/odoo/addons,{os.path.join(ROOT, 'addons')}"


def compile_installed(cr, addons_paths):
    """Byte-compile Odoo and the modules installed in ``cr``'s database, as an installed Odoo
    has them (pip and the Debian package compile at install): where PYTHONDONTWRITEBYTECODE
    is set, as on the machines of this project, every Odoo process would otherwise compile
    its ~1,150 source files at each start (about a second) and never keep them. Writes
    nothing when the bytecode is up to date."""
    import odoo

    cr.execute("SELECT name FROM ir_module_module WHERE state = 'installed'")
    modules = [name for (name,) in cr.fetchall()]
    folders = [os.path.dirname(odoo.__file__)] + [
        folder
        for path in addons_paths
        for folder in (os.path.join(path, name) for name in modules)
        if os.path.isdir(folder)
    ]
    for folder in folders:
        compileall.compile_dir(folder, quiet=1)


def db_args():
    """Odoo command-line options for the PG* environment variables that are set."""
    args = []
    for var, option in (("PGHOST", "--db_host"), ("PGPORT", "--db_port"), ("PGUSER", "--db_user")):
        if os.environ.get(var):
            args.append(f"{option}={os.environ[var]}")
    return args


def create_database(db, config, paths, module):
    """Drop ``db`` and create it with ``module`` installed, without demo data."""
    import psycopg2

    conn = psycopg2.connect(
        dbname="postgres",
        host=os.environ.get("PGHOST", "127.0.0.1"),
        port=os.environ.get("PGPORT", "5432"),
        user=os.environ.get("PGUSER") or None,
    )
    conn.autocommit = True
    with conn.cursor() as cr:
        cr.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
    conn.close()
    print(f"Creating database {db} with {module} (no demo data)...", flush=True)
    started = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "odoo",
            "-c",
            config,
            f"--addons-path={paths}",
            *db_args(),
            "-d",
            db,
            "-i",
            module,
            "--without-demo=all",
            "--stop-after-init",
            "--no-http",
            "--log-level=warn",
        ],
        check=True,
    )
    print(f"  installed in {time.perf_counter() - started:.0f} s", flush=True)


def add_database_args(parser, default_db):
    """The options every script shares: ``--db``, ``--reuse``, ``--config``, ``--addons-path``."""
    parser.add_argument("--db", default=default_db, help="database name")
    parser.add_argument("--reuse", action="store_true", help="reuse the database as it is")
    parser.add_argument("--config", default=os.path.join(ROOT, "odoo.conf"))
    parser.add_argument("--addons-path", default=None, help="default: Odoo's addons + addons/")


def open_registry(args, module):
    """The registry of ``args.db``: created first with ``module`` installed unless
    ``args.reuse``; Odoo's configuration read from ``args.config``."""
    paths = addons_path(args.addons_path)
    if not args.reuse:
        create_database(args.db, args.config, paths, module)

    import odoo
    from odoo.tools import config

    config.parse_config(
        ["-c", args.config, f"--addons-path={paths}", *db_args(), "-d", args.db, "--log-level=warn"]
    )
    return odoo.modules.registry.Registry(args.db)


def print_import(usage_file, elapsed):
    """The figures of a CDR file imported and rated in ``elapsed`` seconds."""
    print(
        f"Import + rating: {usage_file.read_count:,} rows in {elapsed:.1f} s "
        f"({usage_file.read_count / elapsed:,.0f} rows/s, "
        f"{elapsed / max(usage_file.read_count, 1) * 1e6:.1f} µs per record): "
        f"{usage_file.rated_count:,} rated ({usage_file.amount_rated:,.2f} USD), "
        f"{usage_file.rejected_count:,} rejected, {usage_file.duplicate_count:,} duplicates",
        flush=True,
    )


def load():
    """The load averages (1, 5, 15 minutes)."""
    return ", ".join(f"{value:.1f}" for value in os.getloadavg())


def total_memory():
    """The machine's memory, e.g. ``"23.4 GiB"`` (``"?"`` where /proc/meminfo is missing)."""
    try:
        with open("/proc/meminfo") as meminfo:
            return f"{int(meminfo.readline().split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        return "?"


def machine(cr):
    """Cores, memory, OS and the versions of Python, Odoo and PostgreSQL (``cr``'s server)."""
    import odoo

    cr.execute("SHOW server_version")
    pg = cr.fetchone()[0]
    memory = total_memory()
    return (
        f"{os.cpu_count()} cores, {memory} RAM, {platform.platform()}, "
        f"Python {platform.python_version()}, Odoo {odoo.release.version}, PostgreSQL {pg}"
    )


def profile_per_bill(env, label, call, top):
    """Run ``call()`` (returns how many bills it handled) under cProfile, flushed; print its
    time and queries per bill and the ``top`` entries by cumulative time; the profiler."""
    cr = env.cr
    profiler = cProfile.Profile()
    queries, started = cr.sql_log_count, time.perf_counter()
    profiler.enable()
    count = call()
    env.flush_all()
    profiler.disable()
    elapsed = time.perf_counter() - started
    print(f"{label}: {count} bills in {elapsed:.1f} s ({elapsed / count * 1000:.0f} ms, "
          f"{(cr.sql_log_count - queries) / count:.1f} queries per bill)")  # fmt: skip
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(top)
    print(out.getvalue())
    return profiler
