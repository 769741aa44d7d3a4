"""What a profile's mixes are built from, as one short stamp that changes whenever any of it does.

The counters in ``taste_versions`` are bumped by triggers (schema migration 5) on every write a mix
depends on: onboarding seeds, likes, dislikes, bans and their undo, forgotten listens, imports, matched
imported listens, folders added or removed. The present items (how many, the newest id) are read
directly, so a scan that adds or loses files changes the stamp too. Plays do not: a week's mix stays
the same while only plays arrive.
"""

from __future__ import annotations

LIBRARY_SCOPE = 0


def taste_stamp(db, profile_id: int) -> str:
    """``"<library version>.<profile version>.<present items>.<newest item id>"``."""
    versions = dict(
        db.execute(
            "SELECT scope, version FROM taste_versions WHERE scope IN (?, ?)",
            [LIBRARY_SCOPE, profile_id],
        ).fetchall()
    )
    count, newest = db.execute(
        "SELECT count(*), coalesce(max(id), 0) FROM items WHERE status = 'present'"
    ).fetchone()
    return f"{versions.get(LIBRARY_SCOPE, 0)}.{versions.get(profile_id, 0)}.{count}.{newest}"
