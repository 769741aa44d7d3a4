"""`tuneup folders`: list the library folders with counts, remove one (files untouched), scan brings it back."""

from __future__ import annotations

import json

from media import make_audio


def test_list_remove_and_bring_back_a_folder(home, tuneup_cmd, tmp_path):
    jazz, rock = tmp_path / "jazz", tmp_path / "rock"
    for n in range(3):
        make_audio(jazz, "ogg", {"title": f"Jazz {n}", "artist": "Trio"}, name=f"{n}.ogg")
    make_audio(rock, "mp3", {"title": "Riff", "artist": "Band"}, name="r.mp3")
    tuneup_cmd("scan", jazz, rock, "-q")
    listed = json.loads(tuneup_cmd("folders", "--json").stdout)
    assert listed == [{"path": str(jazz), "items": 3}, {"path": str(rock), "items": 1}]
    ids = {i["path"]: i["id"] for i in json.loads(tuneup_cmd("ls", "--json").stdout)}

    refused = tuneup_cmd("folders", "remove", jazz, check=False)  # no terminal to confirm on
    assert refused.returncode == 1 and "--yes" in refused.stderr
    removed = json.loads(tuneup_cmd("folders", "remove", f"{jazz}/", "--yes", "--json").stdout)
    assert removed == {"path": str(jazz), "items_missing": 3}
    assert [i["title"] for i in json.loads(tuneup_cmd("ls", "--json").stdout)] == ["Riff"]
    assert all((jazz / f"{n}.ogg").exists() for n in range(3))  # files untouched
    tuneup_cmd("scan", "-q")  # a rescan of the remaining folders leaves them out
    assert len(json.loads(tuneup_cmd("ls", "--json").stdout)) == 1

    unknown = tuneup_cmd("folders", "remove", tmp_path / "nope", "--yes", check=False)
    assert unknown.returncode == 1 and "not a library folder" in unknown.stderr
    tuneup_cmd("scan", jazz, "-q")  # added again: the same items, with their ids (and history)
    back = {i["path"]: i["id"] for i in json.loads(tuneup_cmd("ls", "--json").stdout)}
    assert back == ids
