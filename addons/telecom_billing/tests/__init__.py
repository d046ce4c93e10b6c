from . import test_proration
from . import test_lifecycle
from . import test_bill_run
from . import test_taxes
from . import test_dunning
from . import test_promotions
from . import test_security
from . import test_numbers
