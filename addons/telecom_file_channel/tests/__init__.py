from . import test_file_channel
from . import test_file_export
from . import test_import_fuzz
