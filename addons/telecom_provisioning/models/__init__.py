from . import telecom_provisioning_service_type
from . import telecom_provisioning_error
from . import telecom_provisioning_order
from . import telecom_provisioning_attempt
from . import telecom_provisioning_mapping
from . import telecom_provisioning_backend
from . import telecom_service
from . import telecom_sim_swap
