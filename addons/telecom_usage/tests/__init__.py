from . import test_rating
from . import test_ra_usage
from . import test_portal_usage
from . import test_cpni_side_doors
from . import test_bill_usage_summary
from . import test_import_fuzz
