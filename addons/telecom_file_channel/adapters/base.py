"""Transports of a file channel: list the files waiting in a folder, read one, move it to a
subfolder (done, error), write one. Plain Python, no ORM; errors in the suite's adapter
vocabulary (telecom_catalog.tools.adapter_errors)."""

import fnmatch
import posixpath

from odoo.addons.telecom_catalog.tools.adapter_errors import (
    AdapterError,
    PermanentError,
    RetryableError,
)


class FileChannelError(AdapterError):
    """A file channel failed."""


class FileChannelTransportError(FileChannelError, RetryableError):
    """The server or folder cannot be reached now (connection refused, timeout)."""


class FileChannelPermanentError(FileChannelError, PermanentError):
    """Wrong configuration: authentication refused, folder missing, host key mismatch."""


class FileTransport:
    """Base of the transports; a context manager that opens and closes the connection.

    :param config: ``dict`` with ``path`` (the folder polled or written to), ``pattern``
        (glob of the file names to take), and the transport's own keys
    """

    def __init__(self, config):
        self.config = config
        self.path = config["path"]
        self.pattern = config.get("pattern") or "*"

    def __enter__(self):
        self.open()
        return self

    def __exit__(self, *exc):
        self.close()

    def open(self):
        """Connect (nothing for a local folder)."""

    def close(self):
        """Disconnect."""

    def list(self):
        """Names of the files waiting in the folder that match the pattern, oldest first."""
        names = [(mtime, name) for name, mtime in self._entries()]
        return [name for _mtime, name in sorted(names) if fnmatch.fnmatch(name, self.pattern)]

    def _entries(self):
        """``(name, modification time)`` of the regular files of the folder."""
        raise NotImplementedError

    def read(self, name):
        raise NotImplementedError

    def size(self, name):
        """Size of ``name`` in bytes."""
        raise NotImplementedError

    def write(self, subfolder, name, content, replace=False):
        """Write ``content`` (bytes) as ``name`` in ``subfolder`` of the folder (``""``: the
        folder itself), through a temporary name so readers never see half a file. A name
        already there gets a numbered suffix, or is replaced with ``replace``. Returns the
        relative path written."""
        raise NotImplementedError

    def move(self, name, subfolder):
        """Move ``name`` into ``subfolder`` (created if needed); a name already there gets a
        numbered suffix. Returns the new relative path."""
        raise NotImplementedError

    @staticmethod
    def _free_name(name, exists):
        base, ext = posixpath.splitext(name)
        candidate, n = name, 1
        while exists(candidate):
            candidate = f"{base}.{n}{ext}"
            n += 1
        return candidate
