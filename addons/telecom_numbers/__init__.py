from . import adapters
from . import models
from . import controllers
from . import wizards
