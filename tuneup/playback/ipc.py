"""mpv's JSON IPC over a unix socket: send commands, read replies and events line by line."""

from __future__ import annotations

import json
import os
import socket
import tempfile
import threading
import time
import uuid
from pathlib import Path

from tuneup.errors import PlayerError

_MAX_SOCKET_PATH = 100  # sun_path is 108 bytes on Linux; keep a margin


def socket_path(run_dir: Path) -> Path:
    """A fresh socket path under ``run_dir`` (or a private temp dir when that path would be too long)."""
    name = f"mpv-{os.getpid()}-{uuid.uuid4().hex[:8]}.sock"
    run_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = run_dir / name
    if len(os.fsencode(path)) > _MAX_SOCKET_PATH:
        path = Path(tempfile.mkdtemp(prefix="tuneup-")) / name
    return path


class Connection:
    """One connection to mpv's socket. ``send`` is thread-safe; ``read_messages`` runs in one reader thread."""

    def __init__(self, path: Path, *, timeout: float = 10.0, alive=lambda: True):
        self.path = path
        self._lock = threading.Lock()
        self._next_id = 0
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.connect(str(path))
                break
            except (FileNotFoundError, ConnectionRefusedError):
                self.sock.close()
                if not alive():
                    raise PlayerError("mpv exited before it opened its control socket") from None
                if time.monotonic() > deadline:
                    raise PlayerError(
                        f"mpv did not open its control socket {path} within {timeout:.0f} s"
                    ) from None
                time.sleep(0.02)

    def send(self, *command) -> int:
        with self._lock:
            self._next_id += 1
            request_id = self._next_id
            line = json.dumps(
                {"command": list(command), "request_id": request_id}, ensure_ascii=False
            )
            try:
                # a file name that is not UTF-8 (kept as surrogate escapes) goes as its raw bytes:
                # mpv's JSON reader takes them, and opens that very file
                self.sock.sendall(line.encode("utf-8", "surrogateescape") + b"\n")
            except OSError:
                return -1  # mpv is gone; the reader notices and finishes up
            return request_id

    def read_messages(self):
        """Yield each JSON message until mpv closes the socket."""
        buffer = b""
        while True:
            try:
                chunk = self.sock.recv(65536)
            except OSError:
                return
            if not chunk:
                return
            buffer += chunk
            *lines, buffer = buffer.split(b"\n")
            for line in lines:
                if line.strip():
                    try:  # mpv reports such a path back as the same raw bytes
                        yield json.loads(line.decode("utf-8", "surrogateescape"))
                    except json.JSONDecodeError:
                        continue

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass
