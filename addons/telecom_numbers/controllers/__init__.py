from . import npac
from . import portal
