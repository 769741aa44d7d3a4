"""`tuneup forget` and `tuneup export-data`: the person's own data, removed or taken away."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from tuneup.cli.common import JsonOption, ProfileOption, get_env, print_json, say


def forget_cmd(
    ctx: typer.Context,
    since: str = typer.Option(
        None,
        "--since",
        metavar="DATE",
        help="Forget what happened (or was imported) at DATE or later: "
        "2026-11-01 (local midnight) or an ISO 8601 time.",
    ),
    all_: bool = typer.Option(False, "--all", help="Forget everything learned about the profile."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation."),
    profile: str = ProfileOption,
    as_json: bool = JsonOption,
) -> None:
    """Delete what tuneup learned about a profile: listens, skips, likes, bans, watches, imports, onboarding
    choices and stored mixes (since DATE, or --all), and the saved model; the library stays."""
    from tuneup.errors import TuneupError
    from tuneup.history.events import to_utc
    from tuneup.history.forget import forget

    if (since is None) == (not all_):
        raise typer.BadParameter("give exactly one of --since DATE or --all")
    env = get_env(ctx, profile)
    pid = _existing_profile(env)
    cutoff = to_utc(since) if since else None
    what = (
        f"everything tuneup learned about profile {env.profile_name!r}"
        if all_
        else f"what profile {env.profile_name!r} did since {cutoff}"
    )
    if not yes:
        if not sys.stdin.isatty():
            raise TuneupError(
                f"forget would delete {what}; add --yes to confirm (stdin is not a terminal)"
            )
        if not typer.confirm(f"Delete {what}? This cannot be undone", default=False, err=True):
            say("nothing deleted")
            raise typer.Exit(1)
    result = forget(env.db, pid, since=cutoff, model_dir=env.paths.model_dir)
    if as_json:
        print_json({"profile": env.profile_name, **result})
        return
    deleted = ", ".join(f"{n} {table}" for table, n in result["deleted"].items() if n) or "nothing"
    say(
        f"deleted {deleted}"
        + ("; removed the saved model (the next run refits)" if result["model_removed"] else "")
    )
    if not result["wal_truncated"]:  # secure_delete reaches the file only through a checkpoint
        say(
            "note: another tuneup is reading the database, so the deleted rows are still in its log file; "
            "run `tuneup forget` again later (with the app closed) to wipe them"
        )
    elif not result["vacuumed"]:
        say(
            "note: the database could not be compacted now; the deleted rows were overwritten with zeros, "
            "and `tuneup forget` again later compacts it"
        )


def export_data_cmd(
    ctx: typer.Context,
    out: Path = typer.Option(
        None, "--out", "-o", help="Write to FILE (default: stdout).", metavar="FILE"
    ),
    profile: str = ProfileOption,
) -> None:
    """Everything tuneup knows about a profile as one JSON document: profile, settings, listens (with the
    files they matched), likes and bans, imports, onboarding choices, watch progress, mixes, taste summary."""
    import io

    from tuneup.history.export import export_profile
    from tuneup.model.api import saved_taste

    env = get_env(ctx, profile)
    pid = _existing_profile(env)
    taste = saved_taste(env.db, env.paths.model_dir, pid)
    config = {key: value for key, value, default in env.config.items() if not default}
    if out is None:
        stream = io.TextIOWrapper(
            sys.stdout.buffer, encoding="ascii", newline="\n", write_through=False
        )
        try:
            export_profile(env.db, pid, stream, taste=taste, config=config)
        finally:
            stream.flush()
            stream.detach()
        return
    from tuneup.atomic import replacing
    from tuneup.errors import TuneupError

    try:
        with replacing(out, what="export", mode=0o600) as raw:  # personal data: owner only
            fh = io.TextIOWrapper(raw, encoding="ascii", newline="\n")
            counts = export_profile(env.db, pid, fh, taste=taste, config=config)
            fh.flush()
            fh.detach()
    except OSError as exc:  # no such folder, no permission: the old file (if any) stays
        raise TuneupError(f"{out}: cannot write ({exc.strerror or exc})") from None
    say(
        f"wrote {counts['listens']} listens, {counts['feedback']} likes/bans and {counts['mixes']} mixes to {out}"
    )


def _existing_profile(env) -> int:
    """The profile's id; a name never used is an error here, not a new empty profile."""
    from tuneup.store import profile_id

    return profile_id(env.db, env.profile_name, create=False)


def register(app: typer.Typer) -> None:
    app.command("forget")(forget_cmd)
    app.command("export-data")(export_data_cmd)
