"""Bad files never stop a scan: each is reported once with its reason; the rest is scanned."""

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest
from media import make_audio, random_bytes, truncated_copy

from tuneup.library.scan import scanner as scan_mod
from tuneup.library.scan.scanner import scan
from tuneup.store import open_db


def _good(lib):
    return [
        make_audio(
            lib / "Artist" / "Album",
            fmt,
            {"title": f"good {fmt}", "artist": "Artist"},
            name=f"{i:02d} good.{fmt}",
        )
        for i, fmt in enumerate(("mp3", "flac", "ogg"))
    ]


def test_every_kind_of_bad_file_is_reported_once(env, tmp_path):
    lib = tmp_path / "lib"
    good = _good(lib)
    bad = lib / "bad"
    bad.mkdir()
    (bad / "empty.mp3").write_bytes(b"")
    truncated_copy(good[1], bad / "truncated.flac", keep=50)
    random_bytes(bad / "noise.mp3")
    random_bytes(bad / "noise.m4a", seed=2)
    (bad / "broken.mp3").symlink_to(bad / "does-not-exist.mp3")
    (bad / "self.ogg").symlink_to(bad / "self.ogg")
    (bad / "loop").symlink_to(lib)
    os.mkfifo(bad / "pipe.mp3")
    raw_name = os.fsencode(lib) + b"/caf\xe9 - Chanson.mp3"  # Latin-1 name: not valid UTF-8
    shutil.copy(good[0], os.fsdecode(raw_name))

    summary = scan(env.db, [lib])
    reasons = {Path(e["path"]).name: e["reason"] for e in summary.errors}
    assert len(summary.errors) == len(reasons) == 8, summary.errors
    assert reasons["empty.mp3"] == "empty file (0 bytes)"
    assert reasons["truncated.flac"].startswith("unreadable audio")
    assert (
        reasons["noise.mp3"].startswith("unreadable audio")
        or "not a recognised" in reasons["noise.mp3"]
    )
    assert reasons["noise.m4a"]
    assert reasons["broken.mp3"] == "broken symlink (target does not exist)"
    assert reasons["self.ogg"] == "symlink loop"
    assert reasons["loop"].startswith("symlink loop")
    assert reasons["pipe.mp3"] == "not a regular file"
    # the good files (and the oddly named one) are all in
    assert summary.added == 4
    row = env.db.execute(
        "SELECT path_raw, path, title FROM items WHERE path_raw = ?", [raw_name]
    ).fetchone()
    assert row == (raw_name, raw_name.decode("utf-8", "backslashreplace"), "good mp3")
    assert "\\xe9" in row[1]
    # recorded for `doctor`, and cleared once a file scans fine
    stored = dict(env.db.execute("SELECT path, reason FROM scan_errors"))
    assert {Path(p).name for p in stored} == set(reasons)
    shutil.copy(good[0], bad / "noise.mp3")
    again = scan(env.db)
    assert len(again.errors) == 7 and again.added == 1
    assert str(bad / "noise.mp3") not in dict(
        env.db.execute("SELECT path, reason FROM scan_errors")
    )
    (bad / "pipe.mp3").unlink()
    scan(env.db)
    assert str(bad / "pipe.mp3") not in dict(env.db.execute("SELECT path, reason FROM scan_errors"))


def test_file_deleted_while_the_scan_runs(env, tmp_path):
    lib = tmp_path / "lib"
    paths = [make_audio(lib, "mp3", {"title": f"t{i}"}, name=f"{i:02d}.mp3") for i in range(6)]
    victim = paths[-1]

    def progress(done, total, info):
        if total and victim.exists():
            victim.unlink()  # the walk saw it; the reader will not find it

    summary = scan(env.db, [lib], workers=1, progress=progress)
    assert summary.added == 5
    assert summary.errors == [{"path": str(victim), "reason": "file disappeared during the scan"}]


def test_known_file_deleted_while_the_scan_runs_becomes_missing(env, tmp_path):
    lib = tmp_path / "lib"
    paths = [make_audio(lib, "mp3", {"title": f"t{i}"}, name=f"{i:02d}.mp3") for i in range(3)]
    scan(env.db, [lib])
    os.utime(paths[2], ns=(0, 10**18))  # changed: it will be re-read

    def progress(done, total, info):
        if total and paths[2].exists():
            paths[2].unlink()

    summary = scan(env.db, workers=1, progress=progress)
    assert summary.missing == 1
    assert (
        env.db.execute("SELECT status FROM items WHERE path = ?", [str(paths[2])]).fetchone()[0]
        == "missing"
    )


_SCAN_AS_NOBODY = textwrap.dedent("""
    import json, sys
    from tuneup.store import open_db
    from tuneup.library.scan.scanner import scan
    print(json.dumps(scan(open_db(sys.argv[1]), [sys.argv[2]], workers=1).as_dict()))
""")


def test_unreadable_file_and_folder(tmp_path):
    """chmod 000 stops a normal user; root reads everything, so as root the scan runs as `nobody`."""
    base = Path(tempfile.mkdtemp(prefix="tuneup-perm-"))
    try:
        os.chmod(base, 0o777)
        lib = base / "lib"
        _good(lib)
        secret = make_audio(lib / "locked", "mp3", {"title": "secret"}, name="secret.mp3")
        hidden_dir = lib / "closed"
        make_audio(hidden_dir, "mp3", {"title": "closed"}, name="inside.mp3")
        for p in lib.rglob("*"):
            os.chmod(p, 0o777 if p.is_dir() else 0o666)
        os.chmod(secret, 0)
        os.chmod(hidden_dir, 0)
        db_path = base / "tuneup.db"
        cmd = [sys.executable, "-c", _SCAN_AS_NOBODY, str(db_path), str(lib)]
        if os.geteuid() == 0:
            if not shutil.which("setpriv"):
                pytest.skip("running as root without setpriv: cannot make a file unreadable")
            cmd = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *cmd]
        out = subprocess.run(cmd, capture_output=True, text=True, cwd=base, timeout=120)
        assert out.returncode == 0, out.stderr
        summary = json.loads(out.stdout)
        reasons = {Path(e["path"]).name: e["reason"] for e in summary["errors"]}
        assert reasons == {
            "secret.mp3": "cannot open: Permission denied",
            "closed": "cannot open folder: Permission denied",
        }
        assert summary["added"] == 3
        # a folder that becomes unreadable later: its files are reported, not marked missing
        os.chmod(secret, 0o666)
        os.chmod(hidden_dir, 0o777)
        assert (
            json.loads(subprocess.run(cmd, capture_output=True, text=True, cwd=base).stdout)[
                "added"
            ]
            == 2
        )
        os.chmod(hidden_dir, 0)
        again = json.loads(subprocess.run(cmd, capture_output=True, text=True, cwd=base).stdout)
        assert [Path(e["path"]).name for e in again["errors"]] == ["closed"]
        assert (again["missing"], again["unchanged"]) == (0, 4)
    finally:
        for p in [base, *base.rglob("*")]:
            try:
                os.chmod(p, 0o777)
            except OSError:
                pass
        shutil.rmtree(base, ignore_errors=True)


_KILL_AT = textwrap.dedent("""
    import os, signal, sys
    from tuneup.store import open_db
    from tuneup.library.scan import scanner as s
    s.FLUSH_ROWS = 50
    def progress(done, total, info):
        if total and done >= 120:
            os.kill(os.getpid(), signal.SIGKILL)
    s.scan(open_db(sys.argv[1]), [sys.argv[2]], workers=1, progress=progress)
""")


def test_kill_9_mid_scan_leaves_a_consistent_database(tmp_path):
    lib = tmp_path / "lib"
    src = make_audio(tmp_path / "src", "mp3", {"title": "x", "artist": "y"})
    for i in range(200):
        (lib / f"d{i // 50}").mkdir(parents=True, exist_ok=True)
        shutil.copy(src, lib / f"d{i // 50}" / f"{i:03d}.mp3")
    db_path = tmp_path / "t.db"
    proc = subprocess.run([sys.executable, "-c", _KILL_AT, str(db_path), str(lib)], timeout=120)
    assert proc.returncode == -signal.SIGKILL
    db = open_db(db_path)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    stored = db.execute("SELECT count(*) FROM items").fetchone()[0]
    assert stored in (100, 150)  # whole batches only
    rest = scan(db)
    assert (rest.added, rest.unchanged, rest.errors) == (200 - stored, stored, [])


_CONCURRENT = textwrap.dedent("""
    import json, sys
    from tuneup.store import open_db
    from tuneup.library.scan import scanner as s
    s.FLUSH_ROWS = 7
    print(json.dumps(s.scan(open_db(sys.argv[1]), [sys.argv[2]], workers=1).as_dict()))
""")

_LISTENER = textwrap.dedent("""
    import sys
    from tuneup.store import open_db, profile_id, write
    from tuneup.store.db import utcnow
    db = open_db(sys.argv[1])
    pid = profile_id(db)
    for i in range(200):
        with write(db):
            db.execute("INSERT INTO listens (profile_id, started_at, ms_played, end_reason, source, title) "
                       "VALUES (?, ?, 1, 'finished', 'hook', ?)", [pid, utcnow(), f"l{i}"])
""")


def test_concurrent_scans_and_writers_lose_nothing(tmp_path):
    lib = tmp_path / "lib"
    for i in range(90):
        make_audio(
            lib / f"a{i % 3}", ["mp3", "flac", "ogg"][i % 3], {"title": f"t{i}"}, name=f"{i:03d}.x"
        )
    for p in list(lib.rglob("*.x")):
        p.rename(p.with_suffix({"a0": ".mp3", "a1": ".flac", "a2": ".ogg"}[p.parent.name]))
    db_path = tmp_path / "t.db"
    open_db(db_path)
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _CONCURRENT, str(db_path), str(lib)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    procs.append(
        subprocess.Popen(
            [sys.executable, "-c", _LISTENER, str(db_path)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
    )
    outs = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), [o[1] for o in outs]
    summaries = [json.loads(o[0]) for o in outs[:3]]
    assert all(not s["errors"] for s in summaries)
    db = open_db(db_path)
    assert db.execute("SELECT count(*), count(DISTINCT path_raw) FROM items").fetchone() == (90, 90)
    assert db.execute("SELECT count(*) FROM items WHERE title IS NULL").fetchone()[0] == 0
    assert db.execute("SELECT count(*) FROM listens").fetchone()[0] == 200
    assert db.execute("SELECT count(*) FROM roots").fetchone()[0] == 1


def test_pool_worker_results_survive_a_bad_batch(env, tmp_path, monkeypatch):
    lib = tmp_path / "lib"
    for i in range(12):
        make_audio(lib, "mp3", {"title": f"t{i}"}, name=f"{i:02d}.mp3")
    for i in range(4):
        random_bytes(lib / f"bad{i}.flac", seed=i)
    monkeypatch.setattr(scan_mod, "MIN_FILES_FOR_POOL", 0)
    monkeypatch.setattr(scan_mod, "BATCH_FILES", 3)
    summary = scan(env.db, [lib], workers=2)
    assert summary.added == 12 and len(summary.errors) == 4


def test_a_reader_process_that_dies_costs_only_its_batch(tmp_path):
    from tuneup.library.scan.workers import ReaderPool

    good = [make_audio(tmp_path, "mp3", {"title": f"t{i}"}, name=f"{i}.mp3") for i in range(4)]
    columns = ["kind", "title"]
    with ReaderPool(1, frozenset(), columns) as pool:
        pool.workers[0].proc.kill()
        pool.workers[0].proc.wait()
        pool.submit([(bytes(p), 0) for p in good[:2]])
        lost = []
        while pool.busy:
            for results in pool.results(timeout=1):
                lost.extend(results)
        assert [(r[0], r[1]) for r in lost] == [(bytes(p), "error") for p in good[:2]]
        assert "reader process died" in lost[0][3]
        pool.submit([(bytes(p), 0) for p in good[2:]])  # a fresh worker took over
        done = []
        while pool.busy:
            for results in pool.results(timeout=1):
                done.extend(results)
        assert [(r[1], r[2][1]) for r in done] == [("ok", ("track", "t2")), ("ok", ("track", "t3"))]


def test_a_stuck_reader_is_replaced_and_its_batch_reported(tmp_path, monkeypatch):
    from tuneup.library.scan.workers import ReaderPool

    good = [make_audio(tmp_path, "mp3", {"title": f"t{i}"}, name=f"{i}.mp3") for i in range(2)]
    monkeypatch.setattr(ReaderPool, "STALL_SECONDS", 0.5)
    with ReaderPool(1, frozenset(), ["kind", "title"]) as pool:
        os.kill(pool.workers[0].proc.pid, signal.SIGSTOP)  # a reader that never answers
        pool.submit([(bytes(good[0]), 0)])
        results = []
        while pool.busy:
            for batch in pool.results(timeout=0.2):
                results.extend(batch)
        assert results[0][1] == "error" and "skipped" in results[0][3]
        pool.submit([(bytes(good[1]), 0)])
        while pool.busy:
            for batch in pool.results(timeout=0.2):
                results.extend(batch)
        assert results[1][1] == "ok"
