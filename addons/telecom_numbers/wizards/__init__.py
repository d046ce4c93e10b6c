from . import telecom_number_import_wizard
from . import telecom_number_status_wizard
from . import telecom_port_reject_wizard
