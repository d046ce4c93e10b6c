"""A real SFTP server for the tests: paramiko's server side, on 127.0.0.1, serving a folder
with one user and password."""

import os
import socket
import threading

import paramiko

USER, PASSWORD = "noc", "s3cret"


class _Server(paramiko.ServerInterface):
    def check_auth_password(self, username, password):
        if (username, password) == (USER, PASSWORD):
            return paramiko.AUTH_SUCCESSFUL
        return paramiko.AUTH_FAILED

    def get_allowed_auths(self, username):
        return "password"

    def check_channel_request(self, kind, chanid):
        return (
            paramiko.OPEN_SUCCEEDED
            if kind == "session"
            else paramiko.OPEN_FAILED_ADMINISTRATIVELY_PROHIBITED
        )


class _Handle(paramiko.SFTPHandle):
    def stat(self):
        try:
            return paramiko.SFTPAttributes.from_stat(os.fstat(self.readfile.fileno()))
        except OSError as error:
            return paramiko.SFTPServer.convert_errno(error.errno)


class _Folder(paramiko.SFTPServerInterface):
    """The SFTP operations on the served folder (paths are absolute inside it)."""

    root = None

    def _real(self, path):
        return os.path.join(self.root, self.canonicalize(path).lstrip("/"))

    def _try(self, call, *args):
        try:
            call(*args)
        except OSError as error:
            return paramiko.SFTPServer.convert_errno(error.errno)
        return paramiko.SFTP_OK

    def list_folder(self, path):
        real = self._real(path)
        try:
            out = []
            for name in os.listdir(real):
                attr = paramiko.SFTPAttributes.from_stat(os.stat(os.path.join(real, name)))
                attr.filename = name
                out.append(attr)
            return out
        except OSError as error:
            return paramiko.SFTPServer.convert_errno(error.errno)

    def stat(self, path):
        try:
            return paramiko.SFTPAttributes.from_stat(os.stat(self._real(path)))
        except OSError as error:
            return paramiko.SFTPServer.convert_errno(error.errno)

    lstat = stat

    def open(self, path, flags, attr):
        real = self._real(path)
        try:
            fd = os.open(real, flags | getattr(os, "O_BINARY", 0), 0o644)
        except OSError as error:
            return paramiko.SFTPServer.convert_errno(error.errno)
        mode = "wb" if flags & os.O_WRONLY else ("r+b" if flags & os.O_RDWR else "rb")
        handle = _Handle(flags)
        handle.filename = real
        handle.readfile = handle.writefile = os.fdopen(fd, mode)
        return handle

    def remove(self, path):
        return self._try(os.remove, self._real(path))

    def rename(self, oldpath, newpath):
        return self._try(os.rename, self._real(oldpath), self._real(newpath))

    def posix_rename(self, oldpath, newpath):
        return self._try(os.replace, self._real(oldpath), self._real(newpath))

    def mkdir(self, path, attr):
        return self._try(os.mkdir, self._real(path))

    def rmdir(self, path):
        return self._try(os.rmdir, self._real(path))


class SftpServer:
    """``with SftpServer(folder) as server``: ``server.port``, ``server.host_key``."""

    def __init__(self, folder):
        self.folder = folder
        self.key = paramiko.RSAKey.generate(2048)
        self.host_key = f"{self.key.get_name()} {self.key.get_base64()}"

    def __enter__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(5)
        self.port = self.sock.getsockname()[1]
        self.transports = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()
        return self

    def _serve(self):
        folder = type("Folder", (_Folder,), {"root": self.folder})
        while True:
            try:
                conn, _addr = self.sock.accept()
            except OSError:
                return
            transport = paramiko.Transport(conn)
            transport.add_server_key(self.key)
            transport.set_subsystem_handler("sftp", paramiko.SFTPServer, folder)
            self.transports.append(transport)
            # each connection negotiated on its own: a client that hangs up during the key
            # exchange (a refused host key) fails its own negotiation, not the server
            threading.Thread(target=self._negotiate, args=(transport,), daemon=True).start()

    @staticmethod
    def _negotiate(transport):
        try:
            transport.start_server(server=_Server())
        except (paramiko.SSHException, OSError, EOFError):
            transport.close()

    def __exit__(self, *exc):
        self.sock.close()
        for transport in self.transports:
            transport.close()
        self.thread.join(5)
