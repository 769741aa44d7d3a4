"""`tuneup mix`, `rows` and `onboard`: mixes and home rows from the shell, for scripts and cron.

Stdout carries the playlist (or JSON) only; anything for the person goes to stderr, and only when
stderr is a terminal, so a cron job's mail stays empty unless something went wrong.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import List, Optional

import typer

from tuneup.cli.common import JsonOption, ProfileOption, get_env, print_json, say, stderr_console


class Format(str, Enum):
    m3u8 = "m3u8"
    xspf = "xspf"
    jspf = "jspf"
    json = "json"
    paths = "paths"


class PathStyle(str, Enum):
    absolute = "absolute"
    relative = "relative"


def _note(message: str) -> None:
    if stderr_console().is_terminal:
        say(message)


def _lazy_model(env):
    """The model, loaded (or fitted, with a progress bar on a terminal) when a mix first needs it."""
    from tuneup.mixes.modelref import LazyModel, get_model

    def load():
        from tuneup.cli.common import progress_bar

        with progress_bar(
            "updating the model", unit="steps", enabled=stderr_console().is_terminal
        ) as bar:
            return get_model(env.db, env.paths.model_dir, progress=bar)

    return LazyModel(load)


def mix_cmd(
    ctx: typer.Context,
    seeds: Optional[List[str]] = typer.Argument(
        None,
        metavar="[SEED]...",
        help="Radio seeds: a track (id, path or 'Artist - Title'), an artist, an album or a genre; "
        "with --path, the tracks to walk through.",
    ),
    weekly: bool = typer.Option(False, "--weekly", help="Discover Weekly (the default)."),
    daily: bool = typer.Option(
        False, "--daily", help="The Daily Mixes (one with --number, all with --dir)."
    ),
    radio: bool = typer.Option(False, "--radio", help="Radio from the SEEDs."),
    prompt: Optional[str] = typer.Option(
        None,
        "--prompt",
        metavar="TEXT",
        help='A mix from words: "calm acoustic evening, no metal, some jazz" (docs/steering.md).',
    ),
    refine: Optional[str] = typer.Option(
        None,
        "--refine",
        metavar="TEXT",
        help='Change the last (or the given) prompt: "more jazz, less slow".',
    ),
    seed: int = typer.Option(0, "--seed", help="Another draw for the same prompt."),
    path: bool = typer.Option(
        False,
        "--path",
        help="A walk through the sound of the library from the first SEED track to the last, "
        "through the ones between (docs/steering.md).",
    ),
    all_mixes: bool = typer.Option(
        False, "--all", help="Every current mix, one file each, into --dir."
    ),
    directory: Optional[Path] = typer.Option(
        None, "--dir", help="Write one playlist file per mix here.", metavar="DIR"
    ),
    number: Optional[int] = typer.Option(
        None,
        "--number",
        "-n",
        min=1,
        help="Which Daily Mix to print or write with --out (default 1; "
        "--json without it gives them all).",
    ),
    size: Optional[int] = typer.Option(None, "--size", min=1, max=500, help="Items per mix."),
    refresh: bool = typer.Option(
        False, "--refresh", help="Make this week's (or today's) mix anew."
    ),
    fmt: Format = typer.Option(Format.m3u8, "--format", "-f", help="Playlist format."),
    out: Optional[Path] = typer.Option(
        None, "--out", "-o", help="Write to FILE (atomically) instead of stdout.", metavar="FILE"
    ),
    paths: PathStyle = typer.Option(
        PathStyle.absolute, "--paths", help="Absolute paths, or relative to the playlist file."
    ),
    to_mpd: bool = typer.Option(
        False, "--to-mpd", help="Put the mix in MPD's queue, replacing it."
    ),
    append: bool = typer.Option(
        False, "--append", help="With --to-mpd: add to the end of MPD's queue."
    ),
    profile: str = ProfileOption,
    json: bool = JsonOption,
) -> None:
    """Make a mix and print it as a playlist (or write it with --out / --dir).

    Exits 1 with a one-line reason when there is nothing to mix (no library scanned, everything banned).
    """
    from tuneup.errors import ConfigError

    env = get_env(ctx, profile)
    if prompt is not None or refine is not None:
        mixes = _with_figures(env, [_prompt_mix(env, prompt, refine, size, seed)])
        if json:
            print_json(mixes[0].as_dict())
        else:
            _emit(mixes, fmt.value, paths.value, out, directory)
        return
    if path:
        from tuneup.mixes.path import make as make_path

        mixes = _with_figures(
            env, [make_path(env.db, env.profile_id, seeds or [], size=size or 20)]
        )
        if json:
            print_json(mixes[0].as_dict())
        else:
            _emit(mixes, fmt.value, paths.value, out, directory)
        return
    if seeds and not radio:
        raise ConfigError("SEEDs are for --radio: `tuneup mix --radio SEED...`")
    if sum([weekly, daily, radio, all_mixes]) > 1:
        raise ConfigError("choose one of --weekly, --daily, --radio and --all")
    if all_mixes and directory is None:
        raise ConfigError("--all writes one file per mix: give the folder with --dir DIR")
    if number is None and directory is None and not json:
        number = 1  # a playlist on stdout or in one file holds one mix
    mixes = _make(env, weekly, daily, radio, all_mixes, seeds or [], size, refresh, number)
    if json or fmt.value == "json":
        _with_figures(env, mixes)
    if to_mpd:
        from tuneup.playback.mpd import queue_mix

        for n, mix in enumerate(mixes):
            say(
                f"queued {queue_mix(env.db, env.config, mix, append=append or n > 0)} items in MPD: {mix.name}"
            )
        return
    if json:
        print_json(
            [m.as_dict() for m in mixes]
            if len(mixes) != 1 or daily or all_mixes
            else mixes[0].as_dict()
        )
        return
    _emit(mixes, fmt.value, paths.value, out, directory)


def _prompt_mix(env, prompt, refine, size, seed):
    from tuneup.mixes import prompt as prompts

    text = prompt if prompt is not None else prompts.last_prompt(env.db, env.profile_id)
    if refine is not None:
        if not text:
            from tuneup.errors import ConfigError

            raise ConfigError("nothing to refine yet: start with `tuneup mix --prompt TEXT`")
        text = prompts.refine(text, refine)
    mix = prompts.make(env.db, env.profile_id, text, size=size or prompts.DEFAULT_SIZE, seed=seed)
    prompts.remember(env.db, env.profile_id, text)
    _note(f"prompt: {text}")
    return mix


def _make(env, weekly, daily, radio, all_mixes, seeds, size, refresh, number):
    db, pid, model = env.db, env.profile_id, _lazy_model(env)
    if radio:
        from tuneup.mixes.radio import radio as make_radio

        return [make_radio(db, model, pid, seeds, size=size or 30)]
    mixes = []
    if weekly or all_mixes or not daily:
        from tuneup.mixes.weekly import weekly as make_weekly

        mixes.append(
            make_weekly(
                db,
                env.paths.model_dir,
                pid,
                config=env.config,
                size=size,
                refresh=refresh,
                model=model,
            )
        )
    if daily or all_mixes:
        from tuneup.mixes.daily import daily as make_daily

        dailies = make_daily(
            db, env.paths.model_dir, pid, config=env.config, size=size, refresh=refresh, model=model
        )
        if number is not None and not all_mixes:
            if number > len(dailies):
                from tuneup.errors import NothingToMixError

                count = (
                    "is only 1 Daily Mix"
                    if len(dailies) == 1
                    else f"are {len(dailies)} Daily Mixes"
                )
                raise NothingToMixError(f"there {count} today, not {number}")
            dailies = [dailies[number - 1]]
        mixes += dailies
    return mixes


def _with_figures(env, mixes):
    from tuneup.mixes.figures import figures

    for mix in mixes:
        mix.figures = figures(env.db, env.profile_id, mix)
    return mixes


def _emit(mixes, fmt: str, paths: str, out: Path | None, directory: Path | None) -> None:
    import sys

    from tuneup.mixes.playlists import render, write_mix_dir, write_playlist

    if directory is not None:
        for mix, target in zip(mixes, write_mix_dir(mixes, directory, fmt, paths=paths)):
            _note(f"wrote {target} ({len(mix.items)} items)")
        return
    mix = mixes[0]
    if out is not None:
        write_playlist(mix, out, fmt, paths=paths)
        _note(f"wrote {out} ({len(mix.items)} items: {mix.name})")
        return
    sys.stdout.write(render(mix, fmt, paths=paths))
    sys.stdout.flush()


def rows_cmd(ctx: typer.Context, profile: str = ProfileOption, json: bool = JsonOption) -> None:
    """The home screen's rows (continue watching, Discover Weekly, Daily Mixes, because you listened/watched,
    on repeat, time of day, rediscover, new), each item with its reason."""
    from tuneup.mixes.rows import build_rows

    env = get_env(ctx, profile)
    rows = build_rows(
        env.db,
        env.paths.model_dir,
        env.profile_id,
        config=env.config,
        model=_lazy_model(env),
    )
    if json:
        print_json([r.as_dict() for r in rows])
        return
    _print_rows(rows)


def _print_rows(rows) -> None:
    from rich.text import Text

    from tuneup.cli.common import out_console
    from tuneup.text import display

    console = out_console()
    for row in rows:
        console.print(Text(display(row.name), style="bold"))
        for item in row.items:
            line = Text("  ")
            line.append(display(f"{item.artist} - {item.title}" if item.artist else item.title))
            line.append(f"  {display(item.reason)}", style="dim italic")
            console.print(line)
        console.print()


def onboard_cmd(
    ctx: typer.Context,
    genre: Optional[List[str]] = typer.Option(
        None, "--genre", "-g", help="A genre you like (repeat it)."
    ),
    artist: Optional[List[str]] = typer.Option(
        None, "--artist", "-a", help="An artist you like (repeat it)."
    ),
    import_file: Optional[Path] = typer.Option(
        None, "--import", help="A listening-history export to import.", metavar="FILE"
    ),
    import_format: Optional[str] = typer.Option(
        None, "--import-format", help="Its format, when it cannot be told from the file."
    ),
    add: bool = typer.Option(
        False, "--add", help="Add to the genres and artists given before (default: replace)."
    ),
    profile: str = ProfileOption,
    json: bool = JsonOption,
) -> None:
    """Tell tuneup what you like before it has heard you play anything (the app's first-run wizard does the same)."""
    from tuneup.errors import ConfigError
    from tuneup.mixes.onboard import onboard

    if not genre and not artist and import_file is None:
        raise ConfigError("give at least one --genre, --artist or --import FILE")
    env = get_env(ctx, profile)
    summary = onboard(
        env.db,
        env.profile_id,
        genre or [],
        artist or [],
        import_file,
        import_format,
        replace=not add,
    )
    if json:
        print_json(summary.as_dict())
        return
    say(
        f"seeded {len(summary.genres)} genres and {len(summary.artists)} artists "
        f"({summary.seed_items} items in your library carry them)"
    )
    for kind, names in (("genre", summary.unmatched_genres), ("artist", summary.unmatched_artists)):
        if names:
            say(f"not in your library yet ({kind}): {', '.join(names)}")
    if summary.imported:
        say(f"imported: {summary.imported}")


def register(app: typer.Typer) -> None:
    app.command("mix")(mix_cmd)
    app.command("rows")(rows_cmd)
    app.command("onboard")(onboard_cmd)
