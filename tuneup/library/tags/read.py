"""Reading audio tags and stream properties with mutagen, into ``items`` columns.

Runs in scan worker processes, so it is lean: the mutagen class is chosen by extension
(falling back to mutagen's own sniffing), each tag format is mapped to one common set of
keys, and only small plain values are returned.
"""

from __future__ import annotations

import json
import math
import os
import re

from tuneup.errors import MediaReadError
from tuneup.library.tags.keys import ALIASES, ASF_KEYS, ID3_KEYS, MP4_KEYS

AUDIO_EXTENSIONS = frozenset(
    ".mp3 .mp2 .flac .ogg .oga .opus .spx .m4a .m4b .aac .wma .asf .wav .wave .aif .aiff .aifc "
    ".wv .ape .mpc .mp+ .dsf .dff .tta .ofr .ac3 .tak".split()
)

# mutagen class name -> (format, codec) when the codec is fixed by the container.
_FORMATS = {
    "MP3": ("mp3", "mp3"),
    "FLAC": ("flac", "flac"),
    "OggVorbis": ("ogg", "vorbis"),
    "OggOpus": ("opus", "opus"),
    "OggFLAC": ("ogg", "flac"),
    "OggSpeex": ("ogg", "speex"),
    "OggTheora": ("ogg", "theora"),
    "MP4": ("m4a", None),
    "ASF": ("wma", "wma"),
    "WAVE": ("wav", "pcm"),
    "AIFF": ("aiff", "pcm"),
    "WavPack": ("wv", "wavpack"),
    "MonkeysAudio": ("ape", "ape"),
    "Musepack": ("mpc", "musepack"),
    "DSF": ("dsf", "dsd"),
    "DSDIFF": ("dff", "dsd"),
    "TrueAudio": ("tta", "tta"),
    "OptimFROG": ("ofr", "optimfrog"),
    "AAC": ("aac", "aac"),
    "AC3": ("ac3", "ac3"),
    "TAK": ("tak", "tak"),
    "APEv2File": (None, None),
    "ID3FileType": (None, None),
}

# Extension -> mutagen modules/classes worth trying first (cheaper than scoring every format).
_BY_EXT = {
    ".mp3": ["mp3:MP3"],
    ".mp2": ["mp3:MP3"],
    ".flac": ["flac:FLAC"],
    ".ogg": ["oggvorbis:OggVorbis", "oggopus:OggOpus", "oggflac:OggFLAC", "oggspeex:OggSpeex"],
    ".oga": ["oggvorbis:OggVorbis", "oggopus:OggOpus", "oggflac:OggFLAC", "oggspeex:OggSpeex"],
    ".opus": ["oggopus:OggOpus", "oggvorbis:OggVorbis"],
    ".spx": ["oggspeex:OggSpeex"],
    ".m4a": ["mp4:MP4"],
    ".m4b": ["mp4:MP4"],
    ".aac": ["aac:AAC", "mp4:MP4"],
    ".wma": ["asf:ASF"],
    ".asf": ["asf:ASF"],
    ".wav": ["wave:WAVE"],
    ".wave": ["wave:WAVE"],
    ".aif": ["aiff:AIFF"],
    ".aiff": ["aiff:AIFF"],
    ".aifc": ["aiff:AIFF"],
    ".wv": ["wavpack:WavPack"],
    ".ape": ["monkeysaudio:MonkeysAudio"],
    ".mpc": ["musepack:Musepack"],
    ".mp+": ["musepack:Musepack"],
    ".dsf": ["dsf:DSF"],
    ".dff": ["dsdiff:DSDIFF"],
    ".tta": ["trueaudio:TrueAudio"],
    ".ofr": ["optimfrog:OptimFROG"],
    ".ac3": ["ac3:AC3"],
    ".tak": ["tak:TAK"],
}

_class_cache: dict[str, list] = {}


def _classes_for(ext: str) -> list:
    if ext not in _class_cache:
        _class_cache[ext] = [k for spec in _BY_EXT.get(ext, []) for k in _classes_for_spec(spec)]
    return _class_cache[ext]


def _all_classes() -> list:
    if "*" not in _class_cache:
        specs = {spec for specs in _BY_EXT.values() for spec in specs}
        specs |= {"apev2:APEv2File", "id3:ID3FileType", "oggtheora:OggTheora"}
        classes = []
        for spec in sorted(specs):
            classes.extend(_classes_for_spec(spec))
        _class_cache["*"] = classes
    return _class_cache["*"]


def _classes_for_spec(spec: str) -> list:
    import importlib

    module, name = spec.split(":")
    return [getattr(importlib.import_module(f"mutagen.{module}"), name)]


def open_audio(path: bytes | str):
    """The mutagen object for ``path``; raises MediaReadError with a short reason."""
    import mutagen

    raw = os.fsencode(path)
    ext = os.path.splitext(raw)[1].lower().decode("ascii", "replace")
    audio, first_error = None, None
    try:
        classes = _classes_for(ext)
        if classes:
            try:
                audio = mutagen.File(raw, options=classes)
            except mutagen.MutagenError as exc:
                first_error = exc  # wrong extension? let mutagen sniff every format below
        if audio is None:  # sniff the other formats (so a FLAC named .mp3 is still read)
            audio = mutagen.File(raw, options=[k for k in _all_classes() if k not in classes])
        if audio is None and first_error is not None:
            raise first_error
    except mutagen.MutagenError as exc:
        raise MediaReadError(_reason(exc)) from None
    except OSError as exc:
        raise MediaReadError(exc.strerror or str(exc)) from None
    except Exception as exc:  # mutagen raises plain errors on some corrupt files
        raise MediaReadError(f"unreadable audio ({type(exc).__name__}: {exc})") from None
    if audio is None:
        raise MediaReadError("not a recognised audio file")
    return audio


def _reason(exc: Exception) -> str:
    inner = exc.args[0] if exc.args else exc
    if isinstance(inner, OSError) and inner.strerror:
        return inner.strerror
    if isinstance(inner, OSError) and not inner.args:  # mutagen's bare IOError: a short read
        return "unreadable audio: the file ends before its header or tag says it does"
    text = str(exc).strip() or type(exc).__name__
    return f"unreadable audio: {text}"


FAST_EXTENSIONS = (".mp3", ".flac")


def read_audio(path: bytes | str, *, fast: bool = True, quick: tuple | None = None) -> dict:
    """Tags and properties of the audio file at ``path`` as ``items`` columns (kind 'track').

    MP3 and FLAC go through tuneup.library.tags.fastread (same result, a fraction of the work);
    anything it does not handle, and every other format, through mutagen. ``quick``: a
    fastread result the caller already has."""
    raw = os.fsencode(path)
    ext = os.path.splitext(raw)[1].lower().decode("ascii", "replace")
    if quick is None and fast and ext in FAST_EXTENSIONS:
        from tuneup.library.tags.fastread import read_fast

        quick = read_fast(raw, ext)
    if quick is not None:
        fmt, codec, info, tags = quick
    else:
        audio = open_audio(raw)
        fmt, codec = _FORMATS.get(type(audio).__name__, (None, None))
        codec = codec or _codec_of(getattr(audio, "info", None))
        info = _info(audio)
        tags = getattr(audio, "tags", None)
        tags = normalise_tags(tags) if tags is not None else None
    row: dict = {"kind": "track", "format": fmt or ext.lstrip(".") or None}
    row.update(_properties(raw, info, codec))
    if tags:
        row.update(columns_from(tags))
    return row


def _info(audio) -> dict:
    info = getattr(audio, "info", None)
    return {k: getattr(info, k, None) for k in ("length", "bitrate", "sample_rate", "channels")}


def _properties(path: bytes, info: dict, codec: str | None) -> dict:
    length, bitrate = info.get("length"), info.get("bitrate")
    props = {
        "duration": round(float(length), 3) if length else None,
        "bitrate": int(bitrate) if bitrate else None,
        "sample_rate": info.get("sample_rate") or None,
        "channels": info.get("channels") or None,
        "codec": codec,
    }
    if props["codec"] == "opus" and not props["sample_rate"]:
        props["sample_rate"] = 48000  # Opus always decodes at 48 kHz; mutagen does not report it
    if not props["bitrate"] and props["duration"]:
        try:  # some formats (opus, dsf) report no bitrate: estimate it from size and length
            props["bitrate"] = int(os.path.getsize(path) * 8 / props["duration"])
        except OSError:
            pass
    return props


def _codec_of(info) -> str | None:
    codec = (
        getattr(info, "codec", None) or getattr(info, "codec_name", None)
        if info is not None
        else None
    )
    if not codec:
        return None
    codec = str(codec).lower()
    if codec.startswith("mp4a"):
        return "aac"
    return codec


# --- tag normalisation -------------------------------------------------------------------------


def normalise_tags(tags) -> dict[str, list[str]]:
    """Any mutagen tag object -> {canonical key: [text values]}."""
    kind = type(tags).__name__
    if kind in ("ID3", "_WaveID3", "_IFFID3", "ID3FileType", "_DSFID3") or hasattr(tags, "getall"):
        return _from_id3(tags)
    if kind == "MP4Tags":
        return _from_mp4(tags)
    if kind == "ASFTags":
        return _from_pairs(((k, v) for k, v in tags.items()), ASF_KEYS)
    # Vorbis comments (list of pairs) and APEv2 (mapping of APEValue) both land here.
    return _from_pairs(_pairs(tags), {})


def _pairs(tags):
    items = tags.items() if hasattr(tags, "items") else tags
    for key, value in items:
        if isinstance(value, list):
            for v in value:
                yield key, v
        else:
            yield key, value


def _add(out: dict, key: str, values) -> None:
    if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
        values = [values]
    bucket = out.setdefault(key, [])
    for value in values:
        if isinstance(value, bytes):
            value = value.decode("utf-8", "replace")
        text = str(value) if value is not None else ""
        # NUL separates values (ID3v2.4, APEv2); any format's NUL is read so, and never stored in text
        for part in text.split("\x00") if "\x00" in text else (text,):
            part = part.strip(" ")
            if part:
                bucket.append(part)


def _from_id3(tags) -> dict:
    out: dict[str, list[str]] = {}
    for frame in tags.values():
        fid = frame.FrameID
        if fid in ID3_KEYS:
            if fid == "TCON":
                _add(out, "genre", frame.genres)
            else:
                _add(out, ID3_KEYS[fid], frame.text)
        elif fid == "TXXX":
            _add(out, ALIASES.get(frame.desc.lower(), frame.desc.lower()), frame.text)
        elif fid == "UFID" and frame.owner == "http://musicbrainz.org":
            _add(out, "musicbrainz_trackid", frame.data)
    return out


def _from_mp4(tags) -> dict:
    out: dict[str, list[str]] = {}
    for key, values in tags.items():
        if key in ("trkn", "disk"):
            for number, total in values:
                _add(out, MP4_KEYS[key], [f"{number}/{total}" if total else str(number)])
        elif key == "gnre":
            from mutagen.id3 import TCON

            _add(out, "genre", [TCON.GENRES[v - 1] for v in values if 0 < v <= len(TCON.GENRES)])
        elif key in ("cpil",):
            _add(out, "compilation", ["1" if values else "0"])
        elif key in MP4_KEYS:
            _add(out, MP4_KEYS[key], values)
        elif key.startswith("----:"):
            name = key.split(":", 2)[2].lower()
            _add(out, ALIASES.get(name, name), [bytes(v) for v in values])
    return out


def _from_pairs(pairs, table: dict) -> dict:
    out: dict[str, list[str]] = {}
    for key, value in pairs:
        low = key.lower()
        canon = table.get(low) or ALIASES.get(low, low)
        kind = type(value).__name__
        if kind == "APETextValue":
            value = list(value)  # APEv2 multi-values are NUL-separated
        elif kind in ("APEBinaryValue", "APEExtValue"):
            continue
        elif hasattr(value, "value") and not isinstance(value, (str, bytes)):
            value = value.value  # ASF attribute
        _add(out, canon, value)
    return out


# --- canonical keys -> columns -------------------------------------------------------------------

_GENRE_SPLIT = re.compile(r"\s*[;/,|\x00]\s*")
_ARTIST_SPLIT = re.compile(r"\s*[;\x00]\s*")
_NUMBER = re.compile(r"\d+")
_FLOAT = re.compile(r"[-+]?\d+(?:[.,]\d+)?")
_YEAR = re.compile(r"(?<!\d)([12]\d{3})(?!\d)")


def split_genres(values: list[str]) -> list[str]:
    """Genres split on ; / , | and NUL, stripped, de-duplicated ignoring case, in order."""
    seen, out = set(), []
    for value in values:
        parts = _GENRE_SPLIT.split(value) if _has_any(value, ";/,|\x00") else (value,)
        for part in parts:
            part = part.strip()
            low = part.lower()
            if part and low not in seen:
                seen.add(low)
                out.append(part)
    return out


def _has_any(text: str, chars: str) -> bool:
    return any(c in text for c in chars)


def _split_list(values: list[str]) -> list[str]:
    seen, out = set(), []
    for value in values:
        for part in _ARTIST_SPLIT.split(value) if _has_any(value, ";\x00") else (value,):
            if part and part not in seen:
                seen.add(part)
                out.append(part)
    return out


def _int(text: str | None) -> int | None:
    if not text:
        return None
    if not text.isdecimal():  # isdigit() lets "²" through, which int() refuses
        match = _NUMBER.search(text)
        if match is None:
            return None
        text = match.group()
    if len(text.lstrip("0")) > 18:  # no real track number; int() or SQLite would refuse it
        return None
    return int(text)


def _number_pair(text: str | None) -> tuple[int | None, int | None]:
    if not text:
        return None, None
    for sep in ("/", " of "):
        if sep in text:
            head, _, tail = text.partition(sep)
            return _int(head), _int(tail)
    return _int(text), None


def _float(text: str | None) -> float | None:
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        match = _FLOAT.search(text)
        value = float(match.group().replace(",", ".")) if match else None
    return value if value is not None and math.isfinite(value) else None  # "nan", "1e999": no value


def _year(date: str) -> int | None:
    if len(date) >= 4 and date[:4].isdecimal() and (len(date) == 4 or not date[4].isdigit()):
        year = int(date[:4])
        return year if 1000 <= year <= 2999 else None
    match = _YEAR.search(date)
    return int(match.group(1)) if match else None


def _r128_to_replaygain(text: str | None) -> float | None:
    """Opus R128 gains are Q7.8 dB relative to -23 LUFS; ReplayGain's reference is 5 dB louder."""
    match = re.search(r"[-+]?\d+", text or "")
    if match is None or len(match.group()) > 7:  # a Q7.8 gain is a 16-bit number
        return None
    return round(int(match.group()) / 256 + 5.0, 2)


# canonical key -> column, for keys whose first value is stored as is
_SIMPLE = {
    "title": "title",
    "album": "album",
    "albumartist": "albumartist",
    "initialkey": "initial_key",
    "mood": "mood",
    "label": "label",
    "musicbrainz_trackid": "mb_trackid",
    "musicbrainz_albumid": "mb_albumid",
    "musicbrainz_artistid": "mb_artistid",
    "musicbrainz_albumartistid": "mb_albumartistid",
    "musicbrainz_releasetrackid": "mb_releasetrackid",
}
_FLOATS = {
    "replaygain_track_gain": "rg_track_gain",
    "replaygain_track_peak": "rg_track_peak",
    "replaygain_album_gain": "rg_album_gain",
    "replaygain_album_peak": "rg_album_peak",
}


def columns_from(tags: dict[str, list[str]]) -> dict:
    """Canonical tag values -> ``items`` columns (only the columns that have a value)."""
    row: dict = {}
    for key, values in tags.items():
        if values:
            if key in _SIMPLE:
                row[_SIMPLE[key]] = values[0]
            elif key in _FLOATS:
                value = _float(values[0])
                if value is not None:
                    row[_FLOATS[key]] = value
    get = tags.get
    artist_values = get("artist")
    if artist_values:
        row["artist"] = "; ".join(artist_values)
    artists = _split_list(get("artists") or artist_values or ())
    if artists:
        row["artists"] = json.dumps(artists, ensure_ascii=False)
    _numbers(row, tags)
    date = (get("date") or get("originaldate") or [None])[0]
    if date:
        row["date"] = date
        year = _year(date)
        if year:
            row["year"] = year
    if get("genre"):
        genres = split_genres(tags["genre"])
        if genres:
            row["genres"] = json.dumps(genres, ensure_ascii=False)
    if get("composer"):
        row["composer"] = "; ".join(tags["composer"])
    if get("bpm"):
        bpm = _float(tags["bpm"][0])
        if bpm:
            row["bpm"] = bpm
    if get("compilation"):
        row["compilation"] = int(tags["compilation"][0].strip().lower() in ("1", "true", "yes"))
    for column, key in (("rg_track_gain", "r128_track_gain"), ("rg_album_gain", "r128_album_gain")):
        if column not in row and get(key):
            gain = _r128_to_replaygain(tags[key][0])
            if gain is not None:
                row[column] = gain
    return row


def _numbers(row: dict, tags: dict) -> None:
    for name in ("track", "disc"):
        number, total = _number_pair((tags.get(f"{name}number") or [None])[0])
        total = total or _int((tags.get(f"{name}total") or [None])[0])
        if number is not None:
            row[f"{name}number"] = number
        if total:
            row[f"{name}total"] = total
