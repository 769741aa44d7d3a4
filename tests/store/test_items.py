"""The items layer: named rows, the one present() predicate, chunked lookups, genres, artist identity,
the one insert and the one resolver."""

import os

import pytest

from tuneup.errors import ItemNotFound, StoreError
from tuneup.store import items as store_items
from tuneup.store import write
from tuneup.store.items import (
    ALL,
    ON_DISK,
    PRESENT,
    add_item,
    artist_key,
    artist_keys,
    by_ids,
    genres,
    present,
    where,
)
from tuneup.store.resolve import resolve, suggest


def mark_undecodable(db, item_id):
    with write(db):
        db.execute(
            "INSERT INTO features (item_id, version, computed_at, status, reason, undecodable) "
            "VALUES (?, 1, '2026-01-01', 'no_signal', 'corrupt', 1)",
            [item_id],
        )


def test_item_fields_match_the_schema(db):
    columns = [r[1] for r in db.execute("PRAGMA table_info(items)")]
    assert sorted(columns) == sorted(store_items.ITEM_FIELDS)
    assert set(store_items.COLUMNS) <= set(columns)


def test_add_item_defaults_and_json_fields(db):
    iid = add_item(db, "/m/a.ogg", title="A", artist="X", genres=["Rock/Pop", "rock"])
    item = store_items.get(db, iid)
    assert (item.path, item.real_path, item.kind, item.status) == ("/m/a.ogg",) * 2 + (
        "track",
        "present",
    )
    assert item.genres == ("Rock", "Pop")
    assert item.label == "X - A"
    # same file again: an update that keeps the id (what a rescan does)
    assert add_item(db, "/m/a.ogg", title="B") == iid
    assert store_items.get(db, iid).title == "B"


def test_add_item_refuses_unknown_columns(db):
    with pytest.raises(StoreError, match="no column 'colour'"):
        add_item(db, "/m/a.ogg", colour="red")


def test_present_excludes_missing_and_undecodable(db, make_item):
    ok = make_item(title="ok")
    gone = make_item(title="gone", status="missing")
    bad = make_item(title="bad")
    mark_undecodable(db, bad)

    def ids(scope):
        return {r[0] for r in db.execute(f"SELECT id FROM items WHERE {where(scope)}")}

    assert ids(PRESENT) == {ok}
    assert ids(ON_DISK) == {ok, bad}
    assert ids(ALL) == {ok, gone, bad}
    aliased = db.execute(f"SELECT i.id FROM items i WHERE {present('i')}").fetchall()
    assert aliased == [(ok,)]
    with pytest.raises(ValueError):
        where("everything")


def test_by_ids_chunks_and_scopes(db, make_item):
    with write(db):
        ids = [make_item(title=f"t{n}") for n in range(1203)]
    mark_undecodable(db, ids[700])
    found = by_ids(db, ids + [999_999])
    assert len(found) == 1202 and ids[700] not in found
    assert found[ids[3]].title == "t3"
    assert len(by_ids(db, ids, scope=ALL)) == 1203


def test_one_genre_decoder():
    assert genres('["Rock", "Pop; Jazz"]') == ("Rock", "Pop", "Jazz")
    assert genres('"Ambient"') == ("Ambient",)
    assert genres("Synthwave / Chillwave") == ("Synthwave", "Chillwave")  # not JSON: plain text
    assert genres(["Drama", "drama", "Comedy"]) == ("Drama", "Comedy")
    assert genres(None) == genres("") == genres("[]") == genres("{}") == ()


def test_one_artist_identity(db, make_item):
    assert artist_key("The Beatles") == artist_key("Beatles, The") == "beatles"
    assert artist_key(None, "Various") == artist_key("various")
    assert artist_key(None) == ""
    a = make_item(artist="The Beatles")
    b = make_item(artist="Beatles, The")
    c = make_item(albumartist="BEATLES")
    keys = artist_keys(db, [a, b, c])
    assert keys[a] == keys[b] == keys[c]


@pytest.fixture
def library(db, make_item, tmp_path):
    real = tmp_path / "music"
    real.mkdir()
    link = tmp_path / "linked"
    link.symlink_to(real)
    song = real / "song.ogg"
    song.write_bytes(b"x")
    ids = {
        "song": make_item(str(song), artist="Beatles, The", title="Let It Be"),
        "other": make_item(artist="Portishead", title="Roads"),
        "dash": make_item(artist="Sigur Rós", title="Hoppípolla - Live"),
        "gone": make_item(artist="Gone", title="Away", status="missing"),
    }
    return {"ids": ids, "song": song, "link": link / "song.ogg", "tmp": tmp_path}


def test_resolve_order(db, library):
    ids = library["ids"]
    assert resolve(db, str(ids["other"])).id == ids["other"]
    assert resolve(db, str(library["song"])).id == ids["song"]
    assert resolve(db, str(library["link"])).id == ids["song"]  # realpath
    assert resolve(db, "beatles, the - let it be").id == ids["song"]  # case
    assert resolve(db, "The Beatles - Let It Be (Remastered 2009)").id == ids["song"]  # keys
    assert resolve(db, "sigur rós - hoppípolla - live").id == ids["dash"]  # a dash in the title
    assert resolve(db, "  Portishead - Roads ").id == ids["other"]


def test_resolve_did_you_mean(db, library):
    with pytest.raises(ItemNotFound) as err:
        resolve(db, "Portished - Raods")
    assert err.value.suggestions[0] == "Portishead - Roads"
    assert "did you mean 'Portishead - Roads'" in str(err.value)
    assert "\n" not in str(err.value)
    assert suggest(db, "zzzzzzzz") == []


def test_resolve_scope_says_why(db, library):
    gone = library["ids"]["gone"]
    assert resolve(db, str(gone)).id == gone  # ALL: feedback on a missing file is fine
    with pytest.raises(ItemNotFound, match="missing from disk"):
        resolve(db, str(gone), PRESENT)
    with pytest.raises(ItemNotFound, match="missing from disk"):
        resolve(db, "Gone - Away", PRESENT)
    mark_undecodable(db, library["ids"]["other"])
    with pytest.raises(ItemNotFound, match="cannot be decoded"):
        resolve(db, str(library["ids"]["other"]), PRESENT)
    with pytest.raises(ItemNotFound, match="no item with id 4242"):
        resolve(db, "4242")


def test_resolve_unscanned_file(db, library):
    stray = library["tmp"] / "stray.ogg"
    stray.write_bytes(b"x")
    with pytest.raises(ItemNotFound, match="not in the library"):
        resolve(db, str(stray))
    with pytest.raises(ItemNotFound, match="no such file"):
        resolve(db, os.path.join(str(library["tmp"]), "nothing.ogg"))


def test_groups_and_counts(db, make_item):
    from tuneup.store.groups import by_album, by_artist, by_genre, in_series
    from tuneup.store.items import count_items, has_items
    from tuneup.store.resolve import id_by_path_suffix

    assert not has_items(db) and count_items(db, ALL) == 0
    a = make_item("/m/Beatles/01.ogg", artist="Beatles, The", album="Abbey Road", genres=["Rock"])
    b = make_item("/m/Beatles/02.ogg", artist="The Beatles", album="abbey road", genres=["rock"])
    make_item("/m/x.mkv", kind="episode", series_id=None, genres=["Rock"], title="ep")
    gone = make_item("/m/gone.ogg", artist="The Beatles", status="missing")
    assert by_artist(db, "the beatles") == ("The Beatles", [b])  # the spelling asked for first
    assert by_artist(db, "BEATLES") == ("Beatles, The", [a, b])  # then the one artist_key
    assert by_album(db, "ABBEY ROAD") == ("Abbey Road", [a, b])
    assert by_genre(db, "ROCK", kind="track") == ("Rock", [a, b])
    assert by_genre(db, "rock")[1] == [a, b, b + 1]
    assert in_series(db, 999) == []
    assert count_items(db) == 3 and count_items(db, ALL) == 4 and has_items(db, kinds=["episode"])
    assert gone not in by_artist(db, "The Beatles", scope=PRESENT)[1]
    assert id_by_path_suffix(db, "Beatles/02.ogg") == b and id_by_path_suffix(db, "03.ogg") is None


def test_resolve_odd_numbers(db, library):
    for text in ("²", "99999999999999999999999", "٣"):  # a superscript, too big, an Arabic-Indic 3
        with pytest.raises(ItemNotFound):
            resolve(db, text)
