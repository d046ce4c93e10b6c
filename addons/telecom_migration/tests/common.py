from odoo.tools.misc import file_path


def legacy_file(name):
    """Bytes of a legacy export in tests/data."""
    with open(file_path(f"telecom_migration/tests/data/{name}"), "rb") as handle:
        return handle.read()
