from . import telecom_cpni_view_wizard
from . import telecom_cpni_authenticate_wizard
from . import telecom_cpni_secret_wizard
