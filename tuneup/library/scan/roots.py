"""The library's folders (roots): listing them with their item counts, and removing one.

Removing a folder never touches a file: its items become missing (like files that disappeared), unless
another library folder also holds them, and they come back with their history when it is added again.
"""

from __future__ import annotations

import os

from tuneup.store import utcnow, write
from tuneup.store.items import ON_DISK, where


def _prefix(root: str) -> bytes:
    return os.fsencode(root.rstrip("/") + "/")


def _under(prefixes: list[bytes]) -> tuple[str, list]:
    """SQL (and its parameters) true when an item's path_raw starts with one of ``prefixes``."""
    if not prefixes:
        return "0", []
    sql = " OR ".join("substr(path_raw, 1, ?) = ?" for _ in prefixes)
    return f"({sql})", [v for p in prefixes for v in (len(p), p)]


def library_folders(db) -> list[tuple[str, int]]:
    """(folder, items present under it) for every library folder, in path order; one pass over the items."""
    roots = [r[0] for r in db.execute("SELECT path FROM roots ORDER BY path")]
    if not roots:
        return []
    sums, params = [], []
    for root in roots:
        prefix = _prefix(root)
        sums.append("coalesce(sum(substr(path_raw, 1, ?) = ?), 0)")
        params += [len(prefix), prefix]
    counts = db.execute(
        f"SELECT {', '.join(sums)} FROM items WHERE {where(ON_DISK)}", params
    ).fetchone()
    return list(zip(roots, counts))


def remove_folder(db, path: str) -> int:
    """Forget the library folder ``path``; its items (unless also under another folder) become missing.

    Returns how many items became missing. Files on disk are never touched."""
    with write(db):
        found = db.execute("DELETE FROM roots WHERE path = ?", [path]).rowcount
        if not found:
            return 0
        others = [_prefix(r[0]) for r in db.execute("SELECT path FROM roots")]
        keep_sql, keep_params = _under(others)
        prefix = _prefix(path)
        now = utcnow()
        cur = db.execute(
            f"UPDATE items SET status = 'missing', missing_since = ?, updated_at = ? "
            f"WHERE {where(ON_DISK)} AND substr(path_raw, 1, ?) = ? AND NOT {keep_sql}",
            [now, now, len(prefix), prefix, *keep_params],
        )
        return cur.rowcount
