"""Helpers every command shares: the Env, JSON output, consoles, progress bars."""

from __future__ import annotations

import json
import re
import sys
import time
from contextlib import contextmanager
from typing import Any, Iterator

import typer
from rich.console import Console

from tuneup.env import Env

_UNSAFE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


class DataConsole(Console):
    """A console for tag text and file names: what it prints cannot drive the terminal.

    Rich keeps the text of a segment apart from its style (the escape codes tuneup's own colours need are made
    from the style when the buffer is written), so any control character, escape sequence or bidi override
    left in a segment's text came from data; it is shown escaped (``\\x1b``) instead. Rich's control segments
    (cursor moves of a progress bar) pass untouched."""

    def _render_buffer(self, buffer) -> str:
        from rich.segment import Segment

        return super()._render_buffer(
            Segment(_UNSAFE.sub(_escaped, text), style, control)
            if not control and _UNSAFE.search(text)
            else Segment(text, style, control)
            for text, style, control in buffer
        )

    def on_broken_pipe(self) -> None:
        """`tuneup ls | head`: the reader went away, which is not an error (rich would exit 1)."""
        raise BrokenPipeError


def _escaped(match: re.Match) -> str:
    return "".join(ascii(ch)[1:-1] for ch in match.group())


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
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str))
    sys.stdout.write("\n")
    sys.stdout.flush()


def say(message: str) -> None:
    """A message for the person, on stderr, one unwrapped line (scripts grep it). Plain text, never markup."""
    err_console.print(message, markup=False, soft_wrap=True)


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
