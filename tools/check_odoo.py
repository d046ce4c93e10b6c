"""Check that Odoo 18.0 Community is importable and print where its standard addons live.

Used by tools/suite.sh before anything touches a database. Odoo is a prerequisite of the
suite: this script never installs it, it only says clearly what is missing.
"""

import os
import sys

INSTALL_DOC = "https://www.odoo.com/documentation/18.0/administration/on_premise.html"


def fail(message):
    sys.stderr.write(f"ERROR: {message}\n")
    sys.exit(1)


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


def main():
    try:
        import odoo
        from odoo import release
    except ImportError:
        fail(
            f"Odoo 18.0 Community is not importable as 'odoo' by {sys.executable}. "
            f"Install Odoo 18.0 Community first (see {INSTALL_DOC}), then run this command again."
        )
    if tuple(release.version_info[:2]) != (18, 0):
        fail(
            f"Odoo {release.version} is installed, but this suite needs Odoo 18.0 Community "
            f"(see {INSTALL_DOC})."
        )
    path = standard_addons_path(odoo)
    if not path:
        fail(
            "Odoo 18.0 is importable but its standard addons (sale_management, account, portal) "
            f"were not found next to {os.path.dirname(odoo.__file__)}; "
            "reinstall Odoo 18.0 Community."
        )
    print(path)


if __name__ == "__main__":
    main()
