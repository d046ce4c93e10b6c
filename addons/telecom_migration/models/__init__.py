from . import telecom_migration_map
from . import telecom_migration_reject
from . import telecom_migration_balance
from . import telecom_migration_invoice
from . import telecom_migration_batch
from . import telecom_parallel_run_line
from . import telecom_parallel_run_account
from . import telecom_parallel_run
