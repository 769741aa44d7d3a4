"""`tuneup mpd`: learn from what MPD plays and keep its queue full of good music."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from tuneup.cli.common import JsonOption, ProfileOption, get_env, print_json, say

mpd_app = typer.Typer(
    help="Work with MPD: record what it plays, fill its queue.", no_args_is_help=True
)


def _log(line: str) -> None:
    """One unwrapped line per event (a service's journal keeps lines whole)."""
    from datetime import datetime

    from tuneup.cli.common import stderr_console
    from tuneup.text import display

    stderr_console().print(
        f"{datetime.now().strftime('%H:%M:%S')} {display(line)}", markup=False, soft_wrap=True
    )


@mpd_app.command("watch")
def watch_cmd(ctx: typer.Context, profile: str = ProfileOption) -> None:
    """Record every song MPD plays as a listen (finished or skipped), until interrupted.

    Follows MPD over its idle protocol and reconnects with backoff when MPD restarts.
    Run it in a terminal, or as a user service (`tuneup mpd install-service`). Only one tuneup
    records MPD's plays at a time (this, or the app with MPD as its player): the one started
    first; the other takes over when it ends.
    """
    from tuneup.playback.mpd import address_from
    from tuneup.playback.mpd_lock import RecorderLock
    from tuneup.playback.mpd_watch import MpdWatcher

    env = get_env(ctx, profile)
    address = address_from(env.config)
    try:
        MpdWatcher(
            env.db,
            env.profile_id,
            address,
            config=env.config,
            log=_log,
            lock=RecorderLock(env.paths.run_dir, address),
        ).run()
    except KeyboardInterrupt:
        say("stopped watching MPD")


@mpd_app.command("radio")
def radio_cmd(
    ctx: typer.Context,
    seeds: List[str] = typer.Argument(
        ...,
        metavar="SEED...",
        help="A track (id, path or 'Artist - Title'), an artist, an album or a genre.",
    ),
    target: Optional[int] = typer.Option(
        None,
        "--target",
        min=1,
        max=200,
        help="Keep exactly this many songs waiting after the current one (default: the app's rule, "
        "30 to start with and 10 more whenever 3 or fewer wait).",
    ),
    profile: str = ProfileOption,
) -> None:
    """Radio in MPD: keep its queue topped up with picks near the SEEDs, learning from your skips."""
    from tuneup.mixes.modelref import get_model
    from tuneup.mixes.radio import RadioSession
    from tuneup.playback.mpd import address_from
    from tuneup.playback.mpd_lock import RecorderLock
    from tuneup.playback.mpd_radio import MpdRadio
    from tuneup.playback.radio_queue import RADIO, TopUp

    env = get_env(ctx, profile)
    session = RadioSession(env.db, get_model(env.db, env.paths.model_dir), env.profile_id, seeds)
    _log(session.name)
    address = address_from(env.config)
    try:
        MpdRadio(
            env.db,
            env.profile_id,
            address,
            session,
            policy=TopUp.keeping(target) if target else RADIO,
            config=env.config,
            log=_log,
            lock=RecorderLock(env.paths.run_dir, address),
        ).run()
    except KeyboardInterrupt:
        say("radio stopped (the queue stays as it is)")


@mpd_app.command("queue")
def queue_cmd(ctx: typer.Context, profile: str = ProfileOption, json: bool = JsonOption) -> None:
    """Show MPD's queue, each song with the tuneup item it is."""
    from rich.text import Text

    from tuneup.cli.common import out_console
    from tuneup.playback.mpd import queue_listing
    from tuneup.text import display

    env = get_env(ctx, profile)
    entries = queue_listing(env.db, env.config)
    if json:
        print_json(entries)
        return
    console = out_console()
    for e in entries:
        name = display(f"{e['artist']} - {e['title']}" if e["artist"] and e["title"] else e["file"])
        mark = ">" if e["current"] else " "
        console.print(
            Text(
                f"{mark}{e['pos'] + 1:>4}  {name}" + ("" if e["item_id"] else "  [not in library]")
            )
        )


@mpd_app.command("install-service")
def install_service_cmd(
    directory: Optional[Path] = typer.Option(
        None, "--dir", metavar="DIR", help="Write the unit here (default ~/.config/systemd/user)."
    ),
) -> None:
    """Install a systemd user service that runs `tuneup mpd watch`."""
    from tuneup.playback.mpd import SERVICE_NAME, install_service

    target = install_service(directory)
    print(target)
    say(f"installed {target}; start it with:")
    say("systemctl --user daemon-reload")
    say(f"systemctl --user enable --now {SERVICE_NAME}")


def register(app: typer.Typer) -> None:
    app.add_typer(mpd_app, name="mpd")
