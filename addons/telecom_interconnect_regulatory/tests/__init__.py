from . import test_trunk_record_cpni
