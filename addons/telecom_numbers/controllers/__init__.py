from . import npac
from . import portal
from . import sim_portal
