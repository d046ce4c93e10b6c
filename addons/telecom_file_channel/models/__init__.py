from . import telecom_file_channel
from . import telecom_file_channel_file
from . import telecom_payment_file
from . import telecom_payment_file_line
from . import telecom_file_export
