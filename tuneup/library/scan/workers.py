"""A small pool of reader processes for the scanner, over pipes.

Why not multiprocessing: its forkserver/spawn workers re-import the caller's ``__main__`` (the
whole CLI, or a script without a main guard), and fork is unsafe when the caller has threads
(the TUI scans in a worker thread). These workers are plain ``python -m tuneup.library.scan.workers``
processes that import only the reader; batches go in and results come out as length-prefixed
pickles. A worker that dies is replaced and its batch reported as errors, never lost.
"""

from __future__ import annotations

import os
import pickle
import selectors
import struct
import subprocess
import sys
import time
from collections import deque

_HEADER = struct.Struct("<I")


def _write_frame(stream, obj) -> None:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(data)) + data)
    stream.flush()


def _read_exact(stream, n: int) -> bytes | None:
    data = stream.read(n)
    return data if data is not None and len(data) == n else None


def worker_main() -> None:
    """The worker process: read batches from stdin until EOF, write results to stdout."""
    from tuneup.library.scan.reader import read_batch

    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    video_exts, columns = frozenset(), []
    while True:
        header = _read_exact(stdin, _HEADER.size)
        if header is None:
            return
        message = pickle.loads(_read_exact(stdin, _HEADER.unpack(header)[0]) or b"")
        if message[0] == "setup":
            video_exts, columns = message[1], message[2]
            continue
        _write_frame(stdout, read_batch(message[1], video_exts, columns))


class _Worker:
    def __init__(self, video_exts, columns):
        env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tuneup.library.scan.workers"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
            close_fds=True,
            bufsize=0,
        )
        self.batches: deque = deque()  # batches sent, results not yet received
        self.buffer = bytearray()
        self.since = time.monotonic()  # last sign of progress
        self.timed_out = False
        os.set_blocking(self.proc.stdout.fileno(), False)
        self._send(("setup", video_exts, columns))

    def _send(self, message) -> None:
        data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        view = memoryview(_HEADER.pack(len(data)) + data)
        try:
            while view:
                view = view[self.proc.stdin.write(view) :]
        except (BrokenPipeError, ValueError):
            pass  # the worker died; its output pipe reports EOF and the pool replaces it

    def submit(self, batch) -> None:
        if not self.batches:
            self.since = time.monotonic()
        self.batches.append(batch)
        self._send(("batch", batch))

    def read_available(self) -> list[list] | None:
        """Complete result frames received so far; None when the worker has died."""
        try:
            chunk = os.read(self.proc.stdout.fileno(), 1 << 20)
        except BlockingIOError:
            chunk = b""
        else:
            if chunk == b"":
                return None
        self.buffer += chunk
        frames = []
        while len(self.buffer) >= _HEADER.size:
            size = _HEADER.unpack_from(self.buffer)[0]
            if len(self.buffer) < _HEADER.size + size:
                break
            frames.append(pickle.loads(bytes(self.buffer[_HEADER.size : _HEADER.size + size])))
            del self.buffer[: _HEADER.size + size]
            self.batches.popleft()
            self.since = time.monotonic()
        return frames

    def close(self, kill: bool = False) -> None:
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        if kill:
            self.proc.kill()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc.stdout.close()


class ReaderPool:
    """``submit(batch)`` where a batch is a list of (path, root_len); ``results(timeout)`` yields result lists."""

    DEPTH = 4  # batches queued per worker, so none runs dry while the writer commits
    STALL_SECONDS = (
        300.0  # a batch taking longer than this is stuck (a reader looping on a corrupt file)
    )

    def __init__(self, size: int, video_exts: frozenset[bytes], columns: list[str]):
        self.video_exts, self.columns = video_exts, columns
        self.workers = [_Worker(video_exts, columns) for _ in range(max(1, size))]
        self.waiting: deque = deque()
        self.selector = selectors.DefaultSelector()
        for w in self.workers:
            self.selector.register(w.proc.stdout, selectors.EVENT_READ, w)

    @property
    def busy(self) -> bool:
        return bool(self.waiting) or any(w.batches for w in self.workers)

    def submit(self, batch) -> None:
        self.waiting.append(batch)
        self._dispatch()

    def _dispatch(self) -> None:
        while self.waiting:
            worker = min(self.workers, key=lambda w: len(w.batches))
            if len(worker.batches) >= self.DEPTH:
                return
            worker.submit(self.waiting.popleft())

    def results(self, timeout: float = 0.2) -> list[list]:
        """Result lists ready within ``timeout`` seconds (possibly none)."""
        out: list[list] = []
        for key, _ in self.selector.select(timeout):
            worker = key.data
            frames = worker.read_available()
            if frames is None:
                out.append(self._replace(worker))
            else:
                out.extend(frames)
        now = time.monotonic()
        for worker in self.workers:
            if worker.batches and not worker.timed_out and now - worker.since > self.STALL_SECONDS:
                worker.timed_out = True
                worker.proc.kill()  # its pipe closes; the next select reports the batch
        self._dispatch()
        return out

    def _replace(self, dead: _Worker) -> list:
        """A worker died (killed, out of memory): report its batches' files, start a new one."""
        code = dead.proc.poll()
        reason = (
            f"reading took over {self.STALL_SECONDS:.0f} s; skipped (this or another file of its batch "
            "hangs the reader)"
            if dead.timed_out
            else f"reader process died (exit code {code}) while reading this batch"
        )
        lost = [(path, "error", None, reason) for batch in dead.batches for path, _ in batch]
        self.selector.unregister(dead.proc.stdout)
        dead.close(kill=True)
        fresh = _Worker(self.video_exts, self.columns)
        self.workers[self.workers.index(dead)] = fresh
        self.selector.register(fresh.proc.stdout, selectors.EVENT_READ, fresh)
        return lost

    def close(self, kill: bool = False) -> None:
        for w in self.workers:
            try:
                self.selector.unregister(w.proc.stdout)
            except (KeyError, ValueError):
                pass
            w.close(kill=kill)
        self.selector.close()

    def __enter__(self) -> "ReaderPool":
        return self

    def __exit__(self, *exc) -> None:
        self.close(kill=exc[0] is not None)


if __name__ == "__main__":
    worker_main()
