"""Several processes recording at once lose nothing: `tuneup log` processes, core writers and an import."""

import json
import multiprocessing
import subprocess
import sys

from history_support import add_item, listens

from tuneup.history.events import Listen, record_listen
from tuneup.store import open_db

PER_WRITER = 40


def _writer(db_file, worker):
    db = open_db(db_file)
    for n in range(PER_WRITER):
        record_listen(
            db,
            Listen(
                1,
                f"2026-01-01T00:{worker:02d}:{n:02d}+00:00",
                1000 * n,
                "finished",
                "hook",
                item_id=1,
                dedup_key=f"w{worker}-{n}",
            ),
        )
    db.conn.close()


def test_concurrent_writers_lose_nothing(env, tmp_path):
    add_item(env.db, tmp_path / "a.ogg", artist="A", title="T", duration=100.0)
    export = tmp_path / "StreamingHistory_music_0.json"
    export.write_text(
        json.dumps(
            [
                {
                    "endTime": f"2025-06-{1 + n // 1440:02d} {n // 60 % 24:02d}:{n % 60:02d}",
                    "artistName": "A",
                    "trackName": "T",
                    "msPlayed": 60000,
                }
                for n in range(3000)
            ]
        )
    )
    base = [sys.executable, "-m", "tuneup"]
    procs = [
        subprocess.Popen(
            base + ["import", "spotify-basic", str(export), "--json"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for _ in range(2)
    ]  # the same file twice at once
    procs += [
        subprocess.Popen(
            base
            + [
                "log",
                str(tmp_path / "a.ogg"),
                "--played",
                str(n),
                "--at",
                f"2026-02-01T10:{n:02d}:00Z",
            ],
            stderr=subprocess.PIPE,
        )
        for n in range(4)
    ]
    ctx = multiprocessing.get_context("spawn")
    writers = [ctx.Process(target=_writer, args=(str(env.paths.db_file), w)) for w in range(4)]
    for w in writers:
        w.start()
    for w in writers:
        w.join(120)
        assert w.exitcode == 0
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
    rows = listens(env.db)
    assert len(rows) == 3000 + 4 + 4 * PER_WRITER
    assert sum(r["source"] == "spotify" for r in rows) == 3000
    assert sum(r["source"] == "hook" for r in rows) == 4 + 4 * PER_WRITER
    assert env.db.execute("SELECT count(*) FROM imports").fetchone()[0] == 1
