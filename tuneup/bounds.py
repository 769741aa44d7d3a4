"""Bounds on every value read from a file before it reaches the store or a formatter.

A media file, an export or a stored row may say anything: an integer wider than SQLite's 64 bits,
a duration of +inf, a year 9999, a 50 MB title. Each reader keeps what it can parse; this module
decides what is plausible. A value outside its bounds is dropped (the file is still indexed,
with a warning naming the field), never clamped into a number nobody wrote.
"""

from __future__ import annotations

import math

INT64_MIN, INT64_MAX = -(1 << 63), (1 << 63) - 1
MAX_DURATION_S = 7 * 24 * 3600.0  # a week: longer than any recording a person plays
MIN_YEAR, MAX_YEAR = 1000, 2100  # a media file's year tag
MAX_TEXT = 16_384  # characters in a title, artist, album ...
MAX_LONG_TEXT = 1 << 20  # ... and in a description, the extra JSON, the lists of artists/genres
LONG_TEXT = frozenset({"description", "extra", "artists", "genres", "guessed"})

# column -> (lowest, highest) for the numeric columns of items that have a meaning
RANGES: dict[str, tuple[float, float]] = {
    "duration": (0.0, MAX_DURATION_S),
    "width": (1, 65_535),
    "height": (1, 65_535),
    "year": (MIN_YEAR, MAX_YEAR),
    "tracknumber": (0, 100_000),
    "tracktotal": (0, 100_000),
    "discnumber": (0, 10_000),
    "disctotal": (0, 10_000),
    "season": (0, 100_000),
    "episode": (0, 1_000_000),
    "episode_end": (0, 1_000_000),
    "absolute_episode": (0, 1_000_000),
    "bitrate": (0, 1 << 40),
    "sample_rate": (0, 1 << 31),
    "channels": (0, 1024),
    "bpm": (0.0, 10_000.0),
    "size": (0, INT64_MAX),
    "mtime_ns": (INT64_MIN, INT64_MAX),
}


def finite(value) -> float | None:
    """``value`` as a finite float, or None (inf, nan, not a number)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        number = float(value)
    except OverflowError:  # an int too big for a float
        return None
    return number if math.isfinite(number) else None


def storable(value) -> bool:
    """True when SQLite can bind ``value`` as it is: a 64-bit int, a finite float, text, bytes."""
    if value is None or isinstance(value, (str, bytes)):
        return True
    if isinstance(value, int):
        return INT64_MIN <= value <= INT64_MAX
    if isinstance(value, float):
        return math.isfinite(value)
    return False


def check_value(column: str, value) -> tuple[object, str | None]:
    """(the value to store, None) or (None, why it was dropped) for ``column`` = ``value``."""
    if value is None:
        return None, None
    if isinstance(value, str):
        limit = MAX_LONG_TEXT if column in LONG_TEXT else MAX_TEXT
        if len(value) > limit:
            return value[:limit], f"{column} longer than {limit:,} characters: cut short"
        return value, None
    if isinstance(value, bytes):
        return value, None
    if isinstance(value, bool):
        value = int(value)
    if isinstance(value, (int, float)):
        if not storable(value):
            return None, f"{column} is not a finite 64-bit number ({_short(value)}): left out"
        bounds = RANGES.get(column)
        if bounds and not bounds[0] <= value <= bounds[1]:
            return None, f"{column} {_short(value)} is out of range: left out"
        return value, None
    return None, f"{column} has an unexpected {type(value).__name__} value: left out"


def clean_row(row: dict) -> list[str]:
    """Bound every value of a scanned row in place; the warnings name what was dropped or cut."""
    warnings = []
    for column, value in list(row.items()):
        if column.startswith("_"):
            continue
        kept, why = check_value(column, value)
        if why:
            warnings.append(why)
            if kept is None:
                del row[column]
            else:
                row[column] = kept
    return warnings


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:20]}…({len(text)} digits)"


def finite_json(data):
    """``data`` with every non-finite float replaced by None: JSON has no Infinity or NaN, and a
    value stored before the readers were bounded must not make an output unparseable."""
    if isinstance(data, float):
        return data if math.isfinite(data) else None
    if isinstance(data, dict):
        return {k: finite_json(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [finite_json(v) for v in data]
    return data
