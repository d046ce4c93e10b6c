from . import test_interconnect
from . import test_import_fuzz
