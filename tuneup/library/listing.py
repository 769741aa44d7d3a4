"""Listing the library: `tuneup ls` and its small query language (bare words, field:value,
numeric comparisons), and the one-line form of an item."""

from __future__ import annotations

import json

from tuneup.bounds import finite
from tuneup.store.items import ON_DISK, where
from tuneup.text import display

JSON_COLUMNS = ("artists", "genres", "guessed", "extra")
TEXT_FIELDS = ("title", "artist", "album", "albumartist", "genres", "composer", "path")


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
    if not status_given:  # a listing shows the files on disk, undecodable ones included
        clauses.append(where(ON_DISK, "i"))
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
    if finite(item.get("duration")):
        minutes, seconds = divmod(int(round(item["duration"])), 60)
        extra.append(f"{minutes}:{seconds:02d}")
    if item.get("status") == "missing":
        extra.append("missing")
    return display(" - ".join(map(str, parts))) + f"  [{', '.join(e for e in extra if e)}]"
