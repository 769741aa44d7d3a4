"""Looking at the library: item listing with a small query language, statistics, a health check."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess

JSON_COLUMNS = ("artists", "genres", "guessed", "extra")
TEXT_FIELDS = ("title", "artist", "album", "albumartist", "genres", "composer", "path")
# Escape sequences, C0/C1 controls, and the bidi overrides/isolates that reorder the rest of a line.
_CONTROL = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b[@-_]|[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]"
)


def printable(text) -> str:
    """``text`` with control characters, terminal escape sequences and bidi overrides removed, for display
    only (a title cannot clear the screen, or show the rest of the line reversed)."""
    if text is None:
        return ""
    return _CONTROL.sub("", str(text)).replace("\n", " ").replace("\t", " ")


# --- ls -------------------------------------------------------------------------------------------


def parse_query(query: str | list[str] | None, columns: list[str]) -> tuple[str, list]:
    """A query like beets': bare words match title/artist/album/genres/path; ``field:value`` matches a
    column (substring for text, exact or ``a..b`` range for numbers); ``status:missing`` shows missing files
    (only present ones are listed otherwise). Returns a SQL WHERE clause and its parameters."""
    terms = query.split() if isinstance(query, str) else list(query or [])
    clauses, params = [], []
    status_given = False
    for term in terms:
        field, sep, value = term.partition(":")
        if sep and field.lower() in columns:
            field = field.lower()
            status_given |= field == "status"
            clause, values = _field_clause(field, value)
        else:
            clause = "(" + " OR ".join(f"i.{f} LIKE ? ESCAPE '\\'" for f in TEXT_FIELDS) + ")"
            values = [_like(term)] * len(TEXT_FIELDS)
        clauses.append(clause)
        params.extend(values)
    if not status_given:
        clauses.append("i.status = 'present'")
    return " AND ".join(clauses) or "1", params


def _like(value: str) -> str:
    return "%" + value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _field_clause(field: str, value: str) -> tuple[str, list]:
    low, dots, high = value.partition("..")
    if dots and (_num(low) is not None or _num(high) is not None):
        parts, params = [], []
        if _num(low) is not None:
            parts.append(f"i.{field} >= ?")
            params.append(_num(low))
        if _num(high) is not None:
            parts.append(f"i.{field} <= ?")
            params.append(_num(high))
        return "(" + " AND ".join(parts) + ")", params
    if _num(value) is not None:
        return f"(i.{field} = ? OR CAST(i.{field} AS TEXT) = ?)", [_num(value), value]
    if value == "":
        return f"(i.{field} IS NULL OR i.{field} = '')", []
    return f"i.{field} LIKE ? ESCAPE '\\'", [_like(value)]


def _num(text: str):
    try:
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            return None


def list_items(db, query=None, *, limit: int | None = None) -> list[dict]:
    """Items matching ``query`` with every column (JSON columns decoded) and their audio features."""
    columns = [r[1] for r in db.execute("PRAGMA table_info(items)")]
    where, params = parse_query(query, columns)
    shown = [c for c in columns if c != "path_raw"]
    sql = (
        f"SELECT {', '.join('i.' + c for c in shown)}, f.data, f.status, f.reason, f.version, f.computed_at "
        f"FROM items i LEFT JOIN features f ON f.item_id = i.id WHERE {where} "
        "ORDER BY i.albumartist IS NULL, lower(coalesce(i.albumartist, i.artist)), lower(i.album), "
        "i.discnumber, i.tracknumber, lower(i.title), i.path"
    )
    if limit:
        sql += f" LIMIT {int(limit)}"
    out = []
    for row in db.execute(sql, params):
        item = dict(zip(shown, row[: len(shown)]))
        for column in JSON_COLUMNS:
            if item.get(column):
                try:
                    item[column] = json.loads(item[column])
                except ValueError:
                    pass
        data, status, reason, version, computed_at = row[len(shown) :]
        if status is not None:
            item["features"] = json.loads(data) if data else None
            item["feature_status"], item["feature_reason"] = status, reason
            item["feature_version"], item["features_computed_at"] = version, computed_at
        out.append(item)
    return out


def item_line(item: dict) -> str:
    """One display line: artist - album - 01 title  [format, m:ss]."""
    track = f"{item['tracknumber']:02d} " if item.get("tracknumber") else ""
    parts = [
        item.get("artist") or "?",
        item.get("album") or "?",
        f"{track}{item.get('title') or '?'}",
    ]
    extra = [item.get("format") or ""]
    if item.get("duration"):
        minutes, seconds = divmod(int(round(item["duration"])), 60)
        extra.append(f"{minutes}:{seconds:02d}")
    if item.get("status") == "missing":
        extra.append("missing")
    return printable(" - ".join(map(str, parts))) + f"  [{', '.join(e for e in extra if e)}]"


# --- stats ----------------------------------------------------------------------------------------


def library_stats(db) -> dict:
    one = lambda sql, *p: db.execute(sql, p).fetchone()[0]  # noqa: E731
    present = "status = 'present'"
    by_kind = dict(
        db.execute(f"SELECT kind, count(*) FROM items WHERE {present} GROUP BY kind ORDER BY kind")
    )
    by_format = dict(
        db.execute(
            f"SELECT coalesce(format, '?'), count(*) FROM items WHERE {present} GROUP BY 1 ORDER BY 2 DESC, 1"
        )
    )
    tracks = by_kind.get("track", 0)
    untagged = one(
        f"SELECT count(*) FROM items WHERE {present} AND kind = 'track' "
        "AND guessed IS NOT NULL AND guessed LIKE '%\"title\"%'"
    )
    partly = one(
        f"SELECT count(*) FROM items WHERE {present} AND kind = 'track' AND guessed IS NOT NULL"
    )
    genres = db.execute(
        f"SELECT g.value, count(*) FROM items i, json_each(i.genres) g WHERE i.{present} AND i.genres IS NOT NULL "
        "AND json_valid(i.genres) GROUP BY lower(g.value) ORDER BY 2 DESC, 1"
    ).fetchall()
    return {
        "items": sum(by_kind.values()),
        "by_kind": by_kind,
        "by_format": by_format,
        "total_duration_s": round(
            one(f"SELECT coalesce(sum(duration), 0) FROM items WHERE {present}"), 1
        ),
        "total_size_bytes": one(f"SELECT coalesce(sum(size), 0) FROM items WHERE {present}"),
        "artists": one(
            f"SELECT count(DISTINCT lower(artist)) FROM items WHERE {present} AND kind = 'track' "
            "AND artist IS NOT NULL"
        ),
        "albums": one(
            f"SELECT count(*) FROM (SELECT DISTINCT lower(coalesce(albumartist, artist, '')), "
            f"lower(album) FROM items WHERE {present} AND kind = 'track' AND album IS NOT NULL)"
        ),
        "genres": len(genres),
        "top_genres": [{"genre": g, "tracks": n} for g, n in genres[:10]],
        "untagged": untagged,
        "share_untagged": round(untagged / tracks, 4) if tracks else 0.0,
        "partly_guessed": partly,
        "missing": one("SELECT count(*) FROM items WHERE status = 'missing'"),
        "errors": one("SELECT count(*) FROM scan_errors"),
        "with_features": one(
            f"SELECT count(*) FROM features f JOIN items i ON i.id = f.item_id "
            f"WHERE i.{present} AND f.status = 'ok'"
        ),
        "video": _video_stats(db),
    }


def _video_stats(db) -> dict:
    one = lambda sql: db.execute(sql).fetchone()[0]  # noqa: E731
    present = "status = 'present'"
    return {
        "movies": one(f"SELECT count(*) FROM items WHERE {present} AND kind = 'movie'"),
        "series": one(
            f"SELECT count(*) FROM series s WHERE EXISTS (SELECT 1 FROM items i WHERE i.series_id = s.id "
            f"AND i.{present})"
        ),
        "seasons": one(
            f"SELECT count(*) FROM (SELECT DISTINCT series_id, season FROM items WHERE {present} "
            "AND kind = 'episode' AND series_id IS NOT NULL)"
        ),
        "episodes": one(f"SELECT count(*) FROM items WHERE {present} AND kind = 'episode'"),
        "other_videos": one(f"SELECT count(*) FROM items WHERE {present} AND kind = 'video'"),
    }


# --- doctor ---------------------------------------------------------------------------------------


def find_tool(name: str, args: tuple[str, ...] = ("--version",)) -> dict:
    """Whether ``name`` is on PATH, and its version line."""
    path = shutil.which(name)
    if not path:
        return {"found": False, "path": None, "version": None}
    try:
        out = subprocess.run([path, *args], capture_output=True, text=True, timeout=20).stdout
        version = out.strip().splitlines()[0] if out.strip() else None
    except (OSError, subprocess.SubprocessError):
        version = None
    return {"found": True, "path": path, "version": version}


def doctor(db, db_path=None) -> dict:
    integrity = [r[0] for r in db.execute("PRAGMA integrity_check")]
    roots = []
    for root_id, path, added_at, last_scan_at in db.execute(
        "SELECT id, path, added_at, last_scan_at FROM roots ORDER BY path"
    ):
        reachable = os.path.isdir(path) and os.access(path, os.R_OK | os.X_OK)
        counts = dict(
            db.execute(
                "SELECT status, count(*) FROM items WHERE root_id = ? GROUP BY status", [root_id]
            )
        )
        roots.append(
            {
                "path": path,
                "reachable": reachable,
                "added_at": added_at,
                "last_scan_at": last_scan_at,
                "present": counts.get("present", 0),
                "missing": counts.get("missing", 0),
            }
        )
    errors = [
        {"path": p, "reason": r, "seen_at": s}
        for p, r, s in db.execute("SELECT path, reason, seen_at FROM scan_errors ORDER BY path")
    ]
    tools = {"mpv": find_tool("mpv"), "ffmpeg": find_tool("ffmpeg", ("-version",))}
    report = {
        "database": {
            "path": str(db_path) if db_path else None,
            "integrity": "ok" if integrity == ["ok"] else integrity,
            "schema_version": db.execute("SELECT version FROM schema_version").fetchone()[0],
        },
        "tools": tools,
        "roots": roots,
        "scan_errors": errors,
    }
    report["ok"] = (
        integrity == ["ok"]
        and all(t["found"] for t in tools.values())
        and all(r["reachable"] for r in roots)
    )
    return report
