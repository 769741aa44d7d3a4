"""Helpers for the listening-history tests: tones of a given length, and items rows inserted directly."""

from __future__ import annotations

from pathlib import Path

from tuneup.store.items import add_item as store_add_item


def tone(path: Path, seconds: float, *, freq: float = 440.0, tags: dict | None = None) -> Path:
    """A real ogg/vorbis file of ``seconds``, tagged with mutagen when ``tags`` are given."""
    import numpy as np
    import soundfile as sf

    path.parent.mkdir(parents=True, exist_ok=True)
    t = np.arange(int(44100 * seconds)) / 44100
    sf.write(
        str(path),
        (0.2 * np.sin(2 * np.pi * freq * t)).astype("float32"),
        44100,
        format="OGG",
        subtype="VORBIS",
    )
    if tags:
        from mutagen.oggvorbis import OggVorbis

        f = OggVorbis(path)
        for key, value in tags.items():
            f[key] = [value]
        f.save()
    return path


def add_item(
    db,
    path,
    *,
    artist=None,
    title=None,
    album=None,
    duration=None,
    mbid=None,
    kind="track",
    albumartist=None,
) -> int:
    """An items row through the store's one insert (the scanner's job in real life)."""
    return store_add_item(
        db,
        str(path),
        kind=kind,
        size=1,
        mtime_ns=1,
        artist=artist,
        title=title,
        album=album,
        albumartist=albumartist,
        duration=duration,
        mb_trackid=mbid,
    )


def listens(db, **where) -> list[dict]:
    sql = "SELECT * FROM listens"
    if where:
        sql += " WHERE " + " AND ".join(f"{k} = ?" for k in where)
    cur = db.execute(sql + " ORDER BY id", list(where.values()))
    cols = [c[0] for c in cur.description]
    return [dict(zip(cols, row)) for row in cur.fetchall()]
