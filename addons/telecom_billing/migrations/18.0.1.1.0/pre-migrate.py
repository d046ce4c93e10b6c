"""Usage rating and legacy migration leave telecom_billing for telecom_usage and
telecom_migration (18.0.1.1.0).

Before telecom_billing is updated, every external id of what moved is handed to its new
module, so the update neither deletes the moved models, fields, views and data (their tables
and rows stay as they are) nor creates them a second time; the two new modules are marked to
install in the same run, whatever modules the update was asked for.
"""

import csv
import logging
import re
from pathlib import Path

from odoo.modules.module import get_module_path

_logger = logging.getLogger(__name__)

MOVED_MODELS = {
    "telecom_usage": [
        "telecom.rate.plan",
        "telecom.rate.line",
        "telecom.usage.record",
        "telecom.usage.file",
        "telecom.usage.reject",
        "telecom.usage.rerate.wizard",
        "telecom.ra.usage.period",
    ],
    "telecom_migration": [
        "telecom.migration.map",
        "telecom.migration.reject",
        "telecom.migration.balance",
        "telecom.migration.invoice",
        "telecom.migration.batch",
        "telecom.parallel.run.line",
        "telecom.parallel.run.account",
        "telecom.parallel.run",
    ],
}
# Fields the new modules add to models that stay in telecom_billing.
MOVED_FIELDS = {"telecom_usage": [("telecom.ra.finding", "usage_file_id")]}
# Selection values the new modules add to fields of telecom_billing's models.
MOVED_SELECTIONS = {"telecom_usage": [("telecom.ra.finding", "check", "usage_%")]}


def _data_ids(module):
    """External ids (without module) declared in the data and demo files of ``module``."""
    root = Path(get_module_path(module))
    ids = set()
    for path in root.glob("**/*.xml"):
        if "tests" not in path.parts and "static" not in path.parts:
            ids |= set(
                re.findall(r'<(?:record|template|menuitem)\s+id="([\w]+)"', path.read_text())
            )
    for path in root.glob("security/*.csv"):
        with path.open() as handle:
            ids |= {row["id"] for row in csv.DictReader(handle)}
    return ids


def _move_model_ids(cr, module, models, fields, selections):
    params = {"module": module, "models": models}
    cr.execute(
        """UPDATE ir_model_data d SET module = %(module)s FROM ir_model m
            WHERE d.module = 'telecom_billing' AND d.model = 'ir.model' AND d.res_id = m.id
              AND m.model = ANY(%(models)s)""",
        params,
    )
    cr.execute(
        """UPDATE ir_model_data d SET module = %(module)s
             FROM ir_model_inherit i JOIN ir_model m ON m.id = i.model_id
            WHERE d.module = 'telecom_billing' AND d.model = 'ir.model.inherit'
              AND d.res_id = i.id AND m.model = ANY(%(models)s)""",
        params,
    )
    for model, name in fields or [(None, None)]:
        cr.execute(
            """UPDATE ir_model_data d SET module = %(module)s FROM ir_model_fields f
                WHERE d.module = 'telecom_billing' AND d.model = 'ir.model.fields'
                  AND d.res_id = f.id
                  AND (f.model = ANY(%(models)s) OR (f.model = %(model)s AND f.name = %(name)s))""",
            {**params, "model": model, "name": name},
        )
    for model, field, pattern in selections or [(None, None, None)]:
        cr.execute(
            """UPDATE ir_model_data d SET module = %(module)s
                 FROM ir_model_fields_selection s JOIN ir_model_fields f ON f.id = s.field_id
                WHERE d.module = 'telecom_billing' AND d.model = 'ir.model.fields.selection'
                  AND d.res_id = s.id
                  AND (f.model = ANY(%(models)s)
                       OR (f.model = %(model)s AND f.name = %(field)s
                           AND s.value LIKE %(pattern)s))""",
            {**params, "model": model, "field": field, "pattern": pattern},
        )
    for table in ("ir_model_constraint", "ir_model_relation"):
        cr.execute(
            f"""UPDATE {table} t
                   SET module = (SELECT id FROM ir_module_module WHERE name = %(module)s)
                  FROM ir_model m
                 WHERE t.model = m.id AND m.model = ANY(%(models)s)""",  # noqa: S608 - constant
            params,
        )
    cr.execute(
        """UPDATE ir_model_data d SET module = %(module)s FROM ir_model_constraint c
            WHERE d.module = 'telecom_billing' AND d.model = 'ir.model.constraint'
              AND d.res_id = c.id
              AND c.module = (SELECT id FROM ir_module_module WHERE name = %(module)s)""",
        params,
    )


def _move_data_ids(cr, module):
    names = _data_ids(module)
    # records created through _inherits (a product's template) carry a derived id
    cr.execute(
        """UPDATE ir_model_data SET module = %s
            WHERE module = 'telecom_billing'
              AND (name = ANY(%s) OR split_part(name, '_product_template', 1) = ANY(%s)
                                   AND name LIKE '%%\\_product\\_template')""",
        [module, list(names), list(names)],
    )
    return cr.rowcount


def migrate(cr, version):
    if not version:
        return
    for module, models in MOVED_MODELS.items():
        cr.execute("SELECT state FROM ir_module_module WHERE name = %s", [module])
        row = cr.fetchone()
        if not row:
            _logger.error(
                "Module %s is not on the addons path: its data stays with billing", module
            )
            continue
        _move_model_ids(cr, module, models, MOVED_FIELDS.get(module), MOVED_SELECTIONS.get(module))
        moved = _move_data_ids(cr, module)
        if row[0] == "uninstalled":
            cr.execute("UPDATE ir_module_module SET state = 'to install' WHERE name = %s", [module])
        _logger.info("telecom_billing: %s records now belong to %s", moved, module)
