from . import test_adapters
from . import test_provisioning_engine
from . import test_provisioning_alerts
from . import test_service_lifecycle
from . import test_sim_provisioning
from . import test_backend_security
