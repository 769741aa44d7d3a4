"""The `tuneup` command. With no command it opens the TUI."""

from __future__ import annotations

import os
import sys

import typer

from tuneup import __version__
from tuneup.env import Env
from tuneup.errors import TuneupError
from tuneup.paths import HOME_ENV
from tuneup.text import one_line

app = typer.Typer(
    name="tuneup",
    help="Learns your taste from your own music and video files, and makes mixes from it. "
    "Run without a command to open the app.",
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        print(f"tuneup {__version__}")
        raise typer.Exit()


@app.callback(invoke_without_command=True)
def main(
    ctx: typer.Context,
    home: str = typer.Option(
        None, "--home", help=f"Keep all state under DIR (same as ${HOME_ENV}).", metavar="DIR"
    ),
    profile: str = typer.Option(
        None, "--profile", "-p", help="Profile (household member) to act for."
    ),
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version."
    ),
) -> None:
    if home:
        os.environ[HOME_ENV] = os.path.abspath(
            os.path.expanduser(home)
        )  # child processes inherit it
    ctx.obj = Env.from_home(home, profile=profile)
    ctx.call_on_close(ctx.obj.close)
    if ctx.invoked_subcommand is None:
        from tuneup.tui.app import run_app

        run_app(ctx.obj)


def _register_all() -> None:
    """Each module owns one group of commands and exposes register(app); --help lists them in this order."""
    from tuneup.cli import (
        analyze_cmd,
        config_cmd,
        demo_cmd,
        exclude_cmd,
        folders_cmd,
        history_cmd,
        mix_cmd,
        model_cmd,
        mpd_cmd,
        privacy_cmd,
        scan_cmd,
        video_cmd,
    )

    for module in (
        config_cmd,
        scan_cmd,
        folders_cmd,
        demo_cmd,
        video_cmd,
        analyze_cmd,
        history_cmd,
        model_cmd,
        exclude_cmd,
        mix_cmd,
        mpd_cmd,
        privacy_cmd,
    ):
        module.register(app)


_register_all()


def run() -> None:
    from tuneup.cli.quick import run_log

    try:
        if run_log(sys.argv[1:]):  # a player hook's `tuneup log`, without Typer's start-up
            return
        app()
    except TuneupError as exc:
        sys.stderr.write(f"tuneup: error: {one_line(str(exc))}\n")  # never wrapped: scripts grep it
        sys.exit(1)
    except KeyboardInterrupt:
        sys.stderr.write("tuneup: interrupted\n")
        sys.exit(130)
    except BrokenPipeError:
        # `tuneup ls | head`: the reader went away; that is not an error.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(0)
    except SystemExit as exc:
        if exc.code == 1 and _reader_went_away():
            sys.exit(0)
        raise
    except (
        Exception
    ) as exc:  # a full disk the core did not name itself: still one line, no traceback
        from tuneup.errors import is_disk_full

        if is_disk_full(exc):
            message = _disk_full(exc)
        elif _is_sqlite(exc):  # the store's own errors, one line like every other
            message = _database_error(exc)
        else:
            raise
        sys.stderr.write(f"tuneup: error: {one_line(message)}\n")
        sys.exit(1)


def _is_sqlite(exc: BaseException) -> bool:
    import sqlite3

    return isinstance(exc, sqlite3.Error)


def _database_error(exc: Exception) -> str:
    """A damaged store is marked so (nothing more is written to it) and doctor is named."""
    from tuneup.paths import get_paths
    from tuneup.store import guard

    db_file = get_paths().db_file
    if guard.is_damage(exc):
        guard.mark_damaged(db_file, str(exc))
        return str(guard.damaged_error(db_file))
    marked = "; it is marked damaged" if guard.damage_note(db_file) else ""
    return f"{db_file}: database error ({exc}){marked}; `tuneup doctor` checks the store"


def _reader_went_away() -> bool:
    """Click handles a broken pipe itself: it wraps stdout in PacifyFlushWrapper and exits 1."""
    return type(sys.stdout).__name__ == "PacifyFlushWrapper"


def _disk_full(exc: Exception) -> str:
    if isinstance(exc, OSError):
        where = exc.filename or "a file"
    else:
        from tuneup.paths import get_paths

        where = get_paths().db_file
    return f"{where}: cannot write: the disk is full"
