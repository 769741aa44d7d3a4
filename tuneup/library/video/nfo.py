"""Kodi/Jellyfin ``.nfo`` sidecars: untrusted XML turned into plain fields.

Any DOCTYPE or ENTITY declaration is refused before parsing, so billion-laughs and
external-entity files never reach a parser; what contains other declarations (comments, CDATA)
goes through defusedxml with DTDs forbidden, and plain markup, in which no entity can be
defined, through expat's C tree builder. Files over
``MAX_NFO_BYTES`` are refused unread. Every refusal is an :class:`NfoError` whose message is
the reason; the caller keeps indexing the video from its name.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

from tuneup.errors import MediaReadError

MAX_NFO_BYTES = 5 * 1024 * 1024
ROOTS = ("movie", "tvshow", "episodedetails", "musicvideo")
_DECL = re.compile(rb"^\s*<\?xml[^>]*?encoding=[\"']([A-Za-z0-9._-]+)[\"'][^>]*\?>")
_ANY_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")
_IMDB = re.compile(r"\b(tt\d{7,9})\b")
_TMDB = re.compile(r"themoviedb\.org/(?:movie|tv)/(\d+)")
_TVDB = re.compile(r"thetvdb\.com/.*?(?:id=|series/)(\d+)")


class NfoError(MediaReadError):
    """An NFO file was refused or malformed; the message says why."""


def read_nfo(path: str | Path) -> tuple[dict, list[str]]:
    """Fields of the NFO at ``path`` and non-fatal warnings. Raises NfoError (FileNotFoundError
    when there is no such file)."""
    data = _read_capped(path)
    text, warnings = _decode(path, data)
    roots = _parse(path, text)
    if not roots:
        ids = _ids_from_urls(text)
        if not ids:
            raise NfoError(f"{path}: no {', '.join(ROOTS)} element and no known database link")
        return {"kind": None, "unique_ids": ids}, warnings
    fields = _fields(roots[0])
    if len(roots) > 1 and roots[0].tag == "episodedetails":
        fields["episodes"] = [
            _int(r.findtext("episode")) for r in roots if r.tag == "episodedetails"
        ]
    return fields, warnings


def _read_capped(path: str | Path) -> bytes:
    """The file's bytes, refused over MAX_NFO_BYTES. FileNotFoundError passes through: no NFO."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # a FIFO named .nfo must not hang the scan
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                raise NfoError(f"{path}: not a regular file")
            if st.st_size > MAX_NFO_BYTES:
                raise NfoError(f"{path}: larger than {MAX_NFO_BYTES // (1024 * 1024)} MB, not read")
            data = os.read(fd, st.st_size + 1)
        finally:
            os.close(fd)
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        raise
    except OSError as exc:
        raise NfoError(f"{path}: cannot read ({exc.strerror})") from None
    if len(data) > MAX_NFO_BYTES:
        raise NfoError(f"{path}: larger than {MAX_NFO_BYTES // (1024 * 1024)} MB, not read")
    return data


def _decode(path: Path, data: bytes) -> tuple[str, list[str]]:
    """Text of the file: BOM, then declared encoding, then UTF-8; Latin-1 (with a warning) last."""
    for bom, codec in (
        (b"\xef\xbb\xbf", "utf-8"),
        (b"\xff\xfe", "utf-16-le"),
        (b"\xfe\xff", "utf-16-be"),
    ):
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(codec), []
            except UnicodeDecodeError:
                break
    match = _DECL.match(data)
    declared = match.group(1).decode("ascii").lower() if match else "utf-8"
    try:
        return data.decode(declared), []
    except (UnicodeDecodeError, LookupError):
        pass
    return data.decode("cp1252", errors="replace"), [
        f"{path}: not valid {declared}; read as Windows-1252"
    ]


_xml_modules = None


def _xml():
    """ElementTree, defusedxml's ElementTree and its exception base, imported once."""
    global _xml_modules
    if _xml_modules is None:
        import xml.etree.ElementTree as ET

        import defusedxml.ElementTree as DET
        from defusedxml import DefusedXmlException

        _xml_modules = (ET, DET, DefusedXmlException)
    return _xml_modules


def _parse(path: Path, text: str) -> list:
    """The NFO's top-level elements. Kodi allows a URL after the XML and several
    <episodedetails> in one file (multi-episode), so the document is cut after the last
    known closing tag and wrapped in one synthetic root."""
    ET, DET, DefusedXmlException = _xml()
    body = _ANY_DECL.sub("", text, count=1)
    if "<!DOCTYPE" in body or "<!ENTITY" in body:
        raise NfoError(f"{path}: DOCTYPE/entity declarations are not allowed in an NFO")
    end = max(
        (body.rfind(f"</{tag}>") + len(tag) + 3 for tag in ROOTS if f"</{tag}>" in body), default=-1
    )
    opened = [tag for tag in ROOTS if f"<{tag}" in body]
    if end < 0:
        if opened:
            raise NfoError(f"{path}: malformed XML (<{opened[0]}> is never closed)")
        return []
    start = min(body.find(f"<{tag}") for tag in opened)
    document = f"<nfo>{body[start:end]}</nfo>"
    try:
        if "<!" in document:  # comments, CDATA, anything declaration-like: the hardened parser
            root = DET.fromstring(document, forbid_dtd=True)
        else:  # no markup declaration at all, so no entity can be defined: expat's C tree builder (3x faster)
            root = ET.fromstring(document)
    except DefusedXmlException as exc:
        raise NfoError(f"{path}: refused ({type(exc).__name__})") from None
    except ET.ParseError as exc:
        raise NfoError(f"{path}: malformed XML ({exc})") from None
    return [child for child in root if child.tag in ROOTS]


def _ids_from_urls(text: str) -> dict:
    ids = {}
    for key, pattern in (("imdb", _IMDB), ("tmdb", _TMDB), ("tvdb", _TVDB)):
        match = pattern.search(text[:10000])
        if match:
            ids[key] = match.group(1)
    return ids


class _Children:
    """An element's children by tag, indexed once (an NFO has dozens; each field is one lookup)."""

    def __init__(self, el):
        self.tag = el.tag
        self.by_tag: dict[str, list] = {}
        for child in el:
            self.by_tag.setdefault(child.tag, []).append(child)

    def all_of(self, tag: str) -> list:
        return self.by_tag.get(tag, [])

    def text(self, tag: str) -> str | None:
        found = self.by_tag.get(tag)
        value = found[0].text if found else None
        value = value.strip() if value else None
        return value or None

    def texts(self, tag: str) -> list[str]:
        seen: list[str] = []
        for child in self.by_tag.get(tag, []):
            for part in (child.text or "").split(" / "):  # Kodi joins multiple values with " / "
                part = part.strip()
                if part and part not in seen:
                    seen.append(part)
        return seen


def _text(el, tag: str) -> str | None:
    value = el.findtext(tag)
    value = value.strip() if value else None
    return value or None


def _int(value) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def _float(value) -> float | None:
    try:
        return float(str(value).strip())
    except (TypeError, ValueError):
        return None


def _year(c: _Children) -> int | None:
    year = _int(c.text("year"))
    if year:
        return year
    for tag in ("premiered", "aired", "releasedate"):
        value = c.text(tag) or ""
        if re.match(r"^\d{4}", value):
            return int(value[:4])
    return None


def _fields(el) -> dict:
    """Every field tuneup uses from one <movie>/<tvshow>/<episodedetails> element."""
    c = _Children(el)
    fields = {
        "kind": el.tag,
        "title": c.text("title"),
        "original_title": c.text("originaltitle"),
        "sort_title": c.text("sorttitle"),
        "show_title": c.text("showtitle"),
        "year": _year(c),
        "premiered": c.text("premiered") or c.text("aired"),
        "season": _int(c.text("season")),
        "episode": _int(c.text("episode")),
        "display_season": _int(c.text("displayseason")),
        "display_episode": _int(c.text("displayepisode")),
        "genres": c.texts("genre"),
        "tags": c.texts("tag"),
        "plot": c.text("plot") or c.text("outline"),
        "outline": c.text("outline"),
        "tagline": c.text("tagline"),
        "directors": c.texts("director"),
        "writers": c.texts("credits") or c.texts("writer"),
        "actors": _actors(c),
        "studios": c.texts("studio"),
        "countries": c.texts("country"),
        "runtime": _int(c.text("runtime")),
        "mpaa": c.text("mpaa"),
        "ratings": _ratings(c),
        "unique_ids": _unique_ids(c),
        "collection": _collection(c),
    }
    return {k: v for k, v in fields.items() if v not in (None, [], {})}


def _actors(c: _Children) -> list[dict]:
    actors = []
    for actor in c.all_of("actor")[:200]:
        name = _text(actor, "name")
        if name:
            entry = {"name": name}
            role = _text(actor, "role")
            if role:
                entry["role"] = role
            actors.append(entry)
    return actors


def _ratings(c: _Children) -> dict:
    ratings = {}
    for rating in (r for group in c.all_of("ratings") for r in group.findall("rating")):
        value = _float(rating.findtext("value"))
        if value is not None:
            name = rating.get("name") or "default"
            ratings[name] = {"value": value, "max": _float(rating.get("max")) or 10.0}
            votes = _int((rating.findtext("votes") or "").replace(",", ""))
            if votes is not None:
                ratings[name]["votes"] = votes
    legacy = _float(c.text("rating"))
    if legacy is not None and not ratings:
        ratings["default"] = {"value": legacy, "max": 10.0}
    return ratings


def _unique_ids(c: _Children) -> dict:
    ids = {}
    for uid in c.all_of("uniqueid"):
        if uid.text and uid.text.strip():
            ids[(uid.get("type") or "unknown").lower()] = uid.text.strip()
    for tag, key in (("imdbid", "imdb"), ("tmdbid", "tmdb"), ("tvdbid", "tvdb")):
        value = c.text(tag)
        if value and key not in ids:
            ids[key] = value
    legacy = c.text("id")
    if legacy and legacy not in ids.values():
        ids.setdefault("imdb" if legacy.startswith("tt") else "id", legacy)
    return ids


def _collection(c: _Children) -> str | None:
    nodes = c.all_of("set")
    if not nodes:
        return None
    node = nodes[0]
    return _text(node, "name") or (node.text or "").strip() or None
