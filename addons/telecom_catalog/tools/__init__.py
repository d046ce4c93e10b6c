# Plain helpers shared by every telecom module (telecom_catalog is the bottom of the graph):
# locking.lock_ids (batch locking for crons and workers) and adapter_errors (the error
# vocabulary and retry policy of adapters to external systems), planner.planner_settings
# (PostgreSQL settings for the queries of one block). Import them by module path:
#   from odoo.addons.telecom_catalog.tools.locking import lock_ids
#   from odoo.addons.telecom_catalog.tools.adapter_errors import RetryableError, RetryPolicy
from . import adapter_errors
from . import cpni
from . import secrets
from . import locking
from . import csv_rows
from . import planner
