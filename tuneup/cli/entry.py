"""The `tuneup` entry point: the player hook's `tuneup log` without the full command line's start-up.

A player hook runs `tuneup log PATH --played S ...` after every file. Building the Typer app
(typer, rich, every command module) costs ~0.45 s of CPU before anything is recorded, which on a
loaded machine became seconds of wall time. The exact forms the hooks use are parsed here with
argparse (~0.05 s in all); anything else (--help, --json, --home, an unknown option) goes to the
full command line, which behaves the same.
"""

from __future__ import annotations

import sqlite3
import sys

_VALUE_OPTIONS = {"--played", "--duration", "--ended", "--at", "--source", "--profile", "-p"}


def run() -> None:
    argv = sys.argv[1:]
    if _is_plain_log(argv):
        sys.exit(_log(argv[1:]))
    from tuneup.cli.main import run as full

    full()


def _is_plain_log(argv: list[str]) -> bool:
    """`log PATH` and only value options the hooks pass, each once, with --played among them."""
    if len(argv) < 4 or argv[0] != "log":
        return False
    seen, rest, positional = set(), argv[1:], 0
    i = 0
    while i < len(rest):
        word = rest[i]
        if word in _VALUE_OPTIONS and word not in seen and i + 1 < len(rest):
            seen.add(word)
            i += 2
        elif word.startswith("-"):
            return False
        else:
            positional += 1
            i += 1
    return positional == 1 and "--played" in seen and not {"--profile", "-p"} <= seen


def _log(args: list[str]) -> int:
    import argparse

    class Quiet(argparse.ArgumentParser):
        def error(self, message):  # the full command line says what is wrong, in its words
            raise ValueError(message)

    parser = Quiet(prog="tuneup log", add_help=False)
    parser.add_argument("path")
    parser.add_argument("--played", type=float, required=True)
    parser.add_argument("--duration", type=float)
    parser.add_argument("--ended", default="finished")
    parser.add_argument("--at")
    parser.add_argument("--source", default="hook")
    parser.add_argument("--profile", "-p")
    try:
        opts = parser.parse_args(args)
    except ValueError:  # a value argparse cannot read: the full command line explains it
        from tuneup.cli.main import run as full

        full()
        return 0
    from tuneup.env import Env
    from tuneup.errors import TuneupError
    from tuneup.history.log import prepare
    from tuneup.history.record_soon import record_soon

    env = Env.from_home(None, profile=opts.profile)
    try:
        event = prepare(
            opts.path,
            played=opts.played,
            duration=opts.duration,
            ended=opts.ended,
            at=opts.at,
            source=opts.source,
        )
        result = record_soon(env, event)
    except TuneupError as exc:
        from tuneup.text import one_line

        sys.stderr.write(f"tuneup: error: {one_line(str(exc))}\n")
        return 1
    except sqlite3.Error as exc:
        from tuneup.cli.main import _database_error
        from tuneup.text import one_line

        sys.stderr.write(f"tuneup: error: {one_line(_database_error(exc))}\n")
        return 1
    finally:
        env.close()
    if result.get("queued"):
        sys.stderr.write(
            "the database is busy: the listen is queued and will be recorded in a moment\n"
        )
    elif result["listen_id"] is None:
        sys.stderr.write("already recorded\n")
    return 0
