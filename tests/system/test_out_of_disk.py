"""A full disk: the database and a playlist folder on a tiny tmpfs that fills up mid-operation.

Every command stops with one line, ``tuneup: error: FILE: cannot write ...: the disk is full ...``
(no traceback), the database still passes integrity_check with whole transactions only (scan
batches, an import all or nothing), an old playlist or model is not replaced by a partial one,
no temporary file is left, and once space is freed the same command succeeds.

Mounting a tmpfs needs root (tests run as root in CI). Otherwise each test re-runs itself under
``unshare -rm`` (a user and mount namespace of its own) when the system allows that, or is skipped.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from crash_data import cli, counts, integrity, make_library, spotify_history, temp_files

NESTED_ENV = "TUNEUP_TEST_IN_NAMESPACE"


def _mount(folder: Path, size: str) -> str | None:
    """Mount a tmpfs of ``size`` on ``folder``; the reason when that is not possible."""
    folder.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
    )
    return (
        None if proc.returncode == 0 else (proc.stderr.strip() or f"mount exited {proc.returncode}")
    )


def _why_no_mount(tmp_path: Path) -> str | None:
    if os.geteuid() != 0:
        return "not root"
    probe = tmp_path / "mount-probe"
    reason = _mount(probe, "64k")
    if reason is None:
        subprocess.run(["umount", str(probe)], check=False)
    return reason


def _unshare_works() -> bool:
    if not shutil.which("unshare") or os.environ.get(NESTED_ENV):
        return False
    probe = subprocess.run(
        [
            "unshare",
            "-rm",
            "sh",
            "-c",
            "mount -t tmpfs none /mnt 2>/dev/null || mount -t tmpfs none /tmp",
        ],
        capture_output=True,
    )
    return probe.returncode == 0


@pytest.fixture
def tmpfs(request, tmp_path):
    """``mount(folder, size)``: a tmpfs of ``size`` (e.g. "600k") on ``folder``, unmounted after the test.

    Where this process cannot mount, the test runs again in a pytest of its own under ``unshare -rm``
    and the fixture yields None (the test body then returns at once)."""
    reason = _why_no_mount(tmp_path)
    if reason is not None:
        if not _unshare_works():
            pytest.skip(
                f"cannot mount a tmpfs ({reason}), and unshare -rm (a user namespace) is not available"
            )
        proc = subprocess.run(
            [
                "unshare",
                "-rm",
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:cacheprovider",
                f"{request.node.path}::{request.node.name}",
            ],
            env={**os.environ, NESTED_ENV: "1"},
            capture_output=True,
            text=True,
        )
        assert proc.returncode == 0 and "1 passed" in proc.stdout, (
            proc.stdout[-4000:] + proc.stderr[-2000:]
        )
        yield None  # the test ran (and passed) inside its own namespace
        return
    mounted = []

    def mount(folder: Path, size: str) -> Path:
        reason = _mount(folder, size)
        assert reason is None, reason
        mounted.append(folder)
        return folder

    yield mount
    for folder in reversed(mounted):
        subprocess.run(["umount", "-l", str(folder)], check=False)


def resize(folder: Path, size: str) -> None:
    """Free space the way a person would see it: the file system gets bigger."""
    subprocess.run(["mount", "-o", f"remount,size={size}", str(folder)], check=True)


def fill(folder: Path, leave: int = 0) -> Path:
    """Fill the file system of ``folder`` up to ``leave`` free bytes with one file (delete it to free space)."""
    filler = folder / "filler"
    st = os.statvfs(folder)
    size = max(st.f_bavail * st.f_frsize - leave, 0)
    with open(filler, "wb") as fh:
        try:
            fh.write(b"\0" * size)
        except OSError:
            pass
    return filler


def scanned_home(tmpfs, tmp_path: Path, files: int, size: str) -> tuple[Path, Path, Path]:
    """(library, tmpfs, tuneup home on it) with the library of ``files`` tracks scanned."""
    lib = make_library(tmp_path / "lib", files)
    disk = tmpfs(tmp_path / "disk", size)
    home = disk / "home"
    cli(home, "scan", lib, "-q", "-w", "1")
    return lib, disk, home


def one_error_line(proc: subprocess.CompletedProcess, *words: str) -> str:
    """The command failed with exactly one `tuneup: error:` line naming the disk as full (and ``words``)."""
    assert proc.returncode == 1, (proc.returncode, proc.stderr)
    assert "Traceback" not in proc.stderr, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    line = lines[0]
    assert line.startswith("tuneup: error: ") and "the disk is full" in line, line
    for word in words:
        assert word in line, line
    return line


def test_scan_that_fills_the_disk_keeps_whole_batches_and_carries_on(tmpfs, tmp_path):
    if tmpfs is None:
        return
    lib = make_library(tmp_path / "lib", 2500)
    disk = tmpfs(tmp_path / "disk", "1m")  # room for some of the scan's 500-file batches
    home = disk / "home"
    proc = cli(home, "scan", lib, "-q", "-w", "1", check=False)
    one_error_line(proc, "tuneup.db", "cannot write the database", "scan again")
    integrity(home)
    stored = counts(home)["items"]
    assert 0 < stored < 2500
    conn_rows = cli(home, "ls", "--json").stdout
    assert all(item["title"].startswith("Song ") for item in json.loads(conn_rows))  # whole rows
    resize(disk, "16m")
    summary = json.loads(cli(home, "scan", lib, "-q", "-w", "1", "--json").stdout)
    assert (summary["added"], summary["unchanged"], summary["errors"]) == (
        2500 - stored,
        stored,
        [],
    )
    integrity(home)


def test_import_on_a_full_disk_is_all_or_nothing_and_reported(tmpfs, tmp_path):
    if tmpfs is None:
        return
    history = spotify_history(tmp_path / "history.json", 50_000, songs=150)
    lib, disk, home = scanned_home(tmpfs, tmp_path, 100, "24m")
    cli(home, "log", lib / "a000" / "00000.mp3", "--played", 50, "--duration", 60)
    filler = fill(disk, leave=64 * 1024)
    before = counts(home)
    proc = cli(home, "import", "spotify-extended", history, check=False)
    one_error_line(proc, "tuneup.db", "nothing of this import was saved")
    integrity(home)
    assert counts(home) == before
    # a player hook's listen on the full disk is refused loudly, not dropped in silence
    logged = cli(
        home, "log", lib / "a000" / "00001.mp3", "--played", 50, "--duration", 60, check=False
    )
    if logged.returncode != 0:
        one_error_line(logged, "tuneup.db")
    filler.unlink()
    summary = json.loads(cli(home, "import", "spotify-extended", history, "--json").stdout)
    assert summary["imported"] == summary["listens"] == 50_000
    integrity(home)
    after = counts(home)
    assert (after["listens"], after["imports"]) == (
        before["listens"] + 50_000 + (logged.returncode == 0),
        1,
    )


def test_analysis_that_fills_the_disk_keeps_what_it_finished(tmpfs, tmp_path):
    if tmpfs is None:
        return
    _, disk, home = scanned_home(tmpfs, tmp_path, 80, "4m")
    filler = fill(disk, leave=96 * 1024)
    proc = cli(home, "analyze", "-q", "-w", "1", check=False)
    one_error_line(proc, "tuneup.db", "analyze again")
    integrity(home)
    kept = counts(home)["features"]
    assert 0 < kept < 80
    filler.unlink()
    assert (
        json.loads(cli(home, "analyze", "-q", "-w", "1", "--json").stdout)["analysed"] == 80 - kept
    )


def test_mix_into_a_full_playlist_folder_keeps_the_old_playlist(tmpfs, tmp_path):
    if tmpfs is None:
        return
    lib, disk, home = scanned_home(tmpfs, tmp_path, 200, "16m")
    out = tmpfs(tmp_path / "playlists", "64k")
    playlist = out / "weekly.m3u8"
    cli(home, "mix", "--weekly", "--size", 5, "--out", playlist)
    old = playlist.read_bytes()
    filler = fill(out)
    proc = cli(home, "mix", "--weekly", "--refresh", "--size", 150, "--out", playlist, check=False)
    one_error_line(proc, str(playlist), "cannot write the playlist")
    assert playlist.read_bytes() == old
    assert temp_files(out) == []
    integrity(home)
    filler.unlink()
    cli(home, "mix", "--weekly", "--refresh", "--size", 150, "--out", playlist)
    lines = playlist.read_text().splitlines()
    paths = [x for x in lines if not x.startswith("#")]
    assert lines[0] == "#EXTM3U" and len(paths) == sum(x.startswith("#EXTINF:") for x in lines) > 5
    assert all(Path(p).is_file() for p in paths)


def test_fit_on_a_full_disk_keeps_the_old_model(tmpfs, tmp_path):
    if tmpfs is None:
        return
    from tuneup.model.persist import load

    lib, disk, home = scanned_home(tmpfs, tmp_path, 1000, "16m")
    cli(home, "fit")
    model = home / "data" / "models" / "model.npz"
    old = model.read_bytes()
    for name in ("00001", "00002", "00003"):
        cli(home, "like", lib / "a000" / f"{name}.mp3")
    filler = fill(
        disk, leave=max(len(old) // 2, 160 * 1024)
    )  # room to open the database, not for a model
    assert len(old) > 400 * 1024
    proc = cli(home, "fit", check=False)
    one_error_line(proc, str(model), "cannot write the model")
    assert model.read_bytes() == old
    load(model)
    assert temp_files(model.parent) == []
    integrity(home)
    filler.unlink()
    cli(home, "fit")
    assert model.read_bytes() != old
    load(model)


def test_reading_works_on_a_full_disk_and_writing_says_so(tmpfs, tmp_path):
    """SQLite needs room for its shared-memory index to open a database (it reports the lack as an
    I/O error); with every commit in the main file tuneup reads it as immutable instead (issue 18),
    so ls, stats and history work on a 100% full disk, and a write says the disk is full."""
    if tmpfs is None:
        return
    _, disk, home = scanned_home(tmpfs, tmp_path, 20, "2m")
    assert sorted(os.listdir(home / "data")) == ["tuneup.db"]  # closed cleanly: no -wal, no -shm
    filler = fill(disk)
    assert len(json.loads(cli(home, "ls", "--json").stdout)) == 20
    for args in (("stats",), ("history",), ("doctor",)):
        proc = cli(home, *args, check=False)
        assert proc.returncode == 0 and "Traceback" not in proc.stderr, (args, proc.stderr)
    one_error_line(cli(home, "like", "1", check=False), "tuneup.db", "cannot write")
    filler.unlink()
    assert len(json.loads(cli(home, "ls", "--json").stdout)) == 20
    cli(home, "like", "1")
