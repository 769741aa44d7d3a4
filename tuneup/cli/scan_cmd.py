"""`tuneup scan`, `ls`, `stats`, `doctor`: filling the library and looking at it."""

from __future__ import annotations

from typing import List, Optional

import typer

from tuneup.cli.common import (
    JsonOption,
    ProfileOption,
    get_env,
    out_console,
    print_json,
    progress_bar,
    say,
)


def scan_command(
    ctx: typer.Context,
    paths: Optional[List[str]] = typer.Argument(
        None, help="Folders to add as library roots (remembered)."
    ),
    json_out: bool = JsonOption,
    workers: Optional[int] = typer.Option(
        None,
        "--workers",
        "-w",
        help="Worker processes (default: setting scan.workers; 0 = one per core).",
    ),
    no_follow: bool = typer.Option(
        False, "--no-follow-symlinks", help="Do not follow symbolic links."
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
) -> None:
    """Scan the library: remember PATHs as roots, then read new and changed files under every root.

    Unchanged files (same size and modification time) are not re-read; moved files keep their
    history; deleted files are marked missing. Bad files are reported and skipped."""
    import threading

    from tuneup.update import update_library

    env = get_env(ctx)
    db = env.db
    if not paths and not db.execute("SELECT 1 FROM roots LIMIT 1").fetchone():
        from tuneup.errors import TuneupError

        raise TuneupError("no library roots yet: run `tuneup scan FOLDER` to add one")
    cancel = threading.Event()
    workers = env.config.get("scan.workers") if workers is None else workers
    follow = env.config.get("scan.follow_symlinks") and not no_follow
    with progress_bar("Scanning", enabled=not quiet) as bar:
        try:
            summary = update_library(
                db, paths, workers=workers, follow_symlinks=follow, progress=bar, cancel=cancel
            )
        except KeyboardInterrupt:
            cancel.set()
            raise
    if json_out:
        print_json(summary.as_dict())
    else:
        _say_summary(summary)


def _say_summary(summary) -> None:
    from tuneup.text import display

    d = summary.as_dict()
    say(summary.line())
    for error in d["errors"][:20]:
        say(f"  {display(error['path'])}: {display(error['reason'])}")
    if len(d["errors"]) > 20:
        say(f"  ... and {len(d['errors']) - 20} more (tuneup doctor lists them all)")
    if d["warnings"]:
        say(f"{len(d['warnings'])} indexed with warnings:")
    for warning in d["warnings"][:20]:
        say(f"  {display(warning['path'])}: warning: {display(warning['reason'])}")
    if len(d["warnings"]) > 20:
        say(f"  ... and {len(d['warnings']) - 20} more (tuneup scan --json lists them all)")


def ls_command(
    ctx: typer.Context,
    query: Optional[List[str]] = typer.Argument(
        None,
        help="Words to match, or field:value (year:1990..1999, "
        "genre:rock, status:missing, kind:episode).",
    ),
    json_out: bool = JsonOption,
    long: bool = typer.Option(False, "--long", "-l", help="Every field of each item."),
    limit: Optional[int] = typer.Option(None, "--limit", "-n", help="At most this many items."),
) -> None:
    """List library items with every tag and property read (like `beet ls`)."""
    from tuneup.library.listing import item_line, list_items
    from tuneup.text import display

    items = list_items(get_env(ctx).db, _aliases(query), limit=limit)
    if json_out:
        print_json(items)
        return
    console = out_console()
    for item in items:
        console.print(item_line(item), markup=False, highlight=False)
        if long:
            for key, value in item.items():
                if value is not None and key != "features":
                    if isinstance(value, list):
                        value = "; ".join(map(str, value))
                    console.print(f"    {key}: {display(value)}", markup=False, highlight=False)


def _aliases(query: list[str] | None) -> list[str]:
    names = {"genre": "genres", "key": "initial_key", "track": "tracknumber", "disc": "discnumber"}
    out = []
    for term in query or []:
        field, sep, value = term.partition(":")
        out.append(f"{names.get(field.lower(), field)}:{value}" if sep else term)
    return out


def stats_command(
    ctx: typer.Context, json_out: bool = JsonOption, profile: str = ProfileOption
) -> None:
    """Counts by kind and format, total duration, artists, albums, genres, share untagged, errors; and
    the profile's listening (the year so far, recent plays, most played artists and genres)."""
    from tuneup.errors import NotFoundError
    from tuneup.history.stats import listening_summary
    from tuneup.library.stats import library_stats
    from tuneup.store import profile_id
    from tuneup.text import display

    env = get_env(ctx, profile)
    stats = library_stats(env.db)
    try:
        pid = profile_id(env.db, env.profile_name, create=False)
    except NotFoundError:
        pid = None  # nobody has listened as this profile: nothing to say, and nothing to create
    stats["listening"] = listening_summary(env.db, pid) if pid is not None else None
    if json_out:
        print_json(stats)
        return
    console = out_console()
    minutes = round(stats["total_duration_s"] / 60)
    lines = [
        f"Items: {stats['items']:,} ({', '.join(f'{n:,} {k}' for k, n in stats['by_kind'].items()) or 'none'})",
        f"Formats: {', '.join(f'{k} {n:,}' for k, n in stats['by_format'].items()) or 'none'}",
        f"Total duration: {minutes // 60:,} h {minutes % 60:02d} min; size {stats['total_size_bytes'] / 1e9:,.2f} GB",
        f"Artists: {stats['artists']:,}  Albums: {stats['albums']:,}  Genres: {stats['genres']:,}",
        f"Untagged (title from the file name): {stats['untagged']:,} ({stats['share_untagged']:.0%}); "
        f"partly guessed: {stats['partly_guessed']:,}",
        f"Missing: {stats['missing']:,}  Scan errors: {stats['errors']:,}  With audio features: "
        f"{stats['with_features']:,}",
    ]
    v = stats["video"]
    if any(v.values()):
        lines.append(
            f"Video: {v['movies']:,} movies, {v['series']:,} series ({v['seasons']:,} seasons, "
            f"{v['episodes']:,} episodes), {v['other_videos']:,} other videos"
        )
    if stats["top_genres"]:
        lines.append(
            "Top genres: " + ", ".join(f"{g['genre']} ({g['tracks']})" for g in stats["top_genres"])
        )
    lines += _listening_lines(stats["listening"])
    for line in lines:
        console.print(display(line), markup=False, highlight=False)


def _listening_lines(listening: dict | None) -> list[str]:
    if not listening or not (listening["year"]["plays"] or listening["recent_plays"]):
        return ["Listening: nothing played yet"]
    year = listening["year"]
    lines = [
        f"Listening in {year['year']}: {year['plays']:,} plays, {year['hours']:,.1f} h, "
        f"{year['skips']:,} skips, {year['artists']:,} artists; last {listening['recent_days']} days: "
        f"{listening['recent_plays']:,} plays"
    ]
    if year["top_title"]:
        lines.append(
            f"Most played this year: {year['top_title']} - {year['top_artist'] or '?'} "
            f"({year['top_plays']:,} plays)"
        )
    if listening["top_artists"]:
        lines.append(
            "Top artists: "
            + ", ".join(f"{a['artist']} ({a['plays']})" for a in listening["top_artists"])
        )
    if listening["top_genres"]:
        lines.append(
            "Most played genres: "
            + ", ".join(f"{g['genre']} ({g['plays']})" for g in listening["top_genres"])
        )
    return lines


def doctor_command(
    ctx: typer.Context,
    json_out: bool = JsonOption,
    repair: bool = typer.Option(
        False,
        "--repair",
        help="Rebuild a damaged database from what can still be read (the damaged file is kept "
        "as tuneup.db.damaged-TIME). Run it while nothing else uses tuneup.",
    ),
) -> None:
    """Check the set-up: mpv and ffmpeg, database integrity, roots reachable, files that failed and why."""
    from tuneup.errors import StoreDamagedError, StoreError
    from tuneup.library.doctor import doctor, unopenable
    from tuneup.text import display

    env = get_env(ctx)
    if repair:
        _repair(env, json_out)
        return
    try:
        report = doctor(env.db, env.paths.db_file)
    except StoreError as exc:
        damaged = isinstance(exc, StoreDamagedError)
        report = unopenable(env.paths.db_file, str(exc), damaged=damaged)
    if json_out:
        print_json(report)
        if report["database"]["damage"] or report["database"]["problem"]:
            raise typer.Exit(1)
        return
    console = out_console()
    mark = lambda ok: "ok " if ok else "!! "  # noqa: E731
    for name, tool in report["tools"].items():
        console.print(
            f"{mark(tool['found'])}{name}: {tool['version'] or 'not found'}", markup=False
        )
    db = report["database"]
    if db["problem"]:
        console.print(display(f"!! {db['problem']}"), markup=False)
        raise typer.Exit(1)
    integrity = db["integrity"] if db["integrity"] == "ok" else "; ".join(db["integrity"])
    console.print(
        display(
            f"{mark(db['integrity'] == 'ok' and not db['damage'])}database {db['path']}: "
            f"integrity {integrity}, schema {db['schema_version']}"
        ),
        markup=False,
    )
    if db["damage"]:
        console.print(
            display(
                f"!! the database is damaged ({db['damage']}); tuneup writes nothing to it. "
                "Repair: `tuneup doctor --repair` (keeps a copy of the damaged file, rebuilds "
                "the store from what can be read, and says what was kept)"
            ),
            markup=False,
        )
    for note in db["modes"]:
        console.print(display(f"!! {note}"), markup=False)
    if not report["roots"]:
        console.print("!! no library roots: run `tuneup scan FOLDER`", markup=False)
    for root in report["roots"]:
        state = "reachable" if root["reachable"] else "NOT reachable"
        console.print(
            display(
                f"{mark(root['reachable'])}root {root['path']}: {state}, {root['present']} files, "
                f"{root['missing']} missing, last scan {root['last_scan_at'] or 'never'}"
            ),
            markup=False,
        )
    errors = report["scan_errors"]
    console.print(f"{mark(not errors)}{len(errors)} files could not be read", markup=False)
    for error in errors:
        console.print(display(f"    {error['path']}: {error['reason']}"), markup=False)
    if db["damage"]:
        raise typer.Exit(1)


def _repair(env, json_out: bool) -> None:
    from tuneup.store.repair import repair

    env.close()
    result = repair(env.paths.db_file)
    if json_out:
        print_json(result)
        return
    kept = ", ".join(f"{n:,} {table}" for table, n in result["kept"].items() if n)
    say(f"Damaged database kept as {result['backup']}")
    say(f"Rebuilt {env.paths.db_file} ({result['method']}): kept {kept or 'nothing'}")
    if result["unreadable_ranges"]:
        lost = ", ".join(f"{table} {n}" for table, n in result["unreadable_ranges"].items())
        say(f"Reads that failed (the rows there are lost): {lost}")


def register(app: typer.Typer) -> None:
    app.command("scan")(scan_command)
    app.command("ls")(ls_command)
    app.command("stats")(stats_command)
    app.command("doctor")(doctor_command)
