from . import telecom_usage_rerate_wizard
