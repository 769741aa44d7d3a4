"""SQLite store: schema, migrations, opening, shared queries."""

from tuneup.store.db import (
    DEFAULT_PROFILE,
    connection,
    migrate_db,
    open_db,
    profile_id,
    schema_version,
    utcnow,
    write,
)

__all__ = [
    "DEFAULT_PROFILE",
    "connection",
    "migrate_db",
    "open_db",
    "profile_id",
    "schema_version",
    "utcnow",
    "write",
]
