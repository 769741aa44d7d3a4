import json
import multiprocessing
import os
import stat
import subprocess
import sys

import pytest

from tuneup.config import load_config
from tuneup.errors import ConfigError
from tuneup.store import open_db, profile_id, schema_version, write
from tuneup.store.schema import SCHEMA_VERSION

CORE = [
    "tuneup.store",
    "tuneup.library",
    "tuneup.history",
    "tuneup.model",
    "tuneup.mixes",
    "tuneup.playback",
    "tuneup.paths",
    "tuneup.config",
    "tuneup.env",
    "tuneup.errors",
    "tuneup.demo",
    "tuneup.update",
    "tuneup.simulate",
    "tuneup.summary",
    "tuneup.cancel",
    "tuneup.text",
]


def test_core_imports_no_ui_module():
    code = (
        "import importlib, pkgutil, sys\n"
        f"roots = {CORE!r}\n"
        "for name in roots:\n"
        "    mod = importlib.import_module(name)\n"
        "    for info in pkgutil.walk_packages(getattr(mod, '__path__', []), name + '.'):\n"
        "        importlib.import_module(info.name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'typer', 'rich'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == "", f"core imported UI modules: {out}"


def test_import_layers_hold():
    """The static contracts in pyproject.toml (scripts/test.sh runs lint-imports too): here as well, so
    a helper's run of this file before landing catches an import that runs back up a layer."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    lint = Path(sys.executable).parent / "lint-imports"
    if not lint.exists():
        pytest.fail(
            "lint-imports is not installed: pip install -e '.[test]' (it brings import-linter)"
        )
    proc = subprocess.run(
        [str(lint), "--no-cache", "--no-logo"], cwd=root, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stdout[proc.stdout.find("Broken contracts") :]


def test_nothing_created_at_import(tmp_path):
    home = tmp_path / "h"
    code = "import tuneup, tuneup.paths, tuneup.config, tuneup.store, tuneup.cli.main"
    subprocess.run(
        [sys.executable, "-c", code], check=True, env={**os.environ, "TUNEUP_HOME": str(home)}
    )
    assert not home.exists()


def test_tuneup_home_isolation(tuneup_cmd, tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    tuneup_cmd("--home", a, "config", "set", "adventurousness", "70")
    tuneup_cmd("config", "set", "adventurousness", "10", env_extra={"TUNEUP_HOME": str(b)})
    shown_a = json.loads(tuneup_cmd("--home", a, "config", "show", "--json").stdout)
    shown_b = json.loads(
        tuneup_cmd("config", "show", "--json", env_extra={"TUNEUP_HOME": str(b)}).stdout
    )
    assert shown_a["adventurousness"] == 70 and shown_b["adventurousness"] == 10
    assert (a / "config" / "config.toml").exists() and (b / "config" / "config.toml").exists()


def test_config_rejects_bad_values(tuneup_cmd, home):
    bad = tuneup_cmd("config", "set", "adventurousness", "lots", check=False)
    assert bad.returncode == 1 and "adventurousness: expected int" in bad.stderr
    assert "Traceback" not in bad.stderr
    assert tuneup_cmd("config", "set", "nonsense", "1", check=False).returncode == 1
    assert not (home / "config" / "config.toml").exists()


def test_config_file_errors_are_one_line(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text("adventurousness = [\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(path)
    path.write_text('player = "winamp"\n')
    with pytest.raises(ConfigError, match="player"):
        load_config(path)
    path.write_text("[mix]\nweekly_size = 40\n")
    assert load_config(path).get("mix.weekly_size") == 40


def test_database_is_private_and_migrated(env):
    db = env.db
    assert schema_version(db) == SCHEMA_VERSION
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    mode = stat.S_IMODE(os.stat(env.paths.db_file).st_mode)
    assert mode & 0o077 == 0
    # re-opening runs no migration twice
    again = open_db(env.paths.db_file)
    assert schema_version(again) == SCHEMA_VERSION
    assert again.execute("SELECT count(*) FROM profiles").fetchone()[0] == 1


def test_failed_write_rolls_back(env):
    db = env.db
    with pytest.raises(RuntimeError):
        with write(db):
            db.execute("INSERT INTO roots (path, added_at) VALUES ('/x', 'now')")
            raise RuntimeError("boom")
    assert db.execute("SELECT count(*) FROM roots").fetchone()[0] == 0


def _writer(db_path: str, profile: str, n: int) -> None:
    db = open_db(db_path)
    pid = profile_id(db, profile)
    for i in range(n):
        with write(db):
            db.execute(
                "INSERT INTO listens (profile_id, started_at, ms_played, end_reason, source, dedup_key) "
                "VALUES (?, ?, 1000, 'finished', 'test', ?)",
                [pid, f"2026-01-01T00:00:{i % 60:02d}+00:00", f"{profile}-{i}"],
            )


def test_concurrent_writers_lose_nothing(env):
    env.db  # create and migrate first
    ctx = multiprocessing.get_context("spawn")
    procs = [
        ctx.Process(target=_writer, args=(str(env.paths.db_file), f"p{k}", 150)) for k in range(4)
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    assert env.db.execute("SELECT count(*) FROM listens").fetchone()[0] == 600
    assert env.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_every_command_has_help():
    from typer.main import get_command

    from tuneup.cli.main import app

    def walk(cmd, prefix=""):
        for name, sub in getattr(cmd, "commands", {}).items():
            yield f"{prefix}{name}", sub
            yield from walk(sub, f"{prefix}{name} ")

    missing = [name for name, sub in walk(get_command(app)) if not (sub.help or "").strip()]
    assert not missing, f"commands without help: {missing}"
