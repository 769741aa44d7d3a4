import os
import sys
from pathlib import Path

import pytest

from tuneup.env import Env
from tuneup.paths import HOME_ENV, get_paths
from tuneup.store import open_db
from tuneup.store.items import add_item


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    """An isolated TUNEUP_HOME for the test (child processes inherit it)."""
    h = tmp_path / "tuneup-home"
    monkeypatch.setenv(HOME_ENV, str(h))
    return h


@pytest.fixture
def env(home) -> Env:
    e = Env(paths=get_paths(home))
    yield e
    e.close()


@pytest.fixture
def db(tmp_path):
    """A fresh, migrated store of the test's own (the one ``db`` fixture)."""
    d = open_db(tmp_path / "tuneup.db")
    yield d
    d.conn.close()


@pytest.fixture
def make_item(db):
    """The one item factory: ``make_item(**fields) -> id`` over :func:`tuneup.store.items.add_item`,
    with a fresh path per call unless ``path`` is given (a present track by default)."""
    counter = iter(range(1, 1_000_000))

    def make(path=None, **fields) -> int:
        if path is None:
            path = f"/library/item-{next(counter)}.ogg"
        return add_item(db, path, **fields)

    return make


@pytest.fixture
def tuneup_cmd():
    """Run the real `tuneup` console entry in a subprocess."""
    import subprocess

    def run(*args, input=None, check=True, env_extra=None, timeout=120):
        environ = dict(os.environ)
        environ.update(env_extra or {})
        proc = subprocess.run(
            [sys.executable, "-m", "tuneup", *map(str, args)],
            capture_output=True,
            text=True,
            input=input,
            env=environ,
            timeout=timeout,
        )
        if check and proc.returncode != 0:
            raise AssertionError(
                f"tuneup {' '.join(map(str, args))} failed ({proc.returncode}):\n{proc.stderr}"
            )
        return proc

    return run
