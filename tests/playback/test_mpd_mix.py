"""`tuneup mix --weekly --to-mpd` (and --append) against a real MPD (tests/mpd_support.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from mpd_support import mpd_server, needs_mpd, songs

pytestmark = needs_mpd


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    yield from mpd_server(tmp_path_factory)


def test_weekly_to_mpd_replaces_or_appends_exactly_the_weekly_mix(tuneup_cmd, home, server):
    environ = {"MPD_HOST": str(server.socket)}
    tuneup_cmd("scan", server.music)
    weekly = json.loads(tuneup_cmd("mix", "--weekly", "--json").stdout)
    names = [Path(i["path"]).name for i in weekly["items"]]
    assert len(names) >= 2
    assert len(set(names)) == len(names)
    c = server.client()
    c.clear()
    other = [n for n in songs(server) if n not in names[:1]][0]
    c.add(other)  # something already queued: --to-mpd replaces it
    proc = tuneup_cmd("mix", "--weekly", "--to-mpd", env_extra=environ)
    assert [s["file"] for s in c.playlistinfo()] == names
    assert proc.stdout == "" and f"queued {len(names)} items in MPD" in proc.stderr
    tuneup_cmd("mix", "--weekly", "--to-mpd", "--append", env_extra=environ)
    assert [s["file"] for s in c.playlistinfo()] == names + names
    c.clear()
    c.add(other)
    tuneup_cmd("mix", "--weekly", "--to-mpd", "--append", env_extra=environ)
    assert [s["file"] for s in c.playlistinfo()] == [other] + names
    c.clear()
    c.disconnect()


def test_to_mpd_without_mpd_is_a_one_line_error(tuneup_cmd, home, server, tmp_path):
    tuneup_cmd("scan", server.music)
    proc = tuneup_cmd(
        "mix",
        "--weekly",
        "--to-mpd",
        check=False,
        env_extra={"MPD_HOST": str(tmp_path / "no-socket")},
    )
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("tuneup: error: cannot reach MPD at")
    assert "Traceback" not in proc.stderr
