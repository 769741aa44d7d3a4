"""The spool of player reports not yet in the store: one small JSON file each, under data/spool/.

`tuneup log` writes a report here (fsynced, then renamed into place) before it touches the store,
so a report survives a busy store, a kill or a full queue of writers. Whoever records it removes
the file; recording twice is harmless (a listen's dedup key is the file, its start and the source).

``python -m tuneup.history.spool`` records every report waiting, with the store's full patience:
`log` starts it, detached, when the store is busy for longer than a player should wait.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from tuneup.atomic import fsync_dir
from tuneup.errors import StoreError, TuneupError

MAX_REPORT = 64 * 1024  # bytes: a report is a path and a few numbers


def spool_dir(data_dir: Path) -> Path:
    return Path(data_dir) / "spool"


def enqueue(folder: Path, event: dict) -> Path:
    """Write ``event`` durably; returns its file."""
    from tuneup.paths import ensure_dir

    ensure_dir(folder)
    name = f"{time.time_ns():020d}-{os.getpid()}-{os.urandom(4).hex()}"
    tmp, final = folder / f".{name}.tmp", folder / f"{name}.json"
    data = json.dumps(event, ensure_ascii=True).encode()
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, final)
    fsync_dir(folder)
    return final


def waiting(folder: Path) -> list[Path]:
    """Reports not yet recorded, oldest first, except those whose own `log` process is still
    recording them (its pid is in the name until it hands the report over)."""
    try:
        return sorted(
            p for p in Path(folder).iterdir() if p.suffix == ".json" and not _owner_busy(p)
        )
    except FileNotFoundError:
        return []


def handover(path: Path) -> Path:
    """The owner gives its report to whoever drains next (pid 0: nobody's)."""
    stamp, _pid, rest = path.stem.split("-", 2)
    free = path.with_name(f"{stamp}-0-{rest}.json")
    try:
        os.replace(path, free)
    except FileNotFoundError:
        pass
    return free


def _owner_busy(path: Path) -> bool:
    try:
        pid = int(path.stem.split("-", 2)[1])
    except (IndexError, ValueError):
        return False
    if pid in (0, os.getpid()):
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False  # the owner died (killed mid-report): the report is anyone's
    except PermissionError:
        return True
    return True


def read(path: Path) -> dict | None:
    """A spooled report, or None when it is gone (another process recorded it) or unreadable."""
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_REPORT + 1)
        event = json.loads(data) if len(data) <= MAX_REPORT else None
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        event = None
    if not isinstance(event, dict):
        _set_aside(path)
        return None
    return event


def done(path: Path) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def drain(db, folder: Path, profile_of, skip_seconds: int = 30) -> int:
    """Record every waiting report; returns how many were recorded. ``profile_of(name)`` gives a
    profile's id. A report the store refuses (its file gone from the library is not that) is set
    aside as ``*.bad`` with the reason, never retried forever."""
    from tuneup.history.log import record

    count = 0
    for path in waiting(folder):
        event = read(path)
        if event is None:
            continue
        try:
            record(db, profile_of(event.get("profile")), event, skip_seconds=skip_seconds)
        except StoreError:
            raise  # busy, full or damaged: the reports wait for the next command
        except (TuneupError, KeyError, TypeError, ValueError) as exc:
            _set_aside(path, str(exc))
            continue
        done(path)
        count += 1
    return count


def start_drainer(home: str | None) -> None:
    """A detached process that records what is waiting (the caller returns at once)."""
    env = dict(os.environ)
    if home:
        env["TUNEUP_HOME"] = home
    subprocess.Popen(
        [sys.executable, "-m", "tuneup.history.spool"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        close_fds=True,
        env=env,
    )


def _set_aside(path: Path, reason: str = "unreadable") -> None:
    try:
        os.replace(path, path.with_suffix(".bad"))
        with open(path.with_suffix(".why"), "w", encoding="utf-8") as fh:
            fh.write(reason + "\n")
    except OSError:
        pass


def main() -> int:
    """Record everything waiting, for the home in TUNEUP_HOME (or the platform's)."""
    from tuneup.config import load_config
    from tuneup.paths import get_paths
    from tuneup.store import open_db, profile_id

    paths = get_paths(None)
    try:
        config = load_config(paths.config_file)
        db = open_db(paths.db_file)
    except TuneupError:
        return 1  # the reports stay in the spool for the next command
    try:
        drain(
            db,
            spool_dir(paths.data_dir),
            lambda name: profile_id(db, name or config.get("profile")),
            config.get("history.skip_seconds"),
        )
    except TuneupError:
        return 1
    finally:
        db.conn.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
