"""The Typer application: the global options and every command group, registered in --help order.

Built on first use (tuneup.cli.main.run imports it after the fast path, see tuneup.cli.quick)."""

from __future__ import annotations

import os

import typer

from tuneup import __version__
from tuneup.env import Env
from tuneup.paths import HOME_ENV

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
