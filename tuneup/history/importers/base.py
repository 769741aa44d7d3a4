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
    if isinstance(value, bool) or not isinstance(value, int):
        raise where.error(f"{field!r} must be a unix time in seconds, got {value!r}")
    year = 1970 + value / 31_556_952
    if not _MIN_YEAR <= year < _MAX_YEAR:
        raise where.error(
            f"impossible date in {field!r}: {shown if shown is not None else value!r}"
        )
    return value


MAX_NUMBER = 10**10  # milliseconds (115 days) or seconds: anything above is not a play's length


def whole_number(text: str) -> int | None:
    """``text`` as a whole number (ASCII digits, an optional leading "-"), None if it is not one or is huge."""
    text = text.strip()
    body = text[1:] if text.startswith("-") else text
    if body.isascii() and body.isdigit() and len(body) <= 15:  # isdigit() alone lets "²" through
        return int(text)
    return None


def int_field(
    entry: dict, key: str, where: Where, *, required: bool = True, minimum: int = 0
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
    if value > MAX_NUMBER:
        raise where.error(f"{key!r} is impossibly large: {value}")
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
