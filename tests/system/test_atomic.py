"""tuneup.atomic: a write replaces the file whole, and only dead writers' temp files are cleaned up."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tuneup.atomic import remove_stale, replacing, temp_path


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_stale_temp_files_of_this_target_only_are_removed(tmp_path):
    target = tmp_path / "mix"
    dead = _dead_pid()
    mine_dead = tmp_path / f".mix.{dead}.deadbeef.tmp"
    other_target_live = (
        tmp_path / f".mix.4000000.{dead}.deadbeef.tmp"
    )  # the temp of "mix.4000000", not of "mix"
    live = temp_path(target)  # this process is alive
    odd = tmp_path / f".mix.{dead}.tmp"  # not the shape tuneup writes: not ours to delete
    for f in (mine_dead, other_target_live, live, odd):
        f.write_bytes(b"x")
    remove_stale(target)
    assert not mine_dead.exists()
    assert other_target_live.exists() and live.exists() and odd.exists()


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temp(tmp_path):
    target = tmp_path / "list.m3u8"
    target.write_text("old")
    with pytest.raises(RuntimeError):
        with replacing(target) as fh:
            fh.write(b"new, half")
            raise RuntimeError("interrupted")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["list.m3u8"]
