"""Helpers every command shares: the Env, JSON output, consoles, progress bars."""

from __future__ import annotations

import sys
import time
from contextlib import contextmanager
from typing import Any, Iterator

import typer
from rich.console import Console

from tuneup.env import Env
from tuneup.text import display, terminal, to_json


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


# Data goes to stdout, messages and progress to stderr, so `tuneup mix ... > file` stays clean.
err_console = DataConsole(stderr=True, highlight=False)

ProfileOption = typer.Option(None, "--profile", "-p", help="Profile (household member) to act for.")
JsonOption = typer.Option(False, "--json", help="Print the result as JSON on stdout.")


def get_env(ctx: typer.Context, profile: str | None = None) -> Env:
    root = ctx.find_root()
    env: Env = root.obj
    if profile:
        env.profile = profile
    return env


def out_console() -> Console:
    return DataConsole(highlight=False, soft_wrap=True)


def print_json(data: Any) -> None:
    """``data`` as JSON on stdout: valid UTF-8, no raw control or bidi character (``tuneup.text``)."""
    sys.stdout.write(to_json(data))
    sys.stdout.write("\n")
    sys.stdout.flush()


def say(message: str) -> None:
    """A message for the person, on stderr, one unwrapped line (scripts grep it). Plain text, never markup;
    a line break in a name it quotes is a space (``tuneup.text.display``)."""
    err_console.print(display(message), markup=False, soft_wrap=True)


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
