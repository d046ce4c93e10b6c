from . import res_partner
from . import product_template
from . import telecom_attribute
from . import telecom_attribute_value
from . import telecom_price_version
