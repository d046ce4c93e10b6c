from . import test_file_channel
