"""Video scan speed against music, per file (issue 3: no more than 2x slower than music).

    /work/venv/bin/python bench/scan_video.py [--files 10000] [--workers 1 2] [--scene 2000]

Builds, under a temporary folder, a music library of N files (bench/scan.py's realistic format
mix: mp3 55 %, flac 25 %, m4a 10 %, ogg, opus; a third untagged) and a video library of
N video files laid out the Kodi/Jellyfin way with NFO sidecars (series folders with
tvshow.nfo, season folders, one NFO per episode; movies in their own folders with movie.nfo),
made by copying the tiny fixtures (mkv, webm, mp4, m4v, mpg in turn). Each library is scanned
from scratch into a fresh database with ``tuneup.library.scan.scanner.scan``; the per-file time is the
wall time divided by the files. ``--scene`` adds a library of release-style names without NFOs
(`Show.Name.S01E02.720p.x264-GRP.mkv`; a third anime-style names that go through guessit).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "video"
VIDEO_FIXTURES = ["titled.mkv", "clip.webm", "episode.mp4", "movie.m4v", "clip.mpg"]
EPISODES_PER_SEASON = 10
SEASONS = 3


def make_music(root: Path, n: int) -> None:
    """The music library bench/scan.py (issue 2) measures, so both benches share a baseline;
    the simple tagged-mp3 copies below when that module is not there."""
    try:
        sys.path.insert(0, str(ROOT / "bench"))
        import scan as music_bench
    except ImportError:
        return make_simple_music(root, n)
    music_bench.generate(root, n)


def make_simple_music(root: Path, n: int) -> None:
    from mutagen.easyid3 import EasyID3

    src = root.parent / "src.mp3"
    subprocess.run(
        [
            "ffmpeg",
            "-hide_banner",
            "-loglevel",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=440:duration=1",
            "-c:a",
            "libmp3lame",
            "-b:a",
            "32k",
            str(src),
        ],
        check=True,
    )
    for i in range(n):
        album = root / f"Artist {i // 100:03d}" / f"Album {i // 10:04d}"
        album.mkdir(parents=True, exist_ok=True)
        dest = album / f"{i % 10 + 1:02d} Song {i}.mp3"
        shutil.copyfile(src, dest)
        tags = EasyID3()
        tags.update(
            {
                "title": f"Song {i}",
                "artist": f"Artist {i // 100:03d}",
                "album": f"Album {i // 10:04d}",
                "tracknumber": str(i % 10 + 1),
                "genre": "Rock",
                "date": "2001",
            }
        )
        tags.save(dest)


def _episode_nfo(show: str, season: int, episode: int) -> str:
    return (
        f"<episodedetails><title>Episode {episode} of {show}</title><showtitle>{show}</showtitle>"
        f"<season>{season}</season><episode>{episode}</episode><plot>Something happens.</plot>"
        f"<director>Some Director</director><credits>Some Writer</credits>"
        f"<actor><name>Guest {episode}</name><role>Guest</role></actor>"
        f'<uniqueid type="tvdb">{season * 1000 + episode}</uniqueid></episodedetails>\n'
    )


def _tvshow_nfo(show: str) -> str:
    cast = "".join(f"<actor><name>Actor {k}</name><role>Role {k}</role></actor>" for k in range(8))
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes" ?>\n<tvshow><title>{show}</title>'
        f"<year>2015</year><genre>Drama</genre><genre>Crime</genre><plot>A long-running show.</plot>{cast}"
        f'<studio>A Network</studio><uniqueid type="tvdb" default="true">42</uniqueid></tvshow>\n'
    )


def _movie_nfo(title: str, year: int, i: int) -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes" ?>\n<movie><title>{title}</title>'
        f"<originaltitle>{title}</originaltitle><year>{year}</year><genre>Action</genre><genre>Thriller</genre>"
        f"<plot>A plot of some length for the film number {i}.</plot><director>A Director</director>"
        f"<actor><name>Star {i % 50}</name><role>Hero</role></actor><studio>Studio</studio>"
        f'<ratings><rating name="imdb" max="10" default="true"><value>6.5</value><votes>1000</votes>'
        f'</rating></ratings><uniqueid type="imdb" default="true">tt{i:07d}</uniqueid>'
        f"<set><name>Saga {i % 100}</name></set></movie>\n"
    )


def make_videos(root: Path, n: int) -> None:
    """70% episodes in series folders, 30% movies in their own folders, every file with an NFO."""
    episodes = n * 7 // 10
    per_show = EPISODES_PER_SEASON * SEASONS
    for i in range(episodes):
        show = f"Show {i // per_show:04d}"
        season, episode = i % per_show // EPISODES_PER_SEASON + 1, i % EPISODES_PER_SEASON + 1
        folder = root / "TV" / show / f"Season {season:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        if i % per_show == 0:
            (root / "TV" / show / "tvshow.nfo").write_text(_tvshow_nfo(show))
        fixture = VIDEO_FIXTURES[i % len(VIDEO_FIXTURES)]
        stem = f"{show} - S{season:02d}E{episode:02d} - Episode {episode}"
        shutil.copyfile(FIXTURES / fixture, folder / f"{stem}{Path(fixture).suffix}")
        (folder / f"{stem}.nfo").write_text(_episode_nfo(show, season, episode))
    for i in range(n - episodes):
        title, year = f"Film {i:05d}", 1950 + i % 70
        folder = root / "Movies" / f"{title} ({year})"
        folder.mkdir(parents=True, exist_ok=True)
        fixture = VIDEO_FIXTURES[i % len(VIDEO_FIXTURES)]
        shutil.copyfile(FIXTURES / fixture, folder / f"{title} ({year}){Path(fixture).suffix}")
        (folder / "movie.nfo").write_text(_movie_nfo(title, year, i))


def make_scene(root: Path, n: int) -> None:
    """Release-style names, no NFO: a third movies, a third episodes (both read by the fast
    parser) and a third anime-style `[Group] Show - 012 [1080p]` names, which need guessit."""
    root.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        suffix = Path(VIDEO_FIXTURES[i % len(VIDEO_FIXTURES)]).suffix
        if i % 3 == 0:
            name = f"Film.Number.{i}.{1950 + i % 70}.1080p.BluRay.x264-GRP{suffix}"
        elif i % 3 == 1:
            name = f"Show.{i // 30}.S{i % 30 // 10 + 1:02d}E{i % 10 + 1:02d}.720p.WEB-DL.x264-GRP{suffix}"
        else:
            name = f"[Group] Anime {i // 30} - {i % 30 + 1:03d} [1080p]{suffix}"
        shutil.copyfile(FIXTURES / VIDEO_FIXTURES[i % len(VIDEO_FIXTURES)], root / name)


def timed_scan(root: Path, workers: int) -> tuple[float, float, dict]:
    """(wall seconds, CPU seconds of this process and its worker processes, summary)."""
    import resource

    from tuneup.library.scan.scanner import scan
    from tuneup.store import open_db

    db_path = root.parent / f"{root.name}-{workers}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    db = open_db(db_path)
    cpu0 = (
        time.process_time()
        + resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime
        + resource.getrusage(resource.RUSAGE_CHILDREN).ru_stime
    )
    started = time.perf_counter()
    summary = scan(db, [root], workers=workers)
    seconds = time.perf_counter() - started
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = time.process_time() + children.ru_utime + children.ru_stime - cpu0
    db.conn.close()
    return seconds, cpu, summary.as_dict()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=10000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument(
        "--scene", type=int, default=2000, help="release-named files without NFO (0: skip)"
    )
    parser.add_argument(
        "--repeat", type=int, default=2, help="scans of each library; the fastest counts"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tuneup-bench-video-") as tmp:
        base = Path(tmp)
        started = time.perf_counter()
        make_music(base / "music", args.files)
        make_videos(base / "video", args.files)
        if args.scene:
            make_scene(base / "scene", args.scene)
        print(f"generated in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        libraries = [
            ("music", base / "music", args.files),
            ("video+nfo", base / "video", args.files),
        ]
        if args.scene:
            libraries.append(("video release names, no NFO", base / "scene", args.scene))
        print(
            "| library | files | workers | wall s | wall ms/file | CPU ms/file | vs music (wall) | vs music (CPU) |"
        )
        print("|---|---|---|---|---|---|---|---|")
        for workers in args.workers:
            best: dict[str, tuple[float, float]] = {}
            for _ in range(args.repeat):  # interleaved, so a busy spell on the machine hits both
                for label, root, n in libraries:
                    seconds, cpu, summary = timed_scan(root, workers)
                    if summary["added"] != n:
                        print(f"{label}: added {summary['added']} of {n}", file=sys.stderr)
                    old = best.get(label, (float("inf"), float("inf")))
                    best[label] = (min(old[0], seconds), min(old[1], cpu))
            music_wall, music_cpu = (best["music"][0] / args.files, best["music"][1] / args.files)
            for label, _root, n in libraries:
                wall, cpu = best[label][0] / n, best[label][1] / n
                print(
                    f"| {label} | {n:,} | {workers} | {best[label][0]:.1f} | {wall * 1000:.2f} | {cpu * 1000:.2f} | "
                    f"{wall / music_wall:.2f}x | {cpu / music_cpu:.2f}x |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
