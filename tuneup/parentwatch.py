"""Worker processes that end when the process that started them is gone.

A ProcessPoolExecutor or multiprocessing.Pool worker holds both ends of its task pipe, so after its
parent is killed (kill -9, the OOM killer, a crash) it waits for work forever, and keeps
multiprocessing's resource tracker alive with it. Pools pass :func:`exit_with_parent` as their
initializer, with ``initargs=(os.getpid(),)`` (or call it from theirs).
"""

from __future__ import annotations

import os
import threading
import time

CHECK_SECONDS = 0.5


def exit_with_parent(parent: int) -> None:
    """Start a daemon thread that ends this process once ``parent`` (the pid of the process that
    started it: passed in, since it may be gone before this runs) is no longer its parent."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(CHECK_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="tuneup-parent-watch", daemon=True).start()
