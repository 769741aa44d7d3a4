"""Scanning the library: walk the roots, read what is new or changed, keep the store in step.

The walk is stat-only; files whose size and mtime are unchanged are not opened. New and
changed files are read in batches by worker processes; this process writes their rows in
batched transactions, so a cancelled or killed scan leaves a consistent database. A file
that disappeared and reappears elsewhere with the same content fingerprint keeps its id
(and so its history); one that is simply gone is marked missing, never dropped.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from tuneup.errors import TuneupError
from tuneup.library.walk import Found, Problem, display, walk
from tuneup.store.db import utcnow, write

Progress = Callable[[int, int | None, str], None]

FLUSH_ROWS = 500          # rows per write transaction
FLUSH_SECONDS = 1.0       # ...or at least this often, so the TUI sees progress
BATCH_FILES = 64          # files per worker task
MIN_FILES_FOR_POOL = 200  # below this, starting worker processes costs more than it saves


@dataclass
class ScanSummary:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    moved: int = 0
    missing: int = 0
    returned: int = 0        # missing files that came back (also counted in updated or moved)
    errors: list[dict] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)  # indexed anyway (e.g. a malformed NFO sidecar)
    seconds: float = 0.0
    cancelled: bool = False

    def as_dict(self) -> dict:
        return {
            "added": self.added, "updated": self.updated, "unchanged": self.unchanged,
            "moved": self.moved, "missing": self.missing, "returned": self.returned,
            "errors": list(self.errors), "warnings": list(self.warnings), "seconds": round(self.seconds, 3),
            "cancelled": self.cancelled,
        }


def _extensions() -> tuple[frozenset[bytes], frozenset[bytes]]:
    from tuneup.library import video
    from tuneup.library.tags import AUDIO_EXTENSIONS

    audio = frozenset(e.encode() for e in AUDIO_EXTENSIONS)
    vids = frozenset(e.encode() for e in video.VIDEO_EXTENSIONS) - audio
    return audio | vids, vids


def add_roots(db, paths) -> list[int]:
    """Remember ``paths`` (folders) as library roots; returns their ids. A root inside another is kept too."""
    ids = []
    for raw in paths or []:
        path = os.path.abspath(os.path.expanduser(os.fsdecode(raw)))
        if not os.path.isdir(path):
            raise TuneupError(f"{path}: not a folder (scan takes folders to add as library roots)")
        try:
            path.encode("utf-8")
        except UnicodeEncodeError:
            raise TuneupError(f"{display(os.fsencode(path))}: a library root's name must be valid UTF-8") from None
        with write(db):
            db.execute("INSERT OR IGNORE INTO roots (path, added_at) VALUES (?, ?)", [path, utcnow()])
            ids.append(db.execute("SELECT id FROM roots WHERE path = ?", [path]).fetchone()[0])
    return ids


def _is_cancelled(cancel) -> Callable[[], bool]:
    if cancel is None:
        return lambda: False
    if isinstance(cancel, threading.Event) or hasattr(cancel, "is_set"):
        return cancel.is_set
    return cancel


def scan(db, paths=None, *, workers: int = 0, follow_symlinks: bool = True,
         progress: Progress | None = None, cancel=None) -> ScanSummary:
    """Add ``paths`` as roots, then scan every root. See the module docstring."""
    started = time.monotonic()
    if paths:
        add_roots(db, paths)
    run = _Scan(db, workers or os.cpu_count() or 1, follow_symlinks, progress, _is_cancelled(cancel))
    run.run()
    run.summary.seconds = time.monotonic() - started
    return run.summary


class _Scan:
    def __init__(self, db, workers, follow_symlinks, progress, cancelled):
        self.db, self.workers, self.follow_symlinks = db, workers, follow_symlinks
        self.progress = progress or (lambda done, total, info="": None)
        self.cancelled = cancelled
        self.summary = ScanSummary()
        self.extensions, self.video_exts = _extensions()
        self.columns = [r[1] for r in db.execute("PRAGMA table_info(items)")]
        self.data_columns = [c for c in self.columns if c not in _IDENTITY_COLUMNS]
        self.error_paths: set[str] = set()

    # --- phases ---------------------------------------------------------------------------------

    def run(self) -> None:
        roots = self.db.execute("SELECT id, path FROM roots ORDER BY length(path), path").fetchall()
        found, walked = self._walk(roots)
        if self.cancelled():
            self.summary.cancelled = True
            return
        existing = {row[0]: row[1:] for row in self.db.execute(
            "SELECT path_raw, id, size, mtime_ns, status FROM items")}
        to_read, returned, self.known, self.was_missing = [], [], {}, set()
        for path, (size, mtime_ns, root_id, root_len) in found.items():
            old = existing.get(path)
            if old is not None and old[1] == size and old[2] == mtime_ns:
                if old[3] == "present":
                    self.summary.unchanged += 1
                else:
                    returned.append(old[0])
            else:
                to_read.append((path, root_len))
                if old is not None:
                    self.known[path] = old[0]  # changed: its row is updated in place
                    if old[3] == "missing":
                        self.was_missing.add(path)
        gone = self._gone(existing, found, walked)
        del existing  # only ids of changed paths are needed from here on
        self._mark_returned(returned)
        self.total = len(found)
        self.done = self.summary.unchanged + len(returned)
        self.progress(self.done, self.total, "")
        self.candidates = self._move_candidates(gone)
        self.gone = gone
        self.root_of = found
        self._read_all(to_read)
        if self.cancelled():
            self.summary.cancelled = True
            return
        self._finish(walked)

    def _walk(self, roots) -> tuple[dict, list[tuple[int, bytes]]]:
        found: dict[bytes, tuple] = {}
        walked: list[tuple[int, bytes]] = []
        seen_files: set = set()
        for root_id, root in roots:
            raw_root = os.fsencode(root)
            reachable = True
            for entry in walk(raw_root, self.extensions, follow_symlinks=self.follow_symlinks,
                              seen_files=seen_files, cancelled=self.cancelled):
                if isinstance(entry, Found):
                    if entry.path not in found:
                        found[entry.path] = (entry.size, entry.mtime_ns, root_id, len(raw_root))
                        if len(found) % 2000 == 0:
                            self.progress(0, None, f"{len(found):,} files found")
                else:
                    if entry.path == raw_root:
                        reachable = False
                    self._error(entry.path, entry.reason)
            if reachable and not self.cancelled():
                walked.append((root_id, raw_root))
        if self.error_paths:
            with write(self.db):
                self._store_errors_now()
        return found, walked

    def _gone(self, existing, found, walked) -> set[int]:
        """Ids of present items under a fully walked root whose file was not found."""
        prefixes = tuple(root.rstrip(b"/") + b"/" for _, root in walked)
        if not prefixes:
            return set()
        return {old[0] for path, old in existing.items()
                if old[3] == "present" and path not in found and path.startswith(prefixes)}

    def _mark_returned(self, ids: list[int]) -> None:
        if not ids:
            return
        now = utcnow()
        with write(self.db):
            self.db.conn.executemany(
                "UPDATE items SET status = 'present', missing_since = NULL, updated_at = ? WHERE id = ?",
                [(now, i) for i in ids])
        self.summary.returned += len(ids)
        self.summary.updated += len(ids)

    def _move_candidates(self, gone: set[int]) -> dict[str, list[tuple[int, bytes]]]:
        """fingerprint -> [(id, old path)] of items that are missing or just went missing."""
        out: dict[str, list] = {}
        for item_id, path, fp, status in self.db.execute(
                "SELECT id, path_raw, fingerprint, status FROM items WHERE fingerprint IS NOT NULL "
                "AND (status = 'missing' OR status = 'present')"):
            if status == "missing" or item_id in gone:
                out.setdefault(fp, []).append((item_id, path))
        return out

    # --- reading --------------------------------------------------------------------------------

    def _read_all(self, to_read: list[tuple[bytes, int]]) -> None:
        self.pending: list[tuple] = []
        self.last_flush = time.monotonic()
        if not to_read:
            return
        if self.workers <= 1 or len(to_read) < MIN_FILES_FOR_POOL:
            self._read_here(to_read)
        else:
            self._read_pool(to_read)
        self._flush()

    def _read_here(self, to_read) -> None:
        from tuneup.library.reader import read_one

        for path, root_len in to_read:
            if self.cancelled():
                return
            self._take([read_one(path, root_len, self.video_exts)])

    def _read_pool(self, to_read) -> None:
        import concurrent.futures as cf

        from tuneup.library.reader import read_batch

        batches = [to_read[i:i + BATCH_FILES] for i in range(0, len(to_read), BATCH_FILES)]
        with cf.ProcessPoolExecutor(max_workers=self.workers, mp_context=_mp_context()) as pool:
            in_flight: set = set()
            queue = iter(batches)
            try:
                while True:
                    while len(in_flight) < self.workers * 3 and not self.cancelled():
                        batch = next(queue, None)
                        if batch is None:
                            break
                        in_flight.add(pool.submit(read_batch, batch, self.video_exts))
                    if not in_flight:
                        break
                    done, in_flight = cf.wait(in_flight, timeout=0.5, return_when=cf.FIRST_COMPLETED)
                    for future in done:
                        self._take(future.result())
                    if self.cancelled() and not in_flight:
                        break
            finally:
                for future in in_flight:
                    future.cancel()

    def _take(self, results: list[tuple]) -> None:
        self.pending.extend(results)
        self.done += len(results)
        now = time.monotonic()
        if len(self.pending) >= FLUSH_ROWS or now - self.last_flush >= FLUSH_SECONDS:
            self._flush()
            self.progress(self.done, self.total, "")

    # --- writing --------------------------------------------------------------------------------

    def _flush(self) -> None:
        if not self.pending:
            return
        results, self.pending = self.pending, []
        now = utcnow()
        with write(self.db):
            upserts, cleared = [], []
            for path, status, row, reason in results:
                if status == "ok":
                    values = self._row_values(path, row)
                    if path not in self.known and self._try_move(path, values, now):
                        cleared.append((display(path),))
                        continue
                    upserts.append(self._upsert_params(path, values, now))
                    cleared.append((display(path),))
                    if path in self.known:
                        self.summary.updated += 1
                        self.summary.returned += path in self.was_missing
                    else:
                        self.summary.added += 1
                elif status == "gone":
                    self._error(path, reason)
                    item_id = self.known.get(path)
                    if item_id is not None:
                        self.gone.add(item_id)
                else:
                    self._error(path, reason)
            if upserts:
                self.db.conn.executemany(self._upsert_sql, upserts)
            if cleared:
                self.db.conn.executemany("DELETE FROM scan_errors WHERE path = ?", cleared)
            self._store_errors_now()
        self.last_flush = time.monotonic()

    def _row_values(self, path: bytes, row: dict) -> dict:
        import json

        for warning in row.pop("_warnings", None) or []:
            self.summary.warnings.append({"path": display(path), "reason": warning})
        series = row.pop("_series", None)
        if series:
            from tuneup.library import video

            row["series_id"] = video.store_series(self.db, series)
        values = {}
        for column in self.data_columns:
            value = row.get(column)
            if isinstance(value, (list, dict, tuple)):
                value = json.dumps(value, ensure_ascii=False)
            values[column] = value
        values["kind"] = values.get("kind") or "track"
        return values

    @property
    def _upsert_sql(self) -> str:
        if not hasattr(self, "_sql"):
            cols = ["path_raw", "path", "root_id", "added_at", "updated_at", *self.data_columns]
            sets = ", ".join(f"{c} = excluded.{c}" for c in cols if c not in ("path_raw", "added_at"))
            self._sql = (
                f"INSERT INTO items ({', '.join(cols)}, status, missing_since) "
                f"VALUES ({', '.join('?' for _ in cols)}, 'present', NULL) "
                f"ON CONFLICT(path_raw) DO UPDATE SET {sets}, status = 'present', missing_since = NULL"
            )
        return self._sql

    def _upsert_params(self, path: bytes, values: dict, now: str) -> list:
        root_id = self.root_of[path][2]
        return [path, display(path), root_id, now, now, *(values[c] for c in self.data_columns)]

    def _try_move(self, path: bytes, values: dict, now: str) -> bool:
        """If a missing item has this content, move it here (keeping its id). True when moved."""
        candidates = self.candidates.get(values.get("fingerprint"))
        if not candidates:
            return False
        name = os.path.basename(path)
        candidates.sort(key=lambda c: (os.path.basename(c[1]) != name, c[0]))
        item_id, old_path = candidates.pop(0)
        sets = ", ".join(f"{c} = ?" for c in self.data_columns)
        cur = self.db.execute(
            f"UPDATE items SET path_raw = ?, path = ?, root_id = ?, updated_at = ?, status = 'present', "
            f"missing_since = NULL, {sets} WHERE id = ? AND path_raw = ? "
            f"AND NOT EXISTS (SELECT 1 FROM items WHERE path_raw = ?)",
            [path, display(path), self.root_of[path][2], now, *(values[c] for c in self.data_columns),
             item_id, old_path, path])
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
        self._unsaved_errors = getattr(self, "_unsaved_errors", [])
        self._unsaved_errors.append((shown, reason))

    def _store_errors_now(self) -> None:
        rows = getattr(self, "_unsaved_errors", [])
        if rows:
            now = utcnow()
            self.db.conn.executemany(
                "INSERT INTO scan_errors (path, reason, seen_at) VALUES (?, ?, ?) "
                "ON CONFLICT(path) DO UPDATE SET reason = excluded.reason, seen_at = excluded.seen_at",
                [(p, r, now) for p, r in rows])
            self._unsaved_errors = []

    def _finish(self, walked) -> None:
        now = utcnow()
        gone = sorted(self.gone)
        prefixes = tuple(display(root).rstrip("/") + "/" for _, root in walked)
        with write(self.db):
            self.db.conn.executemany(
                "UPDATE items SET status = 'missing', missing_since = ?, updated_at = ? "
                "WHERE id = ? AND status = 'present'", [(now, now, i) for i in gone])
            self.summary.missing += len(gone)
            stale = [(p,) for (p,) in self.db.execute("SELECT path FROM scan_errors")
                     if p.startswith(prefixes) and p not in self.error_paths]
            self.db.conn.executemany("DELETE FROM scan_errors WHERE path = ?", stale)
            self.db.conn.executemany("UPDATE roots SET last_scan_at = ? WHERE id = ?",
                                     [(now, root_id) for root_id, _ in walked])


_IDENTITY_COLUMNS = frozenset({"id", "root_id", "path_raw", "path", "status", "missing_since", "added_at",
                               "updated_at"})


def _mp_context():
    """forkserver: safe when the caller has threads (the TUI scans in a worker thread)."""
    import multiprocessing

    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["tuneup.library.reader"])
    return ctx


def item_path(row_path_raw: bytes) -> Path:
    """The filesystem path of an item, from its ``path_raw`` (works for non-UTF-8 names)."""
    return Path(os.fsdecode(row_path_raw))
