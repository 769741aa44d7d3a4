"""SQLite's temp files go beside the database: a full /var/tmp is not this disk being full (issue 18).

Runs `tuneup forget --all` (whose VACUUM builds a temporary copy of the database) in a mount
namespace where /var/tmp is a full 64 KiB tmpfs and TMPDIR points at it. Needs root and
`unshare -m` (skipped elsewhere)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from tuneup.env import Env
from tuneup.paths import get_paths
from tuneup.store import items
from tuneup.store.db import write


def _can_unshare() -> bool:
    if os.geteuid() != 0 or not shutil.which("unshare"):
        return False
    probe = subprocess.run(
        ["unshare", "-m", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs /var/tmp"],
        capture_output=True,
    )
    return probe.returncode == 0


pytestmark = pytest.mark.skipif(not _can_unshare(), reason="needs root and unshare -m")


def _store_bigger_than_sqlites_cache(home) -> None:
    """VACUUM keeps a small temp copy in memory: 30,000 items make it spill to a file."""
    env = Env(paths=get_paths(home))
    try:
        with write(env.db):
            for i in range(30_000):
                title = f"Track number {i} " + "x" * 80
                items.add_item(env.db, f"/music/a{i % 300}/t{i}.flac", title=title)
    finally:
        env.close()


def test_vacuum_works_while_var_tmp_is_full(home):
    _store_bigger_than_sqlites_cache(home)
    script = (
        "mount -t tmpfs -o size=64k tmpfs /var/tmp && "
        "(dd if=/dev/zero of=/var/tmp/fill bs=4k 2>/dev/null; true) && "
        f'exec "{sys.executable}" -m tuneup forget --all --yes --json'
    )
    environ = {k: v for k, v in os.environ.items() if k != "SQLITE_TMPDIR"}
    environ["TMPDIR"] = "/var/tmp"
    proc = subprocess.run(
        ["unshare", "-m", "sh", "-c", script],
        capture_output=True,
        text=True,
        env=environ,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["vacuumed"] is True, result.get("vacuum_error")
