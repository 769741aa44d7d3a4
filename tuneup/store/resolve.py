"""Which item does this text name: the one resolver every command that takes an item uses.

The order, first match wins:

1. an integer item id (``42``; a file named ``42`` is ``./42``);
2. a path, as typed (made absolute) or with symlinks resolved (realpath), so a file reached
   through a linked folder is found either way;
3. ``"Artist - Title"``: every split at " - " is tried (titles may hold one); first the artist
   (else the album artist) and title equal ignoring case, then equal as normalised keys
   (``"The Beatles - Let It Be (Remastered 2009)"`` finds "Beatles, The / Let It Be"). Among several
   matches a present item wins, then the lowest id;
4. nothing: :class:`~tuneup.errors.ItemNotFound` says why in one line, with up to three
   "did you mean" suggestions (the closest "Artist - Title" labels).

``scope`` (see :mod:`tuneup.store.items`) decides which rows may answer: commands that record
or explain something about an item (like, ban, progress, why, similar) take :data:`ALL`;
commands that must play it (``mix --radio`` seeds) take :data:`PRESENT`, and then an item that is
missing or undecodable is refused with the reason.
"""

from __future__ import annotations

import difflib
import os

from tuneup.errors import ItemNotFound
from tuneup.store.items import (
    ALL,
    PRESENT,
    Item,
    get,
    item_from_row,
    marks,
    select_columns,
    where,
)
from tuneup.store.normalize import fold, norm_artist, norm_title, primary_artist

MAX_SUGGESTIONS = 3
SUGGEST_CUTOFF = 0.6  # difflib ratio; below it a name is not offered as "did you mean"


def resolve(db, text: str, scope: str = ALL) -> Item:
    """The item ``text`` names (see the module docstring for the order), or ItemNotFound."""
    item = find(db, text, scope)
    if item is not None:
        return item
    raise ItemNotFound(why_not(db, text, scope), suggest(db, text, scope))


def find(db, text: str, scope: str = ALL) -> Item | None:
    """Steps 1–3 of the order without raising: None when nothing in ``scope`` matches."""
    text = text.strip()
    if not text:
        return None
    if _is_id(text):
        item = get(db, int(text), scope)
        if item is not None:
            return item
    if _looks_like_path(text):
        item = by_path(db, text, scope)
        if item is not None:
            return item
    return _by_artist_title(db, text, scope)


def why_not(db, text: str, scope: str = ALL) -> str:
    """One line saying why ``text`` names no item in ``scope``."""
    text = text.strip()
    if _is_id(text):
        item = get(db, int(text), ALL)
        if item is None:
            return f"no item with id {text}"
        if scope != ALL:
            return f"item {text} ({item.label}) {_unplayable(db, item)}"
    if _looks_like_path(text):
        item = by_path(db, text, ALL)
        if item is not None and scope != ALL:
            return f"{text}: {_unplayable(db, item)}"
        if os.path.exists(os.path.expanduser(text)):
            return f"{text}: not in the library (run `tuneup scan` on its folder first)"
        if " - " not in text:
            return f"{text}: no such file in the library"
    if scope != ALL:
        item = _by_artist_title(db, text, ALL)
        if item is not None:
            return f"{text!r}: {_unplayable(db, item)}"
    return f'no item matches {text!r} (give an item id, a path, or "artist - title")'


def suggest(db, text: str, scope: str = ALL, n: int = MAX_SUGGESTIONS) -> list[str]:
    """Labels ("Artist - Title") of the items whose name is closest to ``text``.

    Artists are compared first (a library has far fewer artists than tracks), then the titles of
    the close artists' items; plain text (no " - ") is also compared with every title when the
    library has at most :data:`TITLE_SCAN_LIMIT` distinct titles (difflib over more is slow)."""
    if not fold(text) or _is_id(text.strip()):
        return []
    _register(db)
    artists = _distinct(db, "coalesce(artist, albumartist)", scope)
    labels: list[str] = []
    for artist_text, title_text in _splits(text) or [("", text)]:
        if artist_text:
            close = _close(artist_text, artists, n)
            labels += _close_titles(db, title_text, scope, close, n)
    if " - " not in text:
        titles = _distinct(db, "title", scope, limit=TITLE_SCAN_LIMIT + 1)
        if len(titles) <= TITLE_SCAN_LIMIT:
            labels += _close_titles(db, text, scope, None, n, among=_close(text, titles, n))
    return list(dict.fromkeys(labels))[:n]


TITLE_SCAN_LIMIT = 20_000


def suggest_artists(db, text: str, scope: str = ALL, n: int = MAX_SUGGESTIONS) -> list[str]:
    """The library's artist names closest to ``text`` (for commands that take an artist)."""
    if not fold(text):
        return []
    return _close(text, _distinct(db, "coalesce(artist, albumartist)", scope), n)


def _close(text: str, names: dict[str, str], n: int) -> list[str]:
    """The spellings in ``names`` (folded -> spelling) closest to ``text``."""
    found = difflib.get_close_matches(fold(text), list(names), n=n, cutoff=SUGGEST_CUTOFF)
    return [names[f] for f in found]


def _distinct(db, column: str, scope: str, limit: int | None = None) -> dict[str, str]:
    sql = f"SELECT DISTINCT {column} FROM items WHERE {where(scope)} AND {column} IS NOT NULL"
    rows = db.execute(sql + (f" LIMIT {int(limit)}" if limit else "")).fetchall()
    out: dict[str, str] = {}
    for (name,) in rows:
        out.setdefault(fold(name), name)
    return out


def _close_titles(db, text, scope, artists, n, among=None) -> list[str]:
    """Labels of the items by ``artists`` (None: any) whose title is closest to ``text``
    (or whose title is one of ``among``)."""
    if artists is not None and not artists:
        return []
    sql = f"SELECT artist, albumartist, title FROM items WHERE {where(scope)} AND title IS NOT NULL"
    params: list = []
    if artists:
        sql += f" AND coalesce(artist, albumartist) IN ({marks(len(artists))})"
        params += artists
    if among is not None:
        if not among:
            return []
        sql += f" AND title IN ({marks(len(among))})"
        params += among
    labels: dict[str, str] = {}
    for artist, albumartist, title in db.execute(sql + " ORDER BY id", params):
        who = artist or albumartist
        labels.setdefault(fold(title), f"{who} - {title}" if who else title)
    if among is not None:
        return list(labels.values())
    return [
        labels[f] for f in difflib.get_close_matches(fold(text), list(labels), n, SUGGEST_CUTOFF)
    ]


# --- the steps ---------------------------------------------------------------------------------


def _is_id(text: str) -> bool:
    """ASCII digits that fit SQLite's integer ("²" is a digit to str.isdigit, and int() refuses it)."""
    return text.isascii() and text.isdigit() and len(text) <= 18


def _looks_like_path(text: str) -> bool:
    return os.sep in text or text.startswith("~") or os.path.exists(text)


def by_path(db, text: str | os.PathLike, scope: str = ALL) -> Item | None:
    """The item at a path, as typed (made absolute) or with symlinks resolved."""
    text = os.fspath(text)
    typed = os.path.abspath(os.path.expanduser(text))
    for candidate in dict.fromkeys([typed, os.path.realpath(typed)]):
        row = db.execute(
            f"SELECT {select_columns()} FROM items WHERE path_raw = ? AND {where(scope)}",
            [os.fsencode(candidate)],
        ).fetchone()
        if row:
            return item_from_row(row)
    return None


def id_by_path(db, path: str | os.PathLike) -> int | None:
    """The id of the item at ``path`` in any scope (players report what they played by path)."""
    item = by_path(db, path, ALL)
    return item.id if item is not None else None


def id_by_path_suffix(db, rel: str) -> int | None:
    """The item whose path ends in ``/rel`` (shortest path first): MPD names songs relative to a
    music directory tuneup may not know. A full scan of the paths, so callers remember misses."""
    escaped = rel.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    row = db.execute(
        "SELECT id FROM items WHERE path LIKE ? ESCAPE '\\' ORDER BY length(path) LIMIT 1",
        ["%/" + escaped],
    ).fetchone()
    return row[0] if row else None


def _splits(text: str) -> list[tuple[str, str]]:
    """Every ("artist", "title") reading of ``text`` at a " - "."""
    parts = text.split(" - ")
    return [
        (" - ".join(parts[:i]).strip(), " - ".join(parts[i:]).strip()) for i in range(1, len(parts))
    ]


def _by_artist_title(db, text: str, scope: str) -> Item | None:
    splits = [(a, t) for a, t in _splits(text) if a and t]
    if not splits:
        return None
    _register(db)
    exact = {(a.casefold(), t.casefold()) for a, t in splits}
    titles = sorted({t for _, t in exact})
    for item in _candidates(db, scope, f"tuneup_casefold(title) IN ({marks(len(titles))})", titles):
        if ((item.artist_name or "").strip().casefold(), item.title.strip().casefold()) in exact:
            return item
    keyed = [({norm_artist(a), primary_artist(a)} - {""}, norm_title(t)) for a, t in splits]
    keys = sorted(set().union(*(k for k, _ in keyed)))
    if not keys:
        return None
    some = marks(len(keys))
    condition = (
        f"(tuneup_norm_artist(artist) IN ({some}) OR tuneup_primary_artist(artist) IN ({some}) "
        f"OR tuneup_norm_artist(albumartist) IN ({some}))"
    )
    for item in _candidates(db, scope, condition, keys * 3):
        mine = {
            norm_artist(item.artist),
            primary_artist(item.artist),
            norm_artist(item.albumartist),
        }
        title = norm_title(item.title)
        if any(t == title and artists & mine for artists, t in keyed):
            return item
    return None


def _candidates(db, scope: str, condition: str, params: list):
    """Items with a title matching ``condition``, present ones first, then by id."""
    rows = db.execute(
        f"SELECT {select_columns()} FROM items WHERE title IS NOT NULL AND {where(scope)} "
        f"AND {condition} ORDER BY status = 'present' DESC, id",
        params,
    )
    return (item_from_row(r) for r in rows)


def _casefold(text):
    return text.strip().casefold() if isinstance(text, str) else None


def _register(db) -> None:
    """The Python folds as SQL functions on this connection (SQLite's lower() and NOCASE fold
    ASCII only), so the scan for candidates runs inside SQLite."""
    conn = getattr(db, "conn", db)
    for name, fn in (
        ("tuneup_casefold", _casefold),
        ("tuneup_norm_artist", norm_artist),
        ("tuneup_primary_artist", primary_artist),
    ):
        conn.create_function(name, 1, fn, deterministic=True)


def _unplayable(db, item: Item) -> str:
    if item.status != "present":
        return "is missing from disk (run `tuneup scan` once it is back)"
    if get(db, item.id, PRESENT) is None:
        return "cannot be decoded (analysis found no readable audio), so it cannot play"
    return "is not playable"
