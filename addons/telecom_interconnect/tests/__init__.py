from . import test_interconnect
