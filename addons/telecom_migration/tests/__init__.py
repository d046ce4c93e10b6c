from . import test_migration
from . import test_parallel_run
from . import test_file_channel
from . import test_import_fuzz
