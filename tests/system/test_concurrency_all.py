"""Everything at once, for a while: the TUI's player recording listens, the mpv hook (a real mpv running
assets/mpv/tuneup.lua, plus `tuneup log` calls made the way the hook makes them), repeated imports and a
cron-style `tuneup mix --weekly --out FILE` loop. Every event is recorded exactly once, nobody sees
"database is locked" (or any traceback), and the database passes integrity_check.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from history_support import tone

from tuneup.playback.mpv import Player
from tuneup.playback.queue import entries_for
from tuneup.store import open_db

MPV_ARGS = ["--no-config", "--ao=null", "--vo=null"]
LUA = Path(__file__).resolve().parents[2] / "assets" / "mpv" / "tuneup.lua"
TUNEUP = [sys.executable, "-m", "tuneup"]
IMPORT_PLAYS = 3000
BAD_WORDS = ("locked", "Traceback", "busy")


class Tally:
    """What each producer sent, and every stderr it saw."""

    def __init__(self):
        self.lock = threading.Lock()
        self.sent: dict[str, int] = {}
        self.problems: list[str] = []
        self.runs: dict[str, int] = {}

    def add(self, source: str, n: int) -> None:
        with self.lock:
            self.sent[source] = self.sent.get(source, 0) + n

    def ran(self, name: str) -> None:
        with self.lock:
            self.runs[name] = self.runs.get(name, 0) + 1

    def check(self, what: str, proc: subprocess.CompletedProcess) -> bool:
        err = (
            proc.stderr
            if isinstance(proc.stderr, str)
            else (proc.stderr or b"").decode(errors="replace")
        )
        bad = proc.returncode != 0 or any(w in err for w in BAD_WORDS)
        if bad:
            with self.lock:
                self.problems.append(f"{what}: exit {proc.returncode}: {err[-1500:]}")
        return not bad


def _library(root: Path) -> list[Path]:
    music = root / "music"
    return [
        tone(
            music / f"c{k}.ogg",
            1.0,
            freq=200 + 70 * k,
            tags={"artist": f"Band {k % 2}", "title": f"Tune {k}", "genre": "rock"},
        )
        for k in range(5)
    ]


def _wrapper(root: Path) -> tuple[Path, Path, Path]:
    """A stand-in for `tuneup` on the hook's command line that notes each call, its stderr and its end."""
    sent, errors, done = root / "hook-sent.log", root / "hook-stderr.log", root / "hook-done.log"
    script = root / "tuneup-wrapper"
    script.write_text(
        f'#!/bin/sh\necho "$*" >> {sent}\n{" ".join(TUNEUP)} "$@" 2>> {errors}\necho $? >> {done}\n'
    )
    script.chmod(0o755)
    return script, sent, done


def _player_loop(db_file, pid, run_dir, ids, until, tally: Tally) -> None:
    """The TUI's player: a queue of four short tracks, again and again."""
    db = open_db(db_file)
    queue = entries_for(db, ids[:4])
    db.conn.close()
    while time.monotonic() < until:
        player = Player(db_file, pid, run_dir, mpv_args=MPV_ARGS)
        player.start(queue)
        if not player.wait(120):
            tally.problems.append("player did not finish its queue")
            player.stop()
        tally.add("tuneup", len(player.recorded))
        tally.ran("player")
        if len(player.recorded) != len(queue) or player.errors:
            tally.problems.append(
                f"player recorded {len(player.recorded)} of {len(queue)}: {player.errors}"
            )


def _mpv_hook_loop(wrapper, files, until, tally: Tally) -> None:
    """A real mpv with the Lua hook, reporting each file it plays through `tuneup log`."""
    env = {k: v for k, v in os.environ.items() if k != "TUNEUP_PLAYER"}
    while time.monotonic() < until:
        proc = subprocess.run(
            [
                "mpv",
                *MPV_ARGS,
                f"--script={LUA}",
                f"--script-opts=tuneup-command={wrapper}",
                "--loop-playlist=2",
                *map(str, files),
            ],
            capture_output=True,
            timeout=120,
            env=env,
        )
        tally.ran("mpv-hook")
        if proc.returncode != 0:
            tally.problems.append(f"mpv exited {proc.returncode}: {proc.stderr[-500:]!r}")


def _log_loop(wrapper, files, until, tally: Tally) -> None:
    """`tuneup log` calls made the way the hook makes them, three at a time."""
    n = 0
    while time.monotonic() < until:
        procs = []
        for _ in range(3):
            at = f"2025-01-{1 + n // 86400 % 28:02d}T{n // 3600 % 24:02d}:{n // 60 % 60:02d}:{n % 60:02d}Z"
            procs.append(
                subprocess.Popen(
                    [
                        str(wrapper),
                        "log",
                        str(files[n % len(files)]),
                        "--played",
                        "0.900",
                        "--ended",
                        "finished",
                        "--at",
                        at,
                        "--source",
                        "script",
                        "--duration",
                        "1.000",
                    ]
                )
            )
            n += 1
        for p in procs:
            p.wait(120)
        tally.ran("log")


def _spotify_file(path: Path, k: int) -> Path:
    plays = [
        {
            "endTime": f"2024-{1 + k % 12:02d}-{1 + j // 1440 % 28:02d} {j // 60 % 24:02d}:{j % 60:02d}",
            "artistName": f"Importer {k}",
            "trackName": f"Imported {k}-{j % 50}",
            "msPlayed": 95000,
        }
        for j in range(IMPORT_PLAYS)
    ]
    path.write_text(json.dumps(plays))
    return path


def _import_loop(root, until, tally: Tally) -> None:
    k = 0
    while time.monotonic() < until:
        again = k % 3 == 2  # every third run imports an earlier file again: it must add nothing
        path = root / f"StreamingHistory_music_{k - 1 if again else k}.json"
        if not again:
            _spotify_file(path, k)
        proc = subprocess.run(
            [*TUNEUP, "import", "spotify-basic", str(path), "--json"],
            capture_output=True,
            text=True,
            timeout=300,
        )
        tally.ran("import")
        if tally.check(f"import {path.name}", proc):
            summary = json.loads(proc.stdout)
            tally.add("spotify", summary["imported"])
            if summary["imported"] != (0 if again else IMPORT_PLAYS):
                tally.problems.append(f"import {path.name}: {summary['imported']} imported")
        k += 1


def _mix_loop(root, until, tally: Tally) -> None:
    n = 0
    while time.monotonic() < until:
        out = root / "weekly.m3u8"
        proc = subprocess.run(
            [*TUNEUP, "mix", "--weekly", "--out", str(out), *(["--refresh"] if n % 2 else [])],
            capture_output=True,
            text=True,
            timeout=300,
        )
        tally.ran("mix")
        if tally.check("mix --weekly", proc) and not out.read_text().startswith("#EXTM3U"):
            tally.problems.append("mix --weekly wrote a playlist that is not M3U")
        n += 1


def _wait_for_hooks(sent: Path, done: Path, timeout: float = 120) -> int:
    """The hook's `tuneup log` calls run detached from mpv: wait until each has ended."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        calls = len(sent.read_text().splitlines()) if sent.exists() else 0
        ended = len(done.read_text().splitlines()) if done.exists() else 0
        if calls == ended:
            return calls
        time.sleep(0.2)
    raise AssertionError(f"hook calls still running after {timeout} s")


def _everything_at_once(env, tmp_path, tuneup_cmd, seconds: float) -> None:
    files = _library(tmp_path)
    tuneup_cmd("scan", tmp_path / "music")
    db_file, pid = env.paths.db_file, env.profile_id
    ids = [r[0] for r in env.db.execute("SELECT id FROM items ORDER BY path")]
    env.close()
    wrapper, sent, done = _wrapper(tmp_path)
    tally = Tally()
    until = time.monotonic() + seconds
    threads = [
        threading.Thread(target=fn, args=args, name=fn.__name__)
        for fn, args in [
            (_player_loop, (db_file, pid, env.paths.run_dir, ids, until, tally)),
            (_mpv_hook_loop, (wrapper, files, until, tally)),
            (_log_loop, (wrapper, files, until, tally)),
            (_import_loop, (tmp_path, until, tally)),
            (_mix_loop, (tmp_path, until, tally)),
        ]
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + 300)
        assert not t.is_alive(), f"{t.name} hangs"
    hook_calls = _wait_for_hooks(sent, done)
    hook_stderr = (
        (tmp_path / "hook-stderr.log").read_text()
        if (tmp_path / "hook-stderr.log").exists()
        else ""
    )
    assert not tally.problems, tally.problems
    assert not hook_stderr.strip(), hook_stderr[-2000:]
    assert set(done.read_text().split()) == {"0"}
    assert all(
        tally.runs.get(name, 0) >= 1 for name in ("player", "mpv-hook", "log", "import", "mix")
    ), tally.runs
    hook_sent = sum(" --source mpv" in line for line in sent.read_text().splitlines())
    script_sent = hook_calls - hook_sent
    db = open_db(db_file)
    try:
        counts = dict(db.execute("SELECT source, count(*) FROM listens GROUP BY source").fetchall())
        assert counts == {
            "tuneup": tally.sent["tuneup"],
            "mpv": hook_sent,
            "script": script_sent,
            "spotify": tally.sent.get("spotify", 0),
        }, (counts, tally.sent, tally.runs)
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert (
            db.execute("SELECT count(*) FROM imports").fetchone()[0]
            == tally.sent.get("spotify", 0) // IMPORT_PLAYS
        )
    finally:
        db.conn.close()


@pytest.mark.timeout(400)
def test_player_hook_import_and_cron_mix_at_once(env, tmp_path, tuneup_cmd):
    _everything_at_once(env, tmp_path, tuneup_cmd, 20)


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_player_hook_import_and_cron_mix_at_once_longer(env, tmp_path, tuneup_cmd):
    _everything_at_once(env, tmp_path, tuneup_cmd, 60)


@pytest.mark.timeout(120)
def test_player_controls_answer_while_another_process_holds_the_write_lock(env, tmp_path):
    """A big import (here: a connection holding BEGIN IMMEDIATE) delays the player's writes, never the
    player: skip() returns at once, and every play is still recorded once when the lock is released."""
    files = _library(tmp_path)
    ids = [_add(env, f) for f in files[:3]]
    player = Player(env.paths.db_file, env.profile_id, env.paths.run_dir, mpv_args=MPV_ARGS)
    blocker = open_db(env.paths.db_file)
    blocker.conn.execute("BEGIN IMMEDIATE")
    try:
        player.start(entries_for(env.db, ids))
        deadline = time.monotonic() + 30
        while (
            player.state().index != 1 and time.monotonic() < deadline
        ):  # the first play ended: a write waits
            time.sleep(0.05)
        assert player.state().index == 1
        time.sleep(0.3)
        started = time.monotonic()
        player.skip()
        assert time.monotonic() - started < 0.5
        time.sleep(1.0)
        assert player.recorded == []  # still waiting for the lock
    finally:
        blocker.conn.execute("COMMIT")
        blocker.conn.close()
    assert player.wait(60)
    assert len(player.recorded) == 3 and not player.errors
    rows = env.db.execute("SELECT item_id, end_reason, skipped FROM listens ORDER BY id").fetchall()
    assert rows == [(ids[0], "finished", 0), (ids[1], "skipped", 1), (ids[2], "finished", 0)]


def _add(env, path: Path) -> int:
    from history_support import add_item

    return add_item(env.db, path, artist="Band", title=path.stem, duration=1.0)
