from . import telecom_service_lifecycle_wizard
from . import telecom_usage_rerate_wizard
