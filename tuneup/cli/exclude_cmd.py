"""`tuneup exclude`: take a track, album, artist, genre, folder, playlist, source, import or time
window out of what shapes your taste (history is kept), or keep items to a season; list and undo."""

from __future__ import annotations

from typing import Optional

import typer

from tuneup.cli.common import JsonOption, ProfileOption, get_env, out_console, print_json, say

KINDS_HELP = "track, album, artist, genre, folder, playlist, source, import or window"


def exclude_cmd(
    ctx: typer.Context,
    kind: Optional[str] = typer.Argument(
        None, metavar="[KIND]", help=f"What to exclude: {KINDS_HELP}."
    ),
    value: Optional[str] = typer.Argument(
        None,
        metavar="[VALUE]",
        help="The track (id, path, 'Artist - Title'), name, folder, playlist file, source name "
        "(hook, mpd, spotify, ...), import id, or a window's START (2026-11-28T18:00).",
    ),
    end: Optional[str] = typer.Argument(None, metavar="[END]", help="A window's END."),
    artist: Optional[str] = typer.Option(None, "--artist", help="An album's artist."),
    season: Optional[str] = typer.Option(
        None,
        "--only",
        "--season",
        metavar="MM-DD..MM-DD",
        help="Keep the items in mixes only in this season (e.g. 12-01..12-26) instead of leaving "
        "them out of your taste; a seed plays in any season.",
    ),
    undo: Optional[int] = typer.Option(None, "--undo", metavar="ID", help="Remove rule ID."),
    profile: str = ProfileOption,
    as_json: bool = JsonOption,
) -> None:
    """Exclude from your taste (no KIND: list the rules). Excluded plays, skips and likes stay in
    your history but no longer shape the model; every rule can be undone with --undo ID."""
    from tuneup.store import exclusions

    env = get_env(ctx, profile)
    if undo is not None:
        rule = exclusions.remove(env.db, env.profile_id, undo)
        if as_json:
            print_json({"undone": rule.as_dict()})
        else:
            say(f"rule {rule.id} removed: {rule.label} shapes your taste again")
        return
    if kind is None:
        _list(exclusions.rules(env.db, env.profile_id), as_json)
        return
    if value is None:
        raise typer.BadParameter(f"exclude {kind} needs a VALUE", param_hint="VALUE")
    from tuneup.mixes.exclude import exclude

    rule = exclude(env.db, env.profile_id, kind, value, end, artist=artist, season=season)
    if as_json:
        print_json(rule.as_dict())
        return
    say(f"rule {rule.id}: {rule.describe()} (undo: tuneup exclude --undo {rule.id})")


def _list(found, as_json: bool) -> None:
    if as_json:
        print_json([r.as_dict() for r in found])
        return
    if not found:
        say("no exclusion rules: everything you played shapes your taste")
        return
    console = out_console()
    for rule in found:
        console.print(f"{rule.id:>4}  {rule.describe()}", markup=False)


def register(app: typer.Typer) -> None:
    app.command("exclude")(exclude_cmd)
