"""Tags made canonical once, at scan time: what the rest of tuneup reads in ``items``.

Real libraries carry placeholders (``<Unknown>``, ``(None)``, ``Unknown Artist``, ``Track 01``),
genres that differ only in case or spelling (``Soundtrack`` / ``soundtrack`` / ``Soundtrck``) and
web addresses where an artist belongs. Each file's values are cleaned here (a placeholder is no
value, so the path may fill it); genres of the whole library are merged afterwards with
:func:`merge_genre_variants`. Whatever was changed or dropped is kept, as read, in the item's
``raw_tags`` column (JSON ``{field: value}``; ``{}`` when nothing was changed).
"""

from __future__ import annotations

import json
import re

from tuneup.store.normalize import fold

# Values that say "nobody filled this in", compared folded (case, punctuation and brackets aside).
PLACEHOLDERS = frozenset(
    {
        "",
        "unknown",
        "unknown artist",
        "unknown album",
        "unknown title",
        "unknown genre",
        "unknown track",
        "none",
        "null",
        "nil",
        "n a",
        "na",
        "no artist",
        "no album",
        "no title",
        "no genre",
        "untitled",
        "untitled track",
        "artist",
        "album",
        "title",
        "genre",
        "track",
        "audio track",
        "audiotrack",
        "unbekannt",
        "inconnu",
        "desconocido",
        "sconosciuto",
    }
)
# Genres that say nothing about the music ("Music", "Other").
GENRE_PLACEHOLDERS = frozenset({"music", "other", "others", "misc", "miscellaneous", "various"})
# "Track 01", "13 - Track 13", "Audio Track 2", "Piste 3", "Titel 04": numbered placeholders
_NUMBERED = re.compile(r"^(?:\d+\s+)?(?:audio\s*)?(?:track|piste|titel|pista|traccia)\s*\d*$")
_URL = re.compile(
    r"^(?:https?://|www\.)\S+$|^\S+\.(?:com|net|org|de|fr|uk|info|io)(?:/\S*)?$", re.I
)
TEXT_FIELDS = ("title", "artist", "albumartist", "album", "composer")

# Other words for one genre, folded -> the name tuneup uses. Spellings that differ only in case,
# spaces or punctuation ("Hip Hop", "hip-hop") need no entry: merge_genre_variants joins them to
# the library's most common spelling.
GENRE_ALIASES = {
    "ost": "Soundtrack",
    "original soundtrack": "Soundtrack",
    "soundtracks": "Soundtrack",
    "game music": "Game Soundtrack",
    "video game music": "Game Soundtrack",
    "videogame music": "Game Soundtrack",
    "game soundtrack": "Game Soundtrack",
    "video game soundtrack": "Game Soundtrack",
    "vgm": "Game Soundtrack",
    "rnb": "R&B",
    "rhythm and blues": "R&B",
    "drum n bass": "Drum & Bass",
    "dnb": "Drum & Bass",
    "electronica": "Electronic",
}


def is_placeholder(value: str | None) -> bool:
    """True for a value that carries no information (``<Unknown>``, ``(None)``, ``Track 01``)."""
    if value is None:
        return True
    key = fold(value)
    return key in PLACEHOLDERS or bool(_NUMBERED.match(key))


def is_web_address(value: str) -> bool:
    return bool(_URL.match(value.strip()))


def canonical_genre(genre: str) -> str | None:
    """The genre as tuneup names it: spaces tidied, a known alias replaced ("game music" and "VGM"
    are "Game Soundtrack"), else as tagged; None for a placeholder. Spellings that differ only in
    case are merged library-wide by :func:`merge_genre_variants`."""
    text = " ".join(genre.split())
    if is_placeholder(text) or fold(text) in GENRE_PLACEHOLDERS:
        return None
    return GENRE_ALIASES.get(fold(text), text)


def canonicalise(row: dict) -> dict:
    """Clean one file's ``items`` columns in place; the values changed go to ``row['raw_tags']``."""
    raw: dict = {}
    for field in TEXT_FIELDS:
        value = row.get(field)
        if value is None:
            continue
        if is_placeholder(value) or (field != "title" and is_web_address(value)):
            raw[field] = value
            del row[field]
    if "artist" in raw and row.get("artists"):
        raw["artists"] = row.pop("artists")
    if row.get("genres"):
        genres = json.loads(row["genres"]) if isinstance(row["genres"], str) else row["genres"]
        clean = _genres(genres)
        if clean != list(genres):
            raw["genres"] = list(genres)
            if clean:
                row["genres"] = json.dumps(clean, ensure_ascii=False)
            else:
                del row["genres"]
    row["raw_tags"] = json.dumps(raw, ensure_ascii=False)
    return row


def _genres(genres: list[str]) -> list[str]:
    out, seen = [], set()
    for genre in genres:
        clean = canonical_genre(genre) if isinstance(genre, str) else None
        if clean and fold(clean) not in seen:
            seen.add(fold(clean))
            out.append(clean)
    return out


# --- the library's genres ----------------------------------------------------------------------


def edit_distance(a: str, b: str, limit: int = 2) -> int:
    """Levenshtein distance of ``a`` and ``b``, or ``limit + 1`` once it is known to exceed ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


def _allowed_distance(key: str) -> int:
    """Short names differ by one letter and mean other things (Folk/Funk, Soul/Soup): only names of
    six letters or more are merged, by one edit (two from ten letters on)."""
    return 0 if len(key) < 6 else 1 if len(key) < 10 else 2


def genre_variants(counts: dict[str, int]) -> dict[str, str]:
    """Genre spelling -> the library's spelling it stands for: one that differs only in case or
    punctuation becomes the most common such spelling ("soundtrack" -> "Soundtrack"), and a genre
    carried by fewer items than one within :func:`_allowed_distance` edits of it too ("Soundtrck")."""
    names = sorted(counts, key=lambda g: (-counts[g], g))
    keys = {g: fold(g).replace(" ", "") for g in names}
    out: dict[str, str] = {}
    first: dict[str, str] = {}  # folded -> the most common spelling
    for g in names:
        spelling = first.setdefault(keys[g], g)
        if spelling != g:
            out[g] = spelling
    names = [g for g in names if g not in out]
    total = {g: 0 for g in names}
    for g, n in counts.items():
        total[out.get(g, g)] += n
    counts = total
    for n, rare in enumerate(names):
        limit = _allowed_distance(keys[rare])
        if not limit:
            continue
        for common in names[:n]:
            if common in out or counts[common] <= counts[rare]:
                continue
            if edit_distance(keys[rare], keys[common], limit) <= limit:
                out[rare] = common
                break
    return out


def merge_genre_variants(db) -> int:
    """Give every item's misspelt genre the library's common spelling (raw genres kept in
    ``raw_tags``). Returns how many items changed. Run after a scan."""
    from tuneup.store import write
    from tuneup.store.items import genres as decode

    rows = db.execute(
        "SELECT id, genres, raw_tags FROM items WHERE genres IS NOT NULL AND genres != '[]'"
    ).fetchall()
    counts: dict[str, int] = {}
    for _, raw, _ in rows:
        for g in decode(raw):
            counts[g] = counts.get(g, 0) + 1
    variants = genre_variants(counts)
    if not variants:
        return 0
    changed = 0
    with write(db):
        for iid, raw, raw_tags in rows:
            genres = list(decode(raw))
            merged = list(dict.fromkeys(variants.get(g, g) for g in genres))
            if merged == genres:
                continue
            kept = json.loads(raw_tags) if raw_tags else {}
            kept.setdefault("genres", genres)
            db.execute(
                "UPDATE items SET genres = ?, raw_tags = ? WHERE id = ?",
                [
                    json.dumps(merged, ensure_ascii=False),
                    json.dumps(kept, ensure_ascii=False),
                    iid,
                ],
            )
            changed += 1
    return changed


_STORED = ("title", "artist", "albumartist", "album", "composer", "artists", "genres", "guessed")


def canonicalise_stored(db) -> int:
    """Clean the tracks scanned before tags were made canonical (``raw_tags`` NULL): placeholders,
    genre spellings, and artists guessed from a container folder ("albums", "wesnoth-1.16-music")."""
    from tuneup.library.tags.pathguess import is_container
    from tuneup.store import write

    rows = db.execute(
        f"SELECT id, {', '.join(_STORED)} FROM items WHERE raw_tags IS NULL AND kind = 'track'"
    ).fetchall()
    if not rows:
        return 0
    with write(db):
        for iid, *values in rows:
            row = {k: v for k, v in zip(_STORED, values) if v is not None}
            guessed = json.loads(row.get("guessed") or "[]")
            canonicalise(row)
            if "artist" in guessed and row.get("artist") and is_container(row["artist"]):
                kept = json.loads(row["raw_tags"])
                kept["artist"] = row.pop("artist")
                row.pop("artists", None)
                row["raw_tags"] = json.dumps(kept, ensure_ascii=False)
            sets = ", ".join(f"{k} = ?" for k in (*_STORED[:-1], "raw_tags"))
            db.execute(
                f"UPDATE items SET {sets} WHERE id = ?",
                [row.get(k) for k in (*_STORED[:-1], "raw_tags")] + [iid],
            )
    return len(rows)


def tidy_library(db) -> None:
    """After a scan: older rows cleaned, then the library's misspelt genres merged."""
    canonicalise_stored(db)
    merge_genre_variants(db)
