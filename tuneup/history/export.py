"""`tuneup export-data`: everything tuneup knows about a profile, as one JSON document.

Written row by row from one read transaction (a consistent snapshot even while a player records),
so a million listens never sit in memory. ``to_json(ascii=True)`` escapes every non-ASCII and
control character (DEL included), so the output is valid JSON (and plain ASCII) whatever the tags
contain; text that is not valid UTF-8 in the database is exported with U+FFFD in its place.
"""

from __future__ import annotations

import json
from typing import IO, Any, Iterable

from tuneup.store import utcnow
from tuneup.store.items import ALL, by_ids
from tuneup.text import to_json

EXPORT_VERSION = 1
SECRET_SETTINGS = {"mpd.password"}

_LISTENS_SQL = """
SELECT l.id, l.started_at, l.ms_played, l.duration_ms, l.end_reason, l.skipped, l.source, l.import_id,
       l.artist, l.title, l.album, l.mbid, l.item_id, i.path, i.title, i.artist, i.album, i.kind
FROM listens l LEFT JOIN items i ON i.id = l.item_id
WHERE l.profile_id = ? ORDER BY l.started_at, l.id
"""


def _dumps(value: Any) -> str:
    return to_json(value, indent=None, ascii=True)


def _item(item_id, path, title, artist, album=None, kind=None) -> dict | None:
    if item_id is None:
        return None
    return {
        "id": item_id,
        "path": path,
        "title": title,
        "artist": artist,
        "album": album,
        "kind": kind,
    }


def _listen(row) -> dict:
    (
        lid,
        started,
        ms,
        dur,
        end,
        skipped,
        source,
        import_id,
        artist,
        title,
        album,
        mbid,
        item_id,
        path,
        ititle,
        iartist,
        ialbum,
        kind,
    ) = row
    return {
        "id": lid,
        "started_at": started,
        "ms_played": ms,
        "duration_ms": dur,
        "end_reason": end,
        "skipped": bool(skipped),
        "source": source,
        "import_id": import_id,
        "reported": {"artist": artist, "title": title, "album": album, "mbid": mbid},
        "item": _item(item_id, path, ititle, iartist, ialbum, kind),
    }


def _rows(conn, sql: str, args: list) -> Iterable[dict]:
    cur = conn.execute(sql, args)
    cols = [c[0] for c in cur.description]
    for row in cur:
        yield dict(zip(cols, row))


def _loads(raw: str | None, default: Any) -> Any:
    try:
        return json.loads(raw) if raw else default
    except ValueError:
        return {"unparsable": raw}


class _Writer:
    """Writes one JSON object member at a time; arrays element by element."""

    def __init__(self, out: IO[str]):
        self.out, self.first = out, True

    def key(self, name: str) -> None:
        self.out.write(("{\n" if self.first else ",\n") + f"{_dumps(name)}: ")
        self.first = False

    def value(self, name: str, value: Any) -> None:
        self.key(name)
        self.out.write(_dumps(value))

    def array(self, name: str, rows: Iterable[Any]) -> int:
        self.key(name)
        n = 0
        for row in rows:
            self.out.write(("[\n" if n == 0 else ",\n") + _dumps(row))
            n += 1
        self.out.write("\n]" if n else "[]")
        return n

    def close(self) -> None:
        self.out.write("{}\n" if self.first else "\n}\n")


def export_profile(
    db, profile_id: int, out: IO[str], *, taste: dict | None = None, config: dict | None = None
) -> dict:
    """Write the profile's data to ``out`` as JSON. Returns the number of rows written per section.

    ``taste`` is the model's summary of the profile (``model.api.saved_taste``): the caller composes
    it, so the facts layer never loads the learner."""
    conn = db.conn
    factory = conn.text_factory
    conn.text_factory = lambda b: b.decode("utf-8", "replace")
    conn.execute("BEGIN")  # one snapshot for the whole document
    try:
        return _write_all(conn, profile_id, _Writer(out), taste, config)
    finally:
        conn.execute("COMMIT")
        conn.text_factory = factory


def _write_all(conn, pid: int, w: _Writer, taste: dict | None, config) -> dict:
    row = conn.execute(
        "SELECT id, name, created_at, settings FROM profiles WHERE id = ?", [pid]
    ).fetchone()
    w.value("tuneup_export", EXPORT_VERSION)
    w.value("exported_at", utcnow())
    w.value(
        "profile",
        {"id": row[0], "name": row[1], "created_at": row[2], "settings": _loads(row[3], {})},
    )
    w.value(
        "config",
        {
            k: ("(set, not exported)" if k in SECRET_SETTINGS and v else v)
            for k, v in (config or {}).items()
        },
    )
    counts = {}
    q = "SELECT {} FROM {} WHERE profile_id = ? ORDER BY {}"
    counts["taste_seeds"] = w.array(
        "onboarding_choices",
        _rows(
            conn,
            q.format("kind, value, created_at", "taste_seeds", "created_at, kind, value"),
            [pid],
        ),
    )
    counts["feedback"] = w.array("feedback", _feedback(conn, pid))
    counts["taste_exclusions"] = w.array(
        "taste_exclusions",
        _rows(
            conn,
            q.format("id, kind, value, label, season, created_at", "taste_exclusions", "id"),
            [pid],
        ),
    )
    counts["imports"] = w.array("imports", _imports(conn, pid))
    counts["watch_progress"] = w.array(
        "watch_progress", _watch(conn, pid, "watch_progress", "last_watched_at")
    )
    counts["watch_history"] = w.array(
        "watch_history", _watch(conn, pid, "watch_history", "completed_at")
    )
    counts["mixes"] = w.array("mixes", _mixes(conn, pid))
    w.value("taste", taste)
    total = conn.execute("SELECT count(*) FROM listens WHERE profile_id = ?", [pid]).fetchone()[0]
    w.value("listen_count", total)
    counts["listens"] = w.array("listens", (_listen(r) for r in conn.execute(_LISTENS_SQL, [pid])))
    w.close()
    return counts


def _feedback(conn, pid: int) -> Iterable[dict]:
    sql = (
        "SELECT f.kind, f.created_at, f.source, f.artist, f.title, f.mbid, f.item_id, i.path, i.title, i.artist "
        "FROM feedback f LEFT JOIN items i ON i.id = f.item_id WHERE f.profile_id = ? ORDER BY f.created_at, f.id"
    )
    for kind, created, source, artist, title, mbid, item_id, path, ititle, iartist in conn.execute(
        sql, [pid]
    ):
        yield {
            "kind": kind,
            "created_at": created,
            "source": source,
            "reported": {"artist": artist, "title": title, "mbid": mbid},
            "item": _item(item_id, path, ititle, iartist),
        }


def _imports(conn, pid: int) -> Iterable[dict]:
    sql = (
        "SELECT id, format, source_path, sha256, imported_at, summary FROM imports WHERE id IN "
        "(SELECT DISTINCT import_id FROM listens WHERE profile_id = ?) ORDER BY id"
    )
    for iid, fmt, path, sha, when, summary in conn.execute(sql, [pid]):
        yield {
            "id": iid,
            "format": fmt,
            "source_path": path,
            "sha256": sha,
            "imported_at": when,
            "summary": _loads(summary, None),
        }


def _watch(conn, pid: int, table: str, order: str) -> Iterable[dict]:
    sql = (
        f"SELECT w.*, i.path AS item_path, i.title AS item_title FROM {table} w "
        f"LEFT JOIN items i ON i.id = w.item_id WHERE w.profile_id = ? ORDER BY w.{order}"
    )
    for row in _rows(conn, sql, [pid]):
        row.pop("profile_id", None)
        yield row


def _mixes(conn, pid: int) -> Iterable[dict]:
    sql = "SELECT kind, period, name, generated_at, items FROM mixes WHERE profile_id = ? ORDER BY generated_at, id"
    for kind, period, name, generated, raw in conn.execute(sql, [pid]).fetchall():  # few, small
        entries = _loads(raw, [])
        ids = [e.get("item_id") for e in entries if isinstance(e, dict)]
        known = _items_by_id(conn, ids)
        for e in entries:
            if isinstance(e, dict):
                e["item"] = known.get(e.get("item_id"))
        yield {
            "kind": kind,
            "period": period,
            "name": name,
            "generated_at": generated,
            "entries": entries,
        }


def _items_by_id(conn, ids: list) -> dict:
    ids = [i for i in ids if isinstance(i, int)]
    return {
        item.id: _item(item.id, item.path, item.title, item.artist)
        for item in by_ids(conn, ids, scope=ALL).values()
    }
