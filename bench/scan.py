"""Scan benchmark (issue 2): cold scan, warm rescan, peak RSS, and a bare `mutagen.File` loop for reference.

    /work/venv/bin/python bench/scan.py              # 5,000 files
    /work/venv/bin/python bench/scan.py --n 100000   # must work; a few minutes

The library mixes formats like a real one (mp3 55 %, flac 25 %, m4a 10 %, ogg 5 %, opus 5 %), a third
untagged, laid out Artist/Album/NN - Title.ext. MP3 and FLAC files are written byte by byte (a
hand-built ID3v2.4 tag or Vorbis comment block in front of real encoded audio), so 100,000 files take
seconds; m4a/ogg/opus are copies of a few hundred files tagged by mutagen. ``--art-kb`` embeds cover
art of that size in the tagged mp3/flac files (real libraries have it; readers must load it).

The bare loop and the cold scan alternate ``--repeat`` times (default 3) and medians are reported,
because the shared machine's load swings. "Cold" means an empty database (files are in the page
cache: dropping it would disturb other work on the machine). The scan and the rescan each run in a
fresh process, as the CLI would; peak RSS is that process tree's (scanner + workers), sampled.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

MIX = [("mp3", 0.55), ("flac", 0.25), ("m4a", 0.10), ("ogg", 0.05), ("opus", 0.05)]
GENRES = [
    "Rock",
    "Pop",
    "Jazz",
    "Electronic",
    "Hip-Hop",
    "Classical",
    "Folk",
    "Metal",
    "Soul; Funk",
    "Ambient",
]


def _syncsafe(n: int) -> bytes:
    return bytes([(n >> 21) & 0x7F, (n >> 14) & 0x7F, (n >> 7) & 0x7F, n & 0x7F])


def id3_tag(fields: dict[str, str], art: bytes = b"") -> bytes:
    frames = b""
    for fid, text in fields.items():
        data = b"\x03" + text.encode()
        frames += fid.encode() + _syncsafe(len(data)) + b"\x00\x00" + data
    if art:
        data = b"\x00image/jpeg\x00\x03\x00" + art
        frames += b"APIC" + _syncsafe(len(data)) + b"\x00\x00" + data
    return b"ID3\x04\x00\x00" + _syncsafe(len(frames)) + frames


def flac_bytes(
    streaminfo: bytes, audio: bytes, comments: dict[str, str], art: bytes = b""
) -> bytes:
    blocks = [(0, streaminfo)]
    if comments:
        vendor = b"bench"
        body = struct.pack("<I", len(vendor)) + vendor + struct.pack("<I", len(comments))
        for k, v in comments.items():
            entry = f"{k}={v}".encode()
            body += struct.pack("<I", len(entry)) + entry
        blocks.append((4, body))
    if art:
        mime = b"image/jpeg"
        body = (
            struct.pack(">II", 3, len(mime))
            + mime
            + struct.pack(">IIIIII", 0, 500, 500, 24, 0, len(art))
            + art
        )
        blocks.append((6, body))
    out = b"fLaC"
    for i, (kind, body) in enumerate(blocks):
        last = 0x80 if i == len(blocks) - 1 else 0
        out += bytes([kind | last]) + len(body).to_bytes(3, "big") + body
    return out + audio


def _flac_parts(template: Path) -> tuple[bytes, bytes]:
    data = template.read_bytes()
    pos, streaminfo = 4, b""
    while True:
        header = data[pos]
        size = int.from_bytes(data[pos + 1 : pos + 4], "big")
        if header & 0x7F == 0:
            streaminfo = data[pos + 4 : pos + 4 + size]
        pos += 4 + size
        if header & 0x80:
            return streaminfo, data[pos:]


def _mp3_audio(template: Path) -> bytes:
    data = template.read_bytes()
    if data.startswith(b"ID3"):
        size = (data[6] << 21) | (data[7] << 14) | (data[8] << 7) | data[9]
        data = data[10 + size :]
    return data


def generate(root: Path, n: int, art_kb: int = 0, seed: int = 7) -> list[Path]:
    """N files under root; returns their paths."""
    import media

    rng = random.Random(seed)
    art = rng.randbytes(art_kb * 1024) if art_kb else b""
    mp3_audio = _mp3_audio(media.template("mp3"))
    streaminfo, flac_audio = _flac_parts(media.template("flac"))
    variants = {fmt: _variants(root / ".variants", fmt, 60) for fmt in ("m4a", "ogg", "opus")}
    kinds = [fmt for fmt, share in MIX for _ in range(int(share * 100))]
    paths = []
    for i in range(n):
        artist, album, track = i // 50, i // 10, i % 10 + 1
        fmt = kinds[rng.randrange(len(kinds))]
        tagged = rng.random() > 1 / 3
        folder = root / f"Artist {artist:05d}" / f"Album {album:06d}"
        if track == 1 or not folder.exists():
            folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{track:02d} - Title {i}.{fmt}"
        fields = {
            "title": f"Title {i}",
            "artist": f"Artist {artist:05d}",
            "album": f"Album {album:06d}",
            "tracknumber": f"{track}/10",
            "date": str(1960 + album % 60),
            "genre": GENRES[artist % len(GENRES)],
        }
        if fmt == "mp3":
            ids = dict(zip(("TIT2", "TPE1", "TALB", "TRCK", "TDRC", "TCON"), fields.values()))
            path.write_bytes((id3_tag(ids, art) if tagged else b"") + mp3_audio)
        elif fmt == "flac":
            path.write_bytes(
                flac_bytes(streaminfo, flac_audio, fields if tagged else {}, art if tagged else b"")
            )
        else:
            shutil.copyfile(
                variants[fmt][rng.randrange(len(variants[fmt]))] if tagged else media.template(fmt),
                path,
            )
        paths.append(path)
    shutil.rmtree(root / ".variants", ignore_errors=True)
    return paths


def _variants(folder: Path, fmt: str, count: int) -> list[Path]:
    import media

    return [
        media.make_audio(
            folder / fmt,
            fmt,
            {
                "title": f"V{i}",
                "artist": f"Var {i % 7}",
                "album": f"VA {i % 5}",
                "tracknumber": i % 10 + 1,
                "genre": GENRES[i % len(GENRES)],
            },
            name=f"{i}.{media.ext_of(fmt)[1:]}",
        )
        for i in range(count)
    ]


def bare_loop(paths: list[Path]) -> tuple[float, float]:
    """files/s of a plain single-process `mutagen.File` loop (errors counted as files), and its CPU seconds."""
    import mutagen

    started, cpu = time.perf_counter(), time.process_time()
    for p in paths:
        try:
            mutagen.File(p)
        except Exception:
            pass
    return len(paths) / (time.perf_counter() - started), time.process_time() - cpu


_SCAN_CHILD = """
import json, resource, sys, time
from tuneup.store import open_db
from tuneup.library.scan.scanner import scan
db = open_db(sys.argv[1])
t = time.perf_counter()
s = scan(db, [a for a in sys.argv[2:3] if a] or None, workers=int(sys.argv[3]))
wall = time.perf_counter() - t
d = s.as_dict()
me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"wall": wall, "added": d["added"], "unchanged": d["unchanged"], "errors": len(d["errors"]),
                  "main_maxrss_mb": me.ru_maxrss / 1024, "main_cpu": me.ru_utime + me.ru_stime,
                  "workers_cpu": kids.ru_utime + kids.ru_stime}))
"""


def run_scan(db_path: Path, root: Path | None, workers: int) -> dict:
    """Scan in a fresh process; returns its report plus the sampled peak RSS of its process tree."""
    import psutil

    args = [
        sys.executable,
        "-c",
        _SCAN_CHILD,
        str(db_path),
        str(root) if root else "",
        str(workers),
    ]
    started = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
    peak = [0]
    stop = threading.Event()

    def sample() -> None:
        ps = psutil.Process(proc.pid)
        while not stop.is_set():
            try:
                tree = [ps, *ps.children(recursive=True)]
                peak[0] = max(peak[0], sum(p.memory_info().rss for p in tree))
            except psutil.Error:
                pass
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, _ = proc.communicate()
    stop.set()
    sampler.join()
    report = json.loads(out)
    report["process_seconds"] = time.perf_counter() - started
    report["tree_peak_rss_mb"] = peak[0] / 2**20
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=5000, help="number of files (default 5000)")
    parser.add_argument("--workers", type=int, default=0, help="scan workers (0: one per core)")
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="bare loop and cold scan, alternated, this many "
        "times (medians reported; the machine's load varies)",
    )
    parser.add_argument(
        "--art-kb", type=int, default=0, help="cover art size embedded in tagged mp3/flac"
    )
    parser.add_argument(
        "--dir",
        type=Path,
        help="keep the library here and reuse it next time (default: a "
        "temporary folder, removed afterwards)",
    )
    args = parser.parse_args()

    base = args.dir or Path(tempfile.mkdtemp(prefix="tuneup-bench-scan-"))
    lib = base / "lib"
    try:
        t = time.perf_counter()
        marker = base / f"generated-{args.n}-{args.art_kb}"
        if args.dir and marker.exists():
            paths = sorted(p for p in lib.rglob("*") if p.is_file())
        else:
            shutil.rmtree(lib, ignore_errors=True)
            marker.unlink(missing_ok=True)
            paths = generate(lib, args.n, args.art_kb)
            marker.parent.mkdir(parents=True, exist_ok=True)
            marker.touch()
        print(
            f"{len(paths):,} files ready in {time.perf_counter() - t:.1f} s "
            f"({sum(p.stat().st_size for p in paths) / 2**20:,.0f} MB)",
            file=sys.stderr,
        )
        load_before = os.getloadavg()[0]
        db_path = base / "bench.db"
        bares, colds = [], []
        for _ in range(args.repeat):  # alternate, so both see the same machine load
            bares.append(bare_loop(paths))  # the first one also warms the page cache
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db_path}{suffix}").unlink(missing_ok=True)
            colds.append(run_scan(db_path, lib, args.workers))
        warm = run_scan(db_path, None, args.workers)
        n = len(paths)
        bare = statistics.median(b[0] for b in bares)
        cold_rate = statistics.median(n / c["wall"] for c in colds)
        cold = colds[-1]
        result = {
            "files": n,
            "cpus": os.cpu_count(),
            "art_kb": args.art_kb,
            "repeats": args.repeat,
            "bare_mutagen_files_per_s": round(bare),
            "cold_scan_files_per_s": round(cold_rate),
            "cold_vs_bare": round(cold_rate / bare, 2),
            "cold_vs_bare_each_run": [round(n / c["wall"] / b[0], 2) for b, c in zip(bares, colds)],
            "cold_scan_seconds": round(n / cold_rate, 2),
            "warm_rescan_seconds": round(warm["wall"], 2),
            "warm_rescan_files_per_s": round(n / warm["wall"]),
            "warm_process_seconds": round(warm["process_seconds"], 2),
            "cpu_ms_per_1000_files": {
                "bare_mutagen": round(statistics.median(b[1] for b in bares) * 1e6 / n),
                "cold_scan_total": round(
                    statistics.median(c["main_cpu"] + c["workers_cpu"] for c in colds) * 1e6 / n
                ),
                "cold_scan_main_process": round(
                    statistics.median(c["main_cpu"] for c in colds) * 1e6 / n
                ),
                "cold_scan_readers": round(
                    statistics.median(c["workers_cpu"] for c in colds) * 1e6 / n
                ),
                "warm_rescan": round(warm["main_cpu"] * 1e6 / n),
            },
            "load_average_1min": [round(load_before, 1), round(os.getloadavg()[0], 1)],
            "cold_peak_rss_mb_tree": round(max(c["tree_peak_rss_mb"] for c in colds)),
            "cold_peak_rss_mb_main": round(max(c["main_maxrss_mb"] for c in colds)),
            "warm_peak_rss_mb_main": round(warm["main_maxrss_mb"]),
            "added": cold["added"],
            "unchanged_on_rescan": warm["unchanged"],
            "errors": cold["errors"],
        }
        print(json.dumps(result, indent=2))
    finally:
        if not args.dir:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
