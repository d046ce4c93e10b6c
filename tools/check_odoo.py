"""Check that Odoo 18.0 Community is importable and print where its standard addons live.

Used by tools/suite.sh before anything touches a database, and by tools/bootstrap_odoo.py before
it declares its environment ready.

    check_odoo.py            print the standard addons folder, or fail with the reason (exit 1)
    check_odoo.py --probe    the same, but exit 3 with a note when this Python has no Odoo 18.0,
                             so that tools/suite.sh sets up its own environment instead
    check_odoo.py --imports  also import what the server and its websocket worker need
"""

import importlib
import os
import subprocess
import sys

NOT_FOUND = 3

# What Odoo's HTTP server, its PDF and image tools and its cron workers import.
SERVER_MODULES = (
    "odoo.http",
    "odoo.service.server",
    "odoo.service.db",
    "odoo.modules.registry",
    "odoo.tools.image",
    "odoo.tools.pdf",
    "odoo.tools.barcode",
    "odoo.tools.mail",
    "odoo.addons.base.models.ir_actions_report",
)

# Odoo's websocket worker is the same program started with "gevent" as first argument: importing
# odoo then patches the standard library with gevent and makes psycopg2 cooperative (a gevent
# built for another greenlet fails here). It then serves through gevent's WSGI server and the
# bus addon's websocket code.
WORKER_CHECK = """
import sys
import odoo
assert odoo.evented, "odoo did not switch to gevent mode"
from gevent.pywsgi import WSGIHandler, WSGIServer
import odoo.service.server
assert odoo.service.server.GeventServer
odoo.addons.__path__.append(sys.argv[1])
import odoo.addons.bus.websocket
"""


def fail(message, code=1):
    sys.stderr.write(f"ERROR: {message}\n")
    sys.exit(code)


def standard_addons_path(odoo_module):
    """Return the folder holding Odoo's standard addons (sale_management, account, ...).

    A packaged Odoo keeps them inside the ``odoo/addons`` package, which Odoo always loads;
    a source checkout keeps them in the ``addons`` folder next to the ``odoo`` package,
    which must be named in the addons path.
    """
    package_dir = os.path.dirname(odoo_module.__file__)
    for candidate in (
        os.path.join(os.path.dirname(package_dir), "addons"),
        os.path.join(package_dir, "addons"),
    ):
        if os.path.isfile(os.path.join(candidate, "sale_management", "__manifest__.py")):
            return os.path.realpath(candidate)
    return None


def not_found(message, probe):
    if probe:
        sys.stderr.write(f"==> {message}\n")
        sys.exit(NOT_FOUND)
    fail(message)


def check_imports(addons_path):
    for name in SERVER_MODULES:
        try:
            importlib.import_module(name)
        except ImportError as error:
            fail(f"Odoo 18.0 is installed but '{name}' does not import: {error}.")
    worker = subprocess.run(
        [sys.executable, "-c", WORKER_CHECK, "gevent", addons_path],
        capture_output=True,
        text=True,
        check=False,
    )
    if worker.returncode:
        fail(f"Odoo's websocket worker (gevent mode) does not start:\n{worker.stderr.strip()}")


def main():
    probe = "--probe" in sys.argv[1:]
    try:
        import odoo
        from odoo import release
    except ImportError as error:
        not_found(f"Odoo 18.0 Community is not importable by {sys.executable} ({error}).", probe)
    if tuple(release.version_info[:2]) != (18, 0):
        not_found(f"{sys.executable} imports Odoo {release.version}, not Odoo 18.0.", probe)
    path = standard_addons_path(odoo)
    if not path:
        fail(
            "Odoo 18.0 is importable but its standard addons (sale_management, account, portal) "
            f"were not found next to {os.path.dirname(odoo.__file__)}; "
            "reinstall Odoo 18.0 Community."
        )
    if "--imports" in sys.argv[1:]:
        check_imports(path)
    print(path)


if __name__ == "__main__":
    main()
