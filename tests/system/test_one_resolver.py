"""One resolver for every command that takes an item (issue 14): the same id, path (also through a
symlinked folder), "Artist - Title" (any case, "The X" for "X, The") name the same item for like,
similar, progress, why and mix --radio, and a misspelling gets the same "did you mean" everywhere."""

import json
import os
import subprocess
import sys

import pytest
from history_support import tone

from tuneup.paths import HOME_ENV


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    base = tmp_path_factory.mktemp("one-resolver")
    music = base / "music"
    for n, (artist, title) in enumerate(
        [("Beatles, The", "Let It Be"), ("Portishead", "Roads"), ("Air", "La Femme d'Argent")]
    ):
        tone(music / f"{n}.ogg", 2.0, freq=220.0 * (n + 1), tags={"artist": artist, "title": title})
    (base / "linked").symlink_to(music)
    return {"home": base / "home", "music": music, "linked": base / "linked"}


@pytest.fixture(scope="module")
def run(library):
    environ = {**os.environ, HOME_ENV: str(library["home"])}

    def tuneup(*args, check=True):
        proc = subprocess.run(
            [sys.executable, "-m", "tuneup", *map(str, args)],
            capture_output=True,
            text=True,
            env=environ,
            timeout=300,
        )
        if check and proc.returncode != 0:
            raise AssertionError(f"tuneup {' '.join(map(str, args))}: {proc.stderr}")
        return proc

    tuneup("scan", library["music"])
    tuneup("analyze")
    return tuneup


def item_id_of(run, command: str, text: str) -> int:
    if command == "like":
        return json.loads(run("like", text, "--json").stdout)["item_id"]
    if command == "similar":
        return json.loads(run("similar", text, "--json").stdout)["item_id"]
    if command == "progress":
        return json.loads(run("progress", text, "--json").stdout)["item_id"]
    if command == "why":
        return json.loads(run("why", text, "--json").stdout)["item_id"]
    raise AssertionError(command)


COMMANDS = ("like", "similar", "progress", "why")


def test_every_command_names_the_same_item(run, library):
    first = library["music"] / "0.ogg"
    wanted = item_id_of(run, "like", str(first))
    names = [
        str(wanted),
        str(first),
        str(library["linked"] / "0.ogg"),  # the realpath is what the scan stored
        "beatles, the - let it be",
        "The Beatles - Let It Be",
    ]
    for command in COMMANDS:
        for text in names:
            assert item_id_of(run, command, text) == wanted, (command, text)
    radios = {
        json.loads(run("mix", "--radio", text, "--size", "2", "--format", "json").stdout)["name"]
        for text in names
    }
    assert radios == {"Radio: Beatles, The - Let It Be"}


def test_a_misspelling_gets_the_same_did_you_mean_everywhere(run):
    for args in [(c, "Portished - Raods") for c in COMMANDS] + [
        ("mix", "--radio", "Portished - Raods")
    ]:
        proc = run(*args, check=False)
        assert proc.returncode == 1, args
        assert "did you mean 'Portishead - Roads'" in proc.stderr, (args, proc.stderr)
        assert "Traceback" not in proc.stderr
