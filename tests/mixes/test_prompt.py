"""Prompt mixes on a small library whose sound is known: calm acoustic folk, calm jazz, loud metal and
techno. Every answer below follows from the features written here."""

from __future__ import annotations

import json

import pytest
from mix_data import NOW, add_item

from tuneup.mixes import prompt as prompts
from tuneup.store import write

GENRES = {  # genre: (energy, acousticness, tempo)
    "jazz": (0.30, 0.60, 100),
    "folk": (0.20, 0.90, 90),
    "metal": (0.90, 0.10, 160),
    "techno": (0.85, 0.05, 128),
}


@pytest.fixture
def library(db):
    ids = {}
    for g, (energy, acoustic, tempo) in GENRES.items():
        for n in range(10):
            iid = add_item(
                db,
                f"/m/{g}/{n}.ogg",
                title=f"{g} {n}",
                artist=f"{g} artist {n % 3}",
                genres=[g],
            )
            data = {
                "energy": energy + n * 0.005,
                "acousticness": acoustic - n * 0.005,
                "danceability": 0.5,
                "tempo_bpm": tempo + n,
                "spectral_centroid_hz": 1000 + n,
            }
            with write(db):
                db.execute(
                    "INSERT INTO features (item_id, version, computed_at, status, data) "
                    "VALUES (?, 2, '2026-01-01', 'ok', ?)",
                    [iid, json.dumps(data)],
                )
            ids[iid] = g
    return ids


def _genres(mix, library):
    return [library[i.item_id] for i in mix.items]


def test_calm_acoustic_evening_no_metal_some_jazz(db, library):
    mix = prompts.make(
        db, 1, "calm acoustic evening, no metal, some jazz, mode:easy", size=10, now=NOW
    )
    got = _genres(mix, library)
    assert len(got) == 10 and "metal" not in got
    assert got.count("jazz") == 5  # "some": half the list
    assert set(got) - {"jazz"} == {"folk"}  # the rest: the calmest, most acoustic of the library
    assert all(i.reason.startswith("prompt:") and "calm" in i.reason for i in mix.items)
    artists = [i.artist for i in mix.items]
    assert all(a != b for a, b in zip(artists, artists[1:]))  # no artist twice in a row


def test_same_prompt_and_seed_same_list_and_refine(db, library):
    text = "energetic, no techno"
    a = prompts.make(db, 1, text, size=8, now=NOW)
    b = prompts.make(db, 1, text, size=8, now=NOW)
    c = prompts.make(db, 1, text, size=8, now=NOW, seed=7)
    ids = [i.item_id for i in a.items]
    assert ids == [i.item_id for i in b.items] and ids != [i.item_id for i in c.items]
    got = _genres(a, library)
    assert got.count("metal") >= 6 and "techno" not in got  # medium: mostly the best fits
    some = _genres(prompts.make(db, 1, "some jazz", size=10, now=NOW), library).count("jazz")
    more = prompts.refine("some jazz", "more jazz")
    assert more == "some jazz, more jazz"
    assert _genres(prompts.make(db, 1, more, size=10, now=NOW), library).count("jazz") > some
    slow = prompts.make(db, 1, "slow, mode:easy", size=5, now=NOW)
    assert set(_genres(slow, library)) == {"folk"}  # 90-99 bpm
    away = prompts.make(db, 1, "less slow, mode:easy", size=5, now=NOW)
    assert set(_genres(away, library)) == {"metal"}  # leaning the other way: the fastest


def test_explicit_terms_weights_and_exploration(db, library):
    mix = prompts.make(db, 1, "genre:metal:3, genre:folk, mode:hard", size=8, now=NOW)
    got = _genres(mix, library)
    assert got.count("metal") == 6 and got.count("folk") == 2
    assert all(i.exploration for i in mix.items)  # hard: flagged as exploring
    only = prompts.make(db, 1, "artist:(jazz artist 1)", size=5, now=NOW)
    assert {i.artist for i in only.items} == {"jazz artist 1"}


def test_unknown_words_say_what_the_library_has(db, library):
    with pytest.raises(
        prompts.PromptError, match="'jaz' is not in this library's vocabulary; did you mean 'jazz'"
    ):
        prompts.make(db, 1, "calm jaz", now=NOW)
    with pytest.raises(prompts.PromptError, match="did you mean 'genre:folk'"):
        prompts.make(db, 1, "genre:fokl", now=NOW)
    with pytest.raises(prompts.PromptError, match="era"):
        prompts.make(db, 1, "era:long ago", now=NOW)


def test_the_cli_prints_the_mix_and_refines_the_last_prompt(tuneup_cmd, home, env):
    from mix_data import add_item as add

    for n in range(6):
        add(
            env.db,
            f"/m/{n}.ogg",
            title=f"t{n}",
            artist=f"a{n}",
            genres=["jazz" if n < 3 else "folk"],
        )
    env.close()
    out = json.loads(
        tuneup_cmd("mix", "--prompt", "jazz", "--size", "3", "--format", "json", "--json").stdout
    )
    assert out["kind"] == "prompt" and len(out["items"]) == 3
    assert all(i["path"] for i in out["items"])
    assert out["figures"]["size"] == 3 and out["figures"]["novelty"] == 1.0  # nothing played yet
    rendered = json.loads(tuneup_cmd("mix", "--prompt", "jazz", "--format", "json").stdout)
    assert rendered["figures"]["diversity"]["genres"] == 1
    again = json.loads(tuneup_cmd("mix", "--refine", "folk", "--size", "6", "--json").stdout)
    assert again["description"] == "jazz, folk" and len(again["items"]) == 6
    bad = tuneup_cmd("mix", "--prompt", "fokl", check=False)
    assert bad.returncode == 1 and "did you mean 'folk'" in bad.stderr
