"""`tuneup folders`: the library's folders with their item counts, and removing one."""

from __future__ import annotations

import typer

from tuneup.cli.common import JsonOption, get_env, out_console, print_json, say

folders_app = typer.Typer(
    help="The library's folders: list them, or remove one (files are never touched).",
    no_args_is_help=False,
    invoke_without_command=True,
)


@folders_app.callback()
def folders_cmd(ctx: typer.Context, json: bool = JsonOption) -> None:
    """List the library folders with how many items each holds (`tuneup scan FOLDER` adds one)."""
    if ctx.invoked_subcommand is not None:
        return
    from rich.text import Text

    from tuneup.library.scan.roots import library_folders
    from tuneup.text import display

    env = get_env(ctx)
    folders = library_folders(env.db)
    if json:
        print_json([{"path": path, "items": count} for path, count in folders])
        return
    if not folders:
        say("no library folders yet: `tuneup scan FOLDER` adds one")
        return
    console = out_console()
    for path, count in folders:
        console.print(Text(f"{count:>8,}  {display(path)}"), markup=False, highlight=False)


@folders_app.command("remove")
def remove_cmd(
    ctx: typer.Context,
    path: str = typer.Argument(..., help="The folder, as `tuneup folders` lists it."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation."),
    json: bool = JsonOption,
) -> None:
    """Stop treating PATH as a library folder. Its items leave mixes and the library (kept as missing, with
    their history) unless another folder holds them; no file is touched, and `tuneup scan PATH` brings them
    back."""
    import os
    import sys

    from tuneup.errors import TuneupError
    from tuneup.library.scan.roots import library_folders, remove_folder

    env = get_env(ctx)
    known = dict(library_folders(env.db))
    folder = path if path in known else os.path.abspath(os.path.expanduser(path)).rstrip("/") or "/"
    if folder not in known:
        raise TuneupError(f"{path}: not a library folder (see `tuneup folders`)")
    if not yes:
        if not sys.stdin.isatty():
            raise TuneupError(f"removing {folder} needs --yes (stdin is not a terminal)")
        if not typer.confirm(
            f"Remove the library folder {folder} ({known[folder]:,} items)?",
            default=False,
            err=True,
        ):
            raise typer.Exit(1)
    missing = remove_folder(env.db, folder)
    if json:
        print_json({"path": folder, "items_missing": missing})
        return
    say(
        f"removed {folder}: {missing:,} items left the library (files untouched; `tuneup scan` it to bring them back)"
    )


def register(app: typer.Typer) -> None:
    app.add_typer(folders_app, name="folders")
