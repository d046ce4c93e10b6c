from . import adapters
from . import models
from . import controllers
from . import tools
from . import wizards
