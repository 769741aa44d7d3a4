"""Running an import: parse and validate every file first, then write everything in one transaction.

Parsed plays are kept compactly (one int per column in ``array``s, each distinct track's strings
once), so a million plays fit in a few tens of MB. A malformed file raises before anything is
written; the same file twice (by sha256) or the same play twice (by ``dedup_key``) adds nothing.
"""

from __future__ import annotations

import hashlib
import heapq
import json
import os
import re
from array import array
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from itertools import repeat
from pathlib import Path

from tuneup.bounds import MAX_TEXT
from tuneup.cancel import cancel_check
from tuneup.errors import DiskFullError, ImportFormatError, TuneupError
from tuneup.history.importers import importer
from tuneup.history.importers.base import FEEDBACK, IGNORED, LISTEN, UNKNOWN_MS, Options
from tuneup.history.match import Matcher
from tuneup.store import utcnow, write
from tuneup.store.db import check_before_long_write
from tuneup.summary import DictSummary

END_CODES = ("finished", "skipped", "stopped", "error")
_END_INDEX = {name: i for i, name in enumerate(END_CODES)}
REPORT_LIMIT = 50
PARSE_WORKERS = 2
PARALLEL_ABOVE = 32 << 20  # bytes of input that make a second parsing process worth starting
IMPORT_CACHE_KB = 64 * 1024


class Cancelled(TuneupError):
    pass


@dataclass
class FileBatch:
    path: str
    sha256: str
    start: int  # first listen index in the Plays arrays
    end: int = 0
    feedback: list = field(default_factory=list)
    ignored: Counter = field(default_factory=Counter)
    already_imported: bool = False
    known: dict | None = (
        None  # counts stored when this file was imported before (it is not parsed again)
    )

    def known_count(self, key: str) -> int:
        return (self.known or {}).get(key, 0)


class Plays:
    """Columnar store of parsed listens: a track index into ``tracks`` plus four ints each."""

    def __init__(self):
        self.started, self.ms, self.track = array("q"), array("q"), array("l")
        self.flags = array("b")  # end code * 2 + skipped
        self.tracks: list[tuple] = []  # (artist, title, album, mbid, duration_ms)
        self._track_ids: dict[tuple, int] = {}

    def add(self, rec: tuple) -> None:
        _, started, ms, end_reason, skipped, artist, title, album, mbid, duration = rec
        key = (artist, title, album, mbid, duration)
        tid = self._track_ids.get(key)
        if tid is None:
            tid = self._track_ids[key] = len(self.tracks)
            self.tracks.append(tuple(map(storable, key)))
        self.started.append(started)
        self.ms.append(ms)
        self.track.append(tid)
        self.flags.append(_END_INDEX[end_reason] * 2 + bool(skipped))

    def __len__(self) -> int:
        return len(self.started)

    def columns(self) -> tuple:
        return self.started, self.ms, self.track, self.flags, self.tracks

    def extend(self, columns: tuple) -> None:
        """Append another Plays' columns (from a worker), renumbering its tracks into ours."""
        started, ms, track, flags, tracks = columns
        renumber = array("l")
        for key in tracks:
            tid = self._track_ids.get(key)
            if tid is None:
                tid = self._track_ids[key] = len(self.tracks)
                self.tracks.append(key)
            renumber.append(tid)
        self.started.extend(started)
        self.ms.extend(ms)
        self.track.extend(renumber[t] for t in track)
        self.flags.extend(flags)


_SURROGATES = re.compile("[\ud800-\udfff]")


def storable(value):
    """Text SQLite can store: a lone surrogate (JSON allows one as an escape, UTF-8 cannot hold it) becomes U+FFFD;
    a NUL (SQLite's functions and its shell stop at one, so the text would look cut) becomes a space;
    nothing longer than MAX_TEXT characters is kept."""
    if type(value) is str:
        if len(value) > MAX_TEXT:  # the parsers refuse these; a safety net for the rest
            value = value[:MAX_TEXT]
        if "\x00" in value:
            value = value.replace("\x00", " ")
        if not value.isascii() and _SURROGATES.search(value):
            return _SURROGATES.sub("\ufffd", value)
    return value


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def import_files(
    db,
    fmt: str,
    paths: list,
    *,
    profile_id: int,
    skip_seconds: int = 30,
    dry_run: bool = False,
    progress=None,
    cancel=None,
) -> ImportSummary:
    """Import ``paths`` in format ``fmt`` for a profile. Returns the counts and the match report."""
    module = importer(fmt)
    plays, batches = _parse_all(
        db, module, [Path(p) for p in paths], Options(skip_seconds), progress, cancel
    )
    matcher = Matcher.from_db(db)
    matches = [matcher.match(a, t, al, d, m) for (a, t, al, m, d) in plays.tracks]
    matcher.clear_cache()
    durations = _durations(db, {m.item_id for m in matches if m.item_id is not None})
    summary = _summary(module, plays, batches, matches)
    if not dry_run:
        check_before_long_write(db)
        try:
            _write(
                db,
                module,
                plays,
                batches,
                matcher,
                matches,
                durations,
                profile_id,
                summary,
                progress,
                cancel,
            )
        except DiskFullError as exc:  # one transaction: say that none of it went in
            raise DiskFullError(f"{exc}; nothing of this import was saved") from None
    else:
        summary["imported"] = summary["duplicates"] = None
        summary["dry_run"] = True
    return summary


def _parse_all(db, module, paths, options, progress, cancel):
    """Every file checked and parsed before anything is written. Files imported before are not parsed
    again: their counts come from the imports table."""
    batches, seen = [], set()
    for path in paths:
        if not path.is_file():
            raise ImportFormatError(f"{path}: no such file")
        batch = FileBatch(str(path), sha256_of(path), 0)
        row = db.execute(
            "SELECT summary FROM imports WHERE format = ? AND sha256 = ?",
            [module.FORMAT, batch.sha256],
        ).fetchone()
        if row is not None:
            batch.already_imported, batch.known = True, json.loads(row[0] or "{}")
        elif batch.sha256 in seen:  # the same file twice in one command
            batch.already_imported = True
        seen.add(batch.sha256)
        batches.append(batch)
    todo = [b for b in batches if b.known is None]
    plays = Plays()
    for n, (batch, (columns, feedback, ignored)) in enumerate(
        zip(todo, _parsed(module, [Path(b.path) for b in todo], options))
    ):
        batch.start, batch.feedback, batch.ignored = len(plays), feedback, ignored
        plays.extend(columns)
        batch.end = len(plays)
        if progress:
            progress(n + 1, len(todo), f"read {Path(batch.path).name}")
        if cancel_check(cancel)():
            raise Cancelled("import cancelled; nothing was written")
    plays._track_ids = {}  # only needed while parsing
    return plays, batches


def _parsed(module, paths, options):
    """Each file parsed into compact columns, in order; big imports use a second process."""
    workers = min(PARSE_WORKERS, os.cpu_count() or 1, len(paths))
    if workers < 2 or sum(p.stat().st_size for p in paths) < PARALLEL_ABOVE:
        for path in paths:
            yield parse_file(module.FORMAT, path, options)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from tuneup.parentwatch import exit_with_parent

    with ProcessPoolExecutor(
        workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=exit_with_parent,
        initargs=(os.getpid(),),
    ) as pool:
        try:
            yield from pool.map(parse_file, repeat(module.FORMAT), paths, repeat(options))
        finally:
            pool.shutdown(cancel_futures=True)


def parse_file(fmt: str, path: Path, options: Options) -> tuple:
    """Parse one file (in a worker process when the import is big): (columns, feedback, ignored)."""
    plays, feedback, ignored = Plays(), [], Counter()
    for rec in importer(fmt).parse(path, options):
        kind = rec[0]
        if kind == LISTEN:
            plays.add(rec)
        elif kind == FEEDBACK:
            feedback.append(tuple(map(storable, rec)))
        elif kind == IGNORED:
            ignored[rec[1]] += 1
    return plays.columns(), feedback, ignored


def _durations(db, ids: set[int]) -> dict[int, int]:
    if not ids:
        return {}
    rows = db.execute(
        "SELECT id, duration FROM items WHERE duration IS NOT NULL AND kind = 'track'"
    )
    return {i: int(d * 1000) for i, d in rows if i in ids}


class ImportSummary(DictSummary):
    """What an import read, wrote and matched (the dict `tuneup import --json` prints)."""

    def line(self) -> str:
        if self.get("dry_run"):
            wrote = "nothing written (dry run)"
        else:
            wrote = f"{self['imported']} imported, {self['duplicates']} duplicates"
        return (
            f"{self['listens']} listens and {self['feedback']} likes/bans read, {wrote}, "
            f"{self['matched']} matched to files, {self['unmatched']} not"
        )


def _summary(module, plays: Plays, batches, matches) -> ImportSummary:
    per_track = Counter(plays.track)
    matched = sum(n for tid, n in per_track.items() if matches[tid].item_id is not None)
    how = Counter()
    missed = []
    for tid, n in per_track.items():
        m = matches[tid]
        how[m.how] += n
        if m.item_id is None:
            missed.append((n, tid))
    top = heapq.nsmallest(
        REPORT_LIMIT,
        missed,
        key=lambda x: (-x[0], plays.tracks[x[1]][0] or "", plays.tracks[x[1]][1] or ""),
    )
    unmatched = []
    for n, tid in top:
        artist, title, album, mbid, _ = plays.tracks[tid]
        unmatched.append(
            {
                "artist": artist,
                "title": title,
                "album": album,
                "mbid": mbid,
                "reason": matches[tid].how,
                "listens": n,
            }
        )
    ignored = Counter()
    for b in batches:
        ignored.update(b.ignored)
        ignored.update((b.known or {}).get("ignored", {}))
    return ImportSummary(
        {
            "format": module.FORMAT,
            "files": [b.path for b in batches],
            "already_imported_files": [b.path for b in batches if b.already_imported],
            "read": len(plays)
            + sum(
                len(b.feedback)
                + sum(b.ignored.values())
                + b.known_count("listens")
                + b.known_count("feedback")
                + sum((b.known or {}).get("ignored", {}).values())
                for b in batches
            ),
            "listens": len(plays) + sum(b.known_count("listens") for b in batches),
            "feedback": sum(len(b.feedback) + b.known_count("feedback") for b in batches),
            "ignored": dict(ignored),
            "matched": matched,
            "unmatched": len(plays) - matched,
            "imported": 0,
            "duplicates": 0,
            "match_report": {
                "by_method": dict(how),
                "unmatched_tracks": len(missed),
                "top_unmatched": unmatched,
            },
        }
    )


def _track_hash(source: str, artist, title) -> str:
    text = f"{source}|{(artist or '').casefold()}|{(title or '').casefold()}"
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


def _dedup_key(source: str, started: int, artist, title) -> str:
    """Start time first (in hex), so keys arrive nearly in order and the unique index stays fast."""
    return f"{started:09x}{_track_hash(source, artist, title)}"


_DAYS: dict[int, str] = {}


def _iso(epoch: int) -> str:
    """ISO 8601 UTC, the same text as datetime.isoformat (a million of these must be cheap)."""
    day, second = divmod(epoch, 86400)
    date = _DAYS.get(day)
    if date is None:
        date = _DAYS[day] = datetime.fromtimestamp(day * 86400, timezone.utc).strftime("%Y-%m-%dT")
    hour, rest = divmod(second, 3600)
    return f"{date}{hour:02d}:{rest // 60:02d}:{rest % 60:02d}+00:00"


def _write(
    db, module, plays, batches, matcher, matches, durations, profile_id, summary, progress, cancel
):
    conn = db.conn
    cache = conn.execute("PRAGMA cache_size").fetchone()[0]
    conn.execute(
        f"PRAGMA cache_size = {-IMPORT_CACHE_KB}"
    )  # index pages stay in memory while writing
    try:
        _write_batches(
            conn,
            db,
            module,
            plays,
            batches,
            matcher,
            matches,
            durations,
            profile_id,
            summary,
            progress,
            cancel,
        )
    finally:
        conn.execute(f"PRAGMA cache_size = {cache}")


def _write_batches(
    conn,
    db,
    module,
    plays,
    batches,
    matcher,
    matches,
    durations,
    profile_id,
    summary,
    progress,
    cancel,
) -> None:
    source = module.SOURCE
    imported = duplicates = 0
    columns = _track_columns(plays, matches, durations, source)
    with write(db):
        for batch in batches:
            n_listens = batch.end - batch.start
            if (
                not batch.already_imported
                and conn.execute(  # another process may have just imported it
                    "SELECT 1 FROM imports WHERE format = ? AND sha256 = ?",
                    [module.FORMAT, batch.sha256],
                ).fetchone()
            ):
                batch.already_imported = True
            if batch.already_imported:
                duplicates += (
                    n_listens
                    + len(batch.feedback)
                    + batch.known_count("listens")
                    + batch.known_count("feedback")
                )
                continue
            cur = conn.execute(
                "INSERT INTO imports (format, source_path, sha256, imported_at, summary) VALUES (?,?,?,?,?)",
                [module.FORMAT, str(Path(batch.path).absolute()), batch.sha256, utcnow(), None],
            )
            import_id = cur.lastrowid
            before = conn.total_changes
            conn.executemany(
                "INSERT OR IGNORE INTO listens (item_id, profile_id, started_at, ms_played, duration_ms, end_reason, "
                "skipped, source, import_id, artist, title, album, mbid, dedup_key) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                _rows(plays, batch, columns, profile_id, source, import_id, progress, cancel),
            )
            added = conn.total_changes - before
            fb_added = _write_feedback(conn, batch, matcher, profile_id, source)
            imported += added + fb_added
            duplicates += n_listens - added + len(batch.feedback) - fb_added
            counts = {
                "listens": n_listens,
                "imported": added,
                "feedback": len(batch.feedback),
                "feedback_imported": fb_added,
                "ignored": dict(batch.ignored),
            }
            conn.execute(
                "UPDATE imports SET summary = ? WHERE id = ?", [json.dumps(counts), import_id]
            )
    summary["imported"], summary["duplicates"] = imported, duplicates


def _track_columns(plays, matches, durations, source) -> dict[int, tuple]:
    """Per distinct track: (item_id, artist, title, album, mbid, duration_ms, dedup hash), computed once."""
    out = {}
    for tid in set(plays.track):
        artist, title, album, mbid, duration = plays.tracks[tid]
        item_id = matches[tid].item_id
        if duration is None and item_id is not None:
            duration = durations.get(item_id)
        out[tid] = (
            item_id,
            artist,
            title,
            album,
            mbid,
            duration,
            _track_hash(source, artist, title),
        )
    return out


def _rows(plays, batch, columns, profile_id, source, import_id, progress, cancel):
    started, ms, track, flags = plays.started, plays.ms, plays.track, plays.flags
    total = batch.end - batch.start
    for i in range(batch.start, batch.end):
        item_id, artist, title, album, mbid, duration, key = columns[track[i]]
        played = ms[i]
        if played == UNKNOWN_MS:
            played = duration or 0
        flag, when = flags[i], started[i]
        yield (
            item_id,
            profile_id,
            _iso(when),
            played,
            duration,
            END_CODES[flag >> 1],
            flag & 1,
            source,
            import_id,
            artist,
            title,
            album,
            mbid,
            f"{when:09x}{key}",
        )
        if (i - batch.start) % 100_000 == 99_999:
            if progress:
                progress(i - batch.start + 1, total, "writing")
            if cancel_check(cancel)():
                raise Cancelled("import cancelled; nothing was written")


def _write_feedback(conn, batch, matcher, profile_id, source) -> int:
    added = 0
    for _, created, kind, artist, title, mbid in batch.feedback:
        item_id = matcher.match(artist, title, None, None, mbid).item_id
        key = _dedup_key(f"{source}-feedback-{kind}", created, artist or mbid, title)
        if item_id is not None:
            conn.execute(
                "DELETE FROM feedback WHERE profile_id = ? AND item_id = ? AND kind = ?",
                [profile_id, item_id, {"like": "dislike", "dislike": "like"}[kind]],
            )
        cur = conn.execute(
            "INSERT OR IGNORE INTO feedback (profile_id, item_id, artist, title, mbid, kind, created_at, source, "
            "dedup_key) VALUES (?,?,?,?,?,?,?,?,?)",
            [
                profile_id,
                item_id,
                artist,
                title,
                mbid,
                kind,
                _iso(created) if created else utcnow(),
                source,
                key,
            ],
        )
        added += cur.rowcount
    return added
