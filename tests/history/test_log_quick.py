"""`tuneup log` (a player hook runs it on every track) records the same listen without Typer's
start-up, and leaves everything it does not recognise to Typer."""

from __future__ import annotations

import json
import subprocess
import sys

from tuneup.cli.quick import parse_log

RUN = (
    "import atexit, sys; atexit.register(lambda: print(sorted(m for m in ('pydantic', 'rich') "
    "if m in sys.modules), file=sys.stderr)); from tuneup.cli.main import run; run()"
)


def tuneup(home, *args):
    done = subprocess.run(
        [sys.executable, "-c", RUN, "--home", str(home), *args],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout, done.stderr.strip().splitlines()[-1]


def test_the_hooks_log_records_without_loading_pydantic_or_rich(tmp_path):
    song = str(tmp_path / "gone.ogg")
    out, loaded = tuneup(
        tmp_path / "home",
        "log",
        song,
        "--played",
        "42",
        "--ended",
        "skipped",
        "--json",
        "--at",
        "2026-11-01T10:00:00Z",
    )  # two times: one file's plays starting in the same second are one listen
    quick = json.loads(out)
    assert loaded == "[]"
    out, loaded = tuneup(
        tmp_path / "home",
        "log",
        song,
        "--played=42",
        "--ended=skipped",
        "--json",
        "--at=2026-11-01T10:05:00Z",
    )
    typer = json.loads(out)
    assert "pydantic" in loaded  # the Typer path, for comparison: same listen, one more row
    if typer.get("queued"):  # the store was busy for 250 ms (a slow machine): spooled, not lost
        rows, _ = tuneup(tmp_path / "home", "history", "--json")  # history records what waits
        newest = max(json.loads(rows), key=lambda row: row["id"])
        typer = {**newest, "listen_id": newest["id"]}
    assert typer["listen_id"] == quick["listen_id"] + 1
    for key in ("ms_played", "end_reason", "item_id"):
        assert quick[key] == typer[key]
    assert quick["end_reason"] == "skipped" and quick["ms_played"] == 42000


def test_anything_unusual_is_left_to_typer():
    assert parse_log(["log", "a.ogg", "--played", "3"]).played == 3.0
    assert (
        parse_log(["--home", "/h", "-p", "ann", "log", "a.ogg", "--played", "3"]).profile == "ann"
    )
    for argv in (
        ["log", "--help"],
        ["log", "a.ogg"],  # --played missing: Typer says so
        ["log", "a.ogg", "--played", "-1"],
        ["log", "a.ogg", "--played", "x"],
        ["log", "a.ogg", "--played", "3", "--bogus"],
        ["ls"],
        ["mix", "log"],
    ):
        assert parse_log(argv) is None, argv
