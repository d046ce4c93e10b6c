from . import test_bdc
from . import test_filing
from . import test_form499
from . import test_cpni
from . import test_cpni_http
from . import test_e911_numbers
from . import test_views
from . import test_screenshots
