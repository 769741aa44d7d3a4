"""Listening history commands: like/dislike/ban, log, import, play, history, hooks."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import List

import typer

from tuneup.cli.common import JsonOption, ProfileOption, get_env, out_console, print_json, say

hooks_app = typer.Typer(
    help="Connect other players to tuneup so their plays are recorded.", no_args_is_help=True
)

ItemArg = typer.Argument(..., help='A file path, an item id, or "artist - title".', metavar="ITEM")


def _feedback(
    ctx: typer.Context, item: str, kind: str, undo: bool, profile: str | None, as_json: bool
) -> None:
    from tuneup.history.events import set_feedback, undo_feedback
    from tuneup.store.resolve import resolve

    env = get_env(ctx, profile)
    found = resolve(env.db, item)  # any item: a missing or undecodable file can still be banned
    item_id = found.id
    changed = (undo_feedback if undo else set_feedback)(env.db, env.profile_id, item_id, kind)
    label = found.label
    if as_json:
        print_json({"item_id": item_id, "feedback": kind, "undone": undo, "changed": changed})
        return
    verb = {"like": "liked", "dislike": "disliked", "ban": "banned"}[kind]
    if undo:
        say(f"no longer {verb}: {label}" if changed else f"was not {verb}: {label}")
    else:
        say(f"{verb}: {label}" if changed else f"already {verb}: {label}")


def like(
    ctx: typer.Context,
    item: str = ItemArg,
    undo: bool = typer.Option(False, "--undo", help="Take the like back."),
    profile: str = ProfileOption,
    as_json: bool = JsonOption,
) -> None:
    """Like an item (replaces a dislike). Mixes favour it and things like it."""
    _feedback(ctx, item, "like", undo, profile, as_json)


def dislike(
    ctx: typer.Context,
    item: str = ItemArg,
    undo: bool = typer.Option(False, "--undo", help="Take the dislike back."),
    profile: str = ProfileOption,
    as_json: bool = JsonOption,
) -> None:
    """Dislike an item (replaces a like). Mixes play it and things like it less."""
    _feedback(ctx, item, "dislike", undo, profile, as_json)


def ban(
    ctx: typer.Context,
    item: str = ItemArg,
    undo: bool = typer.Option(False, "--undo", help="Lift the ban (same as unban)."),
    profile: str = ProfileOption,
    as_json: bool = JsonOption,
) -> None:
    """Ban an item: never recommend or auto-play it again."""
    _feedback(ctx, item, "ban", undo, profile, as_json)


def unban(
    ctx: typer.Context,
    item: str = ItemArg,
    profile: str = ProfileOption,
    as_json: bool = JsonOption,
) -> None:
    """Lift a ban."""
    _feedback(ctx, item, "ban", True, profile, as_json)


def unlike(
    ctx: typer.Context,
    item: str = ItemArg,
    profile: str = ProfileOption,
    as_json: bool = JsonOption,
) -> None:
    """Take a like back."""
    _feedback(ctx, item, "like", True, profile, as_json)


def undislike(
    ctx: typer.Context,
    item: str = ItemArg,
    profile: str = ProfileOption,
    as_json: bool = JsonOption,
) -> None:
    """Take a dislike back."""
    _feedback(ctx, item, "dislike", True, profile, as_json)


def log(
    ctx: typer.Context,
    path: str = typer.Argument(..., help="The file that was played."),
    played: float = typer.Option(..., "--played", help="Seconds actually played.", min=0),
    duration: float = typer.Option(
        None, "--duration", help="Length of the file in seconds.", min=0
    ),
    ended: str = typer.Option(
        "finished", "--ended", help="How it ended: finished, skipped, stopped or error."
    ),
    at: str = typer.Option(
        None, "--at", help="When it started, ISO 8601 (default: now minus --played)."
    ),
    source: str = typer.Option("hook", "--source", help="Who reports it (hook, mpv, cmus, ...)."),
    profile: str = ProfileOption,
    as_json: bool = JsonOption,
) -> None:
    """Record a listen reported by another player or script (the mpv and cmus hooks use this).

    The report is kept safely first; if the database is busy for more than a moment, it is
    recorded in the background and this returns at once (a player never waits)."""
    from tuneup.history.log import prepare
    from tuneup.history.record_soon import record_soon

    env = get_env(ctx, profile)
    event = prepare(path, played=played, duration=duration, ended=ended, at=at, source=source)
    result = record_soon(env, event)
    if as_json:
        print_json(result)
    elif result.get("queued"):
        pass  # kept safely and recorded in a moment: a player's hook prints nothing (--json says so)
    elif result["listen_id"] is None:
        say("already recorded")


def import_(
    ctx: typer.Context,
    fmt: str = typer.Argument(
        ...,
        metavar="FORMAT",
        help="spotify-extended, spotify-basic, listenbrainz, lastfm or rockbox.",
    ),
    files: List[Path] = typer.Argument(..., metavar="FILE...", help="Export files to import."),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Read, check and match, but write nothing."
    ),
    profile: str = ProfileOption,
    as_json: bool = JsonOption,
) -> None:
    """Import listening history exported from another service; the same file twice adds nothing."""
    from tuneup.cli.common import progress_bar
    from tuneup.history.importers.run import import_files

    env = get_env(ctx, profile)
    with progress_bar(f"importing {fmt}", unit="files", enabled=not as_json) as bar:
        summary = import_files(
            env.db,
            fmt,
            files,
            profile_id=env.profile_id,
            dry_run=dry_run,
            skip_seconds=env.config.get("history.skip_seconds"),
            progress=bar,
        )
    if as_json:
        print_json(summary)
    else:
        _print_import(summary)


def _print_import(s: dict) -> None:
    from tuneup.text import display

    console = out_console()
    lines = [
        f"read        {s['read']}",
        f"listens     {s['listens']}",
        f"feedback    {s['feedback']}",
    ]
    if s.get("dry_run"):
        lines.append("imported    (dry run: nothing written)")
    else:
        lines += [f"imported    {s['imported']}", f"duplicates  {s['duplicates']}"]
    lines += [f"matched     {s['matched']}", f"unmatched   {s['unmatched']}"]
    for reason, n in sorted(s["ignored"].items()):
        lines.append(f"ignored     {n} ({reason})")
    for path in s["already_imported_files"]:
        lines.append(f"already imported: {path}")
    for line in lines:
        console.print(display(line), markup=False)
    report = s["match_report"]
    if report["top_unmatched"]:
        console.print(
            f"\nnot matched to a file ({report['unmatched_tracks']} tracks; kept, and matched "
            "again after the next scan):",
            markup=False,
        )
        for u in report["top_unmatched"][:20]:
            console.print(
                display(
                    f"  {u['listens']:>6}  {u['artist'] or '?'} - {u['title'] or '?'}  ({u['reason']})"
                ),
                markup=False,
            )


def history(
    ctx: typer.Context,
    limit: int = typer.Option(30, "--limit", "-n", help="How many listens to show.", min=1),
    profile: str = ProfileOption,
    as_json: bool = JsonOption,
) -> None:
    """Show the latest listens, newest first (times in local time)."""
    from tuneup.history.events import recent_listens
    from tuneup.history.record_soon import record_waiting

    env = get_env(ctx, profile)
    record_waiting(env)  # reports a busy store queued: shown as soon as they are in
    rows = recent_listens(env.db, env.profile_id, limit)
    if as_json:
        print_json(rows)
        return
    from rich.table import Table

    from tuneup.text import display

    table = Table("when", "played", "how", "artist", "title", "source", box=None)
    for r in rows:
        played = f"{r['ms_played'] // 60000}:{r['ms_played'] // 1000 % 60:02d}"
        how = r["end_reason"] + (" (skip)" if r["skipped"] else "")
        table.add_row(
            r["started_local"],
            played,
            how,
            display(r["artist"]),
            display(r["title"] or r["path"]),
            display(r["source"]),
        )
    out_console().print(table, markup=False)


def play(
    ctx: typer.Context,
    items: List[str] = typer.Argument(
        None, metavar="ITEM...", help='Paths, item ids or "artist - title".'
    ),
    mix: str = typer.Option(None, "--mix", help="Play the latest mix with this name."),
    profile: str = ProfileOption,
) -> None:
    """Play items (or a mix) in mpv; every play, skip and stop is recorded.

    mpv's own keys work in the terminal (space pause, > next, < previous, q quit); Ctrl-C stops."""
    import shlex

    from tuneup.playback.mpv import MAX_FAILURES_IN_ROW, Player
    from tuneup.playback.queue import entries_for, latest_mix_items
    from tuneup.store.resolve import resolve

    env = get_env(ctx, profile)
    if not items and not mix:
        raise typer.BadParameter("give ITEM... or --mix NAME")
    ids = latest_mix_items(env.db, env.profile_id, mix) if mix else []
    ids += [resolve(env.db, i).id for i in items or []]  # any scope, as before
    queue = entries_for(env.db, ids)
    player = Player.from_env(
        env,
        mpv_args=shlex.split(os.environ.get("TUNEUP_MPV_ARGS", "")),
        terminal=sys.stdin.isatty(),
    )
    player.add_listener(_announce())
    player.start(queue)
    try:
        player.wait()
    except KeyboardInterrupt:
        player.stop()
    for problem in player.errors:
        say(problem)
    if player.gave_up:
        say(
            f"stopped: {MAX_FAILURES_IN_ROW} items in a row could not be played (is there a sound output?)"
        )
    say(f"recorded {len(player.recorded)} listen(s)")
    if player.played_nothing:
        raise typer.Exit(1)  # nothing played: a script must not take this for success


def _announce():
    shown = {"index": None}

    def on_change(state) -> None:
        if state.entry is not None and state.index != shown["index"]:
            shown["index"] = state.index
            say(f"playing {state.index + 1}/{state.queue_length}: {state.entry.label()}")

    return on_change


@hooks_app.command("install")
def hooks_install(
    player: str = typer.Argument(..., help="mpv or cmus."),
    directory: Path = typer.Option(None, "--dir", help="Install into this folder instead."),
) -> None:
    """Install the hook that reports what another player plays (mpv: a Lua script; cmus: a status program)."""
    from tuneup.history.hooks import install_hook

    target, note = install_hook(player, directory)
    print(target)
    say(note)


def register(app: typer.Typer) -> None:
    for fn in (like, dislike, ban, unban, unlike, undislike, log, history, play):
        app.command(fn.__name__)(fn)
    app.command("import")(import_)
    app.add_typer(hooks_app, name="hooks")
