"""Normalised artist and title keys, so "The Beatles – Let It Be (Remastered 2009)" from Spotify
and "Beatles, The / Let it be" from a local file land on the same key.

Both sides (imported listens and local files) go through the same functions.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Words that introduce a featured artist, in an artist string or a title.
_FEAT = r"(?:feat\.?|ft\.?|featuring|with)"
# Descriptions that name a release of the same recording, not a different song.
_VERSION_WORDS = (
    r"remaster(?:ed)?|re-?master(?:ed)?|mono|stereo|single|radio edit|edit|album version|single version|"
    r"original mix|original version|explicit|clean|bonus track|deluxe(?: edition| version)?|"
    r"\d{4}(?: mix| version| remaster(?:ed)?)?|anniversary edition|expanded edition|mixed|from .+|"
    r"digital(?:ly)? remaster(?:ed)?"
)
_BRACKET_FEAT = re.compile(rf"\s*[\(\[]\s*{_FEAT}\s[^\)\]]*[\)\]]", re.I)
_BRACKET_VERSION = re.compile(rf"\s*[\(\[][^\)\]]*\b(?:{_VERSION_WORDS})\b[^\)\]]*[\)\]]", re.I)
_DASH_VERSION = re.compile(rf"\s+[-–—]\s+[^-–—]*\b(?:{_VERSION_WORDS})\b[^-–—]*$", re.I)
_TRAILING_FEAT = re.compile(
    r"\s+(?:feat\.?|ft\.?|featuring)\s.*$", re.I
)  # not "with": "Dancing with Myself"
_DECORATED = re.compile(r"[\(\[\-–—]|\b(?:feat|ft|featuring)\b", re.I)
_ARTIST_SPLIT = re.compile(rf"\s+(?:{_FEAT}|&|and|x|vs\.?|/)\s+|\s*[,;]\s*", re.I)
_NON_WORD = re.compile(r"[^\w\s]+")
_SPACES = re.compile(r"\s+")
CACHE_SIZE = 32_768  # artists repeat a lot; titles less (the matcher caches whole keys itself)
_COMMA_THE = re.compile(r"^(.*?),\s*the$", re.I)


def fold(text: str) -> str:
    """Lower-case, accents off, punctuation off, "&" as "and", single spaces."""
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.casefold().replace("&", " and ").replace("'", "").replace("’", "")
    text = _NON_WORD.sub(" ", text).replace("_", " ")
    return _SPACES.sub(" ", text).strip()


def _drop_the(text: str) -> str:
    if text.startswith("the "):
        return text[4:]
    if text.endswith(" the"):  # "Beatles, The"
        return text[:-4]
    return text


@lru_cache(maxsize=CACHE_SIZE)
def norm_artist(artist: str | None) -> str:
    """The whole artist credit, without featured artists and without a leading "The"."""
    if not artist:
        return ""
    text = _TRAILING_FEAT.sub("", artist.strip())
    text = _COMMA_THE.sub(r"the \1", text)
    return _drop_the(fold(text)) or fold(artist)


@lru_cache(maxsize=CACHE_SIZE)
def primary_artist(artist: str | None) -> str:
    """The first credited artist: "Daft Punk & Pharrell Williams" -> "daft punk"."""
    if not artist:
        return ""
    text = _COMMA_THE.sub(r"the \1", artist.strip())
    first = _ARTIST_SPLIT.split(text, maxsplit=1)[0]
    return _drop_the(fold(first)) or norm_artist(artist)


@lru_cache(maxsize=CACHE_SIZE)
def norm_title(title: str | None) -> str:
    """The song title without featured artists and release descriptions ("- Remastered 2011")."""
    if not title:
        return ""
    text = title.strip()
    if not _DECORATED.search(text):
        return fold(text) or fold(title)
    previous = None
    while previous != text:  # suffixes can stack: "Song (feat. X) - 2011 Remaster"
        previous = text
        text = _BRACKET_FEAT.sub("", text)
        text = _BRACKET_VERSION.sub("", text)
        text = _DASH_VERSION.sub("", text)
        text = _TRAILING_FEAT.sub("", text)
    return fold(text) or fold(title)


def norm_album(album: str | None) -> str:
    return norm_title(album) if album else ""


def norm_mbid(mbid: str | None) -> str:
    return mbid.strip().lower() if mbid else ""
