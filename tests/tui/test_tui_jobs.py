"""Long jobs run in a child process: its own pid, cancel, errors as notifications, no orphan after quit or kill."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from media import make_audio
from tuidata import settle

from tuneup.errors import TuneupError
from tuneup.summary import DictSummary
from tuneup.tui import job_process, jobs
from tuneup.tui.app import create_app

SIZE = (120, 40)


# ---- jobs the child runs: module-level, so they can be sent to it ----------------------------------
class Told(DictSummary):
    """A job's result that follows the summary protocol, as every job's must."""

    def line(self) -> str:
        return ", ".join(f"{k} {v}" for k, v in self.items())


def scan_telling_pid(db, progress, cancel, paths):
    summary = jobs.scan_paths(db, progress, cancel, paths)
    return Told(pid=os.getpid(), added=summary.added)


def slow_scan(db, progress, cancel, paths, delay=0.02):
    """The real scan, with every cancel check and progress report ``delay`` s slower, so there is time to
    cancel or quit mid-way even on a quiet machine (the reader pool is fast and checks rarely)."""

    def slow_cancel() -> bool:
        time.sleep(delay)
        return cancel()

    def slow_progress(*args) -> None:
        time.sleep(delay)
        progress(*args)

    return jobs.scan_paths(db, slow_progress, slow_cancel, paths)


def fails_with_tuneup_error(db, progress, cancel):
    raise TuneupError("/music/x.flac: line 3: the tag block is truncated (re-rip the file)")


def fails_unexpectedly(db, progress, cancel):
    raise RuntimeError("disk on fire\nsecond line")


def readers_until_cancel(db, progress, cancel):
    """Holds the scanner's reader processes open until cancelled."""
    from tuneup.library.scan.workers import ReaderPool

    with ReaderPool(2, frozenset(), []):
        while not cancel():
            progress(1, None, "reading")
            time.sleep(0.05)


def ignores_cancel(db, progress, cancel):
    while True:
        progress(1, None, "stuck")
        time.sleep(0.05)


# ---- fixtures --------------------------------------------------------------------------------------
def _music(root: Path, files: int) -> Path:
    first = make_audio(
        root / "a", "ogg", {"title": "Song", "artist": "Band", "genre": "jazz"}, name="0000.ogg"
    )
    for i in range(1, files):
        folder = root / f"{'abcdefgh'[i % 8]}"
        folder.mkdir(exist_ok=True)
        shutil.copyfile(first, folder / f"{i:04d}.ogg")
    return root


@pytest.fixture
def small_music(tmp_path):
    return _music(tmp_path / "music", 6)


@pytest.fixture
def big_music(tmp_path):
    """Over the scanner's MIN_FILES_FOR_POOL, so the child reads with reader processes of its own."""
    return _music(tmp_path / "big", 1100)


def _app(env):
    env.paths.ensure()
    return create_app(env, onboarding=False, rows_loader=lambda db, c, p, pid: [])


async def _until(pilot, condition, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await pilot.pause(0.05)


def _consistent(db_file) -> None:
    import sqlite3

    conn = sqlite3.connect(db_file)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        # no half-written item: every row the scan committed is complete
        assert (
            conn.execute(
                "SELECT count(*) FROM items WHERE status != 'present' OR size IS NULL "
                "OR mtime_ns IS NULL OR root_id IS NULL OR kind IS NULL"
            ).fetchone()[0]
            == 0
        )
    finally:
        conn.close()


def _notes(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


def _record(app) -> list:
    """Every work message the app hands to its screens, as (kind name, args)."""
    seen = []
    broadcast = app._broadcast
    app._broadcast = lambda kind, *args: (
        seen.append((kind.__name__, args)),
        broadcast(kind, *args),
    )
    return seen


# ---- tests -----------------------------------------------------------------------------------------
def test_scan_runs_in_a_child_process(env, small_music):
    async def run():
        app = _app(env)
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            assert app.start_job("scan", scan_telling_pid, [small_music])
            await _until(pilot, lambda: "scan" not in app.jobs)
            # the screens hear of the end after the app does: wait for the notification itself
            await _until(pilot, lambda: any(m.startswith("scan finished") for m in _notes(app)))
            done = [m for m in _notes(app) if m.startswith("scan finished")]
            pid = int(done[0].split("pid ")[1].split(",")[0])
            assert pid != os.getpid()
            assert "added 6" in done[0]
        assert env.db.execute("SELECT count(*) FROM items").fetchone()[0] == 6

    asyncio.run(run())


def test_the_apps_jobs_are_sent_to_a_child():
    assert job_process.can_run_in_child(jobs.scan_paths, ([Path("/music")],))
    assert job_process.can_run_in_child(jobs.build_demo, (Path("/demo"), 1, "default"))
    assert not job_process.can_run_in_child(lambda db, p, c: None, ())


def test_cancel_stops_the_scan_and_leaves_a_consistent_db(env, big_music):
    async def run():
        app = _app(env)
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            seen = _record(app)
            app.start_job("scan", slow_scan, [big_music])
            await _until(pilot, lambda: any(k == "WorkProgress" and a[1] > 0 for k, a in seen))
            child = app._children["scan"].pid
            assert child != os.getpid() and psutil.Process(child).ppid() == os.getpid()
            app.cancel_job("scan")
            await _until(pilot, lambda: "scan" not in app.jobs, timeout=20)
            results = [a[1] for k, a in seen if k == "WorkDone"]
            assert len(results) == 1 and results[0].cancelled, seen[-3:]
            assert (
                not psutil.pid_exists(child)
                or psutil.Process(child).status() == psutil.STATUS_ZOMBIE
            )
        _consistent(env.paths.db_file)
        kept = env.db.execute("SELECT count(*) FROM items").fetchone()[0]
        assert kept < 1100
        # and the next scan picks up where it stopped
        summary = jobs.rescan(env.db, lambda *a: None, None)
        assert not summary.cancelled
        assert env.db.execute("SELECT count(*) FROM items").fetchone()[0] == 1100

    asyncio.run(run())


@pytest.mark.parametrize(
    "job, expected",
    [
        (
            fails_with_tuneup_error,
            "/music/x.flac: line 3: the tag block is truncated (re-rip the file)",
        ),
        (fails_unexpectedly, "RuntimeError: disk on fire second line"),
    ],
)
def test_an_error_in_the_child_is_a_one_line_notification(env, job, expected):
    async def run():
        app = _app(env)
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            app.start_job("analyse", job)
            await _until(pilot, lambda: "analyse" not in app.jobs)
            await pilot.pause(0.1)
            notes = _notes(app)
            assert expected in notes, notes
            assert not any("Traceback" in n or "\n" in n for n in notes)
            assert app.is_running

    asyncio.run(run())


def _tree(pid: int) -> list[int]:
    proc = psutil.Process(pid)
    return [pid, *(p.pid for p in proc.children(recursive=True))]


def _gone(pids: list[int], timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        alive = [
            p
            for p in pids
            if psutil.pid_exists(p) and psutil.Process(p).status() != psutil.STATUS_ZOMBIE
        ]
        if not alive:
            return True
        time.sleep(0.1)
    return False


def test_quitting_during_a_scan_stops_it_at_once_and_leaves_a_consistent_db(env, tmp_path):
    music = _music(tmp_path / "music", 300)  # read one by one, 50 ms a file: a scan of over 15 s

    async def run():
        app = _app(env)
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            seen = _record(app)
            app.start_job("scan", slow_scan, [music], 0.05)
            await _until(pilot, lambda: any(k == "WorkProgress" for k, a in seen))
            tree = _tree(app._children["scan"].pid)
            started = time.monotonic()
            await pilot.press("q")
        return tree, time.monotonic() - started

    tree, took = asyncio.run(run())
    assert _gone(tree, timeout=3), [p for p in tree if psutil.pid_exists(p)]
    assert took < 5
    _consistent(env.paths.db_file)
    assert env.db.execute("SELECT count(*) FROM items").fetchone()[0] < 300


def test_quitting_stops_the_childs_reader_processes(env):
    async def run():
        app = _app(env)
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            app.start_job("scan", readers_until_cancel)
            await _until(
                pilot,
                lambda: (
                    app._children.get("scan")
                    and app._children["scan"].pid
                    and len(_tree(app._children["scan"].pid)) == 3
                ),
            )  # the child and its two readers
            tree = _tree(app._children["scan"].pid)
            await pilot.press("q")
        return tree

    tree = asyncio.run(run())
    assert _gone(tree, timeout=5), [p for p in tree if psutil.pid_exists(p)]


def test_a_child_that_ignores_cancel_is_terminated_on_quit(env, monkeypatch):
    monkeypatch.setattr(job_process, "STOP_SECONDS", 0.5)

    async def run():
        app = _app(env)
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            app.start_job("analyse", ignores_cancel)
            await _until(
                pilot, lambda: app._children.get("analyse") and app._children["analyse"].pid
            )
            pid = app._children["analyse"].pid
            started = time.monotonic()
            await pilot.press("q")
        return pid, time.monotonic() - started

    pid, took = asyncio.run(run())
    assert _gone([pid], timeout=5)
    assert took < 5


KILLED_APP = """
import sys, time
from tuneup.tui import job_process
sys.path[:0] = [sys.argv[3], sys.argv[3] + "/.."]  # tests/tui, and tests/ for its helper modules
from test_tui_jobs import slow_scan
job = job_process.JobProcess("scan", sys.argv[1], slow_scan, ([sys.argv[2]], 0.05))  # a scan of over 15 s
job.run(lambda done, total, info: print("child", job.pid, done, flush=True))
"""


def test_a_killed_app_leaves_no_scan_running_and_a_consistent_db(env, tmp_path):
    """The child notices that the app is gone (its parent changed) and stops at its next cancel check."""
    env.paths.ensure()
    music = _music(
        tmp_path / "music", 300
    )  # read one by one (no reader pool): a cancel check per file
    app = subprocess.Popen(
        [
            sys.executable,
            "-c",
            KILLED_APP,
            str(env.paths.db_file),
            str(music),
            str(Path(__file__).parent),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = app.stdout.readline()
        assert line.startswith("child"), line
        child = int(line.split()[1])
        tree = _tree(child)
        os.kill(app.pid, signal.SIGKILL)
        app.wait()
        assert _gone(tree, timeout=8), [p for p in tree if psutil.pid_exists(p)]
    finally:
        if app.poll() is None:
            app.kill()
    _consistent(env.paths.db_file)
