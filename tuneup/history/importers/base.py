"""What every importer yields, and helpers they share.

A parser reads one file and yields plain tuples (cheap to make by the million):

- ``listen(started_epoch, ms_played, end_reason, skipped, artist, title, album, mbid, duration_ms)``;
  ``ms_played`` -1 means "not reported: use the track's length" (scrobbles);
- ``feedback(created_epoch, kind, artist, title, mbid)``;
- ``ignored(reason)`` for entries deliberately left out (incognito, podcasts).

It raises :class:`ImportFormatError` naming the file, the line or entry, and what was wrong.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from tuneup.bounds import MAX_DURATION_S, MAX_TEXT
from tuneup.errors import ImportFormatError

LISTEN, FEEDBACK, IGNORED = "L", "F", "I"
UNKNOWN_MS = -1


@dataclass(frozen=True)
class Options:
    skip_seconds: int = 30


def listen(
    started: int,
    ms_played: int,
    end_reason: str,
    skipped: bool,
    artist,
    title,
    album=None,
    mbid=None,
    duration_ms=None,
) -> tuple:
    return (
        LISTEN,
        started,
        ms_played,
        end_reason,
        skipped,
        artist,
        title,
        album,
        mbid,
        duration_ms,
    )


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
    """A unix time in whole seconds, within 1990-2100. Integral floats (1710093600.0) and numeric
    strings ("1710093600") are what some exporters write, and are taken as the number they say."""
    if shown is None and isinstance(value, (float, str)) and not isinstance(value, bool):
        shown, value = value, _whole_seconds(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise where.error(f"{field!r} must be a unix time in seconds, got {_short(shown, value)}")
    year = 1970 + value / 31_556_952 if abs(value) < 1 << 50 else _MAX_YEAR
    if not _MIN_YEAR <= year < _MAX_YEAR:
        raise where.error(f"impossible date in {field!r}: {_short(shown, value)}")
    return value


MAX_NUMBER = 10**10  # milliseconds (115 days) or seconds: anything above is not a play's length
MAX_PLAY_MS = int(MAX_DURATION_S * 1000)  # a track's length: a week, as for scanned files


_WHOLE = re.compile(r"-?[0-9]{1,15}(\.0*)?")


def _whole_seconds(value):
    """``value`` as an int when it is a finite whole number (a float, or ASCII digits with an
    optional ".0"); else unchanged, for the caller to refuse."""
    if isinstance(value, str):
        text = value.strip()
        return int(float(text)) if _WHOLE.fullmatch(text) else value
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    return value


def _short(shown, value) -> str:
    text = repr(shown if shown is not None else value)
    return text if len(text) <= 60 else f"{text[:40]}... ({len(text)} characters)"


def whole_number(text: str) -> int | None:
    """``text`` as a whole number (ASCII digits, an optional leading "-"), None if it is not one or is huge."""
    text = text.strip()
    body = text[1:] if text.startswith("-") else text
    if body.isascii() and body.isdigit() and len(body) <= 15:  # isdigit() alone lets "²" through
        return int(text)
    return None


def int_field(
    entry: dict,
    key: str,
    where: Where,
    *,
    required: bool = True,
    minimum: int = 0,
    maximum: int = MAX_NUMBER,
) -> int | None:
    value = entry.get(key)
    if value is None:
        if required:
            raise where.error(f"missing {key!r}")
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        number = whole_number(value) if isinstance(value, str) else None
        if number is None:
            raise where.error(f"{key!r} must be a whole number, got {value!r}")
        value = number
    if value < minimum:
        raise where.error(f"{key!r} cannot be below {minimum}, got {value}")
    if value > maximum:
        raise where.error(f"{key!r} is impossibly large: {value}")
    return value


def text_field(entry: dict, key: str, where: Where) -> str | None:
    value = entry.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise where.error(f"{key!r} must be text, got {_short(None, value)}")
    if len(value) > MAX_TEXT:
        raise where.error(f"{key!r} is {len(value):,} characters long; not a name or a title")
    return value


def load_json(path: Path, raw: bytes | None = None):
    import json

    try:
        text = (raw if raw is not None else Path(path).read_bytes()).decode("utf-8-sig")
        return json.loads(text)
    except UnicodeDecodeError as exc:
        raise ImportFormatError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise ImportFormatError(
            f"{path}: line {exc.lineno} column {exc.colno}: bad JSON ({exc.msg})"
        ) from None
    except (RecursionError, ValueError) as exc:
        raise ImportFormatError(f"{path}: bad JSON ({json_problem(exc)})") from None


def json_problem(exc: Exception) -> str:
    """What json.loads found wrong, when it is not a JSONDecodeError: nesting too deep, a number too long."""
    import json

    if isinstance(exc, RecursionError):
        return "nested too deeply"
    if isinstance(exc, json.JSONDecodeError):
        return exc.msg
    if "digits" in str(exc):
        return "a number with thousands of digits"
    return str(exc)


def capped_lines(fh, name):
    """The lines of a text or binary file, refusing one longer than MAX_ENTRY (a corrupt or sparse file with no
    line end would otherwise be read whole into memory)."""
    while True:
        line = fh.readline(MAX_ENTRY + 1)
        if not line:
            return
        if len(line) > MAX_ENTRY:
            raise ImportFormatError(
                f"{name}: a line longer than {MAX_ENTRY >> 20} MB; not an export file"
            )
        yield line


_NOT_SPACE = re.compile(rb"[^\s]")


def numbered_lines(fh, name):
    """(line number, line) for each line of a binary file that is not blank, read a megabyte at a
    time: a file of millions of empty lines costs a scan in C, not a Python step per line (a 65 KB
    zip of newlines took 161 s line by line). A line longer than MAX_ENTRY is refused."""
    number, rest = 1, b""
    while True:
        chunk = fh.read(CHUNK)
        data = rest + chunk if rest else chunk
        if not chunk:
            if data.strip():
                yield number, data
            return
        end = data.rfind(b"\n") + 1  # complete lines end there; the rest waits for the next chunk
        pos = counted = 0
        while True:
            found = _NOT_SPACE.search(data, pos, end)
            if found is None:
                break
            start = data.rfind(b"\n", pos, found.start()) + 1 or pos
            stop = data.find(b"\n", found.start(), end)
            number += data.count(b"\n", counted, start)
            counted = start
            yield number, data[start:stop]
            pos = stop + 1
        number += data.count(b"\n", counted, end)
        rest = data[end:]
        if len(rest) > MAX_ENTRY:
            raise ImportFormatError(
                f"{name}: a line longer than {MAX_ENTRY >> 20} MB; not an export file"
            )


def json_array(path: Path, data) -> list:
    if not isinstance(data, list):
        raise ImportFormatError(
            f"{path}: expected a JSON array of plays, got a {type(data).__name__}"
        )
    return data


STREAM_ABOVE = 64 << 20  # files bigger than this are read element by element
CHUNK = 1 << 20
MAX_ENTRY = (
    16 << 20
)  # one play, or one line, bigger than this is not an export's (a corrupt or sparse file)


def iter_json_array(path: Path):
    """The elements of a JSON array file; big files are streamed so memory stays bounded."""
    if Path(path).stat().st_size <= STREAM_ABOVE:
        yield from json_array(path, load_json(path))
    else:
        yield from _stream_array(Path(path))


class _Reader:
    """A text buffer over a file that remembers how many lines it has dropped (for error messages)."""

    def __init__(self, path: Path, fh):
        self.path, self.fh, self.buf, self.pos, self.lines, self.eof = path, fh, "", 0, 1, False

    def more(self) -> bool:
        if self.eof:
            return False
        try:
            chunk = self.fh.read(CHUNK)
        except UnicodeDecodeError as exc:
            raise ImportFormatError(f"{self.path}: not UTF-8 text ({exc.reason})") from None
        if not chunk:
            self.eof = True
            return False
        self.lines += self.buf.count("\n", 0, self.pos)
        self.buf, self.pos = self.buf[self.pos :] + chunk, 0
        return True

    def skip_space(self) -> str:
        """The next non-space character ('' at the end of the file)."""
        while True:
            while self.pos < len(self.buf) and self.buf[self.pos] in " \t\r\n":
                self.pos += 1
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if not self.more():
                return ""

    def error(self, at: int, message: str) -> ImportFormatError:
        line = self.lines + self.buf.count("\n", 0, at)
        column = at - self.buf.rfind("\n", 0, at)
        return ImportFormatError(f"{self.path}: line {line} column {column}: bad JSON ({message})")


_NUMBER_CHARS = frozenset("0123456789.eE+-")


def _stream_array(path: Path):
    import json

    decoder = json.JSONDecoder()
    with open(path, encoding="utf-8-sig") as fh:
        r = _Reader(path, fh)
        first = r.skip_space()
        if first != "[":
            raise ImportFormatError(f"{path}: expected a JSON array of plays")
        r.pos += 1
        sep = r.skip_space()
        while sep != "]":
            while True:
                try:
                    value, end = decoder.raw_decode(r.buf, r.pos)
                    if (end < len(r.buf) and r.buf[end] not in _NUMBER_CHARS) or not r.more():
                        break
                    continue  # a number cut by the end of the buffer ("1" of "10") goes on in the next chunk
                except json.JSONDecodeError as exc:
                    if len(r.buf) - r.pos > MAX_ENTRY:
                        raise r.error(r.pos, f"an entry larger than {MAX_ENTRY >> 20} MB") from None
                    if not r.more():
                        raise r.error(exc.pos, exc.msg) from None
                except (RecursionError, ValueError) as exc:
                    raise r.error(r.pos, json_problem(exc)) from None
            yield value
            r.pos = end
            sep = r.skip_space()
            if sep == "]":
                break
            if sep != ",":
                raise r.error(
                    r.pos, "expected ',' or ']'" if sep else "the file ends inside the array"
                )
            r.pos += 1
            r.skip_space()
        r.pos += 1
        if r.skip_space():  # also after an empty array
            raise r.error(r.pos, "extra data after the array")


def entry_object(entry, where: Where) -> dict:
    if not isinstance(entry, dict):
        raise where.error(f"expected an object, got {type(entry).__name__}")
    return entry
