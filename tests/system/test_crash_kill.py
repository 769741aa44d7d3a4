"""kill -9 during scan, analyze, import, fit and playlist writing, at many points: nothing is lost or half-done.

Each command starts from the same saved state (a copy of a tuneup home), is killed with SIGKILL
once it has used a given share of the CPU time a full run takes (measured once, so the points
spread over the whole run on a quiet or a loaded machine alike), and then:

- the database passes ``PRAGMA integrity_check`` and has no dangling foreign keys;
- no listen that was committed is gone, and an import is all in or not at all;
- a saved model file still loads (the old one or the complete new one);
- a playlist file is the old one or the complete new one, never a torn one;
- running the same command again finishes, redoing nothing that was finished (scan, analyze), and
  leaves no temporary file behind.

The default test kills each command once, mid-run; the slow one at ``SLOW_POINTS`` around that
(scan's sit late: starting up and walking the folders take most of its CPU time, and rows are
written only once the walk is done).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from crash_data import (
    cli,
    counts,
    integrity,
    kill_after_cpu,
    kill_when_file_appears,
    make_library,
    run_measured,
    session_processes,
    spotify_history,
    start_cli,
    temp_files,
)

LIBRARY_FILES = 2000  # what the scan runs read
SMALL_LIBRARY = 600  # the part the later commands work on (so analysing it stays quick)
ANALYSED_BEFORE = 350  # the analyze runs have the last 250 tracks to do
HISTORY_PLAYS = 50_000
MIX_SIZE = 200
# Kill points, as shares of the CPU time a full run takes: the default test's, and the slow test's.
MID_POINT = {"scan": 0.7, "analyze": 0.6, "import": 0.6, "fit": 0.6, "mix": 0.5}
SLOW_POINTS = {"scan": (0.3, 0.6, 0.66, 0.74, 0.78, 0.88)}
OTHER_SLOW_POINTS = (0.2, 0.32, 0.45, 0.75, 0.9)


class States:
    """The saved homes each command starts from, built lazily, in order, once per module."""

    def __init__(self, root: Path):
        self.root = root
        self.lib = root / "lib"
        self.small = make_library(self.lib / "small", SMALL_LIBRARY)
        make_library(self.lib / "more", LIBRARY_FILES - SMALL_LIBRARY, first=SMALL_LIBRARY)
        self.history = spotify_history(
            root / "history.json", HISTORY_PLAYS, songs=SMALL_LIBRARY + 200
        )
        self._pre: dict[str, Path] = {}
        self.cpu: dict[str, float] = {}
        self.full: dict[str, dict] = {}  # counts after a complete run
        self.playlist_entries = 0

    def home(self, command: str, n: int) -> Path:
        """A fresh copy of the state ``command`` starts from."""
        dst = self.root / f"run-{command}-{n}"
        shutil.rmtree(dst, ignore_errors=True)
        shutil.copytree(self.pre(command), dst, symlinks=True)
        return dst

    def playlist(self, home: Path) -> Path:
        return home / "out" / "weekly.m3u8"

    def args(self, command: str, home: Path) -> list:
        return {
            "scan": ["scan", self.lib, "-q", "-w", "1"],
            "analyze": ["analyze", "-q", "-w", "1"],
            "import": ["import", "spotify-extended", self.history],
            "fit": ["fit"],
            "mix": [
                "mix",
                "--weekly",
                "--refresh",
                "--size",
                MIX_SIZE,
                "--out",
                self.playlist(home),
            ],
        }[command]

    def pre(self, command: str) -> Path:
        if command not in self._pre:
            getattr(self, f"_build_{command}")()
        return self._pre[command]

    def _measure(self, command: str) -> Path:
        """A complete run from the saved state: its CPU time and the counts it leaves."""
        home = self.home(command, 0)
        _, self.cpu[command] = run_measured(home, *self.args(command, home))
        self.full[command] = counts(home)
        return home

    def _save(self, command: str, home: Path) -> None:
        self._pre[command] = self.root / f"pre-{command}"
        shutil.copytree(home, self._pre[command], symlinks=True)

    def _build_scan(self) -> None:
        empty = self.root / "pre-scan"
        empty.mkdir()
        self._pre["scan"] = empty
        self._measure("scan")

    def _build_analyze(self) -> None:
        home = self.root / "build"
        cli(home, "scan", self.small, "-q", "-w", "1")
        cli(home, "analyze", "-q", "-w", "1", "--limit", ANALYSED_BEFORE)
        self._save("analyze", home)
        self._measure("analyze")

    def _build_import(self) -> None:
        self.pre("analyze")
        home = self.root / "run-analyze-0"
        for n, name in enumerate(
            ("00000", "00001", "00002")
        ):  # listens a player hook logged earlier
            cli(
                home,
                "log",
                self.small / "a000" / f"{name}.mp3",
                "--played",
                40 + n,
                "--duration",
                60,
            )
        self._save("import", home)
        self._measure("import")

    def _build_fit(self) -> None:
        self.pre("import")
        home = self.root / "run-import-0"
        cli(home, "fit")  # a good model exists before the refit that gets killed
        self._save("fit", home)
        self._measure("fit")

    def _build_mix(self) -> None:
        self.pre("fit")
        home = self.root / "run-fit-0"
        cli(
            home, "mix", "--weekly", "--size", MIX_SIZE, "--out", self.playlist(home)
        )  # the good playlist
        self._save("mix", home)
        done = self._measure("mix")
        self.playlist_entries = len(playlist_paths(self.playlist(done).read_text()))


@pytest.fixture(scope="module")
def states(tmp_path_factory) -> States:
    return States(tmp_path_factory.mktemp("crash"))


def playlist_paths(text: str) -> list[str]:
    return [line for line in text.splitlines() if line and not line.startswith("#")]


def model_file(home: Path) -> Path:
    return home / "data" / "models" / "model.npz"


def check_model_loads(home: Path, *, current: bool = False) -> None:
    """The saved model (if any) is whole; ``current``: it also matches the store as it is now."""
    from tuneup.model.persist import load
    from tuneup.model.sources import store_stamp
    from tuneup.store import connection

    path = model_file(home)
    if not path.exists():
        assert not current, "the re-run should have saved a model"
        return
    stamp = None
    if current:
        with connection(home / "data" / "tuneup.db") as db:
            stamp = store_stamp(db)
    load(path, stamp=stamp)  # raises StaleModel on a torn, foreign or stale file


def check_playlist(states: States, home: Path, old: bytes) -> None:
    """The playlist is the old file, or a complete new one (every entry there, every path a real file)."""
    data = states.playlist(home).read_bytes()
    if data == old:
        return
    text = data.decode("utf-8")
    assert text.startswith("#EXTM3U\n") and text.endswith("\n"), (
        "a torn playlist replaced the good one"
    )
    paths = playlist_paths(text)
    assert len(paths) == states.playlist_entries
    assert all(Path(p).is_file() for p in paths)


def after_kill(
    states: States, command: str, home: Path, before: dict, old_playlist: bytes | None
) -> dict:
    """What must hold right after the kill, before anything else runs."""
    now = counts(home)
    if (home / "data" / "tuneup.db").exists():
        integrity(home)
    full = states.full[command]
    assert now["logged"] == before["logged"], "a logged listen was lost"
    if command == "import":
        assert (now["listens"], now["imports"]) in (
            (before["listens"], before["imports"]),
            (full["listens"], full["imports"]),
        ), "a partial import"
    else:
        assert now["listens"] == before["listens"]
    assert before["items"] <= now["items"] <= full["items"]
    assert before["features"] <= now["features"] <= full["features"]
    check_model_loads(home)
    if old_playlist is not None:
        check_playlist(states, home, old_playlist)
    return now


def rerun(states: States, command: str, home: Path, killed: dict) -> None:
    """The same command again: it finishes, resumes where the killed one stopped, leaves no temp files."""
    args = states.args(command, home)
    if command in ("scan", "analyze", "import"):
        summary = json.loads(cli(home, *args, "--json").stdout)
    else:
        cli(home, *args)
    full = states.full[command]
    if command == "scan":
        assert (summary["added"], summary["unchanged"]) == (
            full["items"] - killed["items"],
            killed["items"],
        )
        assert summary["errors"] == []
    elif command == "analyze":
        assert summary["analysed"] == full["features"] - killed["features"]
    elif command == "import":
        committed = killed["imports"] == full["imports"]
        assert summary["imported"] == (0 if committed else full["listens"] - killed["listens"])
    integrity(home)
    assert counts(home) == full
    check_model_loads(home, current=command in ("fit", "mix"))
    if command == "mix":
        check_playlist(states, home, b"")
    assert temp_files(home / "data", home / "data" / "models", home / "out") == []


CHAINED = (
    "import",
    "fit",
    "mix",
)  # a killed run leaves their starting state (or the finished one) behind


MID_WRITE = None  # a kill point: the moment the atomic write's temporary file appears


def kill(states: States, command: str, home: Path, fraction: float | None) -> bool:
    args = states.args(command, home)
    if fraction is MID_WRITE:
        folder = states.playlist(home).parent if command == "mix" else model_file(home).parent
        return kill_when_file_appears(home, args, folder)
    return kill_after_cpu(home, args, fraction * states.cpu[command])


def kill_points(
    states: States, command: str, fractions: list, first: int
) -> tuple[list[bool], list[dict]]:
    """Kill ``command`` at each fraction of its CPU time (or ``MID_WRITE``), checking what it left every time.

    scan and analyze start each point from the saved state and are run again after every kill
    (what they resume from differs each time). import, fit and mix are killed again and again on
    the same home, since a killed run leaves them where they started (a fresh copy once an import
    got committed), and run to the end after the last kill. Returns whether each kill came before
    the command finished, and the row counts each one left.
    """
    home, killed, left = None, [], []
    for k, fraction in enumerate(fractions):
        if home is None:
            home = states.home(command, first + k)
            before = counts(home)
            playlist = states.playlist(home)
            old_playlist = playlist.read_bytes() if playlist.exists() else None
        killed.append(kill(states, command, home, fraction))
        now = after_kill(states, command, home, before, old_playlist)
        left.append(now)
        if (
            command not in CHAINED
            or now["imports"] == states.full[command]["imports"] > before["imports"]
        ):
            rerun(states, command, home, now)
            shutil.rmtree(home)
            home = None
        elif old_playlist is not None:
            old_playlist = states.playlist(
                home
            ).read_bytes()  # the next kill must leave this one or a new one
    if home is not None:
        rerun(states, command, home, counts(home))
        shutil.rmtree(home)
    return killed, left


COMMANDS = ("scan", "analyze", "import", "fit", "mix")


@pytest.mark.parametrize("command", COMMANDS)
def test_kill_9_mid_run_loses_nothing_and_resumes(states, command):
    states.pre(command)
    killed, _ = kill_points(states, command, [MID_POINT[command]], 1)
    assert killed == [True], "the command finished before the kill point"


def test_kill_9_while_the_model_is_written_leaves_the_old_model_and_no_temp_file(states):
    states.pre("fit")
    killed, _ = kill_points(states, "fit", [MID_WRITE] * 3, 2)
    assert any(killed), "the model write was never caught (it takes tens of ms; polled every 2 ms)"


@pytest.mark.slow
@pytest.mark.parametrize("command", COMMANDS)
def test_kill_9_at_many_points(states, command):
    states.pre(command)
    points = SLOW_POINTS.get(command, OTHER_SLOW_POINTS)
    fractions = list(points)
    if command == "mix":
        fractions.append(
            MID_WRITE
        )  # a 200-line playlist is written in well under a millisecond: best effort
    killed, left = kill_points(states, command, fractions, 10)
    assert sum(killed[: len(points)]) >= len(points) - 1, (
        f"too few kills landed before the end: {killed}"
    )
    if command in (
        "scan",
        "analyze",
    ):  # the points do fall inside the work: some kills left it part done
        column = "items" if command == "scan" else "features"
        done = {n[column] for n in left} - {
            states.full[command][column],
            counts(states.pre(command))[column],
        }
        assert len(done) >= (1 if command == "scan" else 2), (
            f"kills left {column}: {[n[column] for n in left]}"
        )


@pytest.mark.parametrize("command", ["scan", "analyze"])
def test_worker_processes_end_with_a_killed_command(states, command):
    """kill -9 of the command alone (as the OOM killer does): the processes it started do not live on."""
    states.pre(command)
    home = states.home(command, 5)
    before = counts(home)
    args = [
        a if a != "1" else "2" for a in states.args(command, home)
    ]  # -w 2: a pool of worker processes
    proc = start_cli(home, *args)
    try:
        deadline = time.monotonic() + 60
        while (
            len(session_processes(proc.pid)) < 3
            and proc.poll() is None
            and time.monotonic() < deadline
        ):
            time.sleep(0.01)
        assert proc.poll() is None, "the command finished before its workers were seen"
        os.kill(proc.pid, signal.SIGKILL)
        assert proc.wait() == -signal.SIGKILL
        deadline = time.monotonic() + 10
        while session_processes(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        left = session_processes(proc.pid)
        assert left == [], [open(f"/proc/{pid}/cmdline", "rb").read()[:120] for pid in left]
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    rerun(states, command, home, after_kill(states, command, home, before, None))


def test_only_a_dead_writers_temp_files_are_swept(tmp_path):
    """Another process's write in progress is left alone; a killed one's leftover goes."""
    from tuneup.atomic import replacing

    target = tmp_path / "weekly.m3u8"
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    ).stdout.strip()
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        for pid in (dead, live.pid):
            (tmp_path / f".weekly.m3u8.{pid}.0a1b2c3d.tmp").write_bytes(b"#EXTM3U\n")
        (tmp_path / ".other.m3u8.1.tmp").write_bytes(b"")  # another file's: not ours to judge
        with replacing(target, what="playlist") as fh:
            fh.write(b"#EXTM3U\n/x.mp3\n")
        assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
            [".other.m3u8.1.tmp", f".weekly.m3u8.{live.pid}.0a1b2c3d.tmp", "weekly.m3u8"]
        )
    finally:
        live.kill()
        live.wait()
