"""The analysis batch over a real scanned library: storing, resuming, versions, tags, similar, CLI."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
import signals

from tuneup.library.scan.scanner import scan
from tuneup.library.sound import features
from tuneup.library.sound.analyze import (
    analyze,
    feature_status,
    load_feature_matrix,
    pending_tasks,
    tag_agreement,
)
from tuneup.library.sound.similar import nearest
from tuneup.store.db import write
from tuneup.store.items import add_item
from tuneup.store.resolve import resolve


def _library(folder):
    folder.mkdir(parents=True, exist_ok=True)
    sr = 44100
    for bpm in (90, 120, 150):
        signals.write(folder / f"drums{bpm}.ogg", signals.drum_pattern(bpm, 12.0, sr, seed=bpm), sr)
    for tonic, mode in ((0, "major"), (9, "minor"), (7, "major")):
        name = f"chords{tonic}{mode}.flac"
        signals.write(folder / name, signals.chord_progression(tonic, mode, "piano", 10.0, sr), sr)
    signals.silent(folder / "silence.flac")
    signals.corrupt(folder / "broken.mp3")
    return folder


def _tag(path, **tags):
    import mutagen

    audio = mutagen.File(path)
    for key, value in tags.items():
        audio[key] = [str(value)]
    audio.save()


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    return _library(tmp_path_factory.mktemp("generated") / "music")


@pytest.fixture
def library(env, tmp_path, generated):
    import shutil

    folder = tmp_path / "music"
    shutil.copytree(generated, folder)
    _tag(folder / "drums120.ogg", bpm=120, artist="Drummer", title="Straight Ahead")
    _tag(folder / "drums90.ogg", bpm=180)  # double-time tag: an octave apart
    _tag(folder / "chords9minor.flac", initialkey="Am", replaygain_track_gain="-4.0 dB")
    _tag(folder / "chords0major.flac", initialkey="8B", artist="Keys", title="In C")
    scan(env.db, [str(folder)], workers=1)
    _insert_item(
        env.db, folder / "broken.mp3"
    )  # the scanner refuses it; say it went bad after a scan
    return folder


def _insert_item(db, path) -> None:
    st = path.stat()
    add_item(db, str(path), format="mp3", size=st.st_size, mtime_ns=st.st_mtime_ns)


def _id(db, path) -> int:
    return db.execute(
        "SELECT id FROM items WHERE path_raw = ?", [os.fsencode(str(path))]
    ).fetchone()[0]


def test_batch_stores_features_and_reasons(env, library):
    db = env.db
    summary = analyze(db, workers=1)
    assert (summary.analysed, summary.ok, summary.no_signal) == (8, 6, 2)
    rows = dict(db.execute("SELECT item_id, status FROM features").fetchall())
    assert rows[_id(db, library / "silence.flac")] == "no_signal"
    assert rows[_id(db, library / "broken.mp3")] == "no_signal"
    reason = db.execute(
        "SELECT reason FROM features WHERE item_id = ?", [_id(db, library / "broken.mp3")]
    ).fetchone()
    assert reason[0]
    data = json.loads(
        db.execute(
            "SELECT data FROM features WHERE item_id = ?", [_id(db, library / "drums120.ogg")]
        ).fetchone()[0]
    )
    assert data["tempo_bpm"] == pytest.approx(120, rel=0.02)
    assert pending_tasks(db) == []
    assert analyze(db, workers=1).analysed == 0  # nothing left to do
    status = feature_status(db)
    assert (status["ok"], status["no_signal"], status["pending"]) == (6, 2, 0)


def test_older_versions_are_analysed_again(env, library):
    db = env.db
    analyze(db, workers=1, limit=3)
    assert len(pending_tasks(db)) == 5
    analyze(db, workers=1)
    with write(db):
        db.execute(
            "UPDATE features SET version = ? WHERE item_id = ?",
            [features.FEATURE_VERSION - 1, _id(db, library / "drums90.ogg")],
        )
    assert [t.item_id for t in pending_tasks(db)] == [_id(db, library / "drums90.ogg")]
    assert analyze(db, workers=1).analysed == 1


def test_worker_pool_gives_the_same_features(env, library):
    db = env.db
    summary = analyze(db, workers=2)
    assert summary.analysed == 8 and summary.ok == 6
    pooled = dict(db.execute("SELECT item_id, data FROM features WHERE status = 'ok'").fetchall())
    with write(db):
        db.execute("DELETE FROM features")
    analyze(db, workers=1)
    single = dict(db.execute("SELECT item_id, data FROM features WHERE status = 'ok'").fetchall())
    assert {k: json.loads(v) for k, v in pooled.items()} == {
        k: json.loads(v) for k, v in single.items()
    }


def test_cancel_stops_between_tracks_and_keeps_what_finished(env, library):
    db = env.db
    seen = []

    def progress(done, total, info=""):
        seen.append(done)

    summary = analyze(db, workers=1, progress=progress, cancel=lambda: len(seen) > 3)
    assert summary.cancelled and summary.analysed == 3
    assert db.execute("SELECT count(*) FROM features").fetchone()[0] == 3
    assert analyze(db, workers=1).analysed == 5


def test_feature_matrix_and_similar_by_sound(env, library):
    db = env.db
    analyze(db, workers=1)
    ids, matrix, names = load_feature_matrix(db)
    assert matrix.shape == (6, len(names)) and matrix.dtype == np.float32
    assert names == list(features.VECTOR_NAMES)
    drums = _id(db, library / "drums120.ogg")
    near = nearest(db, drums, k=5)
    assert len(near) == 5 and drums not in [r["item_id"] for r in near]
    assert [r["distance"] for r in near] == sorted(r["distance"] for r in near)
    assert near[0]["path"].endswith(".ogg")  # another drum track, not the chords
    assert resolve(db, str(drums)).id == drums
    assert resolve(db, str(library / "drums120.ogg")).id == drums
    assert resolve(db, "drummer - straight ahead").id == drums
    from tuneup.errors import NotFoundError

    with pytest.raises(NotFoundError, match="no signal features"):
        nearest(db, _id(db, library / "silence.flac"))
    with pytest.raises(NotFoundError):
        resolve(db, "Nobody - Nothing")


def test_tags_are_compared_with_measured_values(env, library):
    analyze(env.db, workers=1)
    agreement = tag_agreement(env.db)
    assert agreement["bpm"] == {"compared": 2, "agree": 1, "octave": 1, "disagree": 0}
    assert agreement["key"]["compared"] == 2 and agreement["key"]["agree"] == 2
    assert agreement["replaygain"]["compared"] == 1


def test_cli_analyze_and_similar(home, library, tuneup_cmd, env):
    proc = tuneup_cmd("analyze", "--json", "--workers", "2")
    out = json.loads(proc.stdout)
    assert out["analysed"] == 8 and out["ok"] == 6 and out["tags"]["bpm"]["compared"] == 2
    assert "tracks_per_s" in out and "audio_hours_per_s" in out
    listed = json.loads(tuneup_cmd("similar", "Keys - In C", "--json", "-k", "3").stdout)
    assert len(listed["similar"]) == 3
    text = tuneup_cmd("similar", str(library / "drums120.ogg"), "-k", "2").stdout
    assert len(text.strip().splitlines()) == 2
    listed = {i["path"]: i for i in json.loads(tuneup_cmd("ls", "--json").stdout)}
    drums = listed[str(library / "drums120.ogg")]
    assert drums["features"]["tempo_bpm"] == pytest.approx(120, rel=0.02)
    assert drums["feature_version"] == features.FEATURE_VERSION
    missing = tuneup_cmd("similar", "no such thing", check=False)
    assert missing.returncode == 1 and "tuneup: error:" in missing.stderr


def test_killed_batch_keeps_finished_results_and_resumes(home, env, tmp_path):
    folder = tmp_path / "many"
    folder.mkdir()
    sr = 44100
    drums, n = signals.drum_pattern(100, 30.0, sr, seed=1), 16
    for i in range(n):
        signals.write(folder / f"t{i:02d}.flac", np.roll(drums, i * 1000), sr)
    scan(env.db, [str(folder)], workers=1)
    proc = subprocess.Popen(
        [sys.executable, "-m", "tuneup", "analyze", "--workers", "1", "-q"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        done = 0
        while done < 2 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.01)
            done = env.db.execute("SELECT count(*) FROM features").fetchone()[0]
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait()
    kept = env.db.execute(
        "SELECT count(*) FROM features WHERE status = 'ok' AND data IS NOT NULL"
    ).fetchone()[0]
    assert 2 <= kept < n, "the batch should have been killed part way"
    summary = analyze(env.db, workers=1)
    assert summary.analysed == n - kept
    assert env.db.execute("SELECT count(*) FROM features WHERE status = 'ok'").fetchone()[0] == n


def crash_on_odd_items(task):
    """A worker function whose process dies on odd item ids (as a decoder segfault would)."""
    from tuneup.library.sound.analyze import Result

    if task.item_id % 2:
        os._exit(1)
    return Result(task.item_id, "ok", None, {"n": task.item_id}, b"", 1.0, 1.0)


def test_a_dying_worker_costs_only_its_own_file():
    from tuneup.library.sound.analyze import Task, _run_pool

    results = []
    tasks = [Task(i, b"/nowhere", None) for i in range(1, 9)]
    _run_pool(tasks, 2, results.append, lambda: False, work=crash_on_odd_items)
    by_id = {r.item_id: r for r in results}
    assert sorted(by_id) == list(range(1, 9))
    assert all(by_id[i].status == "ok" for i in (2, 4, 6, 8))
    assert all("crashed" in by_id[i].reason for i in (1, 3, 5, 7))


def test_a_file_whose_audio_changed_is_analysed_again(env, library):
    analyze(env.db, workers=1)
    target = library / "drums90.ogg"
    item = _id(env.db, target)
    before = env.db.execute("SELECT data FROM features WHERE item_id = ?", [item]).fetchone()[0]
    assert json.loads(before)["tempo_bpm"] == pytest.approx(90, rel=0.03)
    sr = 44100
    signals.write(
        target, signals.drum_pattern(150, 12.0, sr, seed=5), sr
    )  # re-encoded with other audio
    scan(env.db, [str(library)], workers=1)
    assert _id(env.db, target) == item
    assert [t.item_id for t in pending_tasks(env.db)] == [item]  # only the changed file
    analyze(env.db, workers=1)
    after = env.db.execute("SELECT data FROM features WHERE item_id = ?", [item]).fetchone()[0]
    assert json.loads(after)["tempo_bpm"] == pytest.approx(150, rel=0.03)
    scan(env.db, [str(library)], workers=1)  # unchanged now: nothing to analyse
    assert pending_tasks(env.db) == []


def test_failed_tracks_are_tried_again_on_request_and_everything_from_the_app(env, library):
    from tuneup.tui import jobs

    analyze(env.db, workers=1)
    failed = {
        t for (t,) in env.db.execute("SELECT item_id FROM features WHERE status = 'no_signal'")
    }
    assert failed and pending_tasks(env.db) == []
    assert {t.item_id for t in pending_tasks(env.db, retry_failed=True)} == failed
    retried = analyze(env.db, workers=1, retry_failed=True)
    assert retried.analysed == len(failed)
    everything = jobs.reanalyse(
        env.db, lambda *a: None, lambda: False
    )  # Settings' "Re-analyse audio"
    tracks = env.db.execute(
        "SELECT count(*) FROM items WHERE kind = 'track' AND status = 'present'"
    ).fetchone()[0]
    assert everything.analysed == tracks
