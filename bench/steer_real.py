"""Anti-repetition and exploration on the real library (issue 19 #5): one simulated person lives
WEEKS weeks with Discover Weekly at adventurousness 0, 25, 50, 75 and 100, and each week's mix is
measured with tuneup.mixes.figures: overlap with the previous week, the fewest items between two by
one artist, and the share of picks new to the person (never played before that week).

The person likes two of the library's folders (game soundtracks): every pick from them is finished,
every other pick skipped after 20 s; week 0 they play 30 tracks of those folders. Only tags and
folders are used (no audio analysis), so the model works from content, co-listening and skips.

    nice python bench/steer_real.py [--library ~/.cache/tuneup-real-library/library] [--weeks 6]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from tuneup.config import SETTINGS
from tuneup.library.scan.scanner import scan
from tuneup.mixes.figures import figures
from tuneup.mixes.weekly import weekly
from tuneup.model import api
from tuneup.store import open_db, write

START = datetime(2026, 9, 7, 18, 0, tzinfo=timezone.utc)  # a Monday
LIKED = ("fretsonfire-songs-muldjord", "hyperrogue-music")


class Config(dict):
    def get(self, key, default=None):
        return self[key] if key in self else SETTINGS[key].default


def listen(db, item_id, when, finished):
    with write(db):
        db.execute(
            "INSERT INTO listens (item_id, profile_id, started_at, ms_played, duration_ms, "
            "end_reason, skipped, source) VALUES (?, 1, ?, ?, 200000, ?, ?, 'bench')",
            [
                item_id,
                when.isoformat(timespec="seconds"),
                200_000 if finished else 20_000,
                "finished" if finished else "skipped",
                int(not finished),
            ],
        )


def run_level(base_db: str, tmp: str, level: int, weeks: int) -> list[dict]:
    path = os.path.join(tmp, f"a{level}.db")
    shutil.copy(base_db, path)
    db = open_db(path)
    rng = random.Random(level)
    liked = {
        i
        for i, p in db.execute("SELECT id, path FROM items WHERE kind = 'track'")
        if any(f"/{name}/" in p for name in LIKED)
    }
    t = START - timedelta(days=7)
    for iid in rng.sample(sorted(liked), min(30, len(liked))):
        listen(db, iid, t, True)
        t += timedelta(minutes=4)
    cfg = Config({"adventurousness": level})
    out = []
    for week in range(weeks):
        now = START + timedelta(days=7 * week)
        model = api.fit(db, Path(tmp) / f"m{level}", as_of=now.timestamp())
        mix = weekly(db, Path(tmp) / f"m{level}", 1, now=now, config=cfg, model=model)
        fig = figures(db, 1, mix)
        fig["liked_share"] = round(sum(i.item_id in liked for i in mix.items) / len(mix.items), 3)
        out.append(fig)
        t = now + timedelta(hours=1)
        for item in mix.items:
            listen(db, item.item_id, t, item.item_id in liked)
            t += timedelta(minutes=4)
    db.conn.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--library", default=os.path.expanduser("~/.cache/tuneup-real-library/library"))
    ap.add_argument("--weeks", type=int, default=6)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = os.path.join(tmp, "base.db")
        db = open_db(base)
        scan(db, [args.library])
        tracks = db.execute("SELECT count(*) FROM items WHERE kind = 'track'").fetchone()[0]
        db.conn.close()
        print(f"{tracks} tracks, {args.weeks} weeks, load {os.getloadavg()[0]:.1f}")
        print("adv  overlap(max/mean)  min_artist_gap(min)  new_to_you(mean)  liked_share(mean)  s")
        for level in (0, 25, 50, 75, 100):
            t0 = time.perf_counter()
            weeks = run_level(base, tmp, level, args.weeks)
            overlaps = [w["repetition"] or 0.0 for w in weeks[1:]]
            gaps = [w["min_artist_gap"] for w in weeks if w["min_artist_gap"] is not None]
            print(
                f"{level:3d}  {max(overlaps):.2f} / {statistics.mean(overlaps):.2f}"
                f"        {min(gaps) if gaps else '-'}"
                f"                    {statistics.mean(w['novelty'] for w in weeks):.2f}"
                f"              {statistics.mean(w['liked_share'] for w in weeks):.2f}"
                f"       {time.perf_counter() - t0:.0f}"
            )


if __name__ == "__main__":
    main()
