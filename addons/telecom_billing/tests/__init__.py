from . import test_lifecycle
