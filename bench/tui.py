"""TUI speed at 100,000 items: first paint from process start, search keystrokes, keys during a scan, memory.

    python bench/tui.py [--items 100000] [--scan-files 3000]
    python bench/tui.py --only stall [--runs 3]     # part 3 alone, with an idle-app baseline per run
    python bench/tui.py --only open --items 500     # start to Home rows, each tab, quit; then reopen

1. A real `tuneup` process in tmux (120x40): time from spawn until the first screen is painted (tabs and
   the now-playing bar on the screen), until the Home rows are painted, and until the Library tab shows
   all items; the process tree's peak RSS.
   Then each search keystroke typed in that terminal, timed until the new count is on the screen.
2. In-process (Pilot, headless): the same keystrokes through Pilot (includes Pilot's own idle waits) and the
   in-memory filter time per key; RSS with the Library loaded.
3. In-process: the UI loop's stalls and tab switches while a scan of ``--scan-files`` real audio files
   runs as a job (a child process), and the same measure for the idle app over the same time (the
   baseline: what the machine's load alone costs). Each run prints the load average beside it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

GENRES = [f"genre {g}" for g in range(40)]


def make_library(home: Path, n: int, listens: int = 100_000, seed: int = 7) -> None:
    from tuneup.paths import get_paths
    from tuneup.store import open_db, write

    rng = random.Random(seed)
    paths = get_paths(home).ensure()
    db = open_db(paths.db_file)
    stamp = "2026-01-01T00:00:00+00:00"
    rows = []
    for i in range(n):
        artist = f"Artist {rng.randrange(5000):04d}"
        path = f"/music/{artist}/Album {i // 12}/{i:06d}.ogg"
        rows.append(
            (
                os.fsencode(path),
                path,
                "track",
                1000,
                1,
                stamp,
                stamp,
                f"Song {i} {rng.choice('abcdefgh')}",
                artist,
                f"Album {i // 12}",
                json.dumps([rng.choice(GENRES)]),
                120.0 + i % 200,
            )
        )
    with write(db):
        db.conn.executemany(
            "INSERT INTO items (path_raw, path, kind, size, mtime_ns, added_at, updated_at, title, artist, album, "
            "genres, duration) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        db.conn.executemany(
            "INSERT INTO listens (item_id, profile_id, started_at, ms_played, duration_ms, end_reason, skipped, "
            "source) VALUES (?, 1, ?, 180000, 180000, 'finished', 0, 'bench')",
            (
                (
                    rng.randrange(1, n + 1),
                    f"2026-{rng.randrange(1, 12):02d}-{rng.randrange(1, 28):02d}T12:00:00+00:00",
                )
                for _ in range(listens)
            ),
        )
    db.conn.close()


def tree_rss(pid: int) -> int:
    import psutil

    try:
        proc = psutil.Process(pid)
        return sum(p.memory_info().rss for p in [proc, *proc.children(recursive=True)])
    except psutil.NoSuchProcess:
        return 0


def real_terminal(home: Path, n: int) -> dict:
    """Spawn `tuneup` in tmux and poll the screen every 5 ms."""
    sock = f"tuneup-bench-{uuid.uuid4().hex[:6]}"
    tmux = ["tmux", "-L", sock]
    cmd = f"TUNEUP_HOME={shlex.quote(str(home))} exec {shlex.quote(sys.executable)} -m tuneup"
    env = {k: v for k, v in os.environ.items() if k != "TMUX"}
    env["TERM"] = "xterm-256color"
    started = time.perf_counter()
    subprocess.run(
        [*tmux, "new-session", "-d", "-s", "b", "-x", "120", "-y", "40", cmd], check=True, env=env
    )
    pid = int(
        subprocess.run(
            [*tmux, "display", "-p", "-t", "b", "#{pane_pid}"], capture_output=True, text=True
        ).stdout.strip()
    )
    peak = 0
    out: dict = {}

    def wait(text: str, key: str, timeout: float = 300.0) -> None:
        nonlocal peak
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            screen = subprocess.run(
                [*tmux, "capture-pane", "-p", "-t", "b"], capture_output=True, text=True
            ).stdout
            peak = max(peak, tree_rss(pid))
            if text in screen:
                out[key] = time.perf_counter() - started
                return
            time.sleep(0.005)
        out[key] = None

    try:
        wait("Nothing playing", "first_paint_s")
        wait("╭", "home_rows_s")
        mark = time.perf_counter()
        subprocess.run([*tmux, "send-keys", "-t", "b", "2"])
        wait(f"{n:,} of {n:,} items", "library_all_s")
        out["library_after_key_s"] = (out["library_all_s"] or 0) - (mark - started)
        time.sleep(1.0)
        out["search_key_ms"] = terminal_search(tmux, home, n)
        peak = max(peak, tree_rss(pid))
        out["peak_rss_mb"] = peak / 2**20
    finally:
        subprocess.run([*tmux, "kill-server"], capture_output=True)
    return out


def proc_cpu(pid: int) -> float | None:
    """User + system CPU seconds of process ``pid`` and its children that have ended, from /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    ticks = sum(int(f) for f in fields[11:15])  # utime, stime, cutime, cstime
    return ticks / os.sysconf("SC_CLK_TCK")


def open_switch_quit(home: Path, n: int) -> dict:
    """A real `tuneup` in tmux: start until Home's rows are painted, each tab key until that tab's own
    text is on the screen, then q until the process has gone. Polls the screen every 5 ms."""
    sock = f"tuneup-bench-{uuid.uuid4().hex[:6]}"
    tmux = ["tmux", "-L", sock]
    cmd = f"TUNEUP_HOME={shlex.quote(str(home))} exec {shlex.quote(sys.executable)} -m tuneup"
    env = {k: v for k, v in os.environ.items() if k != "TMUX"}
    env["TERM"] = "xterm-256color"
    out: dict = {}

    def screen() -> str:
        return subprocess.run(
            [*tmux, "capture-pane", "-p", "-t", "b"], capture_output=True, text=True
        ).stdout

    def wait(text: str, since: float, timeout: float = 120.0) -> float | None:
        while time.perf_counter() - since < timeout:
            if text in screen():
                return time.perf_counter() - since
            time.sleep(0.005)
        return None

    started = time.perf_counter()
    subprocess.run(
        [*tmux, "new-session", "-d", "-s", "b", "-x", "120", "-y", "40", cmd], check=True, env=env
    )
    pid = int(
        subprocess.run(
            [*tmux, "display", "-p", "-t", "b", "#{pane_pid}"], capture_output=True, text=True
        ).stdout.strip()
    )
    try:
        out["home_rows_s"] = wait("╭", started)
        out["home_rows_cpu_s"] = proc_cpu(pid)  # the load stretches wall time, barely CPU time
        time.sleep(1.0)
        for key, text in (("4", "Library folders"), ("3", "plays"), ("2", f"of {n:,} items")):
            for _ in range(2):  # the first visit mounts and loads, the second only switches
                subprocess.run([*tmux, "send-keys", "-t", "b", "1"])
                wait("╭", time.perf_counter())
                time.sleep(0.5)
                t = time.perf_counter()
                subprocess.run([*tmux, "send-keys", "-t", "b", key])
                out.setdefault(f"tab_{key}_s", []).append(wait(text, t))
                time.sleep(0.5)
        t = time.perf_counter()
        subprocess.run([*tmux, "send-keys", "-t", "b", "q"])
        while time.perf_counter() - t < 60:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.005)
        out["quit_s"] = time.perf_counter() - t
    finally:
        subprocess.run([*tmux, "kill-server"], capture_output=True)
    return out


def terminal_search(tmux: list[str], home: Path, n: int, query: str = "12345") -> list[float]:
    """Type ``query`` into the Library search, one key at a time, and time each until the new count shows."""
    from tuneup.paths import get_paths
    from tuneup.store import open_db
    from tuneup.tui.library_index import Filters, LibraryIndex

    db = open_db(get_paths(home).db_file)
    index = LibraryIndex.load(db, 1)
    db.conn.close()
    subprocess.run([*tmux, "send-keys", "-t", "b", "/"])
    time.sleep(0.5)
    typed, times = "", []
    for key in [*query, *["BSpace"] * (len(query) - 1)]:
        before = len(index.select(Filters(query=typed)))
        typed = typed[:-1] if key == "BSpace" else typed + key
        count = len(index.select(Filters(query=typed)))
        expect = f"{count:,} of {n:,} items"
        if count == before:  # the screen would not change: nothing to time
            subprocess.run([*tmux, "send-keys", "-t", "b", key])
            time.sleep(0.3)
            continue
        t = time.perf_counter()
        subprocess.run([*tmux, "send-keys", "-t", "b", key])
        while (
            expect
            not in subprocess.run(
                [*tmux, "capture-pane", "-p", "-t", "b"], capture_output=True, text=True
            ).stdout
        ):
            if time.perf_counter() - t > 10:
                break
        times.append(round((time.perf_counter() - t) * 1000, 1))
    return times


async def search_keys(home: Path, query: str) -> dict:
    import psutil

    from tuneup.env import Env
    from tuneup.paths import get_paths
    from tuneup.tui.app import create_app
    from tuneup.tui.home_rows import fallback_rows
    from tuneup.tui.widgets.library_pane import LibraryPane

    env = Env(paths=get_paths(home))
    app = create_app(
        env, onboarding=False, rows_loader=lambda db, c, p, pid: fallback_rows(db, p, pid)
    )
    times, filters = [], []
    async with app.run_test(size=(120, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.press("2")
        pane = app.screen.query_one(LibraryPane)
        while pane.index is None or not len(pane.index):
            await pilot.pause(0.05)
        await pilot.press("slash")
        for ch in query:
            t = time.perf_counter()
            await pilot.press(ch)
            await pilot.pause(0)
            times.append((time.perf_counter() - t) * 1000)
            filters.append(pane.last_filter_ms)
        for _ in query:
            t = time.perf_counter()
            await pilot.press("backspace")
            await pilot.pause(0)
            times.append((time.perf_counter() - t) * 1000)
            filters.append(pane.last_filter_ms)
        rss = psutil.Process().memory_info().rss / 2**20
    env.close()
    return {
        "key_ms_median": statistics.median(times),
        "key_ms_max": max(times),
        "filter_ms_median": statistics.median(filters),
        "filter_ms_max": max(filters),
        "rss_mb": rss,
        "keys": len(times),
    }


def make_audio_tree(root: Path, files: int) -> None:
    import numpy as np
    import soundfile
    from mutagen.oggvorbis import OggVorbis

    root.mkdir(parents=True, exist_ok=True)
    template = root / "template.ogg"
    t = np.arange(44100 * 5) / 44100
    soundfile.write(
        template,
        (0.1 * np.sin(2 * np.pi * 330 * t)).astype("float32"),
        44100,
        format="OGG",
        subtype="VORBIS",
    )
    for i in range(files):
        folder = root / f"artist{i % 50}"
        folder.mkdir(exist_ok=True)
        path = folder / f"{i:05d}.ogg"
        shutil.copyfile(template, path)
        tags = OggVorbis(path)
        tags.update({"title": [f"t{i}"], "artist": [f"artist{i % 50}"], "genre": [GENRES[i % 40]]})
        tags.save()
    template.unlink()


def _stats(values: list[float], prefix: str) -> dict:
    ms = sorted(values)
    if not ms:
        return {f"{prefix}_n": 0}
    return {
        f"{prefix}_n": len(ms),
        f"{prefix}_p50": round(statistics.median(ms), 1),
        f"{prefix}_p95": round(ms[int(len(ms) * 0.95)], 1),
        f"{prefix}_max": round(ms[-1], 1),
    }


async def _measure_loop(
    home: Path, start, done, period: float = 0.01, key_every: float = 0.25
) -> dict:
    """While ``start(app)``'s work runs until ``done(app)``: the UI loop's stalls and key answer times.

    Stall: how late a ``period`` timer fires (its gap less the period). Key: a tab switch every
    ``key_every`` s (0: none), timed from the action until the screen has been refreshed with the new tab.
    A tab switch repaints the whole screen, so its own cost shows in the stalls too: compare with the idle run.
    """
    from tuneup.env import Env
    from tuneup.paths import get_paths
    from tuneup.tui.app import create_app
    from tuneup.tui.home_rows import fallback_rows

    env = Env(paths=get_paths(home))
    app = create_app(
        env, onboarding=False, rows_loader=lambda db, c, p, pid: fallback_rows(db, p, pid)
    )
    gaps, keys = [], []
    tabs = ["library", "stats", "settings", "home"]
    async with app.run_test(size=(120, 40)) as pilot:
        for tab in tabs:  # warm up: each tab composes and loads its data once
            await app.run_action(f"show_tab('{tab}')")
            await pilot.pause(0.3)
        await app.workers.wait_for_complete()
        await pilot.pause(0.5)
        last = [time.perf_counter()]

        def tick() -> None:
            now = time.perf_counter()
            gaps.append(((now - last[0] - period) * 1000, now))
            last[0] = now

        app.set_interval(period, tick)
        started = time.perf_counter()
        start(app)
        k = 0
        while not done(app):
            if not key_every:  # no keys: only the timer, the loop's own stalls
                await asyncio.sleep(0.05)
                continue
            t = time.perf_counter()
            refreshed = asyncio.get_running_loop().create_future()
            await app.run_action(f"show_tab('{tabs[k % 4]}')")
            app.call_after_refresh(lambda: refreshed.done() or refreshed.set_result(None))
            await refreshed
            keys.append((time.perf_counter() - t) * 1000)
            k += 1
            await asyncio.sleep(key_every)
        ended = time.perf_counter()
        out = {
            "seconds": round(ended - started, 2),
            "items": env.db.execute("SELECT count(*) FROM items").fetchone()[0],
        }
        await (
            app.workers.wait_for_complete()
        )  # the reloads the scan's end started, before the app closes
        await pilot.pause(0.2)
    env.close()
    after = [ms for ms, at in gaps if at > ended]  # the views reloading once the job is done
    gaps = [(ms, at) for ms, at in gaps if at <= ended]
    worst = sorted(gaps, reverse=True)[
        :3
    ]  # when they happened: the job's start, its end, or in between
    out["worst_stalls_at_s"] = [[round(at - started, 2), round(ms)] for ms, at in worst]
    out["after_end_stall_ms_max"] = round(max(after), 1) if after else None
    return {**out, **_stats([max(0.0, g) for g, _ in gaps], "stall_ms"), **_stats(keys, "key_ms")}


async def keys_during_scan(
    home: Path, music: Path, in_thread: bool = False, key_every: float = 0.25
) -> dict:
    """While a scan runs as a job (a child process; ``in_thread``: in a thread of the app, as before)."""
    from tuneup.tui import jobs

    fn = jobs.scan_paths
    if in_thread:
        fn = lambda db, progress, cancel, paths: jobs.scan_paths(db, progress, cancel, paths)  # noqa: E731

    return await _measure_loop(
        home,
        lambda app: app.start_job("scan", fn, [music]),
        lambda app: "scan" not in app.jobs,
        key_every=key_every,
    )


async def keys_idle(home: Path, seconds: float, key_every: float = 0.25) -> dict:
    """The same measure with nothing running, for ``seconds``: the baseline the machine's load sets."""
    end = [0.0]

    def start(app) -> None:
        end[0] = time.perf_counter() + seconds

    return await _measure_loop(
        home, start, lambda app: time.perf_counter() > end[0], key_every=key_every
    )


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def stall_runs(
    tmp: Path, files: int, runs: int, thread_too: bool = False, key_every: float = 0.25
) -> None:
    """Part 3 alone. Per run: a scan into a fresh store (as a child process and, with ``thread_too``, in a
    thread as before), then the idle app for as long as the scan took; the load average beside each."""
    from tuneup.paths import get_paths
    from tuneup.store import open_db

    music = tmp / "music"
    make_audio_tree(music, files)
    modes = ["process", "thread"] if thread_too else ["process"]
    keys = f"a tab key every {key_every} s" if key_every else "no keys"
    for run in range(runs):
        for mode in modes:
            scan_home = tmp / f"scan-home-{run}-{mode}"
            open_db(get_paths(scan_home).ensure().db_file).conn.close()
            load = load_average()
            during = asyncio.run(keys_during_scan(scan_home, music, mode == "thread", key_every))
            print(
                f"run {run + 1}, {keys}, scan of {files:,} files in a {mode} (load {load}):",
                json.dumps(during),
                flush=True,
            )
        load = load_average()
        idle = asyncio.run(keys_idle(scan_home, during["seconds"], key_every))
        print(
            f"run {run + 1}, {keys}, idle app for {during['seconds']} s (load {load}):",
            json.dumps(idle),
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--scan-files", type=int, default=3000)
    parser.add_argument(
        "--only",
        choices=["all", "stall", "open"],
        default="all",
        help="stall: only the UI-loop stalls during a scan, against the idle app; open: start to "
        "Home rows, each tab key, quit, then the same again (reopening), on --items items",
    )
    parser.add_argument("--runs", type=int, default=2, help="scan-stall runs")
    parser.add_argument(
        "--key-every",
        type=float,
        default=0.25,
        help="seconds between tab keys during the stall runs (0: no keys, only the timer)",
    )
    parser.add_argument(
        "--thread-too",
        action="store_true",
        help="also scan in a thread of the app (the old way), for comparison under the same load",
    )
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores, load average {load_average()}", flush=True)
    if args.only == "open":
        with tempfile.TemporaryDirectory() as tmp:
            home = Path(tmp) / "home"
            make_library(home, args.items, listens=args.items * 5)
            for run in ("first start", "reopening"):
                figures = open_switch_quit(home, args.items)
                print(f"{run} (load {load_average()}):", json.dumps(figures), flush=True)
        return
    if args.only == "stall":
        with tempfile.TemporaryDirectory() as tmp:
            stall_runs(Path(tmp), args.scan_files, args.runs, args.thread_too, args.key_every)
        return
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        t = time.perf_counter()
        make_library(home, args.items)
        print(
            f"library of {args.items:,} items written in {time.perf_counter() - t:.1f} s",
            flush=True,
        )
        terminal = real_terminal(home, args.items)
        print(
            "real terminal, first start (the model is fitted for Home):",
            json.dumps(terminal, indent=1),
            flush=True,
        )
        again = real_terminal(home, args.items)
        print("real terminal, second start (saved model):", json.dumps(again, indent=1), flush=True)
        search = asyncio.run(search_keys(home, "12345"))
        print("search keystrokes:", json.dumps(search, indent=1), flush=True)
        stall_runs(Path(tmp), args.scan_files, args.runs, args.thread_too, args.key_every)


if __name__ == "__main__":
    main()
