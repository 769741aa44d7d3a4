"""`tuneup config show|set`."""

from __future__ import annotations

import typer

from tuneup.cli.common import JsonOption, get_env, out_console, print_json, say

config_app = typer.Typer(
    help="Show and change settings (stored in a TOML file).", no_args_is_help=True
)


@config_app.command("show")
def show(ctx: typer.Context, as_json: bool = JsonOption) -> None:
    """Show every setting, its value and whether it is the default."""
    from tuneup.config import SETTINGS

    env = get_env(ctx)
    items = env.config.items()
    if as_json:
        print_json({key: value for key, value, _ in items})
        return
    from rich.table import Table

    table = Table("setting", "value", "", "meaning", box=None)
    for key, value, is_default in items:
        table.add_row(key, repr(value), "(default)" if is_default else "", SETTINGS[key].help)
    out_console().print(table)
    say(f"config file: {env.paths.config_file}")


@config_app.command("set")
def set_(
    ctx: typer.Context,
    key: str = typer.Argument(..., help="Setting name, e.g. adventurousness."),
    value: str = typer.Argument(..., help="New value."),
) -> None:
    """Change one setting; the value is checked before anything is written."""
    env = get_env(ctx)
    new = env.config.set(key, value)
    env.config.save()
    say(f"{key} = {new!r}")


def register(app: typer.Typer) -> None:
    app.add_typer(config_app, name="config")
