"""The `tuneup` command. With no command it opens the TUI.

Typer and the command modules are imported only when a command needs them: `tuneup log`, run by a
player hook on every track, is parsed by tuneup.cli.quick and never imports them.
"""

from __future__ import annotations

import os
import sys

from tuneup.errors import TuneupError
from tuneup.text import one_line


def __getattr__(name: str):
    """``tuneup.cli.main.app``: the Typer app, built on first use."""
    if name == "app":
        from tuneup.cli.app import app

        return app
    raise AttributeError(name)


def run() -> None:
    from tuneup.cli.quick import run_log

    try:
        if run_log(sys.argv[1:]):  # a player hook's `tuneup log`, without Typer's start-up
            return
        from tuneup.cli.app import app  # Typer and the command modules: only now

        app()
    except TuneupError as exc:
        sys.stderr.write(f"tuneup: error: {one_line(str(exc))}\n")  # never wrapped: scripts grep it
        sys.exit(1)
    except KeyboardInterrupt:
        sys.stderr.write("tuneup: interrupted\n")
        sys.exit(130)
    except BrokenPipeError:
        # `tuneup ls | head`: the reader went away; that is not an error.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(0)
    except SystemExit as exc:
        if exc.code == 1 and _reader_went_away():
            sys.exit(0)
        raise
    except (
        Exception
    ) as exc:  # a full disk the core did not name itself: still one line, no traceback
        from tuneup.errors import is_disk_full

        if is_disk_full(exc):
            message = _disk_full(exc)
        elif _is_sqlite(exc):  # the store's own errors, one line like every other
            message = _database_error(exc)
        else:
            raise
        sys.stderr.write(f"tuneup: error: {one_line(message)}\n")
        sys.exit(1)


def _is_sqlite(exc: BaseException) -> bool:
    import sqlite3

    return isinstance(exc, sqlite3.Error)


def _database_error(exc: Exception) -> str:
    """A damaged store is marked so (nothing more is written to it) and doctor is named."""
    from tuneup.paths import get_paths
    from tuneup.store import guard

    db_file = get_paths().db_file
    if guard.is_damage(exc):
        guard.mark_damaged(db_file, str(exc))
        return str(guard.damaged_error(db_file))
    marked = "; it is marked damaged" if guard.damage_note(db_file) else ""
    return f"{db_file}: database error ({exc}){marked}; `tuneup doctor` checks the store"


def _reader_went_away() -> bool:
    """Click handles a broken pipe itself: it wraps stdout in PacifyFlushWrapper and exits 1."""
    return type(sys.stdout).__name__ == "PacifyFlushWrapper"


def _disk_full(exc: Exception) -> str:
    if isinstance(exc, OSError):
        where = exc.filename or "a file"
    else:
        from tuneup.paths import get_paths

        where = get_paths().db_file
    return f"{where}: cannot write: the disk is full"
