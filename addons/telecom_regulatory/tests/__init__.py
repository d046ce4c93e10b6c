from . import test_bdc
from . import test_filing
