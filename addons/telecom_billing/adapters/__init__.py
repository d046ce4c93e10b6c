from . import base
from . import rest
from . import table
