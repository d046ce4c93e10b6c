from . import npac
