"""`tuneup log` without Typer: a player hook runs it on every track, so it must start fast.

Typer builds every command's parameters through pydantic when it runs (about 0.3 s of CPU before any
work), which is most of a `tuneup log`. The arguments a hook passes are parsed here by argparse
instead, with the same names, defaults and checks as ``tuneup.cli.history_cmd.log``; anything else
(``--help``, a mistake, another command) returns False and Typer handles it with its usual messages.
"""

from __future__ import annotations

import argparse
import os
import sys


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(add_help=False, exit_on_error=False)
    p.add_argument("--home")
    p.add_argument("--profile", "-p")
    p.add_argument("command", choices=["log"])
    p.add_argument("path")
    p.add_argument("--played", type=float, required=True)
    p.add_argument("--duration", type=float)
    p.add_argument("--ended", default="finished")
    p.add_argument("--at")
    p.add_argument("--source", default="hook")
    p.add_argument("--json", dest="as_json", action="store_true")
    return p


def parse_log(argv: list[str]) -> argparse.Namespace | None:
    """The options of a plain `tuneup log` call, or None when Typer should take the call."""
    if "log" not in argv or any(a in ("-h", "--help", "--version", "--") for a in argv):
        return None
    if any(a.startswith("-") and "=" in a for a in argv):  # --played=3: Typer's syntax, its job
        return None
    try:
        args, rest = _parser().parse_known_args(argv)
    except (argparse.ArgumentError, SystemExit):
        return None
    if rest or args.played < 0 or (args.duration is not None and args.duration < 0):
        return None
    return args


def run_log(argv: list[str]) -> bool:
    """Record the listen when ``argv`` is a plain `tuneup log`; False when Typer should run instead."""
    args = parse_log(argv)
    if args is None:
        return False
    from tuneup.env import Env
    from tuneup.history.log import prepare
    from tuneup.history.record_soon import record_soon
    from tuneup.paths import HOME_ENV
    from tuneup.text import to_json

    if args.home:
        os.environ[HOME_ENV] = os.path.abspath(os.path.expanduser(args.home))
    env = Env.from_home(args.home, profile=args.profile)
    try:  # spooled, then recorded (or handed to a detached process when the store is busy)
        event = prepare(
            args.path,
            played=args.played,
            duration=args.duration,
            ended=args.ended,
            at=args.at,
            source=args.source,
        )
        result = record_soon(env, event)
    finally:
        env.close()
    if args.as_json:
        sys.stdout.write(to_json(result) + "\n")
    elif result.get("queued"):
        pass  # kept safely and recorded in a moment: nothing for a player's log (--json says so)
    elif result["listen_id"] is None:
        sys.stderr.write("already recorded\n")
    return True
