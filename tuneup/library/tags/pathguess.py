"""Guessing tags from a file's path, for the many files that carry no tags.

Understands the common layouts, relative to the library root:
``Artist/Album/01 - Title.ext``, ``Artist/Album (1999)/CD2/01. Title.ext``, ``Artist - Album/03 Title.ext``,
``Artist - Title.ext``, ``01 - Artist - Title.ext``, ``01. Title.ext``.
"""

from __future__ import annotations

import re

_TRACK_PREFIX = re.compile(
    r"^\s*(?:(?P<disc>\d)[-.](?=\d{2}))?(?P<track>\d{1,3})(?:\s*[-._)]\s*|\s+)(?P<rest>.+)$"
)
_DISC_DIR = re.compile(r"^\s*(?:cd|disc|disk|dvd)\s*[-_ ]?\s*(?P<n>\d{1,2})\b.*$", re.IGNORECASE)
_YEAR_AROUND = re.compile(
    r"^\s*[\[(]?(?P<y1>(?:19|20)\d{2})[\])]?\s*[-.]?\s+(?P<a>.+)$|^(?P<b>.+?)\s*[\[(](?P<y2>(?:19|20)\d{2})[\])]\s*$"
)
_SEP = " - "

# Folders that hold music without naming it: never an artist or an album.
CONTAINERS = frozenset(
    "music musik musique muziek audio sound sounds songs tracks media mp3 mp3s flac ogg opus m4a aac "
    "wav transcoded converted encoded downloads download library collection data misc files "
    "incoming unsorted new itunes singles artists albums discography soundtracks".split()
)
# ...of which these hold one folder per album
_ALBUM_PARENTS = frozenset({"albums", "discography", "soundtracks"})
# Words that make a hyphenated lower-case folder a software package's, not a band's
# ("wesnoth-1.16-music", "sonic-pi-samples", "supertux-data")
_PACKAGE_WORDS = frozenset(
    "music data songs sounds sound audio samples sfx ogg mp3 flac opus soundtrack ost common".split()
)
_VERSION = re.compile(r"^\d+(?:\.\d+)+[a-z]?$")
_PACKAGE = re.compile(r"^[a-z0-9][a-z0-9.+]*(?:-[a-z0-9.+]+)+$")


def is_container(folder: str) -> bool:
    """True for a folder name that holds music without naming it: "music", "albums", "_transcoded",
    a package's folder ("wesnoth-1.16-music")."""
    name = folder.strip()
    if not name or name[0] in "._":
        return True
    low = name.casefold()
    if low in CONTAINERS or low.replace(" ", "") in CONTAINERS:
        return True
    return is_package_name(name)


def is_package_name(folder: str) -> bool:
    if not _PACKAGE.match(folder):
        return False
    parts = folder.split("-")
    return any(p in _PACKAGE_WORDS or _VERSION.match(p) for p in parts)


def _without_containers(dirs: list[str]) -> tuple[list[str], bool]:
    """The folders that may name an artist or album, and whether the last one is known to be an
    album (it sits in "albums/" or in a package's folder, whose sub-folders are not bands)."""
    kept: list[str] = []
    album_next = False
    for folder in dirs:
        if is_container(folder):
            album_next = folder.strip().casefold() in _ALBUM_PARENTS or is_package_name(folder)
            continue
        kept.append(folder)
        if len(kept) > 1 or not album_next:
            album_next = False
    return kept, album_next and len(kept) == 1


def _clean(text: str) -> str:
    if " " not in text and "_" in text:
        text = text.replace("_", " ")
    return re.sub(r"\s+", " ", text).strip(" -._")


def _split_year(name: str) -> tuple[str, int | None]:
    match = _YEAR_AROUND.match(name)
    if not match:
        return name, None
    if match.group("y1"):
        return match.group("a"), int(match.group("y1"))
    return match.group("b"), int(match.group("y2"))


def guess_from_path(rel_parts: list[str]) -> dict:
    """Fields guessed from path components relative to the root (last one is the file name)."""
    if not rel_parts:
        return {}
    stem = rel_parts[-1].rsplit(".", 1)[0] if "." in rel_parts[-1] else rel_parts[-1]
    dirs = list(rel_parts[:-1])
    guess: dict = {}
    match = _TRACK_PREFIX.match(stem)
    if match and not match.group("rest").strip().isdigit():
        guess["tracknumber"] = int(match.group("track"))
        if match.group("disc"):
            guess["discnumber"] = int(match.group("disc"))
        stem = match.group("rest")
    stem = _clean(stem)
    if _SEP in stem:
        artist, title = stem.split(_SEP, 1)
        if artist.strip() and title.strip():
            guess["artist"], stem = _clean(artist), _clean(title)
    if stem:
        guess["title"] = stem
    if dirs:
        disc = _DISC_DIR.match(dirs[-1])
        if disc and len(dirs) >= 2:
            guess.setdefault("discnumber", int(disc.group("n")))
            dirs.pop()
    dirs, album_only = _without_containers(dirs)
    if dirs:
        _guess_dirs(dirs, guess, album_only)
    return guess


def _guess_dirs(dirs: list[str], guess: dict, album_only: bool = False) -> None:
    album_dir = dirs[-1]
    if album_only:
        pass
    elif len(dirs) >= 2:
        guess.setdefault("artist", _clean(dirs[-2]))
    elif _SEP in album_dir:
        artist, album_dir = album_dir.split(_SEP, 1)
        guess.setdefault("artist", _clean(artist))
    elif "tracknumber" not in guess and "artist" not in guess and not album_only:
        # A single folder and a bare title: the folder is as likely an artist as an album.
        guess.setdefault("artist", _clean(album_dir))
        return
    album, year = _split_year(album_dir)
    album = _clean(album)
    if album:
        guess["album"] = album
    if year:
        guess["year"] = year


def apply_guess(row: dict, rel_parts: list[str]) -> dict:
    """Fill the fields ``row`` lacks from the path; record which ones in ``row['guessed']``."""
    guess = guess_from_path(rel_parts)
    guessed = []
    for field in ("title", "artist", "album", "tracknumber", "discnumber", "year"):
        if field in guess and not row.get(field):
            row[field] = guess[field]
            guessed.append(field)
    if "artist" in guessed and not row.get("artists"):
        import json

        row["artists"] = json.dumps([row["artist"]], ensure_ascii=False)
    if guessed:
        import json

        row["guessed"] = json.dumps(guessed)
    return row
