"""Property tests for the playlist writers, beyond tests/test_playlists.py (which round-trips UTF-8 text and paths
through tuneup's own reader): here paths are any bytes a file name can hold (not valid UTF-8 included), text is
any string at all (lone surrogates, NUL, controls, markup, ``#EXTINF``, XML specials), the file is really written,
and it is read back by independent parsers (defusedxml, json, a line split) as well as by tuneup's reader.

What each format does with a file name that is not valid UTF-8 (and with other unsafe names):
- m3u8 and paths: a percent-encoded ``file://`` URI of the absolute path, even when relative paths were asked
  for (only a URI can hold the bytes; so can a name with a line break or other control character);
- xspf and jspf: every location is a percent-encoded URI anyway (``file://`` when absolute);
- json: the path as a string with the undecodable bytes as ``\\udcXX`` escapes (Python's surrogateescape), which
  ``json.loads`` + ``os.fsencode`` turn back into the same bytes; the file itself stays valid UTF-8.
Titles: m3u8, xspf and jspf hold ``tuneup.text.playlist_field(title)`` (one line: escape sequences and bidi
controls removed, other controls as spaces, lone surrogates as ``\\xNN`` or U+FFFD); json keeps the exact string.
"""

import json
import os
import tempfile
from pathlib import Path
from urllib.parse import unquote_to_bytes

import defusedxml.ElementTree as DET
from hypothesis import given, settings
from hypothesis import strategies as st

from tuneup.mixes.playlist_read import parse
from tuneup.mixes.playlists import FORMATS, XSPF_NS, write_playlist
from tuneup.mixes.types import Mix, MixItem
from tuneup.text import playlist_field

SETTINGS = settings(max_examples=60, deadline=None)
HOSTILE = [
    "#EXTINF:-1,evil\n/etc/passwd",
    "]]><b>&amp;</b>\x00",
    "[bold red]x[/]",
    "\x1b]8;;http://x\x07link",
    "a\r\nb\u2028c\x85d",
    "\u202eevil\u200f",
    "\ud800lone\udfff",
    "<?xml?><!DOCTYPE x>",
    "&#0;&lt;",
    " ",
]
any_text = st.one_of(
    st.text(st.characters(exclude_categories=()), max_size=30),
    st.sampled_from(HOSTILE),
    st.lists(st.sampled_from(HOSTILE), max_size=3).map("".join),
)
# One file-name component: any bytes but '/' and NUL (what a POSIX file name can hold).
component = (
    st.binary(min_size=1, max_size=12)
    .map(lambda b: b.replace(b"/", b"_").replace(b"\0", b"_"))
    .filter(lambda b: b not in (b".", b".."))
)
byte_paths = st.lists(component, min_size=1, max_size=4).map(lambda parts: b"/" + b"/".join(parts))


def _items(paths, texts, durations):
    return [
        MixItem(
            item_id=i,
            path=os.fsdecode(p),
            title=t,
            artist=a,
            album=al,
            kind="track",
            duration_s=d,
            reason=r,
        )
        for i, (p, (t, a, al, r), d) in enumerate(zip(paths, texts, durations))
    ]


def _write(mix, fmt, style):
    out = Path(tempfile.mkdtemp(prefix="tuneup-prop-")) / f"mix.{fmt}"
    write_playlist(mix, out, fmt, paths=style)
    data = out.read_bytes()
    return data.decode(
        "utf-8"
    ), out.parent  # every format is valid UTF-8, whatever the names and tags


def _bytes_of(path: str | bytes, base: Path) -> bytes:
    """The absolute path as bytes (a relative one is relative to the playlist's folder)."""
    raw = os.fsencode(path)
    return raw if raw.startswith(b"/") else os.path.normpath(os.path.join(os.fsencode(base), raw))


def _independent_parse(text: str, fmt: str) -> tuple[list[bytes | str], list[str | None]]:
    """(paths as bytes, titles) without tuneup's reader."""
    if fmt == "xspf":
        root = DET.fromstring(text)
        ns = {"x": XSPF_NS}
        tracks = root.findall("x:trackList/x:track", ns)
        return (
            [_uri_bytes(t.findtext("x:location", "", ns)) for t in tracks],
            [t.findtext("x:title", None, ns) for t in tracks],
        )
    if fmt == "jspf":
        tracks = json.loads(text)["playlist"]["track"]
        return [_uri_bytes(t["location"][0]) for t in tracks], [t.get("title") for t in tracks]
    if fmt == "json":
        items = json.loads(text)["items"]
        return [os.fsencode(i["path"]) for i in items], [i["title"] for i in items]
    lines = text.split("\n")
    assert lines[-1] == ""
    entries = [line for line in lines[:-1] if not line.startswith("#")]
    titles = [line.partition(",")[2] for line in lines if line.startswith("#EXTINF:")]
    return [_uri_bytes(e) if e.startswith("file://") else e for e in entries], titles


def _uri_bytes(uri: str) -> bytes:
    return unquote_to_bytes(uri[len("file://") :] if uri.startswith("file://") else uri)


@SETTINGS
@given(
    fmt=st.sampled_from(FORMATS),
    style=st.sampled_from(["absolute", "relative"]),
    paths=st.lists(byte_paths, min_size=1, max_size=5),
    data=st.data(),
)
def test_any_byte_path_and_any_text_survive_a_written_file(fmt, style, paths, data):
    texts = data.draw(
        st.lists(
            st.tuples(any_text, any_text | st.none(), any_text | st.none(), any_text),
            min_size=len(paths),
            max_size=len(paths),
        )
    )
    durations = data.draw(
        st.lists(st.none() | st.floats(0, 10**5), min_size=len(paths), max_size=len(paths))
    )
    name = data.draw(any_text)
    mix = Mix(
        kind="weekly",
        name=name,
        items=_items(paths, texts, durations),
        profile="default",
        generated_at="2026-11-27T10:00:00+00:00",
    )
    text, base = _write(mix, fmt, style)
    # tuneup's own reader
    back = parse(text, fmt)
    assert [_bytes_of(e.path, base) for e in back.entries] == paths
    # an independent reader
    raw_paths, titles = _independent_parse(text, fmt)
    assert [_bytes_of(p, base) for p in raw_paths] == paths
    if fmt == "json":
        assert titles == [t for t, _, _, _ in texts]
        assert back.name == name
    elif fmt == "m3u8":
        labels = [
            f"{playlist_field(a)} - {playlist_field(t)}" if playlist_field(a) else playlist_field(t)
            for t, a, _, _ in texts
        ]
        assert titles == labels
        assert [e.title for e in back.entries] == [playlist_field(t) for t, _, _, _ in texts]
        assert back.name == playlist_field(name)
    elif fmt in ("xspf", "jspf"):
        assert [t or "" for t in titles] == [playlist_field(t) for t, _, _, _ in texts]
        assert [e.artist or "" for e in back.entries] == [playlist_field(a) for _, a, _, _ in texts]
        assert [e.reason or "" for e in back.entries] == [playlist_field(r) for _, _, _, r in texts]
        assert (back.name or "") == playlist_field(name)
    if fmt != "json":  # no control character reaches a text format
        assert not any(c in text for c in "\x00\x1b\x07\r\x85\u2028")


@SETTINGS
@given(
    paths=st.lists(byte_paths, min_size=1, max_size=5),
    texts=st.lists(any_text, min_size=5, max_size=5),
)
def test_m3u8_every_entry_is_one_line_after_its_extinf(paths, texts):
    items = _items(paths, [(t, t, t, t) for t in texts], [1.0] * len(paths))
    text, _ = _write(
        Mix(kind="daily", name=texts[0], items=items, profile="p", generated_at="x"),
        "m3u8",
        "absolute",
    )
    lines = text.splitlines()
    assert lines[0] == "#EXTM3U" and lines[1].startswith("#PLAYLIST:")
    entries = [i for i, line in enumerate(lines) if not line.startswith("#")]
    assert len(entries) == len(paths)
    extinf = [i for i, line in enumerate(lines) if line.startswith("#EXTINF:")]
    assert len(extinf) == len(paths)
    for start, entry in zip(extinf, entries):
        assert start < entry and all(
            lines[j].startswith(("#EXTART:", "#EXTALB:")) for j in range(start + 1, entry)
        )


@settings(max_examples=30, deadline=None)
@given(names=st.lists(any_text, min_size=1, max_size=3))
def test_xspf_stays_well_formed_and_safe(names):
    """defusedxml refuses entities and DTDs: a title can never smuggle one in."""
    items = _items([b"/m/a.mp3"] * len(names), [(n, n, n, n) for n in names], [None] * len(names))
    text, _ = _write(
        Mix(kind="weekly", name=names[0], items=items, profile="p", generated_at="now"),
        "xspf",
        "absolute",
    )
    root = DET.fromstring(text)
    assert root.tag == f"{{{XSPF_NS}}}playlist"
    assert len(root.findall(f"{{{XSPF_NS}}}trackList/{{{XSPF_NS}}}track")) == len(names)
