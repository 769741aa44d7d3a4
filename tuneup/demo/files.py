"""Writing the demo library to disk: synthesize, encode (soundfile) and tag (mutagen), in parallel.

Files that already exist are left alone, so building twice writes nothing new. Each file is
written under a temporary name and renamed into place, so an interrupted build never leaves a
half-written track that a later build would take for finished.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

from tuneup.demo.catalog import TrackSpec
from tuneup.errors import TuneupError

SOUNDFILE_FORMATS = {
    "flac": ("FLAC", "PCM_16"),
    "mp3": ("MP3", "MPEG_LAYER_III"),
    "ogg": ("OGG", "VORBIS"),
    "opus": ("OGG", "OPUS"),
}
MIN_TRACKS_FOR_POOL = 8


def write_library(
    root: Path,
    tracks: list[TrackSpec],
    *,
    workers: int = 0,
    progress: Callable[[int, int | None, str], None] | None = None,
    cancelled: Callable[[], bool] = lambda: False,
) -> dict:
    """Write every missing track under ``root``. Returns {"written", "existing", "cancelled"}."""
    todo = [t for t in tracks if not (root / t.relpath).is_file()]
    summary = {"written": 0, "existing": len(tracks) - len(todo), "cancelled": False}
    progress = progress or (lambda done, total, info="": None)
    progress(summary["existing"], len(tracks), "")
    jobs = [(str(root), t) for t in todo]
    workers = min(workers or os.cpu_count() or 1, max(1, len(jobs)))
    results = _run(jobs, workers)
    try:
        for relpath in results:
            summary["written"] += 1
            progress(summary["existing"] + summary["written"], len(tracks), relpath)
            if cancelled():
                summary["cancelled"] = True
                break
    finally:
        close = getattr(results, "close", None)
        if close:
            close()
    return summary


def _run(jobs, workers):
    if workers <= 1 or len(jobs) < MIN_TRACKS_FOR_POOL:
        return (_write_job(job) for job in jobs)
    return _PoolResults(jobs, workers)


class _PoolResults:
    """Results of a process pool, in completion order; closing it stops the pool."""

    def __init__(self, jobs, workers):
        import multiprocessing

        from tuneup.parentwatch import exit_with_parent

        # spawn: safe when the caller runs in a thread (the TUI's worker), unlike fork
        self.pool = multiprocessing.get_context("spawn").Pool(
            workers, exit_with_parent, (os.getpid(),)
        )
        self.results = self.pool.imap_unordered(_write_job, jobs, chunksize=2)

    def __iter__(self):
        return iter(self.results)

    def close(self):
        self.pool.terminate()
        self.pool.join()


def _write_job(job: tuple[str, TrackSpec]) -> str:
    root, track = job
    write_track(Path(root), track)
    return track.relpath


def write_track(root: Path, track: TrackSpec) -> Path:
    """Synthesize, encode and tag one track at ``root / track.relpath``."""
    import soundfile

    from tuneup.demo.synth import render

    path = root / track.relpath
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.part")
    fmt, subtype = SOUNDFILE_FORMATS[track.format]
    try:
        soundfile.write(
            str(tmp), render(track.synth), track.synth.sample_rate, format=fmt, subtype=subtype
        )
        if track.tagged:
            write_tags(tmp, track)
        os.replace(tmp, path)
    except Exception as exc:
        tmp.unlink(missing_ok=True)
        raise TuneupError(f"{path}: could not write demo track ({exc})") from None
    return path


def write_tags(path: Path, track: TrackSpec) -> None:
    if track.format == "mp3":
        _write_id3(path, track)
    else:
        _write_vorbis(path, track)


def tag_values(track: TrackSpec) -> dict[str, list[str]]:
    """The track's tags as Vorbis comment fields (the ID3 writer maps them to frames)."""
    tags = {
        "TITLE": [track.title],
        "ARTIST": [track.artist],
        "DATE": [track.date],
        "GENRE": list(track.genre_tag),
    }
    if track.album:
        tags["ALBUM"] = [track.album]
        tags["ALBUMARTIST"] = [track.albumartist or track.artist]
        tags["TRACKNUMBER"] = [str(track.tracknumber)]
        tags["TRACKTOTAL"] = [str(track.tracktotal)]
        tags["DISCNUMBER"] = [str(track.discnumber)]
        tags["DISCTOTAL"] = [str(track.disctotal)]
    if track.composer:
        tags["COMPOSER"] = [track.composer]
    if track.bpm_tagged:
        tags["BPM"] = [str(int(round(track.bpm)))]
    if track.key_tagged:
        tags["INITIALKEY"] = [track.key]
    if track.compilation:
        tags["COMPILATION"] = ["1"]
    for name, value in (track.mbids or {}).items():
        tags[f"MUSICBRAINZ_{name.upper()}"] = [value]
    return tags


def _write_vorbis(path: Path, track: TrackSpec) -> None:
    from mutagen.flac import FLAC
    from mutagen.oggopus import OggOpus
    from mutagen.oggvorbis import OggVorbis

    audio = {"flac": FLAC, "ogg": OggVorbis, "opus": OggOpus}[track.format](path)
    if audio.tags is None:
        audio.add_tags()
    for key, values in tag_values(track).items():
        audio.tags[key] = values
    audio.save()


ID3_TEXT = {
    "TITLE": "TIT2",
    "ARTIST": "TPE1",
    "ALBUM": "TALB",
    "ALBUMARTIST": "TPE2",
    "DATE": "TDRC",
    "GENRE": "TCON",
    "COMPOSER": "TCOM",
    "BPM": "TBPM",
    "INITIALKEY": "TKEY",
    "COMPILATION": "TCMP",
}
ID3_TXXX = {
    "MUSICBRAINZ_ALBUMID": "MusicBrainz Album Id",
    "MUSICBRAINZ_ARTISTID": "MusicBrainz Artist Id",
    "MUSICBRAINZ_ALBUMARTISTID": "MusicBrainz Album Artist Id",
    "MUSICBRAINZ_RELEASETRACKID": "MusicBrainz Release Track Id",
}


def _write_id3(path: Path, track: TrackSpec) -> None:
    from mutagen import id3

    tags = id3.ID3()
    values = tag_values(track)
    for key, frame in ID3_TEXT.items():
        if key in values:
            tags.add(getattr(id3, frame)(encoding=3, text=values[key]))
    if track.album:
        tags.add(id3.TRCK(encoding=3, text=f"{track.tracknumber}/{track.tracktotal}"))
        tags.add(id3.TPOS(encoding=3, text=f"{track.discnumber}/{track.disctotal}"))
    for key, desc in ID3_TXXX.items():
        if key in values:
            tags.add(id3.TXXX(encoding=3, desc=desc, text=values[key]))
    if "MUSICBRAINZ_TRACKID" in values:
        tags.add(
            id3.UFID(owner="http://musicbrainz.org", data=values["MUSICBRAINZ_TRACKID"][0].encode())
        )
    tags.save(path, v2_version=4)
