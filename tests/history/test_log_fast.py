"""`tuneup log` runs on every track a player hook reports: it takes a path without Typer (issue 17),
and records exactly what the Typer command records."""

import json
import subprocess
import sys

from history_support import add_item, listens, tone

RUN_LOG = """
import sys
sys.argv = ["tuneup", *sys.argv[1:]]
from tuneup.cli.main import run
run()
print("typer loaded" if "typer" in sys.modules else "typer not loaded", file=sys.stderr)
"""


def _log(*args):
    return subprocess.run(
        [sys.executable, "-c", RUN_LOG, *map(str, args)], capture_output=True, text=True
    )


def test_log_records_without_loading_typer(env, tmp_path):
    path = tone(tmp_path / "a.ogg", 1.0)
    item = add_item(env.db, path, artist="A", title="T", duration=1.0)
    proc = _log("-p", "default", "log", path, "--played", "0.5", "--ended", "skipped", "--json")
    assert proc.returncode == 0, proc.stderr
    assert "typer not loaded" in proc.stderr
    result = json.loads(proc.stdout)
    assert result["item_id"] == item and result["end_reason"] == "skipped"
    (row,) = listens(env.db)
    assert (row["item_id"], row["end_reason"], row["skipped"], row["source"]) == (
        item,
        "skipped",
        1,
        "hook",
    )
    again = _log("log", path, "--played", "0.5", "--ended", "skipped", "--at", row["started_at"])
    assert again.returncode == 0 and "already recorded" in again.stderr


def test_what_the_fast_path_does_not_take_goes_to_typer(env, tmp_path):
    path = tone(tmp_path / "a.ogg", 1.0)
    help_ = _log("log", "--help")
    assert help_.returncode == 0 and "Seconds actually played" in help_.stdout  # Typer's help
    bad = _log("log", path, "--played", "-3")
    assert bad.returncode == 2 and "--played" in bad.stderr
    wrong = _log("log", path, "--played", "3", "--ended", "sideways")
    assert wrong.returncode == 1 and "sideways" in wrong.stderr
    assert listens(env.db) == []
