"""Shared by the kill -9 and out-of-disk tests: a real library, a big history export, the real CLI.

from crash_data import make_library, spotify_history, cli, start_cli, integrity, counts
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from media import make_audio

ARTISTS = 30


def make_library(folder: Path, n: int, first: int = 0) -> Path:
    """``n`` small tagged mp3 files (Song ``first`` ...) in folders of 50, ``ARTISTS`` artists, three genres."""
    for i in range(first, first + n):
        make_audio(
            folder / f"a{i // 50:03d}",
            "mp3",
            {
                "title": f"Song {i}",
                "artist": f"Artist {i % ARTISTS}",
                "album": f"Album {i % 60}",
                "genre": ("Rock", "Pop", "Jazz")[i % 3],
                "tracknumber": str(1 + i % 12),
            },
            name=f"{i:05d}.mp3",
        )
    return folder


def spotify_history(path: Path, n: int, songs: int, seed: int = 1) -> Path:
    """A Spotify extended streaming history of ``n`` plays, spread over ``songs`` titles (some are not in the
    library, so matching has work to do)."""
    rng = random.Random(seed)
    entries = []
    start = 1_700_000_000
    for k in range(n):
        i = rng.randrange(songs)
        ends = start + k * 211
        entries.append(
            {
                "ts": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ends)),
                "ms_played": rng.randrange(2_000, 240_000),
                "master_metadata_track_name": f"Song {i}",
                "master_metadata_album_artist_name": f"Artist {i % ARTISTS}",
                "master_metadata_album_album_name": f"Album {i % 60}",
                "reason_end": rng.choice(("trackdone", "trackdone", "fwdbtn", "endplay")),
                "skipped": None,
                "incognito_mode": False,
            }
        )
    path.write_text(json.dumps(entries))
    return path


def environ(home: Path) -> dict:
    env = dict(os.environ)
    env["TUNEUP_HOME"] = str(home)
    env.pop("COLUMNS", None)
    return env


def cli(home: Path, *args, check: bool = True, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run the real `tuneup` CLI against ``home`` to the end."""
    proc = subprocess.run(
        [sys.executable, "-m", "tuneup", *map(str, args)],
        env=environ(home),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if check and proc.returncode != 0:
        raise AssertionError(
            f"tuneup {' '.join(map(str, args))} failed ({proc.returncode}):\n{proc.stderr}"
        )
    return proc


def start_cli(home: Path, *args, stderr=None) -> subprocess.Popen:
    """Start the CLI in its own session (so whatever it starts can be killed with it)."""
    return subprocess.Popen(
        [sys.executable, "-m", "tuneup", *map(str, args)],
        env=environ(home),
        stdout=subprocess.DEVNULL,
        stderr=stderr or subprocess.DEVNULL,
        start_new_session=True,
    )


_TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time the process has used so far (None once it is gone)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            fields = fh.read().rpartition(b")")[2].split()
    except OSError:
        return None
    if fields[0] == b"Z":
        return None
    return (int(fields[11]) + int(fields[12])) / _TICK


def run_measured(home: Path, *args) -> tuple[subprocess.CompletedProcess, float]:
    """Run to the end; also return the CPU seconds the command used (its own process only)."""
    with tempfile.TemporaryFile() as err:
        proc = start_cli(home, *args, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        stderr = err.read().decode(errors="replace")
    if proc.returncode != 0:
        raise AssertionError(
            f"tuneup {' '.join(map(str, args))} failed ({proc.returncode}):\n{stderr}"
        )
    return proc, usage.ru_utime + usage.ru_stime


def kill_after_cpu(home: Path, args: list, cpu: float, timeout: float = 120) -> bool:
    """Start the command and kill -9 it once it has used ``cpu`` seconds of CPU.

    CPU time, not wall time, picks the point, so the same fraction of the work is done on a quiet
    machine and on a loaded one. Returns False when the command finished first.
    """
    return kill_when(home, args, lambda pid: cpu_seconds(pid) >= cpu, timeout)


def kill_when_file_appears(home: Path, args: list, folder: Path, timeout: float = 120) -> bool:
    """Kill -9 the command as soon as a new temporary file shows up in ``folder`` (mid atomic write)."""
    old = set(temp_files(folder))

    def writing(_pid):
        try:
            return any(".tmp" in name and name not in old for name in os.listdir(folder))
        except FileNotFoundError:
            return False

    return kill_when(home, args, writing, timeout)


def kill_when(home: Path, args: list, ready, timeout: float = 120) -> bool:
    """Start the command, poll ``ready(pid)`` every 2 ms, SIGKILL the command once it is true."""
    proc = start_cli(home, *args)
    deadline = time.monotonic() + timeout
    killed = False
    try:
        while time.monotonic() < deadline:
            if cpu_seconds(proc.pid) is None or proc.poll() is not None:
                break
            if ready(proc.pid):
                os.kill(proc.pid, signal.SIGKILL)
                killed = True
                break
            time.sleep(0.002)
        else:
            raise AssertionError(
                f"tuneup {' '.join(map(str, args))} neither finished nor reached its kill point"
            )
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # anything it started (reader or worker processes)
        except ProcessLookupError:
            pass
        proc.wait()
    if not killed:
        assert proc.returncode in (0, -signal.SIGKILL), f"exit {proc.returncode}"
        if proc.returncode == -signal.SIGKILL:
            killed = True  # killed between the last poll and its exit
    return killed


def db_path(home: Path) -> Path:
    return home / "data" / "tuneup.db"


def integrity(home: Path) -> None:
    """The database opens, passes integrity_check and has no dangling foreign keys."""
    conn = sqlite3.connect(db_path(home))
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        conn.close()


def counts(home: Path) -> dict:
    """Row counts that matter for "nothing lost, nothing half-done"."""
    path = db_path(home)
    if not path.exists():
        return {"items": 0, "features": 0, "listens": 0, "imports": 0, "logged": 0}
    conn = sqlite3.connect(path)
    try:
        if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'listens'").fetchone():
            return {
                "items": 0,
                "features": 0,
                "listens": 0,
                "imports": 0,
                "logged": 0,
            }  # killed before migrating
        one = lambda sql: conn.execute(sql).fetchone()[0]  # noqa: E731
        return {
            "items": one("SELECT count(*) FROM items"),
            "features": one("SELECT count(*) FROM features"),
            "listens": one("SELECT count(*) FROM listens"),
            "imports": one("SELECT count(*) FROM imports"),
            "logged": one("SELECT count(*) FROM listens WHERE import_id IS NULL"),
        }
    finally:
        conn.close()


def temp_files(*folders: Path) -> list[str]:
    """Leftover temporary files (an interrupted atomic write) in ``folders``."""
    found = []
    for folder in folders:
        if folder.is_dir():
            found += [p.name for p in folder.iterdir() if ".tmp" in p.name]
    return sorted(found)


def session_processes(sid: int) -> list[int]:
    """Pids of the live processes in session ``sid`` (a command started by start_cli and what it started)."""
    pids = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                if os.getsid(int(name)) == sid and cpu_seconds(int(name)) is not None:
                    pids.append(int(name))
            except OSError:
                pass
    return pids
