"""A long job (scan, analysis, demo build, import) in a child process of its own.

The app's event loop and a job in a thread of the same process compete for the GIL: a scan's walk,
batching and SQLite writes stalled the UI for 100-250 ms at a time. Here the job runs in a spawned
process at a lower priority; the app keeps one thread that waits on a pipe for the child's messages:

    ("progress", done, total, info)           at most PROGRESS_HZ a second
    ("done", result)                          the core's summary (picklable)
    ("failed", one_line_message, details)     a TuneupError's message, or "Type: message" plus the traceback

Cancel is a multiprocessing Event the child's cancel callable reads; the child also stops by itself when
the app that started it is gone (its parent pid changes), so a killed app leaves no scan running on.
The core commits in batches, so a stop at any point leaves a consistent database.

No textual here: the app hands in the callbacks that post its messages.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import signal
import threading
import time
from typing import Callable

PROGRESS_HZ = 20
NICENESS = 5  # the UI wins the CPU on a small machine; reader processes the job starts inherit it
STOP_SECONDS = 5.0  # after a cancel, how long the job may take to reach its next cancel check


def can_run_in_child(fn: Callable, args: tuple) -> bool:
    """True when ``fn`` and ``args`` can be sent to a spawned process (a module-level function, plain data)."""
    try:
        pickle.dumps((fn, args))
    except Exception:  # closures, lambdas, open connections: pickling them fails in many ways
        return False
    return True


class JobProcess:
    """One job in a child process. ``run(on_progress)`` blocks (call it from a thread) and returns
    ``("done", result)`` or ``("failed", message, details)``."""

    def __init__(self, name: str, db_file: str, fn: Callable, args: tuple):
        self.name = name
        ctx = multiprocessing.get_context("spawn")
        self.cancel = ctx.Event()
        self._ctx, self._db_file, self._fn, self._args = ctx, db_file, fn, args
        self._lock = threading.Lock()
        self._process = None
        self._stopped = False

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def run(self, on_progress: Callable[[int, int | None, str], None]) -> tuple:
        receiver, sender = self._ctx.Pipe(duplex=False)
        with self._lock:
            if self._stopped:
                return ("failed", f"{self.name} was stopped before it started", "")
            self._process = self._ctx.Process(
                target=child_main,
                name=f"tuneup-{self.name}",
                args=(sender, self.cancel, os.getpid(), self._db_file, self._fn, self._args),
            )
            self._process.start()
        sender.close()  # only the child writes: its exit closes the pipe and ends the loop below
        outcome = None
        try:
            while outcome is None:
                try:
                    message = receiver.recv()
                except (EOFError, OSError):
                    break
                if message[0] == "progress":
                    on_progress(*message[1:])
                else:
                    outcome = message
        finally:
            receiver.close()
            self._process.join(STOP_SECONDS)
        if outcome is None or self._process.is_alive():
            self.stop(0)
        if outcome is None:
            code = self._process.exitcode
            outcome = ("failed", f"{self.name} stopped unexpectedly (exit code {code})", "")
        return outcome

    def stop(self, timeout: float | None = None) -> None:
        """Cancel, wait up to ``timeout`` s (STOP_SECONDS), then terminate the child and whatever it started."""
        timeout = STOP_SECONDS if timeout is None else timeout
        with self._lock:
            self._stopped = True
            process = self._process
        self.cancel.set()
        if process is None:
            return
        process.join(timeout)
        if process.is_alive():
            process.terminate()  # SIGTERM: the child unwinds (open transactions roll back, pools close)
            process.join(2.0)
        if process.is_alive() or _group_alive(process.pid):
            _kill_group(process.pid)
            process.join(2.0)


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    return True


def _kill_group(pgid: int) -> None:
    """The child leads its own process group (see child_main): kill it with the readers it started."""
    try:
        if pgid != os.getpgrp():
            os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


# ---- the child -----------------------------------------------------------------------------------
def child_main(
    conn, cancel_event, parent_pid: int, db_file: str, fn: Callable, args: tuple
) -> None:
    """Run ``fn(db, progress, cancel, *args)`` on a connection of this process's own; report over ``conn``."""
    _quiet_and_low()
    from tuneup.errors import TuneupError
    from tuneup.store import connection

    def cancelled() -> bool:
        return cancel_event.is_set() or os.getppid() != parent_pid

    try:
        with connection(db_file) as db:
            result = fn(db, _throttled(conn), cancelled, *args)
        _send(conn, ("done", result))
    except TuneupError as exc:
        _send(conn, ("failed", one_line(str(exc)), ""))
    except BaseException as exc:  # noqa: BLE001 - SystemExit from SIGTERM too: one line, never a traceback
        import traceback

        _send(conn, ("failed", one_line(f"{type(exc).__name__}: {exc}"), traceback.format_exc()))
    finally:
        conn.close()


def _quiet_and_low() -> None:
    """Own process group, lower priority, no terminal: the app's screen is on fds 0-2."""
    try:
        os.setpgid(0, 0)
    except OSError:
        pass
    try:
        os.nice(NICENESS)
    except OSError:
        pass
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    os.close(null)

    def terminate(signum, frame):
        raise SystemExit(f"stopped by signal {signum}")

    signal.signal(signal.SIGTERM, terminate)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _throttled(conn) -> Callable:
    """The core's progress callback: at most PROGRESS_HZ messages a second reach the app."""
    last = [0.0]

    def progress(done: int, total: int | None = None, info: str = "") -> None:
        now = time.monotonic()
        if now - last[0] >= 1.0 / PROGRESS_HZ or (total is not None and done >= total):
            last[0] = now
            _send(conn, ("progress", done, total, str(info or "")))

    return progress


def _send(conn, message: tuple) -> None:
    try:
        conn.send(message)
    except (BrokenPipeError, OSError):
        pass  # the app is gone; the cancel check stops the work
    except Exception as exc:  # a result that cannot be pickled
        conn.send(("failed", one_line(f"the job's result could not be sent back: {exc}"), ""))


def one_line(text: str) -> str:
    return " ".join(line.strip() for line in str(text).splitlines() if line.strip())
