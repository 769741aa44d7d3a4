"""The first run on a real library, end to end, checked the way a person would check it (issue 17).

    python bench/first_run.py                      # fresh home in a temp dir, library from build.sh
    python bench/first_run.py --analyze            # also `tuneup analyze` (minutes on 458 files)
    python bench/first_run.py --home DIR           # reuse a home where the library is scanned (and
                                                   # analysed); the first run is a new profile there

Every step is the real `tuneup` command in a subprocess (what a person types): scan, `mix --weekly`
before and after `onboard`, a few plays (`tuneup log`, as a player hook reports them), a like and a
ban, the next mix, a radio, `why`, `similar`. Then the checks:

- how many of the first mix after onboarding the wizard's picks shaped (genre or artist picked);
- every reason of every mix checked against the store (plays, likes, seeds behind it) — counted;
- no placeholder or folder-name artist anywhere in the mixes or `stats`;
- no track under mix.min_seconds, and no two copies of one recording, in a music mix;
- the banned track is gone from the next mix; `why` never says "close to what you play" with all
  scores 0; artist radio holds the artist's tracks.

Figures (latencies, counts) are printed as a Markdown block for bench/RESULTS.md. Exit 1 when a check
fails. Uses the real library from ../shared/real-library/build.sh (never committed).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

LIBRARY = Path.home() / ".cache/tuneup-real-library/library"
GENRES = ["Death Metal", "Romantic Classical"]
ARTISTS = ["Wansti"]
RADIO_ARTIST = "Eric Matyas"


class Run:
    def __init__(self, home: Path, profile: str):
        self.home, self.profile = home, profile
        self.times: dict[str, list[float]] = {}
        self.failures: list[str] = []
        self.counts: dict[str, object] = {}

    def tuneup(self, name: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        env = dict(os.environ, TUNEUP_HOME=str(self.home))
        start = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-m", "tuneup", "-p", self.profile, *args],
            capture_output=True,
            text=True,
            env=env,
        )
        self.times.setdefault(name, []).append(time.perf_counter() - start)
        if check and proc.returncode != 0:
            raise SystemExit(f"tuneup {' '.join(args)} failed ({proc.returncode}): {proc.stderr}")
        return proc

    def json(self, name: str, *args: str) -> dict:
        return json.loads(self.tuneup(name, *args, "--json").stdout)

    def check(self, ok: bool, what: str) -> bool:
        if not ok:
            self.failures.append(what)
        return ok

    def db(self) -> sqlite3.Connection:
        return sqlite3.connect(self.home / "data" / "tuneup.db")


# --- what a person checks ------------------------------------------------------------------------


def _fold(text: str | None) -> str:
    from tuneup.store.normalize import fold

    return fold(text or "")


class Facts:
    """What the store holds for the profile: the ground every reason must stand on."""

    def __init__(self, conn: sqlite3.Connection, profile: str):
        (self.pid,) = conn.execute("SELECT id FROM profiles WHERE name = ?", [profile]).fetchone()
        rows = conn.execute(
            "SELECT item_id, end_reason, ms_played FROM listens WHERE profile_id = ?", [self.pid]
        ).fetchall()
        self.plays = Counter(i for i, _, _ in rows)
        self.finishes = Counter(i for i, end, _ in rows if end == "finished")
        self.feedback = {
            (i, k)
            for i, k in conn.execute(
                "SELECT item_id, kind FROM feedback WHERE profile_id = ?", [self.pid]
            )
        }
        self.seeds = conn.execute(
            "SELECT kind, value FROM taste_seeds WHERE profile_id = ?", [self.pid]
        ).fetchall()
        self.seed_genres = {_fold(v) for k, v in self.seeds if k == "genre"}
        self.seed_artists = {_fold(v) for k, v in self.seeds if k == "artist"}
        self.items = {
            r[0]: r
            for r in conn.execute("SELECT id, artist, albumartist, title, genres FROM items")
        }
        self.played_artists = {_fold(self.items[i][1]) for i in self.plays if i in self.items}
        self.liked = {i for i, k in self.feedback if k == "like"}

    def genres_of(self, item_id: int) -> set[str]:
        raw = self.items[item_id][4]
        return {_fold(g) for g in (json.loads(raw) if raw else [])}

    def artist_of(self, item_id: int) -> str:
        return _fold(self.items[item_id][1] or self.items[item_id][2])

    def knows_something(self) -> bool:
        return bool(self.plays or self.feedback or self.seeds)


# reason kind -> (pattern, check(facts, item_id, match) -> bool)
def _seed_genre(f: Facts, i: int, m) -> bool:
    g = _fold(m.group(1))
    return g in f.seed_genres and g in f.genres_of(i)


def _seed_artist(f: Facts, i: int, m) -> bool:
    return _fold(m.group(1)) in f.seed_artists and f.artist_of(i) == _fold(m.group(1))


def _played_n(f: Facts, i: int, m) -> bool:
    return f.plays[i] >= int(m.group(1))


def _favourite(f: Facts, i: int, m) -> bool:
    return f.finishes[i] >= int(m.group(1))


def _needs_history(f: Facts, i: int, m) -> bool:
    return bool(f.plays) or bool(f.liked)


def _new_artist(f: Facts, i: int, m) -> bool:
    a = f.artist_of(i)
    return a not in f.seed_artists and a not in f.played_artists


def _seed_artists(f: Facts, i: int, m) -> bool:
    return bool(f.seed_artists)


def _played_word(f: Facts, i: int, m) -> bool:
    return f.plays[i] >= {"once": 1, "twice": 2}[m.group(1)]


def _knows_nothing(f: Facts, i: int, m) -> bool:
    return not f.knows_something()


def _liked_or_played_name(f: Facts, i: int, m) -> bool:
    name = _fold(m.group(1))
    basis = set(f.plays) | f.liked
    return any(
        name.startswith(_fold(f.items[j][3])) for j in basis if j in f.items and f.items[j][3]
    )


REASONS = [
    ("seed genre", re.compile(r"matches a genre you picked: (.+)$"), _seed_genre),
    ("seed artist", re.compile(r"by (.+), an artist you picked$"), _seed_artist),
    ("played n", re.compile(r"you played (?:this|it) (\d+) times"), _played_n),
    ("favourite", re.compile(r"a favourite of yours: played (\d+) times"), _favourite),
    ("favourite", re.compile(r"a favourite of yours: played (once|twice)"), None),
    ("sounds like", re.compile(r"(?:sounds like|same .+ as) (.+)$"), _liked_or_played_name),
    ("alongside", re.compile(r"often played alongside (.+?)(?:,|$)"), _liked_or_played_name),
    ("new artist", re.compile(r"new artist in (?:your favourite genre|a genre)"), _new_artist),
    ("close to what you play", re.compile(r"close to what you (?:play|love)"), _needs_history),
    ("often play", re.compile(r"you often play|what you often play"), _needs_history),
    ("cold start", re.compile(r"knows nothing of your taste yet"), _knows_nothing),
    ("picked artists' genre", re.compile(r"in a genre of the artists you picked"), _seed_artists),
    ("played it", re.compile(r"you played it (once|twice)"), _played_word),
    ("library pick", re.compile(r"^a pick from your library"), lambda f, i, m: True),
    ("exploration", re.compile(r"^exploration:"), lambda f, i, m: True),
    ("seed (radio words)", re.compile(r"with your seed$|^close to your seed$"), lambda *a: False),
]


def check_reasons(run: Run, facts: Facts, mixes: list[dict]) -> Counter:
    checked, unknown = Counter(), Counter()
    for mix in mixes:
        for item in mix["items"]:
            reason = item.get("reason") or ""
            for kind, pattern, test in REASONS:
                m = pattern.search(reason)
                if m:
                    if test is not None:
                        if kind == "favourite" and m.group(1) in ("once", "twice"):
                            pass
                        ok = test(facts, item["item_id"], m)
                        run.check(ok, f"reason not backed by the store: {mix['name']}: {reason!r}")
                    checked[kind] += 1
                    break
            else:
                unknown[reason] += 1
    run.counts["reasons of a kind not checked"] = run.counts.get(
        "reasons of a kind not checked", 0
    ) + sum(unknown.values())
    for reason, n in unknown.most_common(3):
        run.counts.setdefault("not checked, e.g.", [])
        run.counts["not checked, e.g."].append(f"{reason!r} x{n}")
    return checked


def check_items(run: Run, mixes: list[dict], name: str) -> None:
    from tuneup.library.not_music import duplicate_groups, too_short_ids
    from tuneup.library.tags.canonical import is_placeholder
    from tuneup.library.tags.pathguess import is_container
    from tuneup.store import open_db

    db = open_db(run.home / "data" / "tuneup.db")
    short = too_short_ids(db)
    groups = [m for _, m in duplicate_groups(db)]
    db.conn.close()
    bad_artists, shorts, doubles = set(), 0, 0
    for mix in mixes:
        ids = [i["item_id"] for i in mix["items"]]
        shorts += len(set(ids) & short)
        doubles += sum(1 for g in groups if len(g & set(ids)) > 1)
        for item in mix["items"]:
            artist = item.get("artist")
            if artist and (is_placeholder(artist) or is_container(artist)):
                bad_artists.add(artist)
        label = mix["name"].partition(": ")[2]
        if label:  # "Daily Mix 5: (None), <Unknown> and more" was the finding
            run.check(
                not any(is_placeholder(p) for p in re.split(r", | and more", label) if p), label
            )
    run.counts[f"{name}: placeholder/folder artists"] = len(bad_artists)
    run.counts[f"{name}: short items"] = shorts
    run.counts[f"{name}: duplicate pairs"] = doubles
    run.check(not bad_artists, f"{name}: placeholder or folder artists {sorted(bad_artists)}")
    run.check(shorts == 0, f"{name}: {shorts} items under the minimum length")
    run.check(doubles == 0, f"{name}: {doubles} recordings twice in one mix")


def shaped_by_picks(facts: Facts, mix: dict) -> int:
    return sum(
        1
        for i in mix["items"]
        if facts.genres_of(i["item_id"]) & facts.seed_genres
        or facts.artist_of(i["item_id"]) in facts.seed_artists
    )


def all_mixes(run: Run) -> list[dict]:
    weekly = run.json("mix --weekly", "mix", "--weekly")
    daily = run.json("mix --daily", "mix", "--daily")
    dailies = daily["mixes"] if isinstance(daily, dict) and "mixes" in daily else daily
    return [weekly, *(dailies if isinstance(dailies, list) else [dailies])]


# --- the run -------------------------------------------------------------------------------------


def first_run(run: Run, analyze: bool) -> None:
    run.tuneup("scan", "scan", str(LIBRARY))
    if analyze:
        run.tuneup("analyze", "analyze", "-q")
    cold = run.json("mix --weekly (cold)", "mix", "--weekly")
    facts = Facts(run.db(), run.profile)
    run.counts["cold weekly items"] = len(cold["items"])
    run.check(shaped_by_picks(facts, cold) == 0, "a cold mix claims picks")
    args = [a for g in GENRES for a in ("--genre", g)] + [
        a for a in ARTISTS for a in ("--artist", a)
    ]
    run.tuneup("onboard", "onboard", *args)
    facts = Facts(run.db(), run.profile)
    first = run.json("mix --weekly", "mix", "--weekly")
    shaped = shaped_by_picks(facts, first)
    run.counts["first weekly after onboard: items"] = len(first["items"])
    run.counts["first weekly after onboard: shaped by the picks"] = shaped
    run.check(shaped >= len(first["items"]) // 3, f"only {shaped} items follow the wizard's picks")
    mixes = [first, *all_mixes(run)[1:]]
    checked = check_reasons(run, facts, mixes)
    check_items(run, mixes, "after onboard")

    # a few plays, as a player hook reports them; a like and a ban
    items = first["items"]
    for item in items[:4]:
        run.tuneup("log", "log", item["path"], "--played", "180", "--ended", "finished")
    for item in items[4:7]:
        run.tuneup("log", "log", item["path"], "--played", "8", "--ended", "skipped")
    run.tuneup("like", "like", str(items[0]["item_id"]))
    banned = items[7]["item_id"]
    run.tuneup("ban", "ban", str(banned))
    facts = Facts(run.db(), run.profile)
    mixes = all_mixes(run)
    checked += check_reasons(run, facts, mixes)
    check_items(run, mixes, "after plays")
    run.check(
        all(banned != i["item_id"] for m in mixes for i in m["items"]), "banned item in a mix"
    )
    sounds_like = Counter(
        re.sub(r"^.*?(?:sounds like|same .+ as) ", "", i["reason"])
        for i in mixes[0]["items"]
        if re.search(r"sounds like|same .+ as", i["reason"])
    )
    top = sounds_like.most_common(1)[0][1] if sounds_like else 0
    run.counts["next weekly: most items 'sounding like' one track"] = top
    run.check(top <= len(mixes[0]["items"]) // 3, f"{top} weekly items 'sound like' one track")
    run.counts["next weekly: shaped by the picks"] = shaped_by_picks(facts, mixes[0])

    # why, radio, similar
    why = run.json("why", "why", str(mixes[0]["items"][-1]["item_id"]))
    zero = all(not v for v in _numbers(why.get("scores") or why.get("parts") or {}))
    run.check(not ("close to what you play" in json.dumps(why) and zero), "why: close with 0.0")
    radio = run.json("mix --radio", "mix", "--radio", RADIO_ARTIST)
    own = sum(1 for i in radio["items"] if _fold(i.get("artist")) == _fold(RADIO_ARTIST))
    reasons = Counter(i["reason"] for i in radio["items"])
    run.counts[f"radio {RADIO_ARTIST}: own tracks / items"] = f"{own} / {len(radio['items'])}"
    run.counts["radio: most repeated reason"] = reasons.most_common(1)[0][1] if reasons else 0
    run.check(own > 0, "artist radio without the artist")
    misspelt = run.tuneup("mix --radio (misspelt)", "mix", "--radio", "Eric Matyass", check=False)
    run.check("did you mean" in misspelt.stderr.lower(), "no 'did you mean' for a misspelt seed")
    if analyze or _has_features(run):
        near = run.tuneup("similar", "similar", str(items[0]["item_id"]), "--json", check=False)
        run.check(near.returncode == 0, f"similar failed: {near.stderr.strip()}")
    run.counts["reasons checked against the store"] = sum(checked.values())
    run.counts["reasons checked, by kind"] = dict(checked)


def _numbers(value) -> list[float]:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return [float(value)]
    if isinstance(value, dict):
        return [n for v in value.values() for n in _numbers(v)]
    if isinstance(value, list):
        return [n for v in value for n in _numbers(v)]
    return []


def _has_features(run: Run) -> bool:
    return run.db().execute("SELECT count(*) FROM features WHERE status = 'ok'").fetchone()[0] > 0


def report(run: Run) -> str:
    load = os.getloadavg()
    lines = [
        f"first run on {LIBRARY} — {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
        f"load {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}",
        "",
        "| step | runs | median s | max s |",
        "|---|---|---|---|",
    ]
    for name, times in run.times.items():
        times = sorted(times)
        lines.append(
            f"| `{name}` | {len(times)} | {times[len(times) // 2]:.2f} | {times[-1]:.2f} |"
        )
    lines += ["", "| count | value |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in run.counts.items()]
    lines += ["", f"checks failed: {len(run.failures)}"] + [f"- {f}" for f in run.failures]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, help="reuse this TUNEUP_HOME (a new profile there)")
    parser.add_argument("--analyze", action="store_true", help="run `tuneup analyze` too")
    args = parser.parse_args()
    if not LIBRARY.is_dir():
        print(f"no library at {LIBRARY}: run ../shared/real-library/build.sh", file=sys.stderr)
        return 2
    tmp = None
    home = args.home
    if home is None:
        tmp = home = Path(tempfile.mkdtemp(prefix="tuneup-first-run-"))
    run = Run(home, f"firstrun-{int(time.time())}")
    try:
        first_run(run, args.analyze)
    finally:
        print(report(run))
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    return 1 if run.failures else 0


if __name__ == "__main__":
    sys.exit(main())
