"""Where tuneup keeps its state. The one module that knows about locations.

Nothing is created at import time: call :func:`ensure_dir` (or ``Paths.ensure``)
when a location is about to be written.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

APP_NAME = "tuneup"
HOME_ENV = "TUNEUP_HOME"


@dataclass(frozen=True)
class Paths:
    config_dir: Path
    data_dir: Path
    cache_dir: Path

    @property
    def config_file(self) -> Path:
        return self.config_dir / "config.toml"

    @property
    def db_file(self) -> Path:
        return self.data_dir / "tuneup.db"

    @property
    def model_dir(self) -> Path:
        return self.data_dir / "models"

    @property
    def demo_dir(self) -> Path:
        return self.data_dir / "demo"

    @property
    def playlist_dir(self) -> Path:
        return self.data_dir / "playlists"

    @property
    def run_dir(self) -> Path:
        """Sockets and other per-run files."""
        return self.cache_dir / "run"

    def ensure(self) -> "Paths":
        for d in (self.config_dir, self.data_dir, self.cache_dir):
            ensure_dir(d)
        return self


def ensure_dir(path: Path) -> Path:
    """Create ``path`` if it does not exist yet, owner-only (0700), missing parents too (mkdir's
    ``parents=True`` would give those the umask's permissions)."""
    missing, folder = [], path
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    for folder in reversed(missing):
        folder.mkdir(mode=0o700, exist_ok=True)
    return path


def get_paths(home: str | os.PathLike | None = None) -> Paths:
    """Resolve locations: an explicit ``home``, else ``$TUNEUP_HOME``, else platform dirs."""
    home = home or os.environ.get(HOME_ENV)
    if home:
        root = Path(home).expanduser().absolute()
        return Paths(root / "config", root / "data", root / "cache")
    import platformdirs

    return Paths(
        Path(platformdirs.user_config_dir(APP_NAME)),
        Path(platformdirs.user_data_dir(APP_NAME)),
        Path(platformdirs.user_cache_dir(APP_NAME)),
    )
