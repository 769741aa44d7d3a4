"""What every importer yields, and helpers they share.

A parser reads one file and yields plain tuples (cheap to make by the million):

- ``listen(started_epoch, ms_played, end_reason, skipped, artist, title, album, mbid, duration_ms)``;
  ``ms_played`` -1 means "not reported: use the track's length" (scrobbles);
- ``feedback(created_epoch, kind, artist, title, mbid)``;
- ``ignored(reason)`` for entries deliberately left out (incognito, podcasts).

It raises :class:`ImportFormatError` naming the file, the line or entry, and what was wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from tuneup.errors import ImportFormatError

LISTEN, FEEDBACK, IGNORED = "L", "F", "I"
UNKNOWN_MS = -1


@dataclass(frozen=True)
class Options:
    skip_seconds: int = 30


def listen(started: int, ms_played: int, end_reason: str, skipped: bool, artist, title, album=None,
           mbid=None, duration_ms=None) -> tuple:
    return (LISTEN, started, ms_played, end_reason, skipped, artist, title, album, mbid, duration_ms)


def feedback(created: int, kind: str, artist=None, title=None, mbid=None) -> tuple:
    return (FEEDBACK, created, kind, artist, title, mbid)


def ignored(reason: str) -> tuple:
    return (IGNORED, reason)


class Where:
    """Names the place of an error: ``file: entry 12`` or ``file: line 40``."""

    def __init__(self, path: Path | str, unit: str = "entry"):
        self.path, self.unit, self.n = str(path), unit, 0

    def error(self, message: str) -> ImportFormatError:
        place = f"{self.path}: {self.unit} {self.n}" if self.n else self.path
        return ImportFormatError(f"{place}: {message}")


# Spotify and friends write ISO 8601 with a Z; datetime.fromisoformat reads it (Python 3.11+).
_MIN_YEAR, _MAX_YEAR = 1990, 2100


def epoch_from_iso(text, where: Where, field: str) -> int:
    if not isinstance(text, str) or not text:
        raise where.error(f"missing {field!r}")
    try:
        dt = datetime.fromisoformat(text)
    except ValueError:
        raise where.error(f"impossible date in {field!r}: {text!r}") from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return check_epoch(int(dt.timestamp()), where, field, text)


def epoch_from_format(text, fmt: str, where: Where, field: str) -> int:
    if not isinstance(text, str) or not text.strip():
        raise where.error(f"missing {field!r}")
    try:
        dt = datetime.strptime(text.strip(), fmt).replace(tzinfo=timezone.utc)
    except ValueError:
        raise where.error(f"impossible date in {field!r}: {text!r}") from None
    return check_epoch(int(dt.timestamp()), where, field, text)


def check_epoch(value, where: Where, field: str, shown=None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise where.error(f"{field!r} must be a unix time in seconds, got {value!r}")
    year = 1970 + value / 31_556_952
    if not _MIN_YEAR <= year < _MAX_YEAR:
        raise where.error(f"impossible date in {field!r}: {shown if shown is not None else value!r}")
    return value


def int_field(entry: dict, key: str, where: Where, *, required: bool = True, minimum: int = 0) -> int | None:
    value = entry.get(key)
    if value is None:
        if required:
            raise where.error(f"missing {key!r}")
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            value = int(value)
        else:
            raise where.error(f"{key!r} must be a whole number, got {value!r}")
    if value < minimum:
        raise where.error(f"{key!r} cannot be below {minimum}, got {value}")
    return value


def text_field(entry: dict, key: str, where: Where) -> str | None:
    value = entry.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise where.error(f"{key!r} must be text, got {value!r}")
    return value


def load_json(path: Path, raw: bytes | None = None):
    import json

    try:
        text = (raw if raw is not None else Path(path).read_bytes()).decode("utf-8-sig")
        return json.loads(text)
    except UnicodeDecodeError as exc:
        raise ImportFormatError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise ImportFormatError(f"{path}: line {exc.lineno} column {exc.colno}: bad JSON ({exc.msg})") from None


def json_array(path: Path, data) -> list:
    if not isinstance(data, list):
        raise ImportFormatError(f"{path}: expected a JSON array of plays, got a {type(data).__name__}")
    return data


def entry_object(entry, where: Where) -> dict:
    if not isinstance(entry, dict):
        raise where.error(f"expected an object, got {type(entry).__name__}")
    return entry
