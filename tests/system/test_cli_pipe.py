"""`tuneup ls | head`: a reader that goes away early is not an error (exit 0, nothing on stderr)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tuneup.store import write
from tuneup.store.items import add_item


@pytest.fixture
def big_library(env):
    with write(env.db):
        for i in range(5000):
            add_item(
                env.db,
                f"/m/{i}.flac",
                size=1,
                mtime_ns=1,
                title=f"Song {i}",
                artist=f"Artist {i % 50}",
            )
    env.close()


@pytest.mark.parametrize("args", [["ls"], ["ls", "--json"], ["config", "show"]])
def test_reader_closing_the_pipe_early_is_not_an_error(big_library, args):
    producer = subprocess.Popen(
        [sys.executable, "-m", "tuneup", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    producer.stdout.read(10)
    producer.stdout.close()  # what `head -c 10` does
    _, err = producer.communicate(timeout=120)
    assert producer.returncode == 0, err.decode()
    assert b"Traceback" not in err and b"Broken pipe" not in err
