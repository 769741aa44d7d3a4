"""Installing the hooks that let other players report what they play (assets/mpv, assets/cmus)."""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

from tuneup.errors import NotFoundError, TuneupError

HOOKS = {"mpv": ("mpv", "tuneup.lua"), "cmus": ("cmus", "tuneup-status.sh")}


def asset(player: str) -> Path:
    folder, name = HOOKS[player]
    here = Path(__file__).resolve().parent.parent
    for base in (
        here.parent / "assets",
        here / "assets",
    ):  # source checkout, then installed package
        if (base / folder / name).is_file():
            return base / folder / name
    raise NotFoundError(
        f"the {player} hook ({folder}/{name}) is missing from this tuneup installation"
    )


def default_dir(player: str) -> Path:
    config = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return config / "mpv" / "scripts" if player == "mpv" else config / "cmus"


def install_hook(player: str, directory: Path | None = None) -> tuple[Path, str]:
    """Copy the hook for ``player`` into its folder. Returns (installed path, what to do next)."""
    player = player.lower()
    if player not in HOOKS:
        raise TuneupError(f"no hook for {player!r}; hooks exist for: {', '.join(HOOKS)}")
    source = asset(player)
    folder = Path(directory).expanduser() if directory else default_dir(player)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / source.name
    shutil.copyfile(source, target)
    if player == "cmus":
        target.chmod(target.stat().st_mode | stat.S_IXUSR)
        note = f"in cmus run  :set status_display_program={target}  (and :save)"
    else:
        note = (
            "mpv now reports every file it plays to `tuneup log`; "
            "set script-opts=tuneup-command=/path/to/tuneup if tuneup is not on mpv's PATH"
        )
    return target, note
