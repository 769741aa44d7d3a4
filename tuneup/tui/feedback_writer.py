"""Likes, bans and exclusions from the taste written off the UI thread.

A like waits for the database's write lock, which a big import or a scan in another process can
hold for seconds; on the UI thread that froze the app. One writer thread with its own connection
writes them in order, and ``flush`` lets the app finish them before it exits.
"""

from __future__ import annotations

import queue
import threading
from typing import Callable


class FeedbackWriter:
    def __init__(
        self,
        db_file,
        on_done: Callable[[str, int, str | None, str | None], None],
        on_marks: Callable[[int, tuple[str, ...]], None] | None = None,
    ):
        self.db_file = db_file
        self.on_done = on_done  # (kind, item_id, label, error): one of the last two is None
        self.on_marks = on_marks  # (item_id, its feedback kinds now) after every write
        self._queue: queue.Queue = queue.Queue()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()

    def submit(self, profile_id: int, item_id: int, kind: str) -> None:
        """``kind``: like, dislike, ban or exclude; ``un`` + one of the first three takes it back;
        ``toggle-`` + one of them sets it, or takes it back when the item already has it."""
        with self._start_lock:  # the put too: a failing thread drains the queue under this lock
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="tuneup-feedback", daemon=True
                )
                self._thread.start()
            self._queue.put((profile_id, item_id, kind))

    def flush(self, timeout: float = 90.0) -> bool:
        """Wait until everything submitted is written (or ``timeout`` passes); True when it all was."""
        done = threading.Event()
        if self._thread is None or not self._thread.is_alive():
            return self._queue.empty()
        self._queue.put(done)
        return done.wait(timeout)

    def _run(self) -> None:
        from tuneup.store import connection

        try:
            with connection(self.db_file) as db:
                self._serve(db)
        except Exception as exc:  # the database could not be opened: say so for everything waiting
            with self._start_lock:  # nothing is put meanwhile; the next submit starts a new thread
                self._fail_waiting(str(exc))
                self._thread = None

    def _serve(self, db) -> None:
        from tuneup.history.events import feedback_of
        from tuneup.store.items import label_of

        while True:
            job = self._queue.get()
            if isinstance(job, threading.Event):
                job.set()
                continue
            profile_id, item_id, kind = job
            try:
                if kind == "exclude":  # out of the taste, history kept (tuneup.store.exclusions)
                    from tuneup.mixes.exclude import item_rule

                    rule = item_rule(db, profile_id, item_id)
                    label = f"{label_of(db, item_id)} (undo: tuneup exclude --undo {rule.id})"
                else:
                    kind = _write(db, profile_id, item_id, kind)
                    label = label_of(db, item_id)
                marks = tuple(feedback_of(db, profile_id, item_id))
            except Exception as exc:  # shown to the person; the thread keeps serving
                self.on_done(kind, item_id, None, str(exc))
                continue
            self.on_done(kind, item_id, label, None)
            if self.on_marks is not None:
                self.on_marks(item_id, marks)

    def _fail_waiting(self, error: str) -> None:
        """Each waiting like or ban is reported as not saved; the next submit starts a new thread."""
        while True:
            try:
                job = self._queue.get_nowait()
            except queue.Empty:
                return
            if isinstance(job, threading.Event):
                job.set()
            else:
                self.on_done(job[2], job[1], None, error)


def _write(db, profile_id: int, item_id: int, kind: str) -> str:
    """Write one like/dislike/ban, its undo ("unlike") or a toggle; returns what was done."""
    from tuneup.history.events import feedback_of, set_feedback, undo_feedback

    if kind.startswith("toggle-"):
        kind = kind.removeprefix("toggle-")
        if kind in feedback_of(db, profile_id, item_id):
            kind = "un" + kind
    if kind.startswith("un"):
        undo_feedback(db, profile_id, item_id, kind.removeprefix("un"))
    else:
        set_feedback(db, profile_id, item_id, kind)
    return kind
