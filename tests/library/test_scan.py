"""The scanner on real generated libraries: incremental, moves, missing files, parallel, cancel."""

import json
import os
import shutil
import threading

import pytest
from media import FORMATS, ext_of, make_audio

from tuneup.library.scan import scanner as scan_mod
from tuneup.library.scan.scanner import add_roots, scan
from tuneup.store import profile_id, write
from tuneup.store.db import utcnow


def _library(root, n_artists=2, n_tracks=3, fmt="mp3"):
    paths = []
    for a in range(n_artists):
        for t in range(n_tracks):
            tags = {
                "title": f"Song {a}-{t}",
                "artist": f"Artist {a}",
                "album": f"Album {a}",
                "tracknumber": t + 1,
                "genre": "Rock",
            }
            paths.append(
                make_audio(
                    root / f"Artist {a}" / f"Album {a}",
                    fmt,
                    tags,
                    name=f"{t + 1:02d} x{ext_of(fmt)}",
                )
            )
    return paths


def _items(db, status=None):
    sql = (
        "SELECT id, path, title, status FROM items"
        + (" WHERE status = ?" if status else "")
        + " ORDER BY path"
    )
    return db.execute(sql, [status] if status else []).fetchall()


def test_first_scan_adds_every_format_and_remembers_the_root(env, tmp_path):
    lib = tmp_path / "lib"
    for fmt in FORMATS:
        make_audio(lib / fmt, fmt, {"title": f"T {fmt}", "artist": "A"})
    summary = scan(env.db, [lib])
    assert summary.added == len(FORMATS) and not summary.errors
    rows = env.db.execute(
        "SELECT format, codec, title, kind, size, mtime_ns, fingerprint FROM items"
    ).fetchall()
    assert len(rows) == len(FORMATS)
    assert all(r[3] == "track" and r[4] > 0 and r[5] > 0 and r[6] for r in rows)
    assert {r[2] for r in rows} == {f"T {f}" for f in FORMATS}
    assert env.db.execute("SELECT path FROM roots").fetchall() == [(str(lib),)]
    d = summary.as_dict()
    assert set(d) >= {"added", "updated", "unchanged", "moved", "missing", "errors", "seconds"}


def test_untagged_files_fall_back_to_the_path(env, tmp_path):
    lib = tmp_path / "lib"
    make_audio(lib / "Nina Simone" / "Pastel Blues (1965)", "flac", name="03 - Be My Husband.flac")
    make_audio(lib, "mp3", name="Nick Drake - Pink Moon.mp3")
    scan(env.db, [lib])
    rows = {
        r[0]: r[1:]
        for r in env.db.execute(
            "SELECT title, artist, album, year, tracknumber, guessed FROM items"
        )
    }
    assert rows["Be My Husband"][:4] == ("Nina Simone", "Pastel Blues", 1965, 3)
    assert json.loads(rows["Be My Husband"][4]) == [
        "title",
        "artist",
        "album",
        "tracknumber",
        "year",
    ]
    assert rows["Pink Moon"][0] == "Nick Drake" and json.loads(rows["Pink Moon"][4]) == [
        "title",
        "artist",
    ]


def test_rescan_skips_unchanged_files_and_rereads_changed_ones(env, tmp_path):
    lib = tmp_path / "lib"
    paths = _library(lib)
    scan(env.db, [lib])
    again = scan(env.db)
    assert (again.added, again.updated, again.unchanged) == (0, 0, len(paths))
    # Retag a file but keep its size and mtime: an incremental scan must not open it.
    target = paths[0]
    st = target.stat()
    data = target.read_bytes().replace(b"Song 0-0", b"Song X-X")
    target.write_bytes(data)
    os.utime(target, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert scan(env.db).unchanged == len(paths)
    assert env.db.execute("SELECT count(*) FROM items WHERE title = 'Song 0-0'").fetchone()[0] == 1
    # Now it really changed: re-read, same id.
    old_id = env.db.execute("SELECT id FROM items WHERE title = 'Song 0-0'").fetchone()[0]
    os.utime(target, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    result = scan(env.db)
    assert (result.updated, result.unchanged, result.added) == (1, len(paths) - 1, 0)
    assert env.db.execute("SELECT id FROM items WHERE title = 'Song X-X'").fetchone()[0] == old_id


def _listen(db, item_id):
    with write(db):
        db.execute(
            "INSERT INTO listens (item_id, profile_id, started_at, ms_played, end_reason, source) "
            "VALUES (?, ?, ?, 1000, 'finished', 'tuneup')",
            [item_id, profile_id(db), utcnow()],
        )


def test_moved_and_renamed_files_keep_their_id_and_history(env, tmp_path):
    lib = tmp_path / "lib"
    paths = _library(lib)
    scan(env.db, [lib])
    item_id = env.db.execute("SELECT id FROM items WHERE path = ?", [str(paths[0])]).fetchone()[0]
    _listen(env.db, item_id)
    new = lib / "Elsewhere" / "renamed.mp3"
    new.parent.mkdir()
    shutil.move(paths[0], new)
    result = scan(env.db)
    assert (result.moved, result.added, result.missing) == (1, 0, 0)
    assert env.db.execute("SELECT path, status FROM items WHERE id = ?", [item_id]).fetchone() == (
        str(new),
        "present",
    )
    assert env.db.execute("SELECT item_id FROM listens").fetchone()[0] == item_id
    assert env.db.execute("SELECT count(*) FROM items").fetchone()[0] == len(paths)


def test_a_copy_is_a_new_item_not_a_move(env, tmp_path):
    lib = tmp_path / "lib"
    paths = _library(lib, 1, 1)
    scan(env.db, [lib])
    shutil.copy2(paths[0], lib / "copy.mp3")
    result = scan(env.db)
    assert (result.added, result.moved) == (1, 0)


def test_deleted_file_is_marked_missing_keeps_history_and_comes_back(env, tmp_path):
    lib = tmp_path / "lib"
    paths = _library(lib)
    scan(env.db, [lib])
    item_id = env.db.execute("SELECT id FROM items WHERE path = ?", [str(paths[1])]).fetchone()[0]
    _listen(env.db, item_id)
    saved = tmp_path / "saved.mp3"
    shutil.move(paths[1], saved)
    result = scan(env.db)
    assert result.missing == 1 and result.unchanged == len(paths) - 1
    row = env.db.execute(
        "SELECT status, missing_since FROM items WHERE id = ?", [item_id]
    ).fetchone()
    assert row[0] == "missing" and row[1]
    assert (
        env.db.execute("SELECT count(*) FROM listens WHERE item_id = ?", [item_id]).fetchone()[0]
        == 1
    )
    assert scan(env.db).missing == 0  # reported once, not again
    shutil.move(saved, paths[1])  # same path, same mtime
    back = scan(env.db)
    assert back.returned == 1 and back.missing == 0
    assert env.db.execute(
        "SELECT status, missing_since FROM items WHERE id = ?", [item_id]
    ).fetchone() == ("present", None)


def test_missing_file_returning_elsewhere_is_a_move(env, tmp_path):
    lib = tmp_path / "lib"
    paths = _library(lib, 1, 2)
    scan(env.db, [lib])
    item_id = env.db.execute("SELECT id FROM items WHERE path = ?", [str(paths[0])]).fetchone()[0]
    saved = tmp_path / "saved.mp3"
    shutil.move(paths[0], saved)
    assert scan(env.db).missing == 1
    shutil.move(saved, lib / "back.mp3")
    result = scan(env.db)
    assert result.moved == 1 and result.added == 0
    assert (
        env.db.execute("SELECT status FROM items WHERE id = ?", [item_id]).fetchone()[0]
        == "present"
    )


def test_unreachable_root_does_not_mark_everything_missing(env, tmp_path):
    lib = tmp_path / "lib"
    paths = _library(lib, 1, 2)
    scan(env.db, [lib])
    lib.rename(tmp_path / "unmounted")
    result = scan(env.db)
    assert result.missing == 0 and result.errors[0]["reason"].startswith("root not reachable")
    assert len(_items(env.db, "present")) == len(paths)


def test_parallel_pool_reads_the_same_as_one_process(env, tmp_path, monkeypatch):
    lib = tmp_path / "lib"
    for i, fmt in enumerate(FORMATS * 3):
        make_audio(
            lib / f"d{i % 4}",
            fmt,
            {"title": f"T{i}", "artist": f"A{i % 5}", "genre": "Jazz; Soul"},
            name=f"{i:03d}{ext_of(fmt)}",
        )
    (lib / "junk.flac").write_bytes(b"not flac at all" * 100)
    monkeypatch.setattr(scan_mod, "MIN_FILES_FOR_POOL", 0)
    monkeypatch.setattr(scan_mod, "BATCH_FILES", 5)
    pooled = scan(env.db, [lib], workers=2)
    rows = env.db.execute(
        "SELECT path, title, artist, genres, duration, fingerprint FROM items ORDER BY path"
    ).fetchall()
    from tuneup.store import open_db

    other = open_db(tmp_path / "other.db")
    single = scan(other, [lib], workers=1)
    assert pooled.added == single.added == len(FORMATS) * 3
    assert (
        [e["path"] for e in pooled.errors]
        == [e["path"] for e in single.errors]
        == [str(lib / "junk.flac")]
    )
    assert (
        rows
        == other.execute(
            "SELECT path, title, artist, genres, duration, fingerprint FROM items ORDER BY path"
        ).fetchall()
    )


def test_cancel_leaves_a_consistent_database(env, tmp_path, monkeypatch):
    lib = tmp_path / "lib"
    src = make_audio(tmp_path / "src", "mp3", {"title": "x"})
    for i in range(60):
        (lib / f"d{i // 20}").mkdir(parents=True, exist_ok=True)
        shutil.copy(src, lib / f"d{i // 20}" / f"{i:03d}.mp3")
    monkeypatch.setattr(scan_mod, "FLUSH_ROWS", 10)
    cancel = threading.Event()

    def progress(done, total, info):
        if total and done >= 25:
            cancel.set()

    summary = scan(env.db, [lib], workers=1, progress=progress, cancel=cancel)
    assert summary.cancelled and 20 <= summary.added < 60 and summary.missing == 0
    assert env.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    stored = env.db.execute("SELECT count(*) FROM items").fetchone()[0]
    assert stored == summary.added
    rest = scan(env.db)
    assert (rest.added, rest.unchanged) == (60 - stored, stored)


def test_add_roots_refuses_a_file_and_keeps_roots_unique(env, tmp_path):
    lib = tmp_path / "lib"
    lib.mkdir()
    assert add_roots(env.db, [lib]) == add_roots(env.db, [str(lib) + "/"])
    from tuneup.errors import TuneupError

    with pytest.raises(TuneupError, match="not a folder"):
        add_roots(env.db, [tmp_path / "nope"])


def test_symlinks_followed_or_not(env, tmp_path):
    lib, outside = tmp_path / "lib", tmp_path / "outside"
    _library(lib, 1, 1)
    make_audio(outside, "ogg", {"title": "Linked"})
    (lib / "linked-dir").symlink_to(outside)
    assert scan(env.db, [lib], follow_symlinks=False).added == 1
    result = scan(env.db, follow_symlinks=True)
    assert (
        result.added == 1
        and env.db.execute("SELECT count(*) FROM items WHERE title = 'Linked'").fetchone()[0] == 1
    )


def test_same_file_reached_twice_is_listed_once(env, tmp_path):
    lib = tmp_path / "lib"
    paths = _library(lib, 1, 1)
    os.link(paths[0], lib / "hardlink.mp3")
    (lib / "alias.mp3").symlink_to(paths[0])
    assert scan(env.db, [lib]).added == 1


def test_video_and_audio_extensions_are_dispatched(env, tmp_path):
    import subprocess

    lib = tmp_path / "lib"
    make_audio(lib, "m4a", {"title": "Audio in MP4"})
    video = lib / "Some Movie (2010).mp4"
    subprocess.run(
        [
            "ffmpeg",
            "-nostdin",
            "-loglevel",
            "error",
            "-f",
            "lavfi",
            "-i",
            "color=c=black:s=64x48:d=1",
            "-f",
            "lavfi",
            "-i",
            "sine=duration=1",
            "-shortest",
            "-c:v",
            "mpeg4",
            "-c:a",
            "aac",
            str(video),
        ],
        check=True,
    )
    result = scan(env.db, [lib])
    assert result.added == 2, result.errors
    kinds = dict(env.db.execute("SELECT format, kind FROM items"))
    assert kinds["m4a"] == "track"
    assert env.db.execute("SELECT kind FROM items WHERE path = ?", [str(video)]).fetchone()[0] in (
        "movie",
        "video",
        "episode",
    )


def test_nested_roots_list_each_file_once_and_stay_attached_to_the_outer_root(env, tmp_path):
    lib = tmp_path / "lib"
    paths = _library(lib, 2, 2)
    add_roots(env.db, [lib / "Artist 1"])
    result = scan(env.db, [lib])
    assert result.added == len(paths)
    assert scan(env.db).unchanged == len(paths)
    (paths[-1]).unlink()  # under the inner root
    assert scan(env.db).missing == 1
