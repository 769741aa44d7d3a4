"""`tuneup videos` and `tuneup progress`: the video library and watch progress."""

from __future__ import annotations

from typing import Optional

import typer

from tuneup.cli.common import JsonOption, get_env, out_console, print_json


def videos_command(
    ctx: typer.Context,
    series: Optional[str] = typer.Option(
        None,
        "--series",
        "-s",
        help="Only series whose title contains NAME, with the profile's next episode.",
        metavar="NAME",
    ),
    json_out: bool = JsonOption,
) -> None:
    """List movies (with their collections), series by season and episode (specials apart) and other videos."""
    from tuneup.errors import NotFoundError
    from tuneup.library.video import series as lib

    env = get_env(ctx)
    db = env.db
    if series:
        trees = lib.list_series(db, series)
        if not trees:
            raise NotFoundError(f"no series matching {series!r}")
        for tree in trees:
            tree["next"] = lib.next_episode(db, env.profile_id, tree["id"])
        data = {"series": trees}
    else:
        data = {
            "movies": lib.movies(db),
            "collections": lib.collections(db),
            "series": lib.list_series(db),
            "videos": lib.other_videos(db),
        }
    if json_out:
        print_json(data)
    else:
        _print_videos(data)


def _print_videos(data: dict) -> None:
    from tuneup.text import display

    console = out_console()

    def line(text: str) -> None:
        console.print(display(text), markup=False, highlight=False)

    if data.get("movies"):
        line(f"Movies ({len(data['movies'])})")
        for m in data["movies"]:
            line(
                f"  [{m['id']}] {m['title']}"
                + (f" ({m['year']})" if m["year"] else "")
                + (f"  · {m['collection']}" if m["collection"] else "")
            )
    for tree in data.get("series", []):
        count = sum(len(s["episodes"]) for s in tree["seasons"]) + len(tree["specials"])
        line(
            f"{tree['title']}"
            + (f" ({tree['year']})" if tree["year"] else "")
            + f" — {count} episodes"
        )
        for season in tree["seasons"]:
            line(f"  Season {season['season']}")
            for ep in season["episodes"]:
                line(f"    [{ep['id']}] {_episode_label(ep)}")
        if tree["specials"]:
            line("  Specials")
            for ep in tree["specials"]:
                line(f"    [{ep['id']}] {_episode_label(ep)}")
        nxt = tree.get("next")
        if nxt:
            line(f"  Next ({nxt['reason']}): [{nxt['id']}] {_episode_label(nxt)}")
    if data.get("videos"):
        line(f"Other videos ({len(data['videos'])})")
        for v in data["videos"]:
            line(f"  [{v['id']}] {v['title']}")


def _episode_label(ep: dict) -> str:
    number = ""
    if ep.get("episode") is not None:
        number = f"S{ep['season'] or 0:02d}E{ep['episode']:02d}"
        if ep.get("episode_end"):
            number += f"-E{ep['episode_end']:02d}"
    elif ep.get("absolute_episode") is not None:
        number = f"#{ep['absolute_episode']}"
    title = ep.get("episode_title") or ep.get("title") or ""
    return f"{number} {title}".strip()


def progress_command(
    ctx: typer.Context,
    item: Optional[str] = typer.Argument(
        None,
        help='Item id, file path or "artist - title". Without it: list what is in progress.',
    ),
    position: Optional[float] = typer.Option(
        None, "--position", help="Record this position, in seconds.", metavar="S"
    ),
    duration: Optional[float] = typer.Option(
        None, "--duration", help="Length in seconds (default: as scanned).", metavar="S"
    ),
    watched: bool = typer.Option(False, "--watched", help="Mark the item as watched to the end."),
    unwatched: bool = typer.Option(
        False, "--unwatched", help="Forget the current watch (history stays)."
    ),
    json_out: bool = JsonOption,
) -> None:
    """Record or show watch progress for the profile (for player hooks and scripts).

    A video counts as watched at video.complete_ratio of its length or when fewer than
    video.credits_seconds remain; watching a finished video again starts a new watch."""
    from tuneup.history import watch
    from tuneup.store.resolve import resolve

    env = get_env(ctx)
    db = env.db
    if item is None:
        rows = watch.in_progress(db, env.profile_id)
        if json_out:
            print_json(rows)
        else:
            _print_in_progress(rows)
        return
    item_id = resolve(db, item).id  # any item: progress of a missing file is kept
    if watched:
        state = watch.mark_watched(db, env.profile_id, item_id)
    elif unwatched:
        watch.mark_unwatched(db, env.profile_id, item_id)
        state = watch.get_progress(db, env.profile_id, item_id)
    elif position is not None:
        rule = watch.CompletionRule.from_config(env.config)
        state = watch.record_progress(db, env.profile_id, item_id, position, duration, rule=rule)
    else:
        state = watch.get_progress(db, env.profile_id, item_id)
    data = (
        state.to_dict()
        if state
        else {
            "item_id": item_id,
            "position_s": 0.0,
            "completed": False,
            "times_completed": 0,
            "event": "never watched",
        }
    )
    data["history"] = watch.watch_history(db, env.profile_id, item_id)
    if json_out:
        print_json(data)
    else:
        _print_state(data)


def _clock(seconds) -> str:
    seconds = int(seconds or 0)
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def _print_state(data: dict) -> None:
    status = (
        "watched"
        if data.get("completed")
        else "in progress"
        if data.get("position_s")
        else "not started"
    )
    length = f" of {_clock(data['duration_s'])}" if data.get("duration_s") else ""
    out_console().print(
        f"item {data['item_id']}: {status} at {_clock(data.get('position_s'))}{length}; "
        f"finished {data.get('times_completed', 0)} time(s)",
        markup=False,
        highlight=False,
    )


def _print_in_progress(rows: list[dict]) -> None:
    from tuneup.text import display

    console = out_console()
    for r in rows:
        where = (
            f"{r['series']} S{r['season'] or 0:02d}E{r['episode'] or 0:02d} " if r["series"] else ""
        )
        length = f"/{_clock(r['duration_s'])}" if r["duration_s"] else ""
        console.print(
            display(f"[{r['item_id']}] {where}{r['title']}  {_clock(r['position_s'])}{length}"),
            markup=False,
            highlight=False,
        )


def register(app: typer.Typer) -> None:
    app.command("videos")(videos_command)
    app.command("progress")(progress_command)
