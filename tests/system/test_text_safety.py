"""Hostile text through every command's human and JSON output, the real `tuneup` in a subprocess.

A small library whose tags and file names (and its folder's name) carry a newline, CR, U+0085 NEL,
U+009B CSI, U+009D OSC, DEL, ``ESC[31m``, RLO/LRI/PDI, U+2028, and a file name that is not UTF-8,
plus a listening history whose unmatched entries carry the same text. Each output must be:

- human: one line per item (a tag's start and end markers on the same line), no raw control,
  bidi or separator character, valid UTF-8 under a strict UTF-8 stdout;
- JSON: valid strict UTF-8 that parses, with no raw DEL, C1, U+2028/9 or bidi character in the text,
  and the tag text given back exactly as written;
- playlists: no bidi or C1 character anywhere in the file.

The policies themselves (tuneup/text.py) are tested string by string in test_text_policy.py.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from media import make_audio, random_bytes

# label -> text; each is written into tags as "T-<label> <text> T-<label>-end".
HOSTILE = {
    "newline": "line one\nline two",
    "cr": "carriage\rreturn",
    "nel": "next\x85line",
    "csi": "c1\x9b31mcsi",
    "osc": "c1\x9d0;pwned\x07osc",
    "del": "rub\x7fout",
    "ansi": "\x1b[31mred\x1b[0m",
    "bidi": "\u202eevil\u202c \u2066iso\u2069",
    "lsep": "line\u2028sep\u2029par",
}
# A hostile folder name for the library root (`tuneup folders`, every path shown).
ROOT_NAME = "lib R-root \u202e\x1b[2J\u0085 R-root-end"
# What must never reach a terminal from data: C0 (newline aside), DEL, C1, line/paragraph
# separators, bidi embeddings/overrides/isolates, lone surrogates.
TERMINAL_UNSAFE = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
# What JSON text must not carry raw (json itself escapes C0).
JSON_RAW_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
PLAYLIST_UNSAFE = re.compile("[\x80-\x9f\u202a-\u202e\u2066-\u2069]")
MARKERS = [(f"T-{label} ", f"T-{label}-end") for label in HOSTILE] + [
    (f"A-{label} ", f"A-{label}-end") for label in HOSTILE
]
MARKERS += [("R-root ", "R-root-end"), ("U-ghost ", "U-ghost-end"), ("N-name ", "N-name-end")]


def tagged(prefix: str, label: str) -> str:
    return f"{prefix}-{label} {HOSTILE[label]} {prefix}-{label}-end"


def run(home: Path, *args, timeout: float = 240) -> subprocess.CompletedProcess:
    """`tuneup` in a fresh interpreter whose stdout and stderr are strict UTF-8."""
    proc = subprocess.run(
        [sys.executable, "-m", "tuneup", "--home", str(home), *map(str, args)],
        capture_output=True,
        timeout=timeout,
        env=dict(os.environ, COLUMNS="250", LC_ALL="C.UTF-8", PYTHONIOENCODING="utf-8:strict"),
    )
    err = proc.stderr.decode("utf-8", "replace")
    assert "Traceback" not in err, f"tuneup {args}:\n{err[-3000:]}"
    assert proc.returncode == 0, f"tuneup {args} exited {proc.returncode}:\n{err[-3000:]}"
    return proc


def human_lines(proc: subprocess.CompletedProcess, what: str) -> list[str]:
    """stdout + stderr as lines, checked: strict UTF-8, nothing a terminal would act on, and every
    hostile field whole on its line."""
    lines = []
    for stream in (proc.stdout, proc.stderr):
        text = stream.decode("utf-8")  # strict: a non-UTF-8 name is shown as \xNN, not as raw bytes
        found = sorted(set(TERMINAL_UNSAFE.findall(text)))
        assert not found, f"{what}: raw {found!r} in {text[:3000]!r}"
        lines += text.split("\n")
    for start, end in MARKERS:
        for line in lines:
            if start in line:
                assert end in line, f"{what}: {start!r} and {end!r} on different lines: {line!r}"
        assert not any(end in ln and start not in ln for ln in lines), (what, end)
    return lines


def shown(lines: list[str]) -> set[str]:
    """The hostile markers that appear (so a test cannot pass on output that shows nothing)."""
    return {start for start, _ in MARKERS if any(start in ln for ln in lines)}


def parsed_json(proc: subprocess.CompletedProcess, what: str):
    text = proc.stdout.decode("utf-8")  # strict
    found = sorted(set(JSON_RAW_UNSAFE.findall(text)))
    assert not found, f"{what}: raw {found!r} in its JSON"
    return json.loads(text)


def strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield k
            yield from strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from strings(v)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """The library scanned and analysed, a history imported, the model fitted: once."""
    base = tmp_path_factory.mktemp("text")
    lib = base / ROOT_NAME
    for n, label in enumerate(HOSTILE):
        tags = {
            "title": tagged("T", label),
            "artist": tagged("A", label),
            "album": f"Album {label}",
            "genre": "Rock",
            "tracknumber": str(n + 1),
        }
        make_audio(lib / "tagged", "flac", tags, name=f"{label}.flac")
    for n in range(4):  # plain neighbours, so rows and mixes have more than hostile items to pick
        make_audio(lib / "plain", "flac", {"title": f"Plain {n}", "artist": "Plain Artist"})
    # File names: one that is not UTF-8, one with a newline, one with an escape and a bidi
    # override; no title tag, so the name is what is shown.
    raw = os.fsencode(lib / "names")
    os.makedirs(raw, exist_ok=True)
    for name in (
        b"N-name caf\xe9 N-name-end.flac",
        b"N-name new\nline N-name-end.flac",
        "N-name \x1b[31m\u202eesc N-name-end.flac".encode(),
    ):
        make_audio(Path(os.fsdecode(raw)), "flac", {"artist": "Named"}, name=name)
    random_bytes(lib / "names" / "N-name broken\n\u202e\x9b1m N-name-end.mp3", 5000)

    listens = []
    for n, label in enumerate(HOSTILE):
        for k in range(3 + n % 3):
            listens.append(
                {
                    "ts": f"2026-10-{1 + k:02d}T{10 + n % 10:02d}:00:00Z",
                    "ms_played": 200000,
                    "master_metadata_track_name": tagged("T", label),
                    "master_metadata_album_artist_name": tagged("A", label),
                    "master_metadata_album_album_name": f"Album {label}",
                    "reason_end": "trackdone",
                }
            )
        listens.append(  # never matched: the import report lists it
            {
                "ts": f"2026-10-20T{10 + n:02d}:00:00Z",
                "ms_played": 200000,
                "master_metadata_track_name": f"U-ghost {HOSTILE[label]} U-ghost-end",
                "master_metadata_album_artist_name": f"ghost {HOSTILE[label]}",
                "master_metadata_album_album_name": "none",
                "reason_end": "trackdone",
            }
        )
    export = base / "Streaming_History_Audio_2026.json"
    export.write_text(json.dumps(listens))
    home = base / "home"
    runs = {
        "scan": run(home, "scan", lib),
        "analyze": run(home, "analyze"),
        "import": run(home, "import", "spotify-extended", export),
    }
    db_items = json.loads(run(home, "ls", "--json").stdout)
    ids = {i["title"]: i["id"] for i in db_items if i.get("title")}
    return {"home": home, "lib": lib, "base": base, "runs": runs, "ids": ids, "export": export}


def test_the_library_holds_the_hostile_text(world):
    """The test's own premise: every hostile tag was stored as written (else nothing below tests it)."""
    for label in HOSTILE:
        assert tagged("T", label) in world["ids"], label


def test_scan_analyze_and_import_reports(world):
    runs = world["runs"]
    scan = human_lines(runs["scan"], "scan")
    assert "N-name " in shown(scan)  # the broken file, named in the error line
    human_lines(runs["analyze"], "analyze")
    report = human_lines(runs["import"], "import")
    assert "U-ghost " in shown(report)  # the unmatched listens, one line each


@pytest.mark.parametrize(
    "args, must_show",
    [
        (("ls",), {"T-newline ", "N-name "}),
        (("ls", "-l"), {"T-newline ", "A-bidi ", "R-root "}),
        (("stats",), set()),
        (("doctor",), {"R-root "}),
        (("rows",), {"T-"}),
        (("recommend", "-k", "30"), {"T-"}),
        (("taste",), {"A-"}),
        (("history",), {"T-"}),
        (("folders",), {"R-root "}),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, tuple) else "",
)
def test_human_output_is_one_line_per_item(world, args, must_show):
    lines = human_lines(run(world["home"], *args), " ".join(args))
    seen = shown(lines)
    for marker in must_show:
        assert any(s.startswith(marker) for s in seen), (args, marker, seen)


def test_similar_and_why_human(world):
    item = world["ids"][tagged("T", "newline")]
    lines = human_lines(run(world["home"], "similar", item, "-k", "20"), "similar")
    assert any(s.startswith("T-") for s in shown(lines))
    human_lines(run(world["home"], "why", item), "why")


@pytest.mark.parametrize(
    "args",
    [
        ("ls", "--json"),
        ("stats", "--json"),
        ("doctor", "--json"),
        ("rows", "--json"),
        ("recommend", "-k", "30", "--json"),
        ("taste", "--json"),
        ("history", "--json"),
        ("folders", "--json"),
        ("scan", "--json"),
        ("mix", "--weekly", "--json"),
        ("mix", "--weekly", "--format", "json"),
        ("mix", "--weekly", "--format", "jspf"),
        ("export-data",),
    ],
    ids=" ".join,
)
def test_json_output_is_strict_utf8_and_keeps_the_text(world, args):
    data = parsed_json(run(world["home"], *args), " ".join(args))
    found = set(strings(data))
    if args[0] in ("ls", "history", "export-data"):
        for label in HOSTILE:  # the data as written, controls and all
            assert tagged("T", label) in found, (args, label)


def test_json_of_a_non_utf8_name_gives_its_bytes_back(world):
    """`rows --json` wrote the raw surrogate before: invalid UTF-8, a crash under a strict stdout."""
    home = world["home"]
    wanted = os.fsencode(world["lib"]) + b"/names/N-name caf\xe9 N-name-end.flac"
    for args in (("rows", "--json"), ("mix", "--weekly", "--size", "50", "--json")):
        data = parsed_json(run(home, *args), " ".join(args))
        paths = {os.fsencode(s) for s in strings(data) if s.startswith("/")}
        assert wanted in paths, (args, sorted(paths)[:5])
    item = world["ids"].get("N-name caf\\xe9 N-name-end")
    assert item is not None, sorted(world["ids"])
    for args in (("similar", item, "--json"), ("why", item, "--json")):
        parsed_json(run(home, *args), " ".join(map(str, args)))


def test_import_json(world):
    ghosts = [
        {
            "ts": f"2026-11-0{1 + n}T10:00:00Z",
            "ms_played": 200000,
            "master_metadata_track_name": f"U-ghost {text} U-ghost-end",
            "master_metadata_album_artist_name": f"ghost {text}",
            "reason_end": "trackdone",
        }
        for n, text in enumerate(HOSTILE.values())
    ]
    export = world["base"] / "Streaming_History_Audio_ghosts.json"
    export.write_text(json.dumps(ghosts))
    data = parsed_json(
        run(world["home"], "import", "spotify-extended", export, "--dry-run", "--json"),
        "import --json",
    )
    assert {f"U-ghost {text} U-ghost-end" for text in HOSTILE.values()} <= set(strings(data))


@pytest.mark.parametrize("fmt", ["m3u8", "xspf", "jspf", "json"])
def test_playlist_files_carry_no_bidi_or_c1(world, fmt):
    out = world["base"] / "playlists" / f"weekly.{fmt}"
    run(world["home"], "mix", "--weekly", "--size", "50", "--format", fmt, "--out", out)
    text = out.read_bytes().decode("utf-8")
    found = sorted(set(PLAYLIST_UNSAFE.findall(text)))
    assert not found, f"{fmt}: {found!r}"
    assert "T-" in text  # the hostile titles are in it
    if fmt == "m3u8":
        assert not any(
            ln.startswith(("line two", "return", "sep", "par")) for ln in text.split("\n")
        )
