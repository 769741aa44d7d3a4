"""Matching listens reported by artist/title (imports, hooks) to local files.

Order of evidence: a MusicBrainz recording id both sides have; then the normalised artist and
title (see normalize.py), trying the whole artist credit and then the first credited artist;
among several files with the same key the album and then the duration decide.
"""

from __future__ import annotations

from dataclasses import dataclass

from tuneup.store.items import present
from tuneup.store.normalize import norm_album, norm_artist, norm_mbid, norm_title, primary_artist


@dataclass(frozen=True)
class Candidate:
    item_id: int
    album: str
    duration_ms: int | None


@dataclass(frozen=True)
class Match:
    item_id: int | None
    how: str  # mbid, artist+title, artist+title+album, ..., or why nothing matched


class Matcher:
    """An in-memory index of the library's tracks; build once per import, ask many times."""

    def __init__(self, rows):
        self.by_mbid: dict[str, int] = {}
        self.by_key: dict[tuple[str, str], list[Candidate]] = {}
        self.artists: set[str] = set()
        self._cache: dict[tuple, Match] = {}
        for item_id, artist, albumartist, title, album, duration, mbid in rows:
            self._add(item_id, artist, albumartist, title, album, duration, mbid)

    @classmethod
    def from_db(cls, db) -> "Matcher":
        rows = db.execute(
            "SELECT id, artist, albumartist, title, album, duration, mb_trackid FROM items "
            f"WHERE kind = 'track' ORDER BY ({present()}) DESC, id"
        )
        return cls(rows)

    def _add(self, item_id, artist, albumartist, title, album, duration, mbid) -> None:
        if mbid:
            self.by_mbid.setdefault(norm_mbid(mbid), item_id)
        t = norm_title(title)
        if not t:
            return
        cand = Candidate(item_id, norm_album(album), int(duration * 1000) if duration else None)
        keys = {norm_artist(artist), primary_artist(artist), norm_artist(albumartist)} - {""}
        for a in keys:
            self.artists.add(a)
            bucket = self.by_key.setdefault((a, t), [])
            if cand not in bucket:
                bucket.append(cand)

    def clear_cache(self) -> None:
        """Forget remembered answers (an import asks once per distinct track, then only for feedback)."""
        self._cache.clear()

    def __len__(self) -> int:
        return len(self.by_key)

    def match(
        self,
        artist: str | None,
        title: str | None,
        album: str | None = None,
        duration_ms: int | None = None,
        mbid: str | None = None,
    ) -> Match:
        key = (artist, title, album, (duration_ms or 0) // 2000, mbid)
        found = self._cache.get(key)
        if found is None:
            found = self._cache[key] = self._match(artist, title, album, duration_ms, mbid)
        return found

    def _match(self, artist, title, album, duration_ms, mbid) -> Match:
        if mbid and norm_mbid(mbid) in self.by_mbid:
            return Match(self.by_mbid[norm_mbid(mbid)], "mbid")
        if not title:
            return Match(
                None, "no title" + (" and the recording id is not in the library" if mbid else "")
            )
        t = norm_title(title)
        artist_keys = [norm_artist(artist), primary_artist(artist)]
        for a in dict.fromkeys(artist_keys):
            bucket = self.by_key.get((a, t))
            if bucket:
                return _pick(bucket, norm_album(album), duration_ms)
        if not any(a in self.artists for a in artist_keys):
            return Match(None, "artist not in library")
        return Match(None, "title not in library for this artist")


def _pick(bucket: list[Candidate], album: str, duration_ms: int | None) -> Match:
    if len(bucket) == 1:
        return Match(bucket[0].item_id, "artist+title")
    how = "artist+title"
    same_album = [c for c in bucket if album and c.album == album]
    if same_album:
        bucket, how = same_album, "artist+title+album"
    if len(bucket) > 1 and duration_ms:
        timed = [c for c in bucket if c.duration_ms]
        if timed:
            best = min(timed, key=lambda c: abs(c.duration_ms - duration_ms))
            return Match(best.item_id, how + "+duration")
    return Match(bucket[0].item_id, how)


def rematch(db, *, progress=None) -> dict:
    """Match listens and feedback that have no file yet (the scanner calls this after a scan).

    Returns counts: {"listens": matched, "feedback": matched, "unmatched": still unmatched listens}.
    """
    from tuneup.store import write

    pending = db.execute(
        "SELECT id, artist, title, album, duration_ms, mbid FROM listens WHERE item_id IS NULL "
        "AND (title IS NOT NULL OR mbid IS NOT NULL)"
    ).fetchall()
    fb_pending = db.execute(
        "SELECT id, profile_id, kind, artist, title, mbid FROM feedback WHERE item_id IS NULL"
    ).fetchall()
    if not pending and not fb_pending:
        return {"listens": 0, "feedback": 0, "unmatched": 0}
    matcher = Matcher.from_db(db)
    updates = []
    for i, (lid, artist, title, album, duration_ms, mbid) in enumerate(pending):
        m = matcher.match(artist, title, album, duration_ms, mbid)
        if m.item_id is not None:
            updates.append((m.item_id, lid))
        if progress and i % 10000 == 0:
            progress(i, len(pending), "matching")
    fb_matched = 0
    with write(db):
        db.conn.executemany(
            "UPDATE listens SET item_id = ? WHERE id = ? AND item_id IS NULL", updates
        )
        for fid, pid, kind, artist, title, mbid in fb_pending:
            m = matcher.match(artist, title, None, None, mbid)
            if m.item_id is None:
                continue
            fb_matched += 1
            exists = db.execute(
                "SELECT 1 FROM feedback WHERE profile_id = ? AND item_id = ? AND kind = ?",
                [pid, m.item_id, kind],
            ).fetchone()
            if exists:
                db.execute("DELETE FROM feedback WHERE id = ?", [fid])
            else:
                db.execute("UPDATE feedback SET item_id = ? WHERE id = ?", [m.item_id, fid])
    return {
        "listens": len(updates),
        "feedback": fb_matched,
        "unmatched": len(pending) - len(updates),
    }
