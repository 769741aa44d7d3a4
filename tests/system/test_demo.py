"""The demo library: real files built through the real CLI, their tags, the scan, and the persona's history."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pytest
import soundfile

from tuneup.demo import build_catalog, default_persona, generate_history
from tuneup.demo.genres import STYLE_BY_NAME
from tuneup.demo.synth import render
from tuneup.store import open_db

SMALL = 20  # ten genres, every format, an untagged album and a loose file


def _tuneup(home: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, TUNEUP_HOME=str(home))
    proc = subprocess.run(
        [sys.executable, "-m", "tuneup", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=240,
    )
    assert proc.returncode == 0, proc.stderr
    return proc


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A small demo built twice through the CLI; returns (home, first summary, second summary, db snapshot)."""
    home = tmp_path_factory.mktemp("demo-home")
    first = json.loads(_tuneup(home, "demo", "--tracks", str(SMALL), "--no-tui", "--json").stdout)
    demo = Path(first["dir"])
    mtimes = {p: p.stat().st_mtime_ns for p in demo.rglob("*") if p.is_file()}
    db = open_db(home / "data" / "tuneup.db")
    before = {
        t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
        for t in ("items", "listens", "feedback")
    }
    db.conn.close()
    second = json.loads(_tuneup(home, "demo", "--tracks", str(SMALL), "--no-tui", "--json").stdout)
    return {
        "home": home,
        "first": first,
        "second": second,
        "mtimes": mtimes,
        "counts": before,
        "catalog": build_catalog(1, SMALL),
        "demo": demo,
    }


@pytest.fixture
def demo_db(built):
    conn = open_db(built["home"] / "data" / "tuneup.db")
    yield conn
    conn.conn.close()


def test_every_planned_file_exists_and_decodes(built):
    catalog, demo = built["catalog"], built["demo"]
    assert {t.format for t in catalog.tracks} == {"flac", "mp3", "ogg", "opus"}
    for track in catalog.tracks:
        path = demo / track.relpath
        info = soundfile.info(str(path))
        assert abs(info.duration - track.seconds) < 0.2, path
        data, rate = soundfile.read(str(path), dtype="float32")
        assert rate == info.samplerate and np.abs(data).max() > 0.01, f"{path} is silent"


def test_tags_as_planned_and_untagged_files_really_untagged(built):
    import mutagen

    catalog, demo = built["catalog"], built["demo"]
    untagged = [t for t in catalog.tracks if not t.tagged]
    assert untagged and any("/" not in t.relpath for t in untagged), (
        "an untagged album and a loose file"
    )
    for track in catalog.tracks:
        audio = mutagen.File(demo / track.relpath, easy=True)
        tags = audio.tags if audio is not None else None
        if not track.tagged:
            assert not tags or "title" not in tags, track.relpath
            continue
        assert tags["title"] == [track.title] and tags["artist"] == [track.artist]
        assert tags["album"] == [track.album] and tags["date"] == [track.date]
        assert tags["genre"] == list(track.genre_tag)


def test_scan_reads_the_demo_tags_and_guesses_untagged_from_the_path(built, demo_db):
    catalog, demo = built["catalog"], built["demo"]
    assert built["first"]["scan"]["added"] == SMALL and not built["first"]["scan"]["errors"]
    rows = {
        os.fsdecode(r[0]): r[1:]
        for r in demo_db.execute(
            "SELECT path_raw, title, artist, album, genres, guessed, tracknumber FROM items"
        )
    }
    assert len(rows) == SMALL
    for track in catalog.tracks:
        title, artist, album, genres, guessed, number = rows[str(demo / track.relpath)]
        assert (title, artist) == (track.title, track.artist)
        if track.tagged:
            assert album == track.album and guessed is None
            assert set(json.loads(genres)) == set(track.genres)
        else:
            assert "artist" in json.loads(guessed)
            assert album == track.album and number == track.tracknumber


def test_history_is_plausible(built, demo_db):
    catalog = built["catalog"]
    taste = default_persona(catalog, 1)
    rows = demo_db.execute(
        "SELECT l.started_at, l.ms_played, l.duration_ms, l.end_reason, l.skipped, l.source, l.dedup_key, "
        "i.path_raw FROM listens l JOIN items i ON i.id = l.item_id"
    ).fetchall()
    total = demo_db.execute("SELECT count(*) FROM listens").fetchone()[0]
    assert len(rows) == total > 300, "every demo listen points at a scanned item"
    demo = str(built["demo"]) + os.sep
    by_track = {t.relpath: t for t in catalog.tracks}
    starts = []
    plays: Counter = Counter()
    for started, ms, duration, reason, skipped, source, key, raw in rows:
        track = by_track[os.fsdecode(raw)[len(demo) :]]
        moment = datetime.fromisoformat(started)
        assert moment.utcoffset() == timedelta(0) and source == "demo" and key.startswith("demo:")
        assert duration == track.duration_ms
        if reason == "finished":
            assert ms == duration and not skipped
        elif reason == "skipped":
            assert skipped and 1000 <= ms < 30_000 and ms < duration
        else:
            assert reason == "stopped" and not skipped and 30_000 <= ms < duration
        starts.append(moment)
        plays[(track.artist, reason)] += 1
    span = max(starts) - min(starts)
    assert timedelta(weeks=6) < span <= timedelta(weeks=7)
    hours = Counter(m.astimezone().hour for m in starts)
    assert sum(hours[h] for h in range(1, 6)) == 0, "nobody's listening at 3 am"
    weekday_morning = sum(
        1 for m in starts if m.astimezone().weekday() < 5 and 7 <= m.astimezone().hour < 9
    )
    weekend_afternoon = sum(
        1 for m in starts if m.astimezone().weekday() >= 5 and 13 <= m.astimezone().hour < 18
    )
    assert weekday_morning > 0.1 * len(starts) and weekend_afternoon > 0.1 * len(starts)
    fav = taste.favourite_artists
    fav_finished = sum(plays[(a, "finished")] for a in fav) / len(fav)
    others = [a for a in catalog.artists if a not in fav]
    other_finished = sum(plays[(a, "finished")] for a in others) / len(others)
    assert fav_finished > 3 * other_finished
    worst = min(catalog.genres, key=taste.genre_weights.get)
    worst_artists = [a for a, g in catalog.artist_genre.items() if g == worst]
    worst_skips = sum(plays[(a, "skipped")] for a in worst_artists)
    assert worst_skips > sum(plays[(a, "finished")] for a in worst_artists)


def test_feedback_likes_and_bans_and_banned_not_played_again(built, demo_db):
    kinds = Counter(
        k for (k,) in demo_db.execute("SELECT kind FROM feedback WHERE source = 'demo'")
    )
    assert kinds["like"] >= 3 and 1 <= kinds["ban"] <= 2
    for item_id, banned_at in demo_db.execute(
        "SELECT item_id, created_at FROM feedback WHERE kind = 'ban'"
    ):
        later = demo_db.execute(
            "SELECT count(*) FROM listens WHERE item_id = ? AND started_at > ?",
            [item_id, banned_at],
        ).fetchone()[0]
        assert later == 0


def test_second_run_adds_nothing(built, demo_db):
    second = built["second"]
    assert (second["files"]["written"], second["files"]["existing"]) == (0, SMALL)
    assert second["scan"]["unchanged"] == SMALL and second["scan"]["added"] == 0
    assert (
        second["history"]["listens"] == 0
        and second["history"]["kept"] == built["counts"]["listens"]
    )
    counts = {
        t: demo_db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
        for t in ("items", "listens", "feedback")
    }
    assert counts == built["counts"]
    for path, mtime in built["mtimes"].items():
        assert path.stat().st_mtime_ns == mtime, f"{path} was rewritten"


def test_full_size_catalog_meets_the_brief_and_is_deterministic():
    catalog = build_catalog(1)
    counts = catalog.counts()
    assert (
        counts["tracks"] >= 300
        and counts["genres"] >= 8
        and counts["artists"] >= 40
        and counts["albums"] >= 60
    )
    assert 0.05 < counts["untagged"] / counts["tracks"] < 0.3
    assert all(counts["formats"][f] > 10 for f in ("flac", "mp3", "ogg", "opus"))
    tagged = [t for t in catalog.tracks if t.tagged]
    assert any(len(t.genre_tag) > 1 for t in tagged) and any(t.composer for t in tagged)
    assert (
        any(t.bpm_tagged for t in tagged)
        and any(t.key_tagged for t in tagged)
        and any(t.mbids for t in tagged)
    )
    assert any(t.disctotal > 1 for t in tagged) and any(t.compilation for t in tagged)
    assert len({t.relpath for t in catalog.tracks}) == len(catalog.tracks)
    assert [t.relpath for t in build_catalog(1).tracks] == [t.relpath for t in catalog.tracks]
    assert [t.relpath for t in build_catalog(2).tracks] != [t.relpath for t in catalog.tracks]


def test_history_is_deterministic_given_seed_and_end():
    catalog = build_catalog(3, 60)
    taste = default_persona(catalog, 3)
    end = datetime(2026, 3, 1, 20, 0, tzinfo=timezone.utc)
    a = generate_history(catalog, taste, seed=3, end=end)
    b = generate_history(catalog, taste, seed=3, end=end)
    assert a == b and all(listen.started_at < end for listen in a.listens)


def _tempo(x: np.ndarray, sr: int) -> float:
    """Tempo from the autocorrelation of spectral flux (a plain estimate, half/double time allowed)."""
    hop, n = 256, 1024
    frames = np.lib.stride_tricks.sliding_window_view(x, n)[::hop] * np.hanning(n)
    flux = np.maximum(0, np.diff(np.log1p(np.abs(np.fft.rfft(frames, axis=1))), axis=0)).sum(axis=1)
    flux -= flux.mean()
    ac = np.correlate(flux, flux, "full")[len(flux) - 1 :]
    fps = sr / hop
    lags = np.arange(int(fps * 60 / 200), int(fps * 60 / 55))
    return 60 * fps / lags[np.argmax(ac[lags])]


def _centroid(x: np.ndarray, sr: int) -> float:
    spectrum = np.abs(np.fft.rfft(x))
    return float((spectrum * np.fft.rfftfreq(len(x), 1 / sr)).sum() / spectrum.sum())


def test_genres_sound_different_in_tempo_and_brightness():
    catalog = build_catalog(1, 40)
    per_genre = {}
    for genre in ("Ambient", "Techno", "Folk", "Metal"):
        track = next(t for t in catalog.tracks if t.style == genre)
        x = render(track.synth)
        tempo = _tempo(x, track.synth.sample_rate)
        ratios = [tempo / track.bpm * k for k in (0.5, 1, 2, 2 / 3, 1.5)]
        assert min(abs(r - 1) for r in ratios) < 0.04, (genre, tempo, track.bpm)
        lo, hi = STYLE_BY_NAME[genre].bpm
        assert lo <= track.bpm <= hi
        per_genre[genre] = _centroid(x, track.synth.sample_rate)
    assert per_genre["Ambient"] < per_genre["Folk"] < per_genre["Techno"]
    assert per_genre["Ambient"] < 0.5 * per_genre["Metal"]


def test_cancelled_build_stops_early_and_writes_no_history(env):
    import threading

    from tuneup.demo import build_demo

    cancel = threading.Event()
    seen = []

    def progress(done, total, info=""):
        seen.append(info)
        if info.startswith("files: ") and done >= 1:
            cancel.set()

    summary = build_demo(
        env.db,
        env.paths.demo_dir,
        profile_id=env.profile_id,
        tracks=12,
        workers=1,
        progress=progress,
        cancel=cancel,
    )
    assert summary["cancelled"] and summary["files"]["written"] == 1
    assert "scan" not in summary and "history" not in summary
    assert env.db.execute("SELECT count(*) FROM listens").fetchone()[0] == 0
    assert not list(env.paths.demo_dir.rglob("*.part")), "no half-written file left behind"


def test_the_demo_is_analysed_so_similar_works(built, tuneup_cmd, demo_db):
    """The demo skipped audio analysis, so its taste map was empty and `similar` failed (issue 17)."""
    assert (
        built["first"]["analysis"]["analysed"] >= SMALL - 2
    )  # a loose or silent file may lack them
    assert built["second"]["analysis"]["analysed"] == 0  # only tracks without features, once
    ok = demo_db.execute("SELECT count(*) FROM features WHERE status = 'ok'").fetchone()[0]
    assert ok >= SMALL - 2
    item = demo_db.execute("SELECT item_id FROM features WHERE status = 'ok' LIMIT 1").fetchone()[0]
    near = _tuneup(built["home"], "similar", str(item), "--all", "--json")
    assert json.loads(near.stdout)["similar"]


def test_demo_package_imports_no_ui_module():
    code = (
        "import importlib, pkgutil, sys, tuneup.demo\n"
        "for info in pkgutil.walk_packages(tuneup.demo.__path__, 'tuneup.demo.'):\n"
        "    importlib.import_module(info.name)\n"
        "print(','.join(sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'typer', 'rich'))))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == "", f"tuneup.demo imported UI modules: {out}"
