import os
import sys
from pathlib import Path

import pytest

from tuneup.env import Env
from tuneup.paths import HOME_ENV, get_paths


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
