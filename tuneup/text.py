"""Text from tags and file names is data: the one place that says how it may be shown or written.

Four named policies, one per destination; every front end (CLI, TUI) and every writer (playlists,
JSON output, export) goes through them, never through a regex of its own.

``display(value)`` — a field on a terminal (CLI rows, TUI cells), always ONE line:
  - line breaks and tabs (``\\t \\n \\v \\f \\r``, CR LF, U+0085 NEL, U+2028, U+2029) become a space,
    so a tag cannot forge an output line;
  - a whole terminal escape sequence (ECMA-48: CSI ``ESC [``/U+009B with its parameters, OSC
    ``ESC ]``/U+009D, DCS, APC… up to BEL or ST, and two-byte ``ESC x``) is removed: like bidi
    controls it is formatting, and ``\\x1b[31mred\\x1b[0m`` reads ``red``;
  - every other C0 control, DEL and C1 control (a lone ESC, BEL, U+0085 aside) is made visible as
    ``\\x1b``, ``\\x07``: nothing unknown is hidden (a file name shown is one that can be found);
  - bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) are removed (see below);
  - a lone surrogate is what Python makes of a byte that is not UTF-8 in a file name
    (``os.fsdecode``, U+DC80–U+DCFF): it is shown as that byte, ``\\xe9``, the same form the store
    keeps in ``items.path`` (``path_text``); any other lone surrogate becomes U+FFFD.
``one_line(value)`` — an error message: ``display`` with whitespace runs collapsed, stripped.
``playlist_field(value)`` — a title/artist/album/annotation in m3u8, xspf or jspf: escape sequences
  removed as in ``display``, line breaks and other controls become a space, bidi controls are
  removed, lone surrogates as in ``display``, XML non-characters (U+FFFE, U+FFFF) dropped, runs of
  spaces collapsed. (A player shows it; a ``\\x07`` there would be noise, and the path, not the
  title, is what must stay exact.)
``to_json(data)`` — JSON on stdout or in a file: the data as written (``json.loads`` gives the tag
  back, controls included), but the JSON *text* never carries a raw control or bidi character:
  C0 (json's own escaping), DEL, C1, U+2028/U+2029 and bidi controls are ``\\u``-escaped. So are
  lone surrogates (``\\udce9``): the text stays valid UTF-8 (raw, Python would refuse to write it)
  and nothing is lost: ``os.fsencode(json.loads(text)[...])`` gives a non-UTF-8 file name's bytes
  back, so a script can open the file. (``ls --json`` shows ``items.path``, the store's display
  form, ``\\xe9`` as text; mixes, rows and recommendations carry the real path.) A float that is
  infinite or NaN is written ``null``: JSON has no such number.

The decision on bidi: embeddings, overrides and isolates are formatting, not text. A title holding an
unterminated U+202E would reverse the rest of the terminal line (or of a player's list) and can make
``evil.mp3`` look like ``3pm.live``; right-to-left scripts need none of them (the terminal's own bidi
algorithm orders Arabic or Hebrew letters). So they are removed wherever text is shown (terminal,
TUI, error lines, playlist titles) and escaped, not lost, in JSON. The marks U+200E/U+200F (weak,
they reorder nothing past themselves) are kept.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

_BREAK = "\t\n\x0b\x0c\r\x85\u2028\u2029"
_BIDI = "\u202a-\u202e\u2066-\u2069"
# ECMA-48 sequences: CSI (ESC [ or U+009B) parameters, intermediates, final; a control string (OSC,
# DCS, SOS, PM, APC in their 7- and 8-bit forms) up to its BEL or ST; ESC, intermediates, final.
_SEQUENCE = (
    "(?:\x1b\\[|\x9b)[0-?]*[ -/]*[@-~]"
    "|(?:\x1b[\\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\\\|\x9c)"
    "|\x1b[ -/]*[0-~]"
)
# Everything display() changes: sequences, CR LF, breaks, C0/DEL/C1 controls, bidi controls, surrogates.
_DISPLAY = re.compile(f"{_SEQUENCE}|\r\n|[\x00-\x1f\x7f-\x9f\u2028\u2029{_BIDI}\ud800-\udfff]")
_PLAYLIST = re.compile(
    f"{_SEQUENCE}|[\x00-\x1f\x7f-\x9f\u2028\u2029{_BIDI}\ud800-\udfff\ufffe\uffff]"
)
_SPACES = re.compile(r"\s{2,}")
# Raw characters json.dumps(ensure_ascii=False) leaves in its text that must not stay raw.
_JSON = re.compile(f"[\x7f-\x9f\u2028\u2029{_BIDI}\ud800-\udfff]")
_NON_ASCII = re.compile("[^\x00-\x7f]")


def _surrogate(ch: str) -> str:
    """A byte ``os.fsdecode`` could not decode, as ``\\xNN``; any other lone surrogate as U+FFFD."""
    code = ord(ch)
    return f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else "\ufffd"


def _for_display(match: re.Match) -> str:
    ch = match.group()
    if ch == "\r\n" or ch in _BREAK:
        return " "
    if len(ch) > 1:
        return ""  # an escape sequence
    code = ord(ch)
    if code < 0xA0:
        return f"\\x{code:02x}"
    if 0xD800 <= code <= 0xDFFF:
        return _surrogate(ch)
    return ""  # bidi control


def display(value: object) -> str:
    """``value`` as one terminal line that cannot drive the terminal (the policy above)."""
    if value is None:
        return ""
    text = str(value)
    return _DISPLAY.sub(_for_display, text) if _DISPLAY.search(text) else text


def terminal(text: str) -> str:
    """Output already laid out in lines (a Rich render): ``display`` for everything but the ``\\n``
    between lines. A safety net only: fields must go through ``display`` before they are laid out."""
    return "\n".join(display(line) for line in text.split("\n")) if _DISPLAY.search(text) else text


def one_line(value: object) -> str:
    """An error message as one line: ``display``, whitespace collapsed (scripts grep it)."""
    return " ".join(display(value).split())


def _for_playlist(match: re.Match) -> str:
    ch = match.group()
    if len(ch) > 1:
        return ""  # an escape sequence
    code = ord(ch)
    if 0xD800 <= code <= 0xDFFF:
        return _surrogate(ch)
    if code < 0xA0 or ch in _BREAK:
        return " "
    return ""  # bidi control, XML non-character


def playlist_field(value: object) -> str:
    """A playlist's title/artist/album/annotation: one line of text a player can show (policy above)."""
    if value is None:
        return ""
    text = _PLAYLIST.sub(_for_playlist, str(value))
    return _SPACES.sub(" ", text).strip()


def _for_json(match: re.Match) -> str:
    return f"\\u{ord(match.group()):04x}"


def _ascii_escape(match: re.Match) -> str:
    code = ord(match.group())
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def _finite(value: Any) -> Any:
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


def to_json(data: Any, *, indent: int | None = 2, ascii: bool = False) -> str:
    """``data`` as JSON text that is valid UTF-8 and carries no raw control or bidi character (the
    policy above). ``ascii``: escape every non-ASCII character too (for a document read anywhere).
    Values json cannot encode are written as ``str(value)``; an infinite or NaN float (JSON has no
    such number, and ``Infinity`` breaks every strict parser) as ``null``."""
    try:
        text = json.dumps(data, ensure_ascii=False, indent=indent, default=str, allow_nan=False)
    except ValueError:  # a non-finite float somewhere (rare: walk the data only then)
        text = json.dumps(_finite(data), ensure_ascii=False, indent=indent, default=str)
    if _JSON.search(text):
        text = _JSON.sub(_for_json, text)
    if ascii and not text.isascii():
        text = _NON_ASCII.sub(_ascii_escape, text)
    return text


def path_text(raw: bytes) -> str:
    """A file name's bytes as text: bytes that are not UTF-8 as ``\\xNN`` (the store's ``items.path``)."""
    return raw.decode("utf-8", "backslashreplace")


def is_plain(text: str) -> bool:
    """True when ``text`` holds no line break, control, bidi control, lone surrogate or XML
    non-character: a path a line-based playlist (m3u8, paths) can hold as it is."""
    return not _PLAYLIST.search(text)
