"""`tuneup analyze` and `tuneup similar`: audio features from the signal, and tracks that sound alike."""

from __future__ import annotations

from typing import Optional

import typer

from tuneup.cli.common import JsonOption, get_env, out_console, print_json, progress_bar, say


def analyze_command(
    ctx: typer.Context,
    workers: Optional[int] = typer.Option(
        None,
        "--workers",
        "-w",
        help="Worker processes (default: setting "
        "analyze.workers; 0 = one per core, 1 = no extra process).",
    ),
    limit: Optional[int] = typer.Option(
        None, "--limit", "-n", help="Analyse at most this many tracks."
    ),
    json_out: bool = JsonOption,
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
    retry_failed: bool = typer.Option(
        False,
        "--retry-failed",
        help="Also try again the tracks that had no signal "
        "last time (a decoder installed since, a disk that was away).",
    ),
    everything: bool = typer.Option(False, "--all", help="Analyse every track again."),
) -> None:
    """Compute audio features (tempo, key, loudness, timbre) for tracks that lack them.

    Only tracks without features, or with features from an older version, are analysed, so the
    command can be stopped at any time and run again to carry on. Files that cannot be decoded
    are recorded with the reason. Afterwards it reports how often tag BPM, key and ReplayGain
    agree with the measured values."""
    import threading

    from tuneup.library.sound.analyze import analyze, tag_agreement
    from tuneup.text import display

    env = get_env(ctx)
    cancel = threading.Event()
    workers = env.config.get("analyze.workers") if workers is None else workers
    with progress_bar("Analysing", unit="tracks", enabled=not quiet) as bar:
        try:
            summary = analyze(
                env.db,
                workers=workers,
                limit=limit,
                progress=bar,
                cancel=cancel,
                retry_failed=retry_failed,
                everything=everything,
            )
        except KeyboardInterrupt:
            cancel.set()
            raise
    agreement = tag_agreement(env.db)
    if json_out:
        print_json({**summary.as_dict(), "tags": agreement})
        return
    d = summary.as_dict()
    say(summary.line())
    for reason, count in sorted(d["reasons"].items(), key=lambda kv: -kv[1]):
        say(f"  {count} × {reason}")
    for failed in d["failed"][:20]:
        say(f"  {display(failed['path'])}: {display(failed['reason'])}")
    if len(d["failed"]) > 20:
        say(
            f"  ... and {len(d['failed']) - 20} more (tuneup ls --json shows each track's feature_reason)"
        )
    for name, counts in agreement.items():
        if counts["compared"]:
            rest = ", ".join(
                f"{v} {k}" for k, v in counts.items() if k != "compared" and v is not None
            )
            say(f"Tag {name} vs signal: {counts['compared']} compared: {rest}")


def similar_command(
    ctx: typer.Context,
    item: str = typer.Argument(..., help='An item id, a file path, or "artist - title".'),
    k: int = typer.Option(10, "-k", "--count", help="How many tracks to list.", min=1),
    everything: bool = typer.Option(
        False,
        "--all",
        help="Also list other copies of the same recording and tracks too short to be music.",
    ),
    json_out: bool = JsonOption,
) -> None:
    """List the tracks that sound most like ITEM (audio features alone, nearest first)."""
    from rich.text import Text

    from tuneup.library.sound.similar import nearest
    from tuneup.store.resolve import resolve
    from tuneup.text import display

    env = get_env(ctx)
    db = env.db
    item_id = resolve(db, item).id  # any item: nearest() says when it has no features
    rows = nearest(db, item_id, k, everything=everything, config=env.config)
    if json_out:
        print_json({"item_id": item_id, "similar": rows})
        return
    console = out_console()
    for rank, row in enumerate(rows, 1):
        name = (
            " - ".join(p for p in (row.get("artist"), row.get("title")) if p)
            or row.get("path")
            or ""
        )
        facts = "  ".join(
            f
            for f in (
                f"{row['tempo_bpm']:.0f} BPM" if row.get("tempo_bpm") else "",
                row.get("key") or "",
                f"{row['loudness_lufs']:.1f} LUFS" if row.get("loudness_lufs") is not None else "",
            )
            if f
        )
        console.print(
            Text(
                display(f"{rank:>3}. {row['distance']:6.3f}  [{row['item_id']}] {name}  ({facts})")
            )
        )


def register(app: typer.Typer) -> None:
    app.command("analyze")(analyze_command)
    app.command("similar")(similar_command)
