"""ListenBrainz export: the zip, or its ``listens/YYYY/M.jsonl`` files, and ``feedback.jsonl``.

A listen line: ``listened_at`` (unix time when it started), ``track_metadata`` with ``artist_name``,
``track_name``, ``release_name``, ``additional_info`` (``recording_mbid``, ``duration_ms``, ...) and
``mbid_mapping``. A feedback line: ``recording_mbid``, ``score`` (1 love, -1 hate, 0 withdrawn),
``created``. Older exports were one JSON array (``listens.json``); that is read too.
"""

from __future__ import annotations

import json
import re
import zipfile
import zlib
from pathlib import Path

from tuneup.errors import ImportFormatError
from tuneup.history.importers.base import (
    MAX_PLAY_MS,
    UNKNOWN_MS,
    Options,
    Where,
    check_epoch,
    entry_object,
    feedback,
    ignored,
    int_field,
    json_problem,
    listen,
    load_json,
    numbered_lines,
    text_field,
)

FORMAT = "listenbrainz"
SOURCE = "listenbrainz"
HELP = "ListenBrainz export (.zip, listens/YYYY/M.jsonl, feedback.jsonl, listens.json)"

_LISTENS = re.compile(r"(^|/)listens/.*\.jsonl$")
_FEEDBACK = re.compile(r"(^|/)feedback\.jsonl$")


def parse(path: Path, options: Options = Options()):
    path = Path(path)
    if zipfile.is_zipfile(path):
        yield from _parse_zip(path)
    elif path.name == "feedback.jsonl":
        with open(path, "rb") as fh:
            yield from _parse_lines(path, fh, _feedback)
    elif path.suffix == ".json":
        where = Where(path)
        data = load_json(path)
        if not isinstance(data, list):
            raise ImportFormatError(f"{path}: expected a JSON array of listens")
        for where.n, entry in enumerate(data, 1):
            yield _listen(entry_object(entry, where), where)
    else:
        with open(path, "rb") as fh:
            yield from _parse_lines(path, fh, _listen)


def _parse_zip(path: Path):
    try:
        with zipfile.ZipFile(path) as zf:
            names = sorted(n for n in zf.namelist() if _LISTENS.search(n) or _FEEDBACK.search(n))
            if not names:
                raise ImportFormatError(
                    f"{path}: no listens/*.jsonl or feedback.jsonl inside; is this a ListenBrainz export?"
                )
            for name in names:
                handler = _feedback if _FEEDBACK.search(name) else _listen
                yield from _parse_member(path, zf, name, handler)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError) as exc:
        raise ImportFormatError(f"{path}: broken zip file ({exc})") from None


def _parse_member(path: Path, zf: zipfile.ZipFile, name: str, handler):
    """One member's lines; what zipfile and zlib raise for a member they cannot read (encrypted,
    Deflate64, AES, corrupt deflate data) becomes one line naming the member."""
    info = zf.getinfo(name)
    if info.flag_bits & 0x1:
        raise ImportFormatError(f"{path}: {name} is encrypted; export it again without a password")
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        method = _METHODS.get(info.compress_type, f"method {info.compress_type}")
        raise ImportFormatError(
            f"{path}: {name} is compressed with {method}, which tuneup cannot read; "
            "unzip it and import listens/*.jsonl, or zip it again with plain deflate"
        )
    try:
        with zf.open(name) as member:
            yield from _parse_lines(f"{path}:{name}", member, handler)
    except (zlib.error, zipfile.BadZipFile, EOFError, RuntimeError, NotImplementedError) as exc:
        raise ImportFormatError(f"{path}: {name} cannot be unpacked ({exc})") from None


_METHODS = {9: "Deflate64", 12: "bzip2", 14: "LZMA", 93: "Zstandard", 99: "AES encryption"}


def _parse_lines(name, lines, handler):
    """One JSON object per line, read line by line (``lines``: a binary file)."""
    where = Where(name, "line")
    for where.n, line in numbered_lines(lines, name):
        try:
            entry = json.loads(line)
        except (
            RecursionError,
            ValueError,
        ) as exc:  # ValueError: bad JSON, bad UTF-8, a 5,000-digit number
            raise where.error(f"bad JSON ({json_problem(exc)})") from None
        yield handler(entry_object(entry, where), where)


def _listen(entry: dict, where: Where) -> tuple:
    started = (
        check_epoch(entry.get("listened_at"), where, "listened_at")
        if "listened_at" in entry
        else None
    )
    if started is None:
        raise where.error("missing 'listened_at'")
    meta = entry.get("track_metadata")
    if not isinstance(meta, dict):
        raise where.error("missing 'track_metadata'")
    title = text_field(meta, "track_name", where)
    artist = text_field(meta, "artist_name", where)
    if title is None or artist is None:
        raise where.error("track_metadata needs 'artist_name' and 'track_name'")
    info = meta.get("additional_info") or {}
    mapping = meta.get("mbid_mapping") or {}
    mbid = (info.get("recording_mbid") if isinstance(info, dict) else None) or (
        mapping.get("recording_mbid") if isinstance(mapping, dict) else None
    )
    duration = _duration_ms(info, where) if isinstance(info, dict) else None
    return listen(
        started,
        duration if duration else UNKNOWN_MS,
        "finished",
        False,
        artist,
        title,
        text_field(meta, "release_name", where),
        mbid if isinstance(mbid, str) else None,
        duration,
    )


def _duration_ms(info: dict, where: Where) -> int | None:
    """duration_ms, or duration in seconds; the range is checked on the milliseconds (31 years
    "played" once got through as a duration in seconds below the limit for milliseconds)."""
    if info.get("duration_ms") is not None:
        return int_field(info, "duration_ms", where, maximum=MAX_PLAY_MS)
    if info.get("duration") is not None:
        seconds = int_field(info, "duration", where, maximum=MAX_PLAY_MS // 1000)
        return seconds * 1000
    return None


def _feedback(entry: dict, where: Where) -> tuple:
    score = int_field(entry, "score", where, minimum=-1)
    created = (
        check_epoch(entry.get("created"), where, "created")
        if entry.get("created") is not None
        else 0
    )
    if score == 0:
        return ignored("withdrawn feedback")
    if score not in (1, -1):
        raise where.error(f"'score' must be 1, 0 or -1, got {score}")
    meta = entry.get("track_metadata") if isinstance(entry.get("track_metadata"), dict) else {}
    mbid = entry.get("recording_mbid")
    artist, title = text_field(meta, "artist_name", where), text_field(meta, "track_name", where)
    if not mbid and not title:
        return ignored("feedback without a recording")
    return feedback(
        created,
        "like" if score == 1 else "dislike",
        artist,
        title,
        mbid if isinstance(mbid, str) else None,
    )
