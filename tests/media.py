"""Small real audio files in every format tuneup reads, tagged as a test asks. Reusable by any test.

    from media import make_audio, FORMATS   # tests/ is on sys.path under pytest
    path = make_audio(tmp_path / "a", "flac", {"title": "T", "artist": ["A", "B"], "genre": "Rock; Pop"})

One untagged template per format is generated once per process (soundfile for mp3, flac, ogg,
opus, wav, aiff; ffmpeg for m4a/aac, alac, wma, wavpack; Monkey's Audio, Musepack and DSF headers
are written by hand because ffmpeg cannot encode them), then copied and tagged with mutagen.

Tag keys (canonical, like Picard's): title, artist (str or list), artists (list), album, albumartist,
tracknumber, tracktotal, discnumber, disctotal, date, genre (str or list), composer, bpm, initialkey,
mood, label, compilation (bool), musicbrainz_trackid / _albumid / _artistid / _albumartistid /
_releasetrackid, replaygain_track_gain / _track_peak / _album_gain / _album_peak.
"""

from __future__ import annotations

import atexit
import shutil
import struct
import subprocess
import tempfile
from pathlib import Path

FORMATS = (
    "mp3",
    "flac",
    "ogg",
    "opus",
    "m4a",
    "alac",
    "wma",
    "wav",
    "aiff",
    "wv",
    "ape",
    "mpc",
    "dsf",
)
EXTENSION = {"alac": "m4a"}
# What tuneup reports as the codec of each generated format.
CODEC = {
    "mp3": "mp3",
    "flac": "flac",
    "ogg": "vorbis",
    "opus": "opus",
    "m4a": "aac",
    "alac": "alac",
    "wma": "wma",
    "wav": "pcm",
    "aiff": "pcm",
    "wv": "wavpack",
    "ape": "ape",
    "mpc": "musepack",
    "dsf": "dsd",
}
SECONDS = 1.0

_cache_dir: Path | None = None
_templates: dict[str, Path] = {}


def ext_of(fmt: str) -> str:
    return "." + EXTENSION.get(fmt, fmt)


def _cache() -> Path:
    global _cache_dir
    if _cache_dir is None:
        _cache_dir = Path(tempfile.mkdtemp(prefix="tuneup-media-"))
        atexit.register(shutil.rmtree, _cache_dir, True)
    return _cache_dir


def template(fmt: str) -> Path:
    """An untagged file of ``fmt`` (cached for the process)."""
    if fmt not in _templates:
        path = _cache() / f"template-{fmt}{ext_of(fmt)}"
        _GENERATORS[fmt](path)
        _templates[fmt] = path
    return _templates[fmt]


def make_audio(
    where: Path,
    fmt: str = "mp3",
    tags: dict | None = None,
    *,
    name: str | bytes | None = None,
    id3_version: int = 4,
) -> Path:
    """A tagged file of ``fmt`` at ``where`` (a folder, or a full file path when it has a suffix).

    ``name`` may be bytes (for names that are not valid UTF-8); then the bytes path is returned as Path.
    """
    import os

    where = Path(where)
    if name is None and where.suffix:
        target = where
    else:
        folder = where
        folder.mkdir(parents=True, exist_ok=True)
        if isinstance(name, bytes):
            target = Path(os.fsdecode(os.fsencode(folder) + b"/" + name))
        else:
            target = folder / (name or f"track{ext_of(fmt)}")
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template(fmt), target)
    if tags:
        write_tags(target, fmt, tags, id3_version=id3_version)
    return target


# --- generators --------------------------------------------------------------------------------


def _tone(rate: int = 44100, seconds: float = SECONDS, freq: float = 440.0):
    import numpy as np

    t = np.arange(int(rate * seconds)) / rate
    return (0.3 * np.sin(2 * np.pi * freq * t)).astype("float32")


def _soundfile(fmt: str, subtype: str | None, rate: int = 44100):
    def generate(path: Path) -> None:
        import soundfile as sf

        sf.write(str(path), _tone(rate), rate, format=fmt, subtype=subtype)

    return generate


def _ffmpeg(*codec_args: str):
    def generate(path: Path) -> None:
        subprocess.run(
            [
                "ffmpeg",
                "-nostdin",
                "-loglevel",
                "error",
                "-y",
                "-f",
                "lavfi",
                "-i",
                f"sine=frequency=440:duration={SECONDS}",
                "-map_metadata",
                "-1",
                "-fflags",
                "+bitexact",
                *codec_args,
                str(path),
            ],
            check=True,
            capture_output=True,
        )

    return generate


def _ape(path: Path) -> None:
    """A Monkey's Audio (>= 3.98) header: descriptor + header, as mutagen reads it."""
    rate, channels, bits = 44100, 1, 16
    blocks = int(rate * SECONDS)
    descriptor = (
        b"MAC "
        + struct.pack("<HH", 3990, 0)
        + struct.pack("<IIIIIII", 52, 24, 0, 0, 0, 0, 0)
        + bytes(16)
    )
    header = struct.pack("<HHIIIHHI", 2000, 0, blocks, blocks, 1, bits, channels, rate)
    path.write_bytes(descriptor + header + _noise(4000))


def _mpc(path: Path) -> None:
    """A Musepack SV7 header (frames of 1152 samples)."""
    frames = int(44100 * SECONDS / 1152) + 1
    header = (
        b"MP+" + bytes([0x17]) + struct.pack("<II", frames, 0) + struct.pack("<HhHh", 0, 0, 0, 0)
    )
    path.write_bytes(header + bytes(32 - len(header)) + _noise(6000))


def _dsf(path: Path) -> None:
    """A DSF file: DSD chunk, fmt chunk, a small data chunk (ID3 is appended by mutagen)."""
    rate, channels, block = 2822400, 1, 4096
    samples = block * 8
    data = _noise(block * channels)
    fmt = (
        b"fmt "
        + struct.pack("<Q", 52)
        + struct.pack("<IIIIIIQI", 1, 0, 1, channels, rate, 1, samples, block)
        + bytes(4)
    )
    data_chunk = b"data" + struct.pack("<Q", 12 + len(data)) + data
    total = 28 + len(fmt) + len(data_chunk)
    dsd = b"DSD " + struct.pack("<QQQ", 28, total, 0)
    path.write_bytes(dsd + fmt + data_chunk)


def _noise(n: int) -> bytes:
    import random

    return random.Random(n).randbytes(n)


_GENERATORS = {
    "mp3": _soundfile("MP3", "MPEG_LAYER_III"),
    "flac": _soundfile("FLAC", "PCM_16"),
    "ogg": _soundfile("OGG", "VORBIS"),
    "opus": _soundfile("OGG", "OPUS", 48000),
    "wav": _soundfile("WAV", "PCM_16"),
    "aiff": _soundfile("AIFF", "PCM_16"),
    "m4a": _ffmpeg("-c:a", "aac", "-b:a", "64k"),
    "alac": _ffmpeg("-c:a", "alac"),
    "wma": _ffmpeg("-c:a", "wmav2", "-b:a", "64k"),
    "wv": _ffmpeg("-c:a", "wavpack"),
    "ape": _ape,
    "mpc": _mpc,
    "dsf": _dsf,
}


# --- tag writers ------------------------------------------------------------------------------


def _values(value) -> list[str]:
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    if isinstance(value, bool):
        return ["1" if value else "0"]
    return [str(value)]


def write_tags(path: Path, fmt: str, tags: dict, *, id3_version: int = 4) -> None:
    if fmt in ("mp3", "wav", "aiff", "dsf"):
        _write_id3(path, fmt, tags, id3_version)
    elif fmt in ("flac", "ogg", "opus"):
        _write_vorbis(path, fmt, tags)
    elif fmt in ("m4a", "alac"):
        _write_mp4(path, tags)
    elif fmt == "wma":
        _write_asf(path, tags)
    else:
        _write_ape(path, tags)


def _number(tags: dict, key: str) -> str | None:
    if key not in tags:
        return None
    total = tags.get(key.replace("number", "total"))
    return f"{tags[key]}/{total}" if total else str(tags[key])


_ID3_TEXT = {
    "title": "TIT2",
    "artist": "TPE1",
    "album": "TALB",
    "albumartist": "TPE2",
    "date": "TDRC",
    "genre": "TCON",
    "composer": "TCOM",
    "bpm": "TBPM",
    "initialkey": "TKEY",
    "mood": "TMOO",
    "label": "TPUB",
}
_TXXX = {
    "artists": "ARTISTS",
    "musicbrainz_albumid": "MusicBrainz Album Id",
    "musicbrainz_artistid": "MusicBrainz Artist Id",
    "musicbrainz_albumartistid": "MusicBrainz Album Artist Id",
    "musicbrainz_releasetrackid": "MusicBrainz Release Track Id",
}


def _write_id3(path: Path, fmt: str, tags: dict, version: int) -> None:
    from mutagen import id3

    file_type = {
        "mp3": "mutagen.mp3:MP3",
        "wav": "mutagen.wave:WAVE",
        "aiff": "mutagen.aiff:AIFF",
        "dsf": "mutagen.dsf:DSF",
    }[fmt]
    module, name = file_type.split(":")
    import importlib

    audio = getattr(importlib.import_module(module), name)(path)
    if audio.tags is None:
        audio.add_tags()
    t = audio.tags
    for key, frame in _ID3_TEXT.items():
        if key in tags:
            t.add(getattr(id3, frame)(encoding=3, text=_values(tags[key])))
    for key, frame in (("tracknumber", "TRCK"), ("discnumber", "TPOS")):
        if _number(tags, key):
            t.add(getattr(id3, frame)(encoding=3, text=[_number(tags, key)]))
    if "compilation" in tags:
        t.add(id3.TCMP(encoding=3, text=_values(tags["compilation"])))
    for key, desc in _TXXX.items():
        if key in tags:
            t.add(id3.TXXX(encoding=3, desc=desc, text=_values(tags[key])))
    for key in (
        "replaygain_track_gain",
        "replaygain_track_peak",
        "replaygain_album_gain",
        "replaygain_album_peak",
    ):
        if key in tags:
            t.add(id3.TXXX(encoding=3, desc=key, text=_values(tags[key])))
    if "musicbrainz_trackid" in tags:
        t.add(id3.UFID(owner="http://musicbrainz.org", data=tags["musicbrainz_trackid"].encode()))
    audio.save(v2_version=version) if fmt == "mp3" else audio.save()


def _write_vorbis(path: Path, fmt: str, tags: dict) -> None:
    import mutagen

    audio = mutagen.File(path)
    if audio.tags is None:
        audio.add_tags()
    for key, value in tags.items():
        if key == "tracktotal" or key == "disctotal":
            audio[key] = _values(value)
        elif key == "compilation":
            audio[key] = _values(value)
        else:
            audio[key] = _values(value)
    audio.save()


_MP4_TEXT = {
    "title": "\xa9nam",
    "artist": "\xa9ART",
    "album": "\xa9alb",
    "albumartist": "aART",
    "date": "\xa9day",
    "genre": "\xa9gen",
    "composer": "\xa9wrt",
}


def _write_mp4(path: Path, tags: dict) -> None:
    from mutagen.mp4 import MP4, MP4FreeForm

    audio = MP4(path)
    if audio.tags is None:
        audio.add_tags()
    for key, atom in _MP4_TEXT.items():
        if key in tags:
            audio[atom] = _values(tags[key])
    if "tracknumber" in tags:
        audio["trkn"] = [(int(tags["tracknumber"]), int(tags.get("tracktotal", 0)))]
    if "discnumber" in tags:
        audio["disk"] = [(int(tags["discnumber"]), int(tags.get("disctotal", 0)))]
    if "bpm" in tags:
        audio["tmpo"] = [int(float(tags["bpm"]))]
    if "compilation" in tags:
        audio["cpil"] = bool(tags["compilation"])
    free = {
        "initialkey": "initialkey",
        "mood": "MOOD",
        "label": "LABEL",
        "artists": "ARTISTS",
        "musicbrainz_trackid": "MusicBrainz Track Id",
        **_TXXX,
        **{
            k: k
            for k in (
                "replaygain_track_gain",
                "replaygain_track_peak",
                "replaygain_album_gain",
                "replaygain_album_peak",
            )
        },
    }
    for key, name in free.items():
        if key in tags:
            audio[f"----:com.apple.iTunes:{name}"] = [
                MP4FreeForm(v.encode()) for v in _values(tags[key])
            ]
    audio.save()


_ASF_NAMES = {
    "title": "Title",
    "artist": "Author",
    "album": "WM/AlbumTitle",
    "albumartist": "WM/AlbumArtist",
    "date": "WM/Year",
    "genre": "WM/Genre",
    "composer": "WM/Composer",
    "bpm": "WM/BeatsPerMinute",
    "initialkey": "WM/InitialKey",
    "mood": "WM/Mood",
    "label": "WM/Publisher",
    "compilation": "WM/IsCompilation",
    "musicbrainz_trackid": "MusicBrainz/Track Id",
    "musicbrainz_albumid": "MusicBrainz/Album Id",
    "musicbrainz_artistid": "MusicBrainz/Artist Id",
    "musicbrainz_albumartistid": "MusicBrainz/Album Artist Id",
    "musicbrainz_releasetrackid": "MusicBrainz/Release Track Id",
    "artists": "WM/ARTISTS",
}


def _write_asf(path: Path, tags: dict) -> None:
    from mutagen.asf import ASF

    audio = ASF(path)
    for key, name in _ASF_NAMES.items():
        if key in tags:
            audio[name] = _values(tags[key])
    if "tracknumber" in tags:
        audio["WM/TrackNumber"] = [str(tags["tracknumber"])]
    if "discnumber" in tags:
        audio["WM/PartOfSet"] = [_number(tags, "discnumber")]
    for key in (
        "replaygain_track_gain",
        "replaygain_track_peak",
        "replaygain_album_gain",
        "replaygain_album_peak",
    ):
        if key in tags:
            audio[key] = _values(tags[key])
    audio.save()


_APE_NAMES = {
    "albumartist": "Album Artist",
    "date": "Year",
    "musicbrainz_trackid": "MUSICBRAINZ_TRACKID",
    "musicbrainz_albumid": "MUSICBRAINZ_ALBUMID",
    "musicbrainz_artistid": "MUSICBRAINZ_ARTISTID",
    "musicbrainz_albumartistid": "MUSICBRAINZ_ALBUMARTISTID",
    "musicbrainz_releasetrackid": "MUSICBRAINZ_RELEASETRACKID",
}


def _write_ape(path: Path, tags: dict) -> None:
    from mutagen.apev2 import APEv2

    audio = APEv2()
    for key, value in tags.items():
        if key in ("tracktotal", "disctotal"):
            continue
        name = _APE_NAMES.get(
            key,
            key.replace("number", "").title()
            if key in ("tracknumber", "discnumber")
            else key.title()
            if "_" not in key
            else key.upper(),
        )
        if key in ("tracknumber", "discnumber"):
            value = _number(tags, key)
        audio[name] = "\x00".join(_values(value))
    audio.save(path)


# --- odd files for error handling tests -------------------------------------------------------


def truncated_copy(src: Path, dst: Path, keep: int = 200) -> Path:
    dst.write_bytes(src.read_bytes()[:keep])
    return dst


def random_bytes(dst: Path, n: int = 20000, seed: int = 1) -> Path:
    import random

    dst.write_bytes(random.Random(seed).randbytes(n))
    return dst
