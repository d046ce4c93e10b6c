from . import test_attributes
from . import test_price_versions
