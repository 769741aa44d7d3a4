"""`tuneup demo`: build the demo library and its listening history, scan it, open the app."""

from __future__ import annotations

import sys

import typer

from tuneup.cli.common import JsonOption, ProfileOption, get_env, print_json, say, stderr_console


class _StageBars:
    """One progress bar per stage of the build ("files: ...", "scan: ...", "history: ...")."""

    LABELS = {
        "files": ("Writing demo tracks", "files"),
        "scan": ("Scanning", "files"),
        "history": ("Listening history", "steps"),
        "analysis": ("Analysing the audio", "tracks"),
    }

    def __init__(self):
        self.stage = None
        self.bar = None

    def __call__(self, done: int, total: int | None = None, info: str = "") -> None:
        stage, _, detail = info.partition(": ")
        if stage != self.stage:
            self.close()
            from tuneup.cli.common import ProgressReporter

            label, unit = self.LABELS.get(stage, (stage, "items"))
            self.stage, self.bar = stage, ProgressReporter(label, unit).__enter__()
        self.bar(done, total)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


def demo(
    ctx: typer.Context,
    tracks: int = typer.Option(320, "--tracks", min=10, help="How many tracks to generate."),
    seed: int = typer.Option(1, "--seed", help="Seed for names, sounds and the listening history."),
    no_tui: bool = typer.Option(
        False, "--no-tui", help="Stop after building; do not open the app."
    ),
    workers: int = typer.Option(0, "--workers", min=0, help="Worker processes (0: one per core)."),
    json_out: bool = JsonOption,
    profile: str = ProfileOption,
) -> None:
    """Build a demo library (generated tracks in mp3, flac, ogg and opus, some untagged) under the data
    folder, give a persona a few weeks of listening history, scan it, and open the app.

    Running it again adds nothing that is already there."""
    from tuneup.demo import build_demo

    env = get_env(ctx, profile)
    bars = _StageBars()
    try:
        summary = build_demo(
            env.db,
            env.paths.demo_dir,
            profile_id=env.profile_id,
            profile_name=env.profile_name,
            tracks=tracks,
            seed=seed,
            workers=workers,
            progress=bars,
        )
    finally:
        bars.close()
    if json_out:
        print_json(summary)
    else:
        _report(summary)
    if summary["cancelled"]:
        raise typer.Exit(1)
    if no_tui or json_out:
        return
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        say("not a terminal: not opening the app (run `tuneup` to open it)")
        return
    from tuneup.tui.app import run_app

    run_app(env)


def _report(summary: dict) -> None:
    files, scan, history = summary["files"], summary.get("scan", {}), summary.get("history", {})
    say(f"Demo library: {summary['dir']}")
    say(
        f"  {summary['tracks']} tracks, {summary['genres']} genres, {summary['artists']} artists, "
        f"{summary['albums']} albums, {summary['untagged']} untagged"
    )
    say(
        "  "
        + ", ".join(f"{count} {fmt}" for fmt, count in summary["formats"].items())
        + f" ({files['written']} written, {files['existing']} already there)"
    )
    if scan:
        say(
            f"  scan: {scan['added']} added, {scan['updated']} updated, {scan['unchanged']} unchanged, "
            f"{len(scan['errors'])} errors"
        )
    if history:
        if history["kept"]:
            say(f"  history: kept the {history['kept']} demo listens already stored")
        else:
            say(
                f"  history: {history['listens']} listens and {history['feedback']} likes, dislikes and bans for "
                f"{summary['persona']['name']}, who loves {', '.join(summary['persona']['top_genres'][:2])}"
            )
    stderr_console().print(f"  done in {summary['seconds']:.1f} s", markup=False)


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
