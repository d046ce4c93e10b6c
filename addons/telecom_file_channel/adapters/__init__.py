from .base import FileChannelError, FileChannelPermanentError, FileChannelTransportError
from .local import LocalTransport
from .sftp import SftpTransport

TRANSPORTS = {"local": LocalTransport, "sftp": SftpTransport}

__all__ = [
    "TRANSPORTS",
    "FileChannelError",
    "FileChannelPermanentError",
    "FileChannelTransportError",
    "LocalTransport",
    "SftpTransport",
]
