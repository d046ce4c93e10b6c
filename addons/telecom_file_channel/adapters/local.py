import os

from .base import FileChannelPermanentError, FileChannelTransportError, FileTransport


class LocalTransport(FileTransport):
    """A folder of the Odoo server (a mount shared with the other system)."""

    def open(self):
        if not os.path.isdir(self.path):
            raise FileChannelPermanentError(f"folder {self.path} does not exist")

    def _entries(self):
        try:
            with os.scandir(self.path) as entries:
                return [(e.name, e.stat().st_mtime) for e in entries if e.is_file()]
        except OSError as error:
            raise FileChannelTransportError(str(error)) from error

    def _full(self, subfolder, name=""):
        return (
            os.path.join(self.path, subfolder, name) if subfolder else os.path.join(self.path, name)
        )

    def read(self, name):
        try:
            with open(self._full("", name), "rb") as handle:
                return handle.read()
        except OSError as error:
            raise FileChannelTransportError(str(error)) from error

    def size(self, name):
        try:
            return os.path.getsize(self._full("", name))
        except OSError as error:
            raise FileChannelTransportError(str(error)) from error

    def write(self, subfolder, name, content, replace=False):
        try:
            os.makedirs(self._full(subfolder), exist_ok=True)
            final = (
                name
                if replace
                else self._free_name(name, lambda n: os.path.exists(self._full(subfolder, n)))
            )
            temporary = self._full(subfolder, f".{final}.part")
            with open(temporary, "wb") as handle:
                handle.write(content)
            os.replace(temporary, self._full(subfolder, final))
        except OSError as error:
            raise FileChannelTransportError(str(error)) from error
        return os.path.join(subfolder, final)

    def move(self, name, subfolder):
        try:
            os.makedirs(self._full(subfolder), exist_ok=True)
            final = self._free_name(name, lambda n: os.path.exists(self._full(subfolder, n)))
            os.replace(self._full("", name), self._full(subfolder, final))
        except OSError as error:
            raise FileChannelTransportError(str(error)) from error
        return os.path.join(subfolder, final)
