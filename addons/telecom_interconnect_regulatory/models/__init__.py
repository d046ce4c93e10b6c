from . import telecom_interconnect_cdr
from . import telecom_usage_reject
