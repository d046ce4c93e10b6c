from . import test_number_lifecycle
from . import test_number_timers
from . import test_number_import
from . import test_port_in
from . import test_port_out
from . import test_npac_adapter
from . import test_security
from . import test_portal
