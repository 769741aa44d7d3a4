"""The analysis batch: features for every track that lacks them or has an older version.

Work runs in worker processes (spawned, so it is safe from a threaded TUI); the parent writes
each result as it arrives, so a batch killed at any moment loses nothing already finished and
the next run starts where it stopped. A file that cannot be analysed gets a recorded reason;
a worker that dies (a decoder crash) only costs the file it was working on.
"""

from __future__ import annotations

import json
import os
import re
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field
from typing import Callable

from tuneup.cancel import cancel_check
from tuneup.errors import DiskFullError
from tuneup.library.scan.walk import display
from tuneup.store.db import utcnow, write
from tuneup.store.items import ON_DISK, where
from tuneup.summary import Progress


@dataclass
class Task:
    item_id: int
    path_raw: bytes
    duration: float | None


@dataclass
class Result:
    item_id: int
    status: str  # 'ok' or 'no_signal'
    reason: str | None
    data: dict | None
    vector: bytes | None
    seconds: float  # audio analysed (excerpt seconds)
    duration: float  # the whole track, as far as known
    undecodable: bool = False  # no decoder can read it: left out of mixes


@dataclass
class AnalyzeSummary:
    pending: int = 0
    analysed: int = 0
    ok: int = 0
    no_signal: int = 0
    excerpt_seconds: float = 0.0
    track_seconds: float = 0.0
    seconds: float = 0.0
    cancelled: bool = False
    reasons: dict[str, int] = field(default_factory=dict)
    failed: list[dict] = field(
        default_factory=list
    )  # {"path", "reason"} of each track left without features

    def line(self) -> str:
        d = self.as_dict()
        return (
            f"{'Cancelled' if self.cancelled else 'Analysed'} {self.analysed} of {self.pending} tracks "
            f"in {self.seconds:.1f} s ({d['tracks_per_s']} tracks/s, {d['audio_hours_per_s']} "
            f"audio-hours/s): {self.ok} with features, {self.no_signal} without"
        )

    def as_dict(self) -> dict:
        d = asdict(self)
        d["tracks_per_s"] = round(self.analysed / self.seconds, 2) if self.seconds else 0.0
        d["audio_hours_per_s"] = (
            round(self.track_seconds / 3600 / self.seconds, 4) if self.seconds else 0.0
        )
        return d


def pending_tasks(
    db, limit: int | None = None, *, retry_failed: bool = False, everything: bool = False
) -> list[Task]:
    """Present tracks without features of the current version, oldest id first; with ``retry_failed`` also
    those that had no signal last time, with ``everything`` every present track."""
    from tuneup.library.sound.features import FEATURE_VERSION

    which = (
        "1"
        if everything
        else "f.item_id IS NULL OR f.version < ?"
        + (" OR f.status = 'no_signal'" if retry_failed else "")
    )
    sql = (
        "SELECT i.id, i.path_raw, i.duration FROM items i LEFT JOIN features f ON f.item_id = i.id "
        f"WHERE i.kind = 'track' AND {where(ON_DISK, 'i')} AND ({which}) ORDER BY i.id"
    )
    params: list = [] if everything else [FEATURE_VERSION]
    if limit is not None:
        sql += " LIMIT ?"
        params.append(int(limit))
    return [Task(r[0], bytes(r[1]), r[2]) for r in db.execute(sql, params).fetchall()]


def analyse_task(task: Task) -> Result:
    """Analyse one file (runs in a worker). Never raises: failures become a recorded reason."""
    from tuneup.library.sound.decode import NoSignal
    from tuneup.library.sound.features import analyse

    path = os.fsdecode(task.path_raw)
    duration = float(task.duration or 0.0)
    try:
        data, vec = analyse(path, task.duration)
    except NoSignal as exc:
        return Result(
            task.item_id, "no_signal", str(exc), None, None, 0.0, duration, exc.undecodable
        )
    except MemoryError:
        return Result(
            task.item_id, "no_signal", "analysis ran out of memory", None, None, 0.0, duration
        )
    except Exception as exc:  # a bad file must never stop the batch
        return Result(
            task.item_id,
            "no_signal",
            f"analysis failed ({type(exc).__name__}: {exc})"[:300],
            None,
            None,
            0.0,
            duration,
        )
    return Result(
        task.item_id,
        "ok",
        None,
        data,
        vec.tobytes(),
        data["analysed_s"],
        float(data.get("duration_s") or duration),
    )


def store_result(db, result: Result) -> None:
    from tuneup.library.sound.features import FEATURE_VERSION

    with write(db):
        db.execute(
            "INSERT OR REPLACE INTO features (item_id, version, computed_at, status, reason, data, vector, "
            "undecodable) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                result.item_id,
                FEATURE_VERSION,
                utcnow(),
                result.status,
                result.reason,
                json.dumps(result.data) if result.data is not None else None,
                result.vector,
                int(result.undecodable),
            ],
        )


def analyze(
    db,
    *,
    workers: int = 0,
    limit: int | None = None,
    progress: Progress | None = None,
    cancel=None,
    retry_failed: bool = False,
    everything: bool = False,
) -> AnalyzeSummary:
    """Analyse pending tracks with ``workers`` processes (0: one per core; 1: in this process)."""
    started = time.monotonic()
    tasks = pending_tasks(db, limit, retry_failed=retry_failed, everything=everything)
    summary = AnalyzeSummary(pending=len(tasks))
    report = progress or (lambda done, total, info="": None)
    cancelled = cancel_check(cancel)

    paths = {task.item_id: task.path_raw for task in tasks}

    def finished(result: Result) -> None:
        store_result(db, result)
        _count(summary, result)
        if result.status != "ok":
            summary.failed.append({"path": display(paths[result.item_id]), "reason": result.reason})
        elapsed = max(time.monotonic() - started, 1e-6)
        # The progress bar shows tracks/s itself; the info adds how much audio that covers.
        report(
            summary.analysed,
            len(tasks),
            f"{summary.track_seconds / 3600 / elapsed:.3f} audio-hours/s",
        )

    report(0, len(tasks), "")
    workers = workers or os.cpu_count() or 1
    try:
        if workers <= 1 or len(tasks) <= 1:
            for task in tasks:
                if cancelled():
                    break
                finished(analyse_task(task))
        else:
            _run_pool(tasks, workers, finished, cancelled)
    except DiskFullError as exc:
        raise DiskFullError(
            f"{exc}; the {summary.analysed} tracks analysed before are saved, "
            "analyze again to carry on"
        ) from None
    summary.cancelled = cancelled() and summary.analysed < len(tasks)
    summary.seconds = time.monotonic() - started
    return summary


def _count(summary: AnalyzeSummary, result: Result) -> None:
    summary.analysed += 1
    summary.track_seconds += result.duration
    summary.excerpt_seconds += result.seconds
    if result.status == "ok":
        summary.ok += 1
    else:
        summary.no_signal += 1
        key = re.sub(r"\s*\(.*", "", result.reason or "unknown")
        summary.reasons[key] = summary.reasons.get(key, 0) + 1


def _mp_context():
    import multiprocessing

    return multiprocessing.get_context("spawn")


def _worker_init(parent: int) -> None:
    """One BLAS thread per worker: the workers are the parallelism (set before numpy loads). A worker
    also ends when the analysis that started it was killed."""
    from tuneup.parentwatch import exit_with_parent

    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(name, "1")
    exit_with_parent(parent)
    # Decoders (libmpg123, libsndfile) print their own chatter about corrupt files to fd 2, unattributed; each
    # failure already comes back as a result with its reason, so the person sees that once, with the file name.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)


def _pool(workers: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(
        workers, mp_context=_mp_context(), initializer=_worker_init, initargs=(os.getpid(),)
    )


def _run_pool(
    tasks: list[Task],
    workers: int,
    finished: Callable[[Result], None],
    cancelled: Callable[[], bool],
    work: Callable[[Task], Result] = analyse_task,
) -> None:
    """Keep ``2 * workers`` tasks in flight; a dead worker only costs the task that killed it."""
    queue = list(reversed(tasks))
    suspects: list[Task] = []
    while (queue or suspects) and not cancelled():
        if suspects:  # after a crash: one at a time, in a fresh single worker, to find the culprit
            task = suspects.pop()
            with _pool(1) as pool:
                try:
                    finished(pool.submit(work, task).result())
                except BrokenProcessPool:
                    finished(_crashed(task))
            continue
        suspects = _pool_round(queue, workers, finished, cancelled, work)


def _pool_round(queue: list[Task], workers: int, finished, cancelled, work) -> list[Task]:
    """Run tasks from ``queue`` until it is empty, cancelled, or the pool breaks (returns in-flight)."""
    pool = _pool(workers)
    inflight: dict = {}
    try:
        while (queue or inflight) and not cancelled():
            while queue and len(inflight) < 2 * workers:
                task = queue.pop()
                inflight[pool.submit(work, task)] = task
            done, _ = wait(list(inflight), timeout=0.5, return_when=FIRST_COMPLETED)
            for future in done:
                task = inflight.pop(future)
                try:
                    result = future.result()
                except BrokenProcessPool:
                    lost = [task] + list(inflight.values())
                    inflight.clear()
                    return lost
                finished(result)
        return []
    finally:
        processes = list((getattr(pool, "_processes", None) or {}).values())
        pool.shutdown(wait=False, cancel_futures=True)
        if cancelled():  # do not wait for a long file nobody wants any more
            for process in processes:
                if process.is_alive():
                    process.terminate()


def _crashed(task: Task) -> Result:
    return Result(
        task.item_id,
        "no_signal",
        "decoder crashed on this file (worker process died)",
        None,
        None,
        0.0,
        float(task.duration or 0.0),
    )


# ------------------------------------------------------------------------------------ reading back


def load_feature_matrix(db, version: int | None = None):
    """(item_ids int64 array, float32 matrix n x d, names) of every current 'ok' feature vector."""
    import numpy as np

    from tuneup.library.sound.features import FEATURE_VERSION, VECTOR_NAMES

    rows = db.execute(
        "SELECT item_id, vector FROM features WHERE status = 'ok' AND version = ? AND vector IS NOT NULL "
        "ORDER BY item_id",
        [version or FEATURE_VERSION],
    ).fetchall()
    rows = [(i, v) for i, v in rows if len(v) == 4 * len(VECTOR_NAMES)]
    ids = np.array([r[0] for r in rows], dtype=np.int64)
    matrix = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.float32).reshape(
        len(rows), len(VECTOR_NAMES)
    )
    return ids, matrix.copy(), list(VECTOR_NAMES)


def feature_status(db) -> dict:
    """Counts of analysed / pending / no-signal tracks, and the no-signal reasons."""
    from tuneup.library.sound.features import FEATURE_VERSION

    one = lambda sql, *p: db.execute(sql, p).fetchone()[0]  # noqa: E731
    tracks = one(f"SELECT count(*) FROM items WHERE kind = 'track' AND {where(ON_DISK)}")
    ok = one(
        "SELECT count(*) FROM features f JOIN items i ON i.id = f.item_id WHERE i.kind = 'track' "
        "AND f.status = 'ok' AND f.version = ?",
        FEATURE_VERSION,
    )
    reasons = db.execute(
        "SELECT reason, count(*) FROM features f JOIN items i ON i.id = f.item_id WHERE i.kind = 'track' "
        "AND f.status = 'no_signal' AND f.version = ? GROUP BY reason ORDER BY count(*) DESC",
        [FEATURE_VERSION],
    ).fetchall()
    no_signal = sum(n for _, n in reasons)
    return {
        "tracks": tracks,
        "ok": ok,
        "no_signal": no_signal,
        "pending": tracks - ok - no_signal,
        "reasons": {r: n for r, n in reasons},
    }


# ------------------------------------------------------------------------------------ tags vs signal

_CAMELOT = re.compile(r"^\s*(\d{1,2})\s*([AaBb])\s*$")
_KEY_NAME = re.compile(
    r"^\s*([A-Ga-g])\s*([#b\u266f\u266d]?)\s*(m|min|minor|maj|major|dur|moll)?\s*$"
)
_PITCH = {"c": 0, "d": 2, "e": 4, "f": 5, "g": 7, "a": 9, "b": 11}


def parse_key(text: str | None) -> tuple[int, str] | None:
    """(pitch class, 'major'|'minor') from a key tag: "Am", "F# minor", "Bb", "8A" (Camelot)."""
    if not text:
        return None
    m = _CAMELOT.match(text)
    if m and 1 <= int(m.group(1)) <= 12:
        number, letter = int(m.group(1)), m.group(2).upper()
        if letter == "B":
            return (7 * (number - 8)) % 12, "major"
        return (9 + 7 * (number - 8)) % 12, "minor"
    m = _KEY_NAME.match(text)
    if not m:
        return None
    pc = _PITCH[m.group(1).lower()] + {"#": 1, "\u266f": 1, "b": -1, "\u266d": -1}.get(
        m.group(2), 0
    )
    quality = (m.group(3) or "").lower()
    minor = quality in ("m", "min", "minor", "moll") or (not quality and m.group(1).islower())
    return pc % 12, "minor" if minor else "major"


def tag_agreement(db) -> dict:
    """How often tag BPM, key and ReplayGain agree with what the signal says (both are kept)."""
    from tuneup.library.sound.features import FEATURE_VERSION, PITCH_NAMES

    rows = db.execute(
        "SELECT i.bpm, i.initial_key, i.rg_track_gain, f.data FROM items i JOIN features f ON f.item_id = i.id "
        "WHERE f.status = 'ok' AND f.version = ? AND (i.bpm > 0 OR i.initial_key IS NOT NULL "
        "OR i.rg_track_gain IS NOT NULL)",
        [FEATURE_VERSION],
    ).fetchall()
    bpm = {"compared": 0, "agree": 0, "octave": 0, "disagree": 0}
    key = {"compared": 0, "agree": 0, "relative": 0, "disagree": 0, "unparsed": 0}
    gain = {"compared": 0, "agree": 0, "disagree": 0, "mean_abs_diff_db": None}
    diffs = []
    for tag_bpm, tag_key, rg_gain, raw in rows:
        data = json.loads(raw)
        if tag_bpm and data.get("tempo_bpm"):
            bpm["compared"] += 1
            bpm[_bpm_verdict(float(tag_bpm), data["tempo_bpm"])] += 1
        if tag_key and data.get("key"):
            parsed = parse_key(tag_key)
            if parsed is None:
                key["unparsed"] += 1
            else:
                key["compared"] += 1
                measured = (PITCH_NAMES.index(data["key"]), data["mode"])
                key[_key_verdict(parsed, measured)] += 1
        if rg_gain is not None and data.get("loudness_lufs") is not None:
            # ReplayGain 2 plays a track at -18 LUFS: its gain is -18 minus its loudness.
            diff = (-18.0 - float(rg_gain)) - data["loudness_lufs"]
            diffs.append(abs(diff))
            gain["compared"] += 1
            gain["agree" if abs(diff) <= 1.5 else "disagree"] += 1
    if diffs:
        gain["mean_abs_diff_db"] = round(sum(diffs) / len(diffs), 2)
    return {"bpm": bpm, "key": key, "replaygain": gain}


def _bpm_verdict(tagged: float, measured: float) -> str:
    ratio = measured / tagged
    if abs(ratio - 1) <= 0.02:
        return "agree"
    if any(abs(ratio - r) <= 0.02 * r for r in (0.5, 2.0, 1 / 3, 3.0, 2 / 3, 1.5)):
        return "octave"
    return "disagree"


def _key_verdict(tagged: tuple[int, str], measured: tuple[int, str]) -> str:
    if tagged == measured:
        return "agree"
    relative = (
        (tagged[0] + (9 if tagged[1] == "major" else 3)) % 12,
        "minor" if tagged[1] == "major" else "major",
    )
    return "relative" if relative == measured else "disagree"
