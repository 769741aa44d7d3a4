"""Fill a :class:`Dataset` from the store or from an evaluation directory of CSV files."""

from __future__ import annotations

import csv
import re
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path

import numpy as np

from tuneup.errors import TuneupError
from tuneup.model.dataset import FEEDBACK_CODES, FINISHED, Catalogue, Dataset, Events, Feedback
from tuneup.store import exclusions
from tuneup.store.items import genres as decode_genres
from tuneup.store.items import json_object, present
from tuneup.store.normalize import fold as _fold_uncached
from tuneup.store.normalize import norm_artist

_WORD = re.compile(r"[a-z]{4,}")
_STOPWORDS = frozenset(
    "that this with from they their them have when what will into your about after there been which "
    "where while would could should other than then only over some more most very also just like".split()
)


fold = lru_cache(maxsize=500_000)(_fold_uncached)


class DatasetError(TuneupError):
    pass


def genre_list(raw) -> list[str]:
    """The one genre decoder (store.items.genres), as a list."""
    return list(decode_genres(raw))


def item_tokens(
    kind: str,
    artist=None,
    albumartist=None,
    album=None,
    year=None,
    genres=(),
    composer=None,
    mood=None,
    label=None,
    series=None,
    people=(),
    directors=(),
    text=None,
) -> list[str]:
    """Content tokens for one item; the prefix says which field a token came from."""
    toks = {f"k:{kind}"}
    toks.update(f"g:{fold(g)}" for g in genres if fold(g))
    for a in (artist, albumartist):
        if a and norm_artist(a):
            toks.add(f"a:{norm_artist(a)}")
    if album and fold(album):
        toks.add(f"al:{fold(album)}|{norm_artist(albumartist or artist or '')}")
    if year:
        try:
            toks.add(f"d:{int(year) // 10 * 10}")
        except (TypeError, ValueError):
            pass
    for prefix, value in (("c", composer), ("m", mood), ("l", label)):
        if value and fold(str(value)):
            toks.add(f"{prefix}:{fold(str(value))}")
    if series is not None:
        toks.add(f"s:{series}")
    toks.update(f"p:{fold(p)}" for p in people if isinstance(p, str) and fold(p))
    toks.update(f"dir:{fold(p)}" for p in directors if isinstance(p, str) and fold(p))
    if text:
        words = [w for w in _WORD.findall(fold(text)) if w not in _STOPWORDS]
        toks.update(f"w:{w}" for w in words[:40])
    return sorted(toks)


def _unix(iso: str | None) -> float:
    if not iso:
        return 0.0
    try:
        dt = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return 0.0
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.timestamp()


def _names(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [
            v if isinstance(v, str) else str(v.get("name", "")) if isinstance(v, dict) else ""
            for v in value
        ]
    return []


# ---------------------------------------------------------------------------------------------- store


def store_stamp(db) -> str:
    """A string that changes whenever anything the model learns from changes."""
    parts = []
    for sql in (
        "SELECT count(*), max(id) FROM listens",
        "SELECT count(*), max(id) FROM feedback",
        "SELECT count(*), max(updated_at) FROM items",
        "SELECT count(*), max(computed_at) FROM features",
        "SELECT count(*), max(created_at) FROM taste_seeds",
        "SELECT count(*), max(id) FROM profiles",
    ):
        parts.append("/".join(str(v) for v in db.execute(sql).fetchone()))
    parts.append(exclusions.stamp(db))
    return ";".join(parts)


def _catalogue_from_db(db) -> Catalogue:
    series_genres = {
        sid: genre_list(g) for sid, g in db.execute("SELECT id, genres FROM series").fetchall()
    }
    rows = db.conn.execute(
        "SELECT id, kind, title, artist, albumartist, album, year, genres, composer, mood, label, series_id, "
        f"extra, description FROM items WHERE {present()} ORDER BY id"
    )
    ids, kinds, titles, artists, albums, tokens, genres = [], [], [], [], [], [], []
    # one string object per distinct artist, album, genre and token (a library repeats them a lot)
    strings: dict[str, str] = {}

    def shared(text: str) -> str:
        return strings.setdefault(text, text)

    for (
        iid,
        kind,
        title,
        artist,
        aartist,
        album,
        year,
        graw,
        composer,
        mood,
        label,
        sid,
        extra_raw,
        desc,
    ) in rows:
        g = genre_list(graw)
        people, directors, text = (), (), desc
        if kind != "track":
            extra = json_object(extra_raw)
            g = g + genre_list(extra.get("genres")) + series_genres.get(sid, [])
            people, directors = (
                _names(extra.get("cast") or extra.get("actors")),
                _names(extra.get("directors")),
            )
            text = desc or extra.get("plot")
        g = [shared(x) for x in dict.fromkeys(g)]
        ids.append(iid)
        kinds.append(shared(kind))
        titles.append(title or "")
        artists.append(shared(artist or aartist or ""))
        albums.append(shared(album or ""))
        genres.append(g)
        tokens.append(
            [
                shared(t)
                for t in item_tokens(
                    kind,
                    artist,
                    aartist,
                    album,
                    year,
                    g,
                    composer,
                    mood,
                    label,
                    sid,
                    people,
                    directors,
                    text,
                )
            ]
        )
    cat = Catalogue(np.asarray(ids, np.int64), kinds, titles, artists, albums, tokens, genres)
    _attach_audio(db, cat)
    return cat


def _attach_audio(db, cat: Catalogue) -> None:
    index = cat.index_of()
    rows = db.execute(
        "SELECT item_id, vector, data FROM features WHERE status = 'ok' AND vector IS NOT NULL"
    ).fetchall()
    rows = [(index[i], v, d) for i, v, d in rows if i in index and v]
    if not rows:
        return
    sizes = np.asarray([len(v) for _, v, _ in rows]) // 4
    d = int(np.bincount(sizes).argmax())
    if d == 0:
        return
    keep = [r for r, size in zip(rows, sizes) if size == d]
    mat = np.frombuffer(b"".join(v for _, v, _ in keep), dtype=np.float32).reshape(len(keep), d)
    ok = np.all(np.isfinite(mat), axis=1)
    norms = np.linalg.norm(mat, axis=1, keepdims=True)
    mat = np.where(norms > 0, mat / np.maximum(norms, 1e-12), mat)
    target = np.asarray([r for r, _, _ in keep], np.int64)
    audio = np.zeros((len(cat), d), np.float32)
    audio[target[ok]] = mat[ok]
    data: list[dict] = [{} for _ in range(len(cat))]
    for (row, _, raw), good in zip(keep, ok.tolist()):
        if good and raw:
            data[row] = json_object(raw)
    cat.audio, cat.audio_data = audio, data


def from_db(db, *, as_of: float | None = None) -> Dataset:
    cat = _catalogue_from_db(db)
    index = cat.index_of()
    # the one place the fit reads listens and feedback: rows an exclusion rule names are left out
    left_out = exclusions.excluded_listens(db)
    prof, item, when, outcome, frac = _listen_arrays(db, cat.item_ids, left_out)
    n = len(prof)
    unmatched: dict[int, list[tuple[str, float]]] = {}
    for lid, pid, started, artist in db.execute(
        "SELECT id, profile_id, started_at, artist FROM listens "
        "WHERE item_id IS NULL AND artist IS NOT NULL"
    ):
        if lid not in left_out:
            unmatched.setdefault(pid, []).append((artist, _unix(started)))
    events = Events(prof, item, when, outcome, frac, np.ones(n, np.float32), unmatched)
    fb_out = exclusions.excluded_feedback(db)
    fb = [
        row[1:]
        for row in db.execute(
            "SELECT id, profile_id, item_id, kind, created_at, artist FROM feedback ORDER BY id"
        )
        if row[0] not in fb_out
    ]
    feedback = Feedback(
        np.asarray([r[0] for r in fb], np.int64),
        np.asarray([index.get(r[1], -1) if r[1] is not None else -1 for r in fb], np.int64),
        np.asarray([FEEDBACK_CODES[r[2]] for r in fb], np.int8),
        np.asarray([_unix(r[3]) for r in fb], np.float64),
        [r[4] or "" for r in fb],
    )
    seeds: dict[int, list[tuple[str, str]]] = {}
    for pid, kind, value in db.execute(
        "SELECT profile_id, kind, value FROM taste_seeds ORDER BY created_at"
    ):
        seeds.setdefault(pid, []).append((kind, value))
    profiles = dict(db.execute("SELECT id, name FROM profiles").fetchall())
    now = as_of if as_of is not None else datetime.now(timezone.utc).timestamp()
    return Dataset(
        cat, events, feedback, seeds, profiles, baskets="session", as_of=now, stamp=store_stamp(db)
    )


_LISTEN_SQL = (
    "SELECT profile_id, coalesce(item_id, 0), "
    "coalesce(CAST(strftime('%s', started_at) AS REAL), 0), "
    "CASE end_reason WHEN 'finished' THEN 1 WHEN 'skipped' THEN 0 ELSE 2 END, "
    "CASE WHEN duration_ms > 0 THEN min(1.0, ms_played * 1.0 / duration_ms) ELSE 1.0 END, id "
    "FROM listens ORDER BY profile_id, started_at, id"
)


def _listen_arrays(db, item_ids: np.ndarray, left_out: set[int] = frozenset()):
    """All listens as numpy arrays, read in chunks (1M listens never become 1M Python tuples at once);
    the listens whose ids are in ``left_out`` (exclusion rules) are dropped."""
    cur = db.conn.execute(_LISTEN_SQL)
    chunks = []
    while True:
        rows = cur.fetchmany(25_000)
        if not rows:
            break
        chunks.append(np.asarray(rows, np.float64))
    data = np.concatenate(chunks) if chunks else np.zeros((0, 6))
    if left_out:
        data = data[~np.isin(data[:, 5].astype(np.int64), np.fromiter(left_out, np.int64))]
    ids = data[:, 1].astype(np.int64)
    pos = np.searchsorted(item_ids, ids)
    pos = np.minimum(pos, max(len(item_ids) - 1, 0))
    found = (
        (len(item_ids) > 0) & (item_ids[pos] == ids) if len(item_ids) else np.zeros(len(ids), bool)
    )
    item = np.where(found, pos, -1).astype(np.int64)
    return (
        data[:, 0].astype(np.int64),
        item,
        data[:, 2].copy(),
        data[:, 3].astype(np.int8),
        data[:, 4].astype(np.float32),
    )


# ---------------------------------------------------------------------------------------------- csv


def _read_csv(path: Path) -> list[dict[str, str]]:
    try:
        with open(path, newline="", encoding="utf-8") as fh:
            return list(csv.DictReader(fh))
    except OSError as exc:
        raise DatasetError(f"{path}: cannot read ({exc.strerror})") from None
    except (UnicodeDecodeError, csv.Error) as exc:
        raise DatasetError(f"{path}: not a readable CSV file ({exc})") from None


def _timestamp(raw: str, path: Path, line: int) -> float:
    try:
        return float(raw)
    except ValueError:
        t = _unix(raw)
        if t == 0.0:
            raise DatasetError(
                f"{path}:{line}: timestamp {raw!r} is neither a number nor ISO 8601"
            ) from None
        return t


def from_csv(directory: Path) -> tuple[Dataset, dict[int, str], dict[int, str]]:
    """Read ``interactions.csv`` (profile,item,timestamp[,weight]) and ``items.csv`` (item,title,creator,genres,year).

    Returns the dataset and the maps back from internal profile and item ids to the file's keys.
    Events are ordered by (profile, timestamp, item), so ties in time break by item id.
    """
    directory = Path(directory)
    inter_path, items_path = directory / "interactions.csv", directory / "items.csv"
    inter = _read_csv(inter_path)
    if inter and not {"profile", "item", "timestamp"} <= set(inter[0]):
        raise DatasetError(f"{inter_path}:1: header must have profile,item,timestamp")
    items = _read_csv(items_path) if items_path.exists() else []
    if items and "item" not in items[0]:
        raise DatasetError(f"{items_path}:1: header must have item")
    keys = [r["item"] for r in items] + [r["item"] for r in inter]
    all_int = all(k.lstrip("-").isdigit() for k in keys)
    item_key = sorted(set(keys), key=int) if all_int else sorted(set(keys))
    item_id = {k: (int(k) if all_int else n + 1) for n, k in enumerate(item_key)}
    meta = {r["item"]: r for r in items}
    ids, kinds, titles, artists, albums, tokens, genres = [], [], [], [], [], [], []
    # one string object per distinct artist, album, genre and token (a library repeats them a lot)
    strings: dict[str, str] = {}

    def shared(text: str) -> str:
        return strings.setdefault(text, text)

    for k in item_key:
        r = meta.get(k, {})
        g = [x for x in (r.get("genres") or "").split("|") if x]
        ids.append(item_id[k])
        kinds.append("track")
        titles.append(r.get("title") or k)
        artists.append(r.get("creator") or "")
        albums.append("")
        genres.append(g)
        tokens.append(item_tokens("track", r.get("creator"), None, None, r.get("year") or None, g))
    cat = Catalogue(np.asarray(ids, np.int64), kinds, titles, artists, albums, tokens, genres)
    index = cat.index_of()
    prof_key = sorted({r["profile"] for r in inter})
    prof_id = {k: n + 1 for n, k in enumerate(prof_key)}
    has_weight = bool(inter) and "weight" in inter[0]
    recs = []
    for line, r in enumerate(inter, start=2):
        w = 1.0
        if has_weight and r.get("weight"):
            try:
                w = float(r["weight"])
            except ValueError:
                raise DatasetError(
                    f"{inter_path}:{line}: weight {r['weight']!r} is not a number"
                ) from None
        recs.append(
            (
                prof_id[r["profile"]],
                _timestamp(r["timestamp"], inter_path, line),
                item_id[r["item"]],
                w,
            )
        )
    recs.sort()
    n = len(recs)
    events = Events(
        np.asarray([r[0] for r in recs], np.int64),
        np.asarray([index[r[2]] for r in recs], np.int64),
        np.asarray([r[1] for r in recs], np.float64),
        np.full(n, FINISHED, np.int8),
        np.ones(n, np.float32),
        np.asarray([r[3] for r in recs], np.float32),
    )
    as_of = float(events.time.max()) if n else 0.0
    ds = Dataset(
        cat,
        events,
        Feedback.empty(),
        {},
        {v: k for k, v in prof_id.items()},
        baskets="profile",
        as_of=as_of,
    )
    return ds, {v: k for k, v in prof_id.items()}, {v: k for k, v in item_id.items()}
