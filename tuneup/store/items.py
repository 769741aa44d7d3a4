"""The items layer: one vocabulary for the ``items`` table, so every package asks the same questions
the same way.

- :class:`Item` is a row built from named columns (:data:`COLUMNS`), never unpacked by position.
- :func:`present` is the one SQL predicate for "this item can be played": on disk and not found
  undecodable by analysis. :func:`where` names the other scopes (:data:`ON_DISK`, :data:`ALL`) for
  the few places that deliberately want more (scan bookkeeping, feedback, watch progress).
- :func:`by_ids` and :func:`select_in` are the one chunked ``WHERE id IN (...)``.
- :func:`genres` is the one decoder of the stored ``genres`` column (and of NFO genre lists).
- :func:`artist_key` is the one artist identity ("The Beatles" = "Beatles, The"), used by the model,
  the mix artist caps, the wizard and the rows.
- :func:`add_item` is the one insert (scan builds its batched upsert from :func:`upsert_sql`).

Resolving what a person typed into an item lives in :mod:`tuneup.store.resolve`.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, fields
from functools import lru_cache
from typing import Iterable, Iterator, Sequence

from tuneup.errors import StoreError
from tuneup.store.normalize import norm_artist

# --- scopes ------------------------------------------------------------------------------------

PRESENT = "present"  # on disk and decodable: what a mix, a row or a radio seed may hold
ON_DISK = "on_disk"  # on disk, decodable or not (scan and analysis bookkeeping)
ALL = "all"  # every row, missing and undecodable ones included (feedback, progress, why)
SCOPES = (PRESENT, ON_DISK, ALL)

_UNDECODABLE = "(SELECT item_id FROM features WHERE undecodable = 1)"


def where(scope: str = PRESENT, alias: str = "") -> str:
    """The SQL condition for ``scope`` on the items table (``alias``: its name in the query)."""
    col = f"{alias}." if alias else ""
    if scope == PRESENT:
        return f"{col}status = 'present' AND {col}id NOT IN {_UNDECODABLE}"
    if scope == ON_DISK:
        return f"{col}status = 'present'"
    if scope == ALL:
        return "1"
    raise ValueError(f"unknown item scope {scope!r} (one of {', '.join(SCOPES)})")


def present(alias: str = "") -> str:
    """The one "this item can be played" predicate: ``status = 'present'`` and not undecodable.

    ``where(ALL)`` / ``where(ON_DISK)`` are the documented ways to ask for more."""
    return where(PRESENT, alias)


# --- the row type ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    """One items row, built from named columns (see :data:`COLUMNS`)."""

    id: int
    path_raw: bytes | None
    path: str
    kind: str
    status: str
    title: str | None
    artist: str | None
    albumartist: str | None
    album: str | None
    genres_raw: str | None
    year: int | None
    duration: float | None
    series_id: int | None
    season: int | None
    episode: int | None
    added_at: str | None

    @property
    def real_path(self) -> str:
        """The path to open (the exact bytes on disk; ``path`` is for display)."""
        return os.fsdecode(self.path_raw) if self.path_raw is not None else self.path

    @property
    def artist_name(self) -> str | None:
        """The artist to show: the track artist, else the album artist."""
        return self.artist or self.albumartist

    @property
    def artist_key(self) -> str:
        return artist_key(self.artist, self.albumartist)

    @property
    def genres(self) -> tuple[str, ...]:
        return genres(self.genres_raw)

    @property
    def label_title(self) -> str:
        """The title to show: the tag, else the file name."""
        return self.title or os.path.basename(self.path)

    @property
    def label(self) -> str:
        """How an item is named back to a person: "Artist - Title", else the title or file name."""
        title = self.label_title
        return f"{self.artist_name} - {title}" if self.artist_name else title


# the SQL column behind each Item field, in order
_SOURCE = {"genres_raw": "genres"}
COLUMNS: tuple[str, ...] = tuple(_SOURCE.get(f.name, f.name) for f in fields(Item))


def select_columns(alias: str = "") -> str:
    """``COLUMNS`` for a SELECT list (prefixed with ``alias.`` when given)."""
    return ", ".join(f"{alias}.{c}" if alias else c for c in COLUMNS)


def item_from_row(row: Sequence) -> Item:
    return Item(*row)


def get(db, item_id: int, scope: str = ALL) -> Item | None:
    row = db.execute(
        f"SELECT {select_columns()} FROM items WHERE id = ? AND {where(scope)}", [int(item_id)]
    ).fetchone()
    return item_from_row(row) if row else None


def newest(db, limit: int, scope: str = PRESENT) -> list[Item]:
    """The ``limit`` items added last (newest first)."""
    rows = db.execute(
        f"SELECT {select_columns()} FROM items WHERE {where(scope)} "
        "ORDER BY added_at DESC, id DESC LIMIT ?",
        [int(limit)],
    )
    return [item_from_row(r) for r in rows]


def series_titles(db, series_ids: Iterable[int | None]) -> dict[int, str]:
    """The title of each series id given (None ids are skipped)."""
    ids = {s for s in series_ids if s is not None}
    return dict(select_in(db, "SELECT id, title FROM series WHERE id IN ({ids})", ids))


def fields_of(db, item_id: int, names: Sequence[str]) -> dict | None:
    """Columns ``names`` of item ``item_id`` by name (any scope), or None when there is no such item."""
    unknown = [n for n in names if n not in ITEM_FIELDS]
    if unknown:
        raise StoreError(f"items has no column {unknown[0]!r}")
    row = db.execute(f"SELECT {', '.join(names)} FROM items WHERE id = ?", [item_id]).fetchone()
    return dict(zip(names, row)) if row else None


def count_items(db, scope: str = PRESENT) -> int:
    """How many items are in ``scope``."""
    return db.execute(f"SELECT count(*) FROM items WHERE {where(scope)}").fetchone()[0]


def has_items(
    db, scope: str = PRESENT, kinds: Sequence[str] = (), *, not_banned_for: int | None = None
) -> bool:
    """Whether any item in ``scope`` (of ``kinds``; not banned by profile ``not_banned_for``) exists."""
    sql, params = f"SELECT 1 FROM items WHERE {where(scope)}", list(kinds)
    if kinds:
        sql += f" AND kind IN ({marks(len(kinds))})"
    if not_banned_for is not None:
        sql += (
            " AND id NOT IN (SELECT item_id FROM feedback WHERE profile_id = ? AND kind = 'ban' "
            "AND item_id IS NOT NULL)"
        )
        params.append(not_banned_for)
    return db.execute(sql + " LIMIT 1", params).fetchone() is not None


def label_of(db, item_id: int) -> str:
    """How item ``item_id`` is named back to a person ("item 42" when it is gone)."""
    item = get(db, item_id)
    return item.label if item is not None else f"item {item_id}"


# --- chunked id lookups ------------------------------------------------------------------------

CHUNK = 500  # well under SQLite's bound-parameter limit (999 on old builds)


def chunks(ids: Iterable[int], size: int = CHUNK) -> Iterator[list[int]]:
    ids = list(ids)
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def marks(n: int) -> str:
    """``?,?,?`` for ``n`` parameters."""
    return ",".join("?" * n)


def select_in(db, sql: str, ids: Iterable[int], params: Sequence = ()) -> Iterator[tuple]:
    """Rows of ``sql`` for ``ids``, a chunk at a time. ``sql`` holds ``{ids}`` where the
    placeholders go (``... WHERE id IN ({ids})``); ``params`` are bound after the ids."""
    for chunk in chunks(ids):
        yield from db.execute(sql.format(ids=marks(len(chunk))), [*chunk, *params])


def by_ids(db, ids: Iterable[int], scope: str = PRESENT) -> dict[int, Item]:
    """Items for ``ids`` (those in ``scope``), keyed by id; missing ids are simply absent."""
    sql = f"SELECT {select_columns()} FROM items WHERE id IN ({{ids}}) AND {where(scope)}"
    return {row[0]: item_from_row(row) for row in select_in(db, sql, dict.fromkeys(ids))}


# --- genres ------------------------------------------------------------------------------------

_GENRE_SPLIT = re.compile(r"\s*[/;,|\x00]\s*")


def genres(raw) -> tuple[str, ...]:
    """The one genre decoder: the stored JSON list (or a JSON string, or plain text from an older
    row or an NFO list), each value split on ``/ ; , |`` and NUL, stripped, de-duplicated ignoring
    case, in order. The scanner stores genres already split, so this agrees with what it wrote."""
    if not raw:
        return ()
    if isinstance(raw, str):
        return _genres_text(raw)
    if isinstance(raw, (list, tuple)):
        return _split_genres(raw)
    return ()


@lru_cache(maxsize=65_536)  # a library repeats a few hundred genre lists
def _genres_text(raw: str) -> tuple[str, ...]:
    try:
        value = json.loads(raw)
    except ValueError:
        value = [raw]
    if isinstance(value, str):
        value = [value]
    return _split_genres(value) if isinstance(value, list) else ()


def _split_genres(values) -> tuple[str, ...]:
    seen: set[str] = set()
    out: list[str] = []
    for value in values:
        if not isinstance(value, str):
            continue
        for part in _GENRE_SPLIT.split(value.strip()):
            low = part.casefold()
            if part and low not in seen:
                seen.add(low)
                out.append(part)
    return tuple(out)


def json_object(raw) -> dict:
    """A stored JSON object (an item's ``extra``, a features row's ``data``); {} when it is
    missing, not JSON, or not an object."""
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def encode_genres(values: Iterable[str]) -> str:
    """What goes into the ``genres`` column."""
    return json.dumps(list(genres(list(values))), ensure_ascii=False)


# --- artist identity ---------------------------------------------------------------------------


def artist_key(artist: str | None, albumartist: str | None = None) -> str:
    """The one artist identity: the credited artist (else the album artist), folded, without
    featured artists and without "The" ("The Beatles" = "Beatles, The" = "beatles"); '' when
    unknown. Two items are "the same artist" exactly when their keys are equal."""
    return norm_artist(artist or albumartist or "")


def artist_keys(db, ids: Iterable[int]) -> dict[int, str]:
    """:func:`artist_key` per item id, for the mix artist caps (any scope)."""
    sql = "SELECT id, artist, albumartist FROM items WHERE id IN ({ids})"
    return {iid: artist_key(a, aa) for iid, a, aa in select_in(db, sql, ids)}


def ids_by_artist(db, keys: Iterable[str]) -> dict[str, list[int]]:
    """Every item id (any scope, by id) whose :func:`artist_key` is one of ``keys``."""
    wanted = set(keys) - {""}
    out: dict[str, list[int]] = {k: [] for k in wanted}
    if wanted:
        for iid, a, aa in db.execute(
            "SELECT id, artist, albumartist FROM items "
            "WHERE coalesce(artist, albumartist) IS NOT NULL ORDER BY id"
        ):
            key = artist_key(a, aa)
            if key in wanted:
                out[key].append(iid)
    return out


# --- writing -----------------------------------------------------------------------------------

# every column of the items table (a test checks this against the schema)
ITEM_FIELDS: tuple[str, ...] = (
    "id root_id path_raw path kind format size mtime_ns fingerprint status missing_since added_at "
    "updated_at title artist artists album albumartist tracknumber tracktotal discnumber disctotal "
    "date year genres composer bpm initial_key mood label compilation mb_trackid mb_albumid "
    "mb_artistid mb_albumartistid mb_releasetrackid rg_track_gain rg_track_peak rg_album_gain "
    "rg_album_peak guessed duration bitrate sample_rate channels codec width height series_id "
    "season episode episode_end absolute_episode episode_title description extra raw_tags"
).split()
_JSON_FIELDS = ("artists", "guessed", "extra")


_BACK = "status = 'present', missing_since = NULL"  # a file seen on disk again


def upsert_sql(columns: Sequence[str]) -> str:
    """The one statement that writes an item: insert ``columns``, or (same ``path_raw``) update
    them, keeping the id and ``added_at``. Unless ``status`` is among the columns the item is
    marked present (a file the scanner just read is on disk)."""
    unknown = [c for c in columns if c not in ITEM_FIELDS]
    if unknown:
        raise StoreError(f"items has no column {unknown[0]!r}")
    sets = ", ".join(f"{c} = excluded.{c}" for c in columns if c not in ("path_raw", "added_at"))
    cols, values = list(columns), ["?"] * len(columns)
    if "status" not in columns:
        cols += ["status", "missing_since"]
        values += ["'present'", "NULL"]
        sets += f", {_BACK}"
    return (
        f"INSERT INTO items ({', '.join(cols)}) VALUES ({', '.join(values)}) "
        f"ON CONFLICT(path_raw) DO UPDATE SET {sets}"
    )


def mark_present(db, ids: Iterable[int], now: str) -> None:
    """Files found again at their own paths are present again (in the caller's transaction)."""
    db.conn.executemany(
        f"UPDATE items SET {_BACK}, updated_at = ? WHERE id = ?", [(now, i) for i in ids]
    )


def mark_missing(db, ids: Iterable[int], now: str) -> int:
    """Present items whose files are gone become missing (in the caller's transaction)."""
    cur = db.conn.executemany(
        "UPDATE items SET status = 'missing', missing_since = ?, updated_at = ? "
        f"WHERE id = ? AND {where(ON_DISK)}",
        [(now, now, i) for i in ids],
    )
    return cur.rowcount


def move_sql(data_columns: Sequence[str]) -> str:
    """Move item ``id`` from ``path_raw`` to a new path (same content found elsewhere), keeping its
    id, unless another item holds the new path; binds path_raw, path, root_id, updated_at, the
    data columns, then id, old path_raw, new path_raw."""
    sets = ", ".join(f"{c} = ?" for c in data_columns)
    return (
        f"UPDATE items SET path_raw = ?, path = ?, root_id = ?, updated_at = ?, {_BACK}, {sets} "
        "WHERE id = ? AND path_raw = ? AND NOT EXISTS (SELECT 1 FROM items WHERE path_raw = ?)"
    )


def add_item(db, file: str | os.PathLike | bytes, /, **fields) -> int:
    """Insert (or update, same ``file``) one item and return its id. ``fields`` are items columns
    (``path``, the display path, defaults to ``file`` decoded);
    ``genres`` may be a list, ``artists``/``guessed``/``extra`` lists or dicts (stored as JSON).
    Defaults: a present track of size 0 added now. Runs in the caller's write transaction, or
    its own."""
    from tuneup.store.db import utcnow, write

    raw = file if isinstance(file, bytes) else os.fsencode(os.fspath(file))
    now = utcnow()
    row = {"kind": "track", "size": 0, "mtime_ns": 0, "added_at": now, "updated_at": now}
    row.update(fields)
    row["path_raw"] = raw
    row.setdefault("path", os.fsdecode(raw))
    if "genres" in row and not isinstance(row["genres"], (str, type(None))):
        row["genres"] = encode_genres(row["genres"])
    for name in _JSON_FIELDS:
        if isinstance(row.get(name), (list, tuple, dict)):
            row[name] = json.dumps(row[name], ensure_ascii=False)
    columns = list(row)
    with write(db):
        db.execute(upsert_sql(columns), [row[c] for c in columns])
        return db.execute("SELECT id FROM items WHERE path_raw = ?", [raw]).fetchone()[0]
