from . import telecom_service_lifecycle_wizard
