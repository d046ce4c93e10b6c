from . import res_company
from . import res_config_settings
from . import res_partner
from . import product_template
from . import telecom_regulatory_filing
from . import telecom_regulatory_filing_error
from . import telecom_regulatory_bdc_row
from . import telecom_regulatory_filing_bdc
