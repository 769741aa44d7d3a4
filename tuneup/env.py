"""The environment a command runs in: where state lives, settings, the database, the profile.

Front ends build one at the edge and pass it in (tests build their own), so nothing
reads global state deep inside the core.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING

from tuneup.paths import Paths, get_paths

if TYPE_CHECKING:
    from tuneup.config import Config
    from tuneup.store.db import Database


@dataclass
class Env:
    paths: Paths
    profile: str | None = None
    stdout: IO[str] = field(default_factory=lambda: sys.stdout)
    stderr: IO[str] = field(default_factory=lambda: sys.stderr)
    _config: "Config | None" = None
    _db: "Database | None" = None

    @classmethod
    def from_home(cls, home: str | None = None, profile: str | None = None) -> "Env":
        return cls(paths=get_paths(home), profile=profile)

    @property
    def config(self) -> "Config":
        if self._config is None:
            from tuneup.config import load_config

            self._config = load_config(self.paths.config_file)
        return self._config

    @property
    def db(self) -> "Database":
        """The database, opened (and migrated) on first use."""
        if self._db is None:
            from tuneup.store import open_db

            self.paths.ensure()
            self._db = open_db(self.paths.db_file)
        return self._db

    @property
    def profile_name(self) -> str:
        return self.profile or self.config.get("profile")

    @property
    def profile_id(self) -> int:
        from tuneup.store import profile_id

        return profile_id(self.db, self.profile_name)

    def close(self) -> None:
        if self._db is not None:
            self._db.conn.close()
            self._db = None
