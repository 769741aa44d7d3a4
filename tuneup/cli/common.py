"""Helpers every command shares: the Env, JSON output, consoles, progress bars."""

from __future__ import annotations

import functools
import sys
import time
from contextlib import contextmanager
from typing import Any, Iterator

import typer

from tuneup.env import Env
from tuneup.text import display, terminal, to_json


@functools.cache
def _console_class() -> type:
    """Rich is imported when something is printed, not by every command (``tuneup log`` prints
    nothing, and rich's import is a good part of a start-up)."""
    from rich.console import Console

    class DataConsole(Console):
        """A console for tag text and file names: what it prints cannot drive the terminal.

        Rich keeps the text of a segment apart from its style (the escape codes tuneup's own colours need are made
        from the style when the buffer is written), so any control character, escape sequence or bidi override
        left in a segment's text came from data; it is made harmless by ``tuneup.text.terminal`` (the display
        policy, newlines between lines aside). A safety net: fields go through ``tuneup.text.display`` first,
        so a newline in a tag cannot start a line. Rich's control segments (cursor moves of a progress bar)
        pass untouched."""

        def _render_buffer(self, buffer) -> str:
            from rich.segment import Segment

            return super()._render_buffer(
                Segment(text if control else terminal(text), style, control)
                for text, style, control in buffer
            )

        def on_broken_pipe(self) -> None:
            """`tuneup ls | head`: the reader went away, which is not an error (rich would exit 1)."""
            raise BrokenPipeError

    return DataConsole


def data_console(**kwargs):
    """A :class:`DataConsole` (see _console_class)."""
    return _console_class()(**kwargs)


def stderr_console():
    """The console for messages and progress: data goes to stdout, messages and progress to stderr,
    so `tuneup mix ... > file` stays clean. Made on first use."""
    console = globals().get("err_console")
    if console is None:
        console = globals()["err_console"] = data_console(stderr=True, highlight=False)
    return console


def __getattr__(name: str):
    """``err_console`` and ``DataConsole``, made on first use (see stderr_console)."""
    if name == "err_console":
        return stderr_console()
    if name == "DataConsole":
        return _console_class()
    raise AttributeError(name)


ProfileOption = typer.Option(None, "--profile", "-p", help="Profile (household member) to act for.")
JsonOption = typer.Option(False, "--json", help="Print the result as JSON on stdout.")


def get_env(ctx: typer.Context, profile: str | None = None) -> Env:
    root = ctx.find_root()
    env: Env = root.obj
    if profile:
        env.profile = profile
    return env


def out_console():
    return data_console(highlight=False, soft_wrap=True)


def print_json(data: Any) -> None:
    """``data`` as JSON on stdout: valid UTF-8, no raw control or bidi character (``tuneup.text``)."""
    sys.stdout.write(to_json(data))
    sys.stdout.write("\n")
    sys.stdout.flush()


def say(message: str) -> None:
    """A message for the person, on stderr, one unwrapped line (scripts grep it). Plain text, never markup;
    a line break in a name it quotes is a space (``tuneup.text.display``)."""
    stderr_console().print(display(message), markup=False, soft_wrap=True)


class ProgressReporter:
    """A Rich progress bar on stderr fed by the core's ``progress(done, total, info)`` callbacks."""

    def __init__(self, description: str, unit: str = "files", enabled: bool = True):
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        self.unit = unit
        self.started = time.monotonic()
        err_console = stderr_console()
        self.enabled = enabled and err_console.is_terminal
        self.progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}"),
            TimeElapsedColumn(),
            console=err_console,
            transient=False,
            disable=not self.enabled,
        )
        self.task = self.progress.add_task(description, total=None, rate="")

    def __call__(self, done: int, total: int | None = None, info: str = "") -> None:
        elapsed = max(time.monotonic() - self.started, 1e-6)
        rate = f"{done / elapsed:,.0f} {self.unit}/s"
        if info:
            rate = f"{rate}  {info}"
        self.progress.update(self.task, completed=done, total=total, rate=rate)

    def __enter__(self) -> "ProgressReporter":
        self.progress.start()
        return self

    def __exit__(self, *exc) -> None:
        self.progress.stop()


@contextmanager
def progress_bar(
    description: str, unit: str = "files", enabled: bool = True
) -> Iterator[ProgressReporter]:
    with ProgressReporter(description, unit, enabled) as reporter:
        yield reporter
