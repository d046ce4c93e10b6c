from . import test_network_identity
from . import test_reconciliation
from . import test_inventory
from . import test_outage_credits
from . import test_outage_feed
from . import test_portal
from . import test_security
