"""Every playlist format written and read back: odd paths, unicode, hostile tag text, atomic writes."""

import json
import os
import stat
import xml.etree.ElementTree as ET

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tuneup.mixes.playlist_read import parse
from tuneup.mixes.playlists import FORMATS, render, write_playlist
from tuneup.mixes.types import Mix, MixItem
from tuneup.text import playlist_field

HOSTILE = [
    "line one\nline two",
    "#EXTINF:-1,evil\n/etc/passwd",
    "]]> <b>bold</b> & <![CDATA[x]]>",
    "bell\x07 nul\x00 esc\x1b[31m red",
    "carriage\rreturn",
    "sep\u2028arator\u2029 nel\x85",
    "tab\tbed",
]


def item(path, title="T", artist="A", album="Al", duration=183.4, reason="because", item_id=1):
    return MixItem(
        item_id=item_id,
        path=path,
        title=title,
        artist=artist,
        album=album,
        kind="track",
        duration_s=duration,
        reason=reason,
    )


def mix_of(items, name="Discover Weekly"):
    return Mix(
        kind="weekly",
        name=name,
        items=items,
        profile="default",
        generated_at="2026-11-27T10:00:00+00:00",
        period="2026-W48",
    )


def check_round_trip(mix, fmt, style="absolute", base=None):
    text = render(mix, fmt, paths=style, base_dir=base)
    back = parse(text, fmt)
    assert len(back.entries) == len(mix.items)
    for written, entry in zip(mix.items, back.entries):
        path = entry.path if os.path.isabs(entry.path) else os.path.join(base, entry.path)
        assert os.path.normpath(path) == os.path.abspath(written.path)
        if fmt == "paths":
            continue
        assert (
            (entry.title or "") == playlist_field(written.title)
            or fmt == "json"
            and entry.title == written.title
        )
        if fmt != "json":
            assert (entry.artist or "") == playlist_field(written.artist)
            assert (entry.album or "") == playlist_field(written.album)
        if written.duration_s is not None:
            assert entry.duration_s == pytest.approx(written.duration_s, abs=0.5)
        if fmt in ("xspf", "jspf"):
            assert entry.reason == (playlist_field(written.reason) or None)
    if fmt != "paths":
        assert (
            (back.name or "") == playlist_field(mix.name) or fmt == "json" and back.name == mix.name
        )
    return text


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("style", ["absolute", "relative"])
def test_odd_paths_round_trip(fmt, style, tmp_path):
    names = [
        "with space.mp3",
        "ünïcödé – 日本語.flac",
        "#hash first.ogg",
        "100% pure.mp3",
        "a%20b.mp3",
        "semi;colon,comma'quote\".opus",
        "line\nbreak.mp3",
        "#EXTINF:1,x.mp3",
    ]
    music = tmp_path / "My Music" / "#folder %"
    items = [item(str(music / n), title=n, item_id=i) for i, n in enumerate(names)]
    items.append(item(os.fsdecode(bytes(music) + b"/latin1-\xe9\xff.mp3"), title="bytes"))
    check_round_trip(mix_of(items), fmt, style, base=str(tmp_path / "playlists"))


@pytest.mark.parametrize("fmt", FORMATS)
def test_hostile_tag_text_cannot_break_a_file(fmt, tmp_path):
    items = [
        item(f"/music/{i}.mp3", title=t, artist=t, album=t, reason=t, item_id=i)
        for i, t in enumerate(HOSTILE)
    ]
    text = check_round_trip(mix_of(items, name="Mix\n#EXTM3U ]]>"), fmt)
    if fmt == "m3u8":
        lines = text.splitlines()
        paths = [line for line in lines if not line.startswith("#")]
        assert paths == [f"/music/{i}.mp3" for i in range(len(HOSTILE))]
        assert sum(line.startswith("#EXTINF:") for line in lines) == len(HOSTILE)
    if fmt == "xspf":
        ET.fromstring(text)  # well-formed
        assert "<b>" not in text and "]]>" not in text
    if fmt in ("json", "jspf"):
        json.loads(text)
    assert "\x00" not in text and "\x1b" not in text or fmt == "json"


def test_m3u8_layout():
    text = render(
        mix_of(
            [
                item("/m/a.mp3", title="Song", artist="Band", duration=200.6),
                item("/m/b.mp3", title="Solo", artist=None, duration=None),
            ]
        ),
        "m3u8",
    )
    lines = text.splitlines()
    assert lines[:3] == ["#EXTM3U", "#PLAYLIST:Discover Weekly", "#EXTINF:201,Band - Song"]
    assert "#EXTINF:-1,Solo" in lines and lines[-1] == "/m/b.mp3"


def test_xspf_uses_percent_encoded_file_uris_and_annotations():
    text = render(
        mix_of([item("/m/my song #1 100%.mp3", reason="new artist in synthwave", duration=61.5)]),
        "xspf",
    )
    root = ET.fromstring(text)
    ns = {"x": "http://xspf.org/ns/0/"}
    track = root.find("x:trackList/x:track", ns)
    assert track.findtext("x:location", None, ns) == "file:///m/my%20song%20%231%20100%25.mp3"
    assert track.findtext("x:annotation", None, ns) == "new artist in synthwave"
    assert track.findtext("x:duration", None, ns) == "61500"


def test_json_layout():
    data = json.loads(render(mix_of([item("/m/a.mp3")]), "json"))
    assert {"name", "generated_at", "profile", "items"} <= set(data)
    assert set(data["items"][0]) >= {
        "path",
        "title",
        "artist",
        "album",
        "kind",
        "duration_s",
        "reason",
    }


text_strategy = st.text(st.characters(codec="utf-8"), max_size=40)
component = st.text(
    st.characters(codec="utf-8", exclude_characters="/\x00"), min_size=1, max_size=12
).filter(lambda s: s not in (".", ".."))


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    fmt=st.sampled_from(FORMATS),
    style=st.sampled_from(["absolute", "relative"]),
    parts=st.lists(st.lists(component, min_size=1, max_size=3), min_size=1, max_size=4),
    title=text_strategy,
    artist=text_strategy,
    reason=text_strategy,
    duration=st.one_of(st.none(), st.floats(min_value=0, max_value=36000)),
)
def test_any_text_round_trips(fmt, style, parts, title, artist, reason, duration):
    items = [
        item(
            "/" + "/".join(p),
            title=title,
            artist=artist,
            album=title,
            reason=reason,
            duration=duration,
            item_id=i,
        )
        for i, p in enumerate(parts)
    ]
    check_round_trip(mix_of(items, name=title or "x"), fmt, style, base="/srv/playlists")


def test_write_is_atomic_and_readable(tmp_path):
    out = tmp_path / "out dir" / "weekly.m3u8"
    out.parent.mkdir()
    out.write_text("old")
    write_playlist(mix_of([item("/m/a.mp3")]), out, "m3u8")
    assert out.read_text().startswith("#EXTM3U")
    assert os.listdir(out.parent) == ["weekly.m3u8"]  # no temp file left behind
    assert stat.S_IMODE(out.stat().st_mode) & 0o044  # players and music servers can read it


def test_relative_paths_are_relative_to_the_playlist(tmp_path):
    out = tmp_path / "lists" / "w.m3u8"
    write_playlist(
        mix_of([item(str(tmp_path / "music" / "a b.mp3"))]), out, "m3u8", paths="relative"
    )
    assert out.read_text().splitlines()[-1] == "../music/a b.mp3"
