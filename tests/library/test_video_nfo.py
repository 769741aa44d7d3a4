"""NFO sidecars: Kodi/Jellyfin fields, and hostile files refused quickly with a reason."""

import time
from pathlib import Path

import pytest

from tuneup.library.video.classify import read_video
from tuneup.library.video.nfo import NfoError, read_nfo

FIXTURES = Path(__file__).parent.parent / "fixtures" / "video"

MOVIE_NFO = """<?xml version="1.0" encoding="UTF-8" standalone="yes" ?>
<movie>
  <title>Le Film</title>
  <originaltitle>The Film</originaltitle>
  <year>2004</year>
  <genre>Drama</genre><genre>Comedy / Romance</genre>
  <tag>favourite</tag>
  <plot>Two people meet.</plot>
  <outline>They meet.</outline>
  <director>A Director</director>
  <credits>W One</credits><credits>W Two</credits>
  <actor><name>Star One</name><role>Hero</role><order>0</order></actor>
  <actor><name>Star Two</name></actor>
  <studio>Studio X</studio>
  <country>France</country>
  <runtime>101</runtime>
  <ratings><rating name="imdb" max="10" default="true"><value>7.1</value><votes>12,345</votes></rating></ratings>
  <uniqueid type="imdb" default="true">tt0123456</uniqueid>
  <uniqueid type="tmdb">777</uniqueid>
  <set><name>The Film Collection</name><overview>All of them.</overview></set>
</movie>
https://www.imdb.com/title/tt0123456/
"""


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


def test_movie_nfo_fields(tmp_path):
    fields, warnings = read_nfo(write(tmp_path / "movie.nfo", MOVIE_NFO))
    assert warnings == []
    assert (
        fields["kind"] == "movie"
        and fields["title"] == "Le Film"
        and fields["original_title"] == "The Film"
    )
    assert fields["year"] == 2004
    assert fields["genres"] == ["Drama", "Comedy", "Romance"]
    assert fields["tags"] == ["favourite"] and fields["plot"] == "Two people meet."
    assert fields["directors"] == ["A Director"] and fields["writers"] == ["W One", "W Two"]
    assert fields["actors"] == [{"name": "Star One", "role": "Hero"}, {"name": "Star Two"}]
    assert (
        fields["studios"] == ["Studio X"]
        and fields["countries"] == ["France"]
        and fields["runtime"] == 101
    )
    assert fields["ratings"] == {"imdb": {"value": 7.1, "max": 10.0, "votes": 12345}}
    assert fields["unique_ids"] == {"imdb": "tt0123456", "tmdb": "777"}
    assert fields["collection"] == "The Film Collection"


def test_legacy_fields_and_url_only_nfo(tmp_path):
    old = (
        "<movie><title>Old</title><rating>6.5</rating><id>tt7654321</id><set>Old Set</set>"
        "<premiered>1987-05-01</premiered></movie>"
    )
    fields, _ = read_nfo(write(tmp_path / "a.nfo", old))
    assert fields["ratings"] == {"default": {"value": 6.5, "max": 10.0}}
    assert fields["unique_ids"] == {"imdb": "tt7654321"} and fields["collection"] == "Old Set"
    assert fields["year"] == 1987
    fields, _ = read_nfo(write(tmp_path / "b.nfo", "https://www.imdb.com/title/tt0111161/\n"))
    assert fields == {"kind": None, "unique_ids": {"imdb": "tt0111161"}}


def test_multi_episode_nfo(tmp_path):
    text = (
        "<episodedetails><title>A</title><season>2</season><episode>5</episode></episodedetails>\n"
        "<episodedetails><title>B</title><season>2</season><episode>6</episode></episodedetails>"
    )
    fields, _ = read_nfo(write(tmp_path / "e.nfo", text))
    assert (
        fields["kind"] == "episodedetails"
        and fields["season"] == 2
        and fields["episodes"] == [5, 6]
    )


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<movie><title>&lol9;</title></movie>
"""
EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE movie [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<movie><title>&xxe;</title></movie>
"""


def _hostile(tmp_path: Path, name: str) -> Path:
    if name == "billion-laughs":
        return write(tmp_path / "h.nfo", BILLION_LAUGHS)
    if name == "external-entity":
        return write(tmp_path / "h.nfo", EXTERNAL_ENTITY)
    if name == "50MB":
        path = tmp_path / "h.nfo"
        with open(path, "wb") as fh:
            fh.write(b"<movie><title>")
            fh.write(b"x" * (50 * 1024 * 1024))
            fh.write(b"</title></movie>")
        return path
    if name == "malformed":
        return write(tmp_path / "h.nfo", "<movie><title>Broken</movie>")
    if name == "deep":
        return write(tmp_path / "h.nfo", "<movie>" + "<a>" * 100000 + "</a>" * 100000 + "</movie>")
    if name == "binary":
        return write(tmp_path / "h.nfo", bytes(range(256)) * 64)
    raise AssertionError(name)


REFUSED = {
    "billion-laughs": "not allowed",
    "external-entity": "not allowed",
    "50MB": "larger than 5 MB",
    "malformed": "malformed XML",
    "binary": "no movie",
}


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_hostile_nfo_refused_quickly(tmp_path, name):
    path = _hostile(tmp_path, name)
    started = time.monotonic()
    with pytest.raises(NfoError) as info:
        read_nfo(path)
    assert time.monotonic() - started < 5
    assert REFUSED[name] in str(info.value) and str(path) in str(info.value)


def test_deeply_nested_nfo_does_not_crash(tmp_path):
    fields, _ = read_nfo(_hostile(tmp_path, "deep"))
    assert fields["kind"] == "movie"


def test_wrong_encoding_is_read_with_a_warning(tmp_path):
    text = '<?xml version="1.0" encoding="UTF-8"?><movie><title>Caf\xe9 Cr\xe8me</title></movie>'
    path = write(tmp_path / "w.nfo", text.encode("latin-1"))
    fields, warnings = read_nfo(path)
    assert fields["title"] == "Café Crème"
    assert len(warnings) == 1 and "not valid utf-8" in warnings[0]


def test_utf16_with_bom(tmp_path):
    path = write(tmp_path / "u.nfo", "\ufeff<movie><title>Zoë</title></movie>".encode("utf-16-le"))
    assert read_nfo(path)[0]["title"] == "Zoë"


@pytest.mark.parametrize("name", ["billion-laughs", "external-entity", "50MB", "malformed"])
def test_video_with_hostile_nfo_is_indexed_from_its_name(tmp_path, name):
    folder = tmp_path / "Movie Name (2019)"
    folder.mkdir()
    video = folder / "Movie Name (2019).mkv"
    video.write_bytes((FIXTURES / "titled.mkv").read_bytes())
    _hostile(tmp_path, name).rename(folder / "Movie Name (2019).nfo")
    started = time.monotonic()
    item = read_video(video)
    assert time.monotonic() - started < 5
    assert item["kind"] == "movie" and item["year"] == 2019
    assert item["title"] == "Embedded Title"  # from the container: the NFO was refused
    assert len(item["_warnings"]) == 1 and "Movie Name (2019).nfo" in item["_warnings"][0]


def test_comments_and_cdata_go_through_the_hardened_parser(tmp_path):
    text = "<movie><!-- written by a tool --><title><![CDATA[Tom & Jerry <3>]]></title><year>1940</year></movie>"
    fields, _ = read_nfo(write(tmp_path / "c.nfo", text))
    assert fields["title"] == "Tom & Jerry <3>" and fields["year"] == 1940


def test_undefined_entity_is_malformed_not_expanded(tmp_path):
    with pytest.raises(NfoError, match="malformed XML"):
        read_nfo(write(tmp_path / "u.nfo", "<movie><title>&lol9;</title></movie>"))


def test_fifo_named_nfo_does_not_hang(tmp_path):
    import os

    fifo = tmp_path / "movie.nfo"
    os.mkfifo(fifo)
    with pytest.raises(NfoError, match="not a regular file"):
        read_nfo(fifo)
