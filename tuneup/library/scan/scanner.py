"""Scanning the library: walk the roots, read what is new or changed, keep the store in step.

The walk is stat-only; files whose size and mtime are unchanged are not opened. New and
changed files are read in batches by reader processes (started as soon as the walk has found
enough work, so reading overlaps the walk); this process writes their rows in batched
transactions, so a cancelled or killed scan leaves a consistent database. A file that
disappeared and reappears elsewhere with the same content fingerprint keeps its id (and so its
history); one that is simply gone is marked missing, never dropped, and comes back if it returns.
"""

from __future__ import annotations

import os
import sqlite3
import time
from contextlib import contextmanager
from dataclasses import dataclass, field

from tuneup.bounds import storable
from tuneup.cancel import cancel_check
from tuneup.errors import DiskFullError, TuneupError
from tuneup.library.scan.walk import display, walk
from tuneup.store.db import check_before_long_write, utcnow, write
from tuneup.store.items import mark_missing, mark_present, move_sql, select_in, upsert_sql
from tuneup.summary import Progress

FLUSH_ROWS = 500  # rows per write transaction
FLUSH_SECONDS = 1.0  # ...or at least this often, so the TUI sees progress
BATCH_FILES = 48  # files per reader task
BATCH_BYTES = (
    12_000  # ...and about this many path bytes: ReaderPool.DEPTH - 1 queued tasks fit a 64 KiB pipe
)
MIN_FILES_FOR_POOL = (
    1000  # below this, starting reader processes (~0.1 s CPU each) costs more than it saves
)

_IDENTITY_COLUMNS = frozenset(
    {"id", "root_id", "path_raw", "path", "status", "missing_since", "added_at", "updated_at"}
)


# What a value the store refuses raises: it costs that one file, never the batch or the scan.
VALUE_ERRORS = (
    ValueError,
    TypeError,
    OverflowError,
    sqlite3.InterfaceError,
    sqlite3.IntegrityError,
    sqlite3.DataError,
)


@contextmanager
def _savepoint(conn):
    """A nested transaction: what the block wrote is undone if it raises."""
    conn.execute("SAVEPOINT one_file")
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK TO one_file")
        conn.execute("RELEASE one_file")
        raise
    conn.execute("RELEASE one_file")


@dataclass
class ScanSummary:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    moved: int = 0
    missing: int = 0
    returned: int = 0  # missing files that came back (also counted in updated)
    errors: list[dict] = field(default_factory=list)
    warnings: list[dict] = field(
        default_factory=list
    )  # indexed anyway (e.g. a malformed NFO sidecar)
    seconds: float = 0.0
    cancelled: bool = False
    # Earlier imported listens and likes/bans matched to files this scan found (tuneup.update fills it).
    rematched: dict | None = None

    def line(self) -> str:
        text = (
            f"{'Cancelled' if self.cancelled else 'Scanned'} in {self.seconds:.1f} s: "
            f"{self.added} added, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.moved} moved, {self.missing} missing, {len(self.errors)} errors"
        )
        if self.rematched and (self.rematched["listens"] or self.rematched["feedback"]):
            text += (
                f"; matched {self.rematched['listens']} earlier listen(s) and "
                f"{self.rematched['feedback']} like(s)/ban(s) to files"
            )
        return text

    def as_dict(self) -> dict:
        return {
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "moved": self.moved,
            "missing": self.missing,
            "returned": self.returned,
            "errors": list(self.errors),
            "warnings": list(self.warnings),
            "seconds": round(self.seconds, 3),
            "cancelled": self.cancelled,
            "rematched": self.rematched,
        }


def add_roots(db, paths) -> list[int]:
    """Remember ``paths`` (folders) as library roots; returns their ids."""
    ids = []
    for raw in paths or []:
        path = os.path.abspath(os.path.expanduser(os.fsdecode(raw)))
        if not os.path.isdir(path):
            raise TuneupError(f"{path}: not a folder (scan takes folders to add as library roots)")
        try:
            path.encode("utf-8")
        except UnicodeEncodeError:
            raise TuneupError(
                f"{display(os.fsencode(path))}: a library root's name must be valid UTF-8"
            ) from None
        with write(db):
            db.execute(
                "INSERT OR IGNORE INTO roots (path, added_at) VALUES (?, ?)", [path, utcnow()]
            )
            ids.append(db.execute("SELECT id FROM roots WHERE path = ?", [path]).fetchone()[0])
    return ids


def scan(
    db,
    paths=None,
    *,
    workers: int = 0,
    follow_symlinks: bool = True,
    progress: Progress | None = None,
    cancel=None,
) -> ScanSummary:
    """Add ``paths`` as roots, then scan every root. See the module docstring."""
    started = time.monotonic()
    check_before_long_write(db)
    if paths:
        add_roots(db, paths)
    run = _Scan(db, workers or os.cpu_count() or 1, follow_symlinks, progress, cancel_check(cancel))
    try:
        run.run()
        if not run.summary.cancelled:
            from tuneup.library.tags.canonical import tidy_library

            tidy_library(db)
    except DiskFullError as exc:
        raise DiskFullError(f"{exc}; files read before are saved, scan again to carry on") from None
    finally:
        run.close()
    run.summary.seconds = time.monotonic() - started
    return run.summary


def _extensions() -> tuple[frozenset[bytes], frozenset[bytes]]:
    from tuneup.library.tags.read import AUDIO_EXTENSIONS
    from tuneup.library.video import classify as video

    audio = frozenset(e.encode() for e in AUDIO_EXTENSIONS)
    vids = frozenset(e.encode() for e in video.VIDEO_EXTENSIONS) - audio
    return audio | vids, vids


class _Scan:
    def __init__(self, db, workers, follow_symlinks, progress, cancelled):
        self.db, self.workers, self.follow_symlinks = db, workers, follow_symlinks
        self.progress = progress or (lambda done, total, info="": None)
        self.cancelled = cancelled
        self.summary = ScanSummary()
        self.extensions, self.video_exts = _extensions()
        columns = [r[1] for r in db.execute("PRAGMA table_info(items)")]
        self.data_columns = [c for c in columns if c not in _IDENTITY_COLUMNS]
        self.fp_index = self.data_columns.index("fingerprint")
        self._insert_cache: dict[tuple, str] = {}
        self.error_paths: set[str] = set()  # reported in this scan
        self.unsaved_errors: list[tuple] = []
        self.known_errors = {p for (p,) in db.execute("SELECT path FROM scan_errors")}
        self.pool = None
        self.batch: list[tuple[bytes, int]] = []
        self.batch_bytes = 0
        self.pending: list[tuple] = []  # read results not yet written
        self.walk_done = False
        self.done = 0
        self.total = None
        self.last_flush = time.monotonic()

    def close(self) -> None:
        if self.pool is not None:
            self.pool.close(kill=True)
            self.pool = None

    # --- phases ---------------------------------------------------------------------------------

    def run(self) -> None:
        self.existing = {
            row[0]: row[1:]
            for row in self.db.execute("SELECT path_raw, id, size, mtime_ns, status FROM items")
        }
        self.known: dict[bytes, int] = {}  # path -> id of changed files being re-read
        self.was_missing: set[bytes] = set()
        self.returned: list[int] = []
        self.to_read: list[tuple[bytes, int]] = []
        self.root_of: dict[bytes, int] = {}  # path -> root id, for files being read
        self.seen: set[bytes] = set()
        self.unlisted: list[bytes] = []  # folders that could not be opened
        walked = self._walk_roots()
        if self.cancelled():
            self.summary.cancelled = True
            return
        self._send_batch()
        self.gone = self._gone(walked)
        self.candidates = self._move_candidates()
        del self.existing, self.seen  # the big structures are not needed any more
        self._mark_returned()
        self.walk_done = True
        self.total = self.summary.unchanged + len(self.returned) + len(self.to_read)
        self.done += self.summary.unchanged + len(self.returned)
        self.progress(self.done, self.total, "")
        self._read_rest()
        self._flush()
        if self.cancelled():
            self.summary.cancelled = True
            return
        self._finish(walked)

    def _walk_roots(self) -> list[tuple[int, bytes]]:
        walked: list[tuple[int, bytes]] = []
        seen_files: set = set()
        roots = self.db.execute("SELECT id, path FROM roots ORDER BY length(path), path").fetchall()
        for root_id, root in roots:
            raw_root = os.fsencode(root)
            if any(raw_root.startswith(done.rstrip(b"/") + b"/") for _, done in walked):
                walked.append(
                    (root_id, raw_root)
                )  # inside a root walked already: nothing new to find
                continue
            reachable = True
            for entry in walk(
                raw_root,
                self.extensions,
                follow_symlinks=self.follow_symlinks,
                seen_files=seen_files,
                cancelled=self.cancelled,
                with_sidecars=self.video_exts,
            ):
                if type(entry) is tuple:
                    self._classify(entry, root_id, len(raw_root))
                else:
                    reachable = reachable and entry.path != raw_root
                    if entry.reason.startswith("cannot open folder"):
                        self.unlisted.append(entry.path.rstrip(b"/") + b"/")
                    self._error(entry.path, entry.reason)
            if reachable and not self.cancelled():
                walked.append((root_id, raw_root))
        return walked

    def _classify(self, entry: tuple, root_id: int, root_len: int) -> None:
        path, size, mtime_ns = entry
        if path in self.seen:
            return  # nested roots: already found under the outer one
        self.seen.add(path)
        if len(self.seen) % 2000 == 0:
            self.progress(self.done, None, f"{len(self.seen):,} files found")
        old = self.existing.get(path)
        if old is not None and old[1] == size and old[2] == mtime_ns:
            if old[3] == "present":
                self.summary.unchanged += 1
            else:
                self.returned.append(old[0])
            return
        if old is not None:
            self.known[path] = old[0]  # changed: its row is updated in place
            if old[3] == "missing":
                self.was_missing.add(path)
        self.root_of[path] = root_id
        self.to_read.append((path, root_len))
        self._queue(path, root_len)

    def _gone(self, walked) -> set[int]:
        """Ids of present items under a fully walked root whose file was not found."""
        prefixes = tuple(root.rstrip(b"/") + b"/" for _, root in walked)
        if not prefixes:
            return set()
        seen, unlisted = (
            self.seen,
            tuple(self.unlisted),
        )  # files in folders we could not list may still be there
        return {
            old[0]
            for path, old in self.existing.items()
            if old[3] == "present"
            and path not in seen
            and path.startswith(prefixes)
            and not (unlisted and path.startswith(unlisted))
        }

    def _move_candidates(self) -> dict[str, list[tuple[int, bytes]]]:
        """fingerprint -> [(id, old path)] of items that are missing or just went missing."""
        out: dict[str, list] = {}
        if not self.to_read:
            return out
        rows = list(
            self.db.execute(
                "SELECT id, path_raw, fingerprint FROM items WHERE status = 'missing' "
                "AND fingerprint IS NOT NULL"
            )
        )
        rows += select_in(
            self.db,
            "SELECT id, path_raw, fingerprint FROM items WHERE id IN ({ids}) "
            "AND fingerprint IS NOT NULL",
            sorted(self.gone),
        )
        seen = self.seen
        for item_id, path, fp in rows:
            if (
                path not in seen
            ):  # a missing file found again at its own path came back: it is not a move source
                out.setdefault(fp, []).append((item_id, path))
        return out

    def _mark_returned(self) -> None:
        if not self.returned:
            return
        now = utcnow()
        with write(self.db):
            mark_present(self.db, self.returned, now)
        self.summary.returned += len(self.returned)
        self.summary.updated += len(self.returned)

    # --- reading --------------------------------------------------------------------------------

    def _queue(self, path: bytes, root_len: int) -> None:
        """Collect files into batches; start the reader pool once there is enough work."""
        if self.workers <= 1:
            return
        self.batch.append((path, root_len))
        self.batch_bytes += len(path)
        if self.pool is None and len(self.to_read) >= MIN_FILES_FOR_POOL:
            from tuneup.library.scan.workers import ReaderPool

            self.pool = ReaderPool(self.workers, self.video_exts, self.data_columns)
        if self.pool is not None and (
            len(self.batch) >= BATCH_FILES or self.batch_bytes >= BATCH_BYTES
        ):
            self._send_batch()
            for results in self.pool.results(timeout=0):
                self._take(results)

    def _send_batch(self) -> None:
        if self.pool is None:
            return
        chunk, size = [], 0
        for task in self.batch:  # the first batch holds everything found before the pool started
            chunk.append(task)
            size += len(task[0])
            if len(chunk) >= BATCH_FILES or size >= BATCH_BYTES:
                self.pool.submit(chunk)
                chunk, size = [], 0
        if chunk:
            self.pool.submit(chunk)
        self.batch, self.batch_bytes = [], 0

    def _read_rest(self) -> None:
        if self.pool is None:
            from tuneup.library.scan.reader import read_batch

            for task in self.to_read:
                if self.cancelled():
                    return
                self._take(read_batch([task], self.video_exts, self.data_columns))
            return
        while self.pool.busy and not self.cancelled():
            for results in self.pool.results(timeout=0.2):
                self._take(results)

    def _take(self, results: list[tuple]) -> None:
        self.pending.extend(results)
        self.done += len(results)
        if not self.walk_done:
            return  # rows are written once the walk knows which items went missing (moves)
        now = time.monotonic()
        if len(self.pending) >= FLUSH_ROWS or now - self.last_flush >= FLUSH_SECONDS:
            self._flush()
            self.progress(self.done, self.total, "")

    # --- writing --------------------------------------------------------------------------------

    def _flush(self) -> None:
        if not self.pending and not self.unsaved_errors:
            return
        results, self.pending = self.pending, []
        now = utcnow()
        with write(self.db):
            upserts, inserts, cleared = [], {}, []
            for path, status, read, reason in results:
                if status != "ok":
                    self._error(path, reason)
                    if status == "gone" and path in self.known:
                        self.gone.add(self.known[path])
                    continue
                shown = display(path)
                filled, values, extras = read
                if not all(
                    map(storable, values)
                ):  # the readers bound values; this is the last guard
                    self._error(path, "a value no database column can hold (internal error)")
                    continue
                if shown in self.known_errors:
                    cleared.append((shown,))
                if extras or (self.candidates and path not in self.known):
                    try:  # these write rows of their own (a series, a move): one file's worth
                        with _savepoint(self.db.conn):
                            if extras:
                                filled, values = self._extras(shown, filled, values, extras)
                            moved = path not in self.known and self._try_move(
                                path, shown, filled, values, now
                            )
                    except VALUE_ERRORS as exc:
                        self._error(
                            path, f"cannot store what was read ({type(exc).__name__}: {exc})"
                        )
                        continue
                    if moved:
                        continue
                if path in self.known:  # changed: every column, so a removed tag is cleared
                    upserts.append(
                        (path, shown, self.root_of[path], now, now, *self._full(filled, values))
                    )
                    self.summary.updated += 1
                    self.summary.returned += path in self.was_missing
                else:  # new: bind only the columns that have a value
                    inserts.setdefault(filled, []).append(
                        (path, shown, self.root_of[path], now, now, *values)
                    )
                    self.summary.added += 1
            if upserts:
                self._forget_stale_features(upserts)
                self._store_rows(self._insert_sql(None), upserts, "updated")
            for filled, rows in inserts.items():
                self._store_rows(self._insert_sql(filled), rows, "added")
            if cleared:
                self.db.conn.executemany("DELETE FROM scan_errors WHERE path = ?", cleared)
            self._store_errors()
        self.last_flush = time.monotonic()

    def _store_rows(self, sql: str, rows: list[tuple], counted: str) -> None:
        """executemany, and if one row cannot be stored, each row alone: that file is reported and
        left out, the others are saved (a batch is never lost to one odd file)."""
        try:
            with _savepoint(self.db.conn):
                self.db.conn.executemany(sql, rows)
            return
        except VALUE_ERRORS:
            pass
        for row in rows:
            try:
                with _savepoint(self.db.conn):
                    self.db.conn.execute(sql, row)
            except VALUE_ERRORS as exc:
                self._error(row[0], f"cannot store what was read ({type(exc).__name__}: {exc})")
                setattr(self.summary, counted, getattr(self.summary, counted) - 1)

    def _forget_stale_features(self, upserts: list[tuple]) -> None:
        """A changed file whose content fingerprint changed (re-encoded, replaced, retagged) is analysed again."""
        at = 5 + self.fp_index  # upsert rows: path, shown, root, added, updated, *data columns
        self.db.conn.executemany(
            "DELETE FROM features WHERE item_id = (SELECT id FROM items WHERE path_raw = ? "
            "AND fingerprint IS NOT ?)",
            [(row[0], row[at]) for row in upserts],
        )

    def _full(self, filled: tuple, values: tuple) -> list:
        full = [None] * len(self.data_columns)
        for i, value in zip(filled, values):
            full[i] = value
        return full

    def _extras(
        self, shown: str, filled: tuple, values: tuple, extras: dict
    ) -> tuple[tuple, tuple]:
        """Warnings to report, and the series row of an episode (stored here, inside the transaction)."""
        for warning in extras.get("_warnings") or []:
            self.summary.warnings.append({"path": shown, "reason": warning})
        series = extras.get("_series")
        if series and "series_id" in self.data_columns:
            from tuneup.library.video import classify as video

            full = self._full(filled, values)
            full[self.data_columns.index("series_id")] = video.store_series(self.db, series)
            filled = tuple(i for i, v in enumerate(full) if v is not None)
            values = tuple(full[i] for i in filled)
        return filled, values

    def _insert_sql(self, filled: tuple[int, ...] | None) -> str:
        """Upsert of the columns at positions ``filled`` (None: all, so a changed file loses removed tags).

        New files bind only their non-empty columns; it is an upsert because a concurrent scan
        may have added the same file already."""
        sql = self._insert_cache.get(filled)
        if sql is None:
            columns = (
                self.data_columns if filled is None else [self.data_columns[i] for i in filled]
            )
            sql = self._upsert_sql(columns)
            self._insert_cache[filled] = sql
        return sql

    @staticmethod
    def _upsert_sql(data_columns: list[str]) -> str:
        return upsert_sql(["path_raw", "path", "root_id", "added_at", "updated_at", *data_columns])

    def _try_move(self, path: bytes, shown: str, filled: tuple, values: tuple, now: str) -> bool:
        """If a missing item has this content, move it here (keeping its id). True when moved."""
        if not self.candidates or self.fp_index not in filled:
            return False
        candidates = self.candidates.get(values[filled.index(self.fp_index)])
        if not candidates:
            return False
        values = self._full(filled, values)
        name = os.path.basename(path)
        candidates.sort(key=lambda c: (os.path.basename(c[1]) != name, c[0]))
        item_id, old_path = candidates.pop(0)
        cur = self.db.execute(
            move_sql(self.data_columns),
            [path, shown, self.root_of[path], now, *values, item_id, old_path, path],
        )
        if cur.rowcount != 1:
            return False  # another scanner got there first
        self.gone.discard(item_id)
        self.summary.moved += 1
        return True

    def _error(self, path: bytes, reason: str) -> None:
        shown = display(path)
        if shown in self.error_paths:
            return
        self.error_paths.add(shown)
        self.summary.errors.append({"path": shown, "reason": reason})
        self.unsaved_errors.append((shown, reason))

    def _store_errors(self) -> None:
        if self.unsaved_errors:
            now = utcnow()
            self.db.conn.executemany(
                "INSERT INTO scan_errors (path, reason, seen_at) VALUES (?, ?, ?) "
                "ON CONFLICT(path) DO UPDATE SET reason = excluded.reason, seen_at = excluded.seen_at",
                [(p, r, now) for p, r in self.unsaved_errors],
            )
            self.unsaved_errors = []

    def _finish(self, walked) -> None:
        now = utcnow()
        gone = sorted(self.gone)
        prefixes = tuple(display(root).rstrip("/") + "/" for _, root in walked)
        stale = [
            (p,) for p in self.known_errors if p.startswith(prefixes) and p not in self.error_paths
        ]
        with write(self.db):
            mark_missing(self.db, gone, now)
            self.summary.missing += len(gone)
            self.db.conn.executemany("DELETE FROM scan_errors WHERE path = ?", stale)
            self.db.conn.executemany(
                "UPDATE roots SET last_scan_at = ? WHERE id = ?",
                [(now, root_id) for root_id, _ in walked],
            )
            self._store_errors()
