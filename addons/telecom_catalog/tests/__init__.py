from . import test_attributes
from . import test_price_versions
from . import test_addons
from . import test_promotions
from . import test_grandfathered
from . import test_labels
from . import test_label_page
from . import test_revenue
