"""A real terminal: start `tuneup` in tmux, read the screen with capture-pane, move around, quit."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
import uuid

import pytest
from tuidata import fill

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


class Tmux:
    def __init__(self, home):
        self.socket = f"tuneup-test-{uuid.uuid4().hex[:8]}"
        self.session = "app"
        self.home = home

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["tmux", "-L", self.socket, *args], capture_output=True, text=True, check=check
        )

    def start(self) -> None:
        command = (
            f"TUNEUP_HOME={shlex.quote(str(self.home))} {shlex.quote(sys.executable)} -m tuneup"
        )
        env = {k: v for k, v in os.environ.items() if k != "TMUX"}
        env["TERM"] = "xterm-256color"
        subprocess.run(
            [
                "tmux",
                "-L",
                self.socket,
                "new-session",
                "-d",
                "-s",
                self.session,
                "-x",
                "120",
                "-y",
                "40",
                command,
            ],
            check=True,
            env=env,
        )

    def screen(self) -> str:
        return self.run("capture-pane", "-p", "-t", self.session, check=False).stdout

    def keys(self, *keys: str) -> None:
        self.run("send-keys", "-t", self.session, *keys)

    def wait_for(self, text: str, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.2)
        raise AssertionError(f"{text!r} never appeared; the screen was:\n{self.screen()}")

    def alive(self) -> bool:
        return self.run("has-session", "-t", self.session, check=False).returncode == 0

    def kill(self) -> None:
        self.run("kill-server", check=False)


def test_tuneup_in_a_real_terminal(home):
    from tuneup.paths import get_paths

    paths = get_paths(home).ensure()
    fill(paths.db_file)
    tmux = Tmux(home)
    tmux.start()
    try:
        screen = tmux.wait_for("Library [2]")
        assert "Nothing playing" in tmux.wait_for("Nothing playing")
        tmux.wait_for("Song ")  # the home rows are painted
        tmux.keys("2")
        screen = tmux.wait_for("of 51 items")
        assert "[bold]Bold Claim[/]" in screen  # tag text shown literally in a real terminal too
        time.sleep(
            0.5
        )  # a person looks before typing; keys sent at once could land before the focus moves
        tmux.keys("/")
        time.sleep(0.3)
        tmux.keys("-l", "paper")
        tmux.wait_for("6 of 51 items")
        tmux.keys("Enter", "Down", "Down")
        time.sleep(
            0.5
        )  # on a slow machine (or under coverage) "3" could still land in the search box
        tmux.keys("3")
        tmux.wait_for("so far")
        tmux.keys("?")
        tmux.wait_for("Keys on this screen")
        tmux.keys("Escape")
        time.sleep(0.5)  # a lone ESC is told apart from alt+key by a pause
        screen = tmux.wait_for("Top artists")
        deadline = (
            time.monotonic() + 10
        )  # a slow machine (or coverage) may take a moment to close it
        while "Keys on this screen" in screen and time.monotonic() < deadline:
            time.sleep(0.2)
            screen = tmux.screen()
        assert "Keys on this screen" not in screen
        tmux.keys("q")
        deadline = time.monotonic() + 15
        while tmux.alive() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not tmux.alive(), "tuneup did not quit on q"
    finally:
        tmux.kill()
