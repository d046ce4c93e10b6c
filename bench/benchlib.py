"""What the benchmark scripts share: addons path, database creation, the machine's description.

Run the scripts from the repository root; PostgreSQL settings come from odoo.conf and the
PGHOST / PGPORT / PGUSER environment variables.
"""

import os
import platform
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
