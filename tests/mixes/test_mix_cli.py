"""`tuneup mix`, `rows` and `onboard` as cron and scripts run them: real processes, real files."""

import json
from datetime import datetime, timedelta, timezone

import pytest
from mix_data import add_feedback, add_item, add_listen, add_series, music_library, watch

from tuneup.mixes.playlist_read import parse
from tuneup.store import profile_id

NOW = datetime.now(timezone.utc)


@pytest.fixture
def library(env):
    db = env.db
    pid = profile_id(db)
    lib = music_library(
        db, artists=30, per_artist=6, folder=str(env.paths.data_dir.parent / "My Music")
    )
    for a in ("Artist 00", "Artist 06", "Artist 01", "Artist 07", "Artist 02", "Artist 04"):
        for n, i in enumerate(lib[a][:4]):
            for k in range(3):
                add_listen(db, pid, i, NOW - timedelta(days=2 + n + k * 5))
    env.close()
    return lib


def test_nothing_to_mix_is_one_line_and_exit_1(tuneup_cmd, env):
    for args in (["mix", "--weekly"], ["mix", "--daily", "--format", "json"], ["rows", "--json"]):
        proc = tuneup_cmd(*args, check=False)
        assert proc.returncode == 1 and proc.stdout == ""
        assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("tuneup: error: ")
    db = env.db
    pid = profile_id(db)
    for n in range(3):
        add_feedback(db, pid, add_item(db, f"/m/{n}.mp3"), "ban")
    env.close()
    proc = tuneup_cmd("mix", check=False)
    assert proc.returncode == 1 and "banned" in proc.stderr and proc.stdout == ""


def test_weekly_to_stdout_and_file_is_stable(tuneup_cmd, library, tmp_path):
    text = tuneup_cmd("mix", "--weekly").stdout
    playlist = parse(text, "m3u8")
    assert playlist.name == "Discover Weekly" and len(playlist.entries) == 30
    out = tmp_path / "lists" / "weekly.m3u8"
    proc = tuneup_cmd("mix", "--weekly", "--out", out)
    assert proc.stdout == "" and proc.stderr == ""  # cron: silent when all is well
    assert out.read_text() == text  # the same mix all week
    relative = tuneup_cmd(
        "mix", "--paths", "relative", "--format", "paths", "--out", out.with_suffix(".txt")
    )
    assert relative.returncode == 0
    lines = out.with_suffix(".txt").read_text().splitlines()
    assert (
        lines[0].startswith("../")
        and (out.parent / lines[0]).resolve()
        == __import__("pathlib").Path(playlist.entries[0].path).resolve()
    )


@pytest.mark.parametrize("fmt", ["xspf", "jspf", "json", "paths"])
def test_every_format_from_the_cli_parses(tuneup_cmd, library, fmt):
    entries = parse(tuneup_cmd("mix", "--format", fmt, "--size", "12").stdout, fmt).entries
    assert len(entries) == 12 and all(" " in e.path for e in entries)  # "My Music" survives


def test_all_mixes_into_a_folder(tuneup_cmd, library, tmp_path):
    folder = tmp_path / "mpd playlists"
    folder.mkdir()
    (folder / "Daily Mix 12.xspf").write_text("yesterday's")  # a Daily Mix that is gone today
    (folder / "mine.xspf").write_text("not tuneup's")
    tuneup_cmd("mix", "--all", "--dir", folder, "--format", "xspf")
    assert not (folder / "Daily Mix 12.xspf").exists() and (folder / "mine.xspf").exists()
    names = sorted(p.name for p in folder.iterdir())
    assert (
        names[0] == "Daily Mix 1.xspf" and "Discover Weekly.xspf" in names and "mine.xspf" in names
    )
    daily = parse((folder / "Daily Mix 1.xspf").read_text(), "xspf")
    assert (
        daily.name.startswith("Daily Mix 1: ")
        and daily.entries
        and all(e.reason for e in daily.entries)
    )


def test_mix_json_radio_and_daily_number(tuneup_cmd, library):
    data = json.loads(tuneup_cmd("mix", "--json").stdout)
    assert data["kind"] == "weekly" and len(data["items"]) == 30 and data["items"][0]["reason"]
    radio = parse(
        tuneup_cmd("mix", "--radio", "Artist 03", "folk", "--size", "8", "--format", "json").stdout,
        "json",
    )
    assert radio.name == "Radio: Artist 03, folk" and len(radio.entries) == 8
    dailies = json.loads(tuneup_cmd("mix", "--daily", "--json").stdout)
    second = parse(tuneup_cmd("mix", "--daily", "--number", "2", "--format", "json").stdout, "json")
    assert second.name == dailies[1]["name"]
    proc = tuneup_cmd("mix", "--radio", "No Such Thing", check=False)
    assert proc.returncode == 1 and "radio seed 'No Such Thing'" in proc.stderr


def test_rows_json(tuneup_cmd, library, env):
    db = env.db
    pid = profile_id(db)
    sid, eps = add_series(db, "Some Show", (3,))
    watch(db, pid, eps[(1, 1)], NOW - timedelta(days=1))
    add_item(db, "/films/New Film.mkv", kind="movie", added_at=NOW - timedelta(days=1))
    env.close()
    rows = json.loads(tuneup_cmd("rows", "--json").stdout)
    kinds = [r["kind"] for r in rows]
    assert kinds[:3] == ["continue_watching", "weekly", "daily"]
    assert {"on_repeat", "because_listened", "time_of_day", "new"} <= set(kinds)
    cont = rows[0]["items"][0]
    assert cont["item_id"] == eps[(1, 2)] and cont["reason"] == "next episode of Some Show"
    assert all(item["reason"] for r in rows for item in r["items"])
    assert tuneup_cmd("rows").stdout.startswith("Continue watching\n")


def test_onboard_seeds_taste_for_a_cold_start(tuneup_cmd, env, tmp_path):
    db = env.db
    music_library(db, artists=12, per_artist=4)
    env.close()
    cold = json.loads(tuneup_cmd("mix", "--json").stdout)
    assert all("knows nothing of your taste" in i["reason"] for i in cold["items"])
    out = json.loads(
        tuneup_cmd(
            "onboard", "--genre", "JAZZ", "--genre", "polka", "--artist", "artist 03", "--json"
        ).stdout
    )
    assert out["genres"] == ["jazz", "polka"] and out["unmatched_genres"] == ["polka"]
    assert out["artists"] == ["Artist 03"] and out["seed_items"] == 2 * 4 + 4
    warm = json.loads(tuneup_cmd("mix", "--refresh", "--json").stdout)
    assert not any("knows nothing" in i["reason"] for i in warm["items"])
    csv = tmp_path / "scrobbles.csv"
    csv.write_text(
        "Artist 05,Album 5,Song 5-1,31 Jan 2021 18:03\nArtist 05,Album 5,Song 5-2,31 Jan 2021 18:07\n"
    )
    out = json.loads(tuneup_cmd("onboard", "--import", csv, "--json").stdout)
    assert out["imported"]["matched"] == 2
    assert tuneup_cmd("onboard", check=False).returncode == 1


def test_hostile_tags_and_paths_survive_the_cli(tuneup_cmd, env):
    db = env.db
    add_item(
        db,
        "/music/evil\n#EXTINF:1,x/track #1 100%.mp3",
        title="line\n#EXTINF:-1,injected",
        artist="<b>]]>&",
        album="\x1b[31mred\x07",
    )
    add_item(db, "/music/ünï cödé/日本.flac", title="ok", artist="B")
    env.close()
    for fmt in ("m3u8", "xspf", "jspf", "json", "paths"):
        entries = parse(tuneup_cmd("mix", "--format", fmt).stdout, fmt).entries
        assert sorted(e.path for e in entries) == [
            "/music/evil\n#EXTINF:1,x/track #1 100%.mp3",
            "/music/ünï cödé/日本.flac",
        ]
        if fmt in ("m3u8", "xspf", "jspf"):
            titles = {e.title for e in entries}
            assert "line #EXTINF:-1,injected" in titles and "ok" in titles


def test_the_models_evidence_is_kept_in_json_and_in_the_saved_mix(tuneup_cmd, library, env):
    first = json.loads(tuneup_cmd("mix", "--json").stdout)["items"]
    assert all(item["evidence"] for item in first), [i for i in first if not i["evidence"]][:1]
    assert all("contributions" in item["evidence"] for item in first if not item["exploration"])
    (raw,) = env.db.execute("SELECT items FROM mixes WHERE kind = 'weekly'").fetchone()
    assert [e["evidence"] for e in json.loads(raw)] == [item["evidence"] for item in first]
    again = json.loads(tuneup_cmd("mix", "--json").stdout)["items"]  # this week's, from the store
    assert [i["evidence"] for i in again] == [i["evidence"] for i in first]
    rows = json.loads(tuneup_cmd("rows", "--json").stdout)
    weekly = next(r for r in rows if r["kind"] == "weekly")
    assert [i["evidence"] for i in weekly["items"]] == [i["evidence"] for i in first]
