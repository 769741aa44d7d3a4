"""References for bench/analyze_real.py: ground truth found offline, Essentia and librosa results.

Everything here is bench-only. Essentia is AGPL-licensed: it is imported only inside these
functions, is never a dependency of tuneup, and only its results appear in bench/RESULTS.md.

Every reference reads exactly tuneup's excerpt windows (tuneup.library.sound.decode.window_spans)
at the source rate with all channels, decoded by soundfile, or by ffmpeg keeping the channels as
they are for what soundfile cannot read (m4a).
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
import subprocess
from pathlib import Path

import numpy as np

AUDIO_EXTS = {".ogg", ".opus", ".mp3", ".flac", ".m4a", ".wav"}
LIBRARY = Path(
    os.environ.get("TUNEUP_REAL_LIBRARY", Path.home() / ".cache/tuneup-real-library/library")
)
PKGS = LIBRARY.parent / "pkgs/build/x"


def library_files(root: Path = LIBRARY) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.suffix.lower() in AUDIO_EXTS and p.is_file())


def rel(path: Path) -> str:
    return str(path.relative_to(LIBRARY))


def split(path: Path) -> str:
    """'dev' or 'report', fixed by a hash of the path inside the library (tune on dev only)."""
    return "dev" if hashlib.sha1(rel(path).encode()).digest()[0] % 2 == 0 else "report"


def folder(path: Path) -> str:
    return rel(path).split("/")[0]


# ------------------------------------------------------------------------------------ decoding


def read_windows(path: Path) -> tuple[list[np.ndarray], int]:
    """tuneup's excerpt windows as (frames x channels) float32 arrays at the source rate."""
    import soundfile as sf

    from tuneup.library.sound.decode import window_spans

    try:
        with sf.SoundFile(str(path)) as f:
            sr, out = f.samplerate, []
            for start, length in window_spans(f.frames / sr):
                f.seek(int(start * sr))
                out.append(f.read(int(round(length * sr)), dtype="float32", always_2d=True))
            return out, sr
    except (sf.LibsndfileError, RuntimeError):
        return _ffmpeg_windows(path)


def _ffmpeg_windows(path: Path) -> tuple[list[np.ndarray], int]:
    from tuneup.library.sound.decode import window_spans

    probe = subprocess.run(
        ["ffprobe", "-v", "error", "-select_streams", "a:0", "-show_entries",
         "stream=sample_rate,channels:format=duration", "-of", "json", str(path)],
        capture_output=True, check=True,
    )  # fmt: skip
    info = json.loads(probe.stdout)
    sr, channels = int(info["streams"][0]["sample_rate"]), int(info["streams"][0]["channels"])
    out = []
    for start, length in window_spans(float(info["format"]["duration"])):
        raw = subprocess.run(
            ["ffmpeg", "-nostdin", "-v", "error", "-ss", f"{start:.3f}", "-t", f"{length:.3f}",
             "-i", str(path), "-vn", "-f", "f32le", "pipe:1"],
            capture_output=True, check=True,
        ).stdout  # fmt: skip
        out.append(np.frombuffer(raw, "<f4").reshape(-1, channels).copy())
    return out, sr


# ------------------------------------------------------------------------------------ ground truth


def ground_truth(path: Path) -> dict:
    """{'bpm': float, 'source': str} where a tempo is documented offline, else {}."""
    r = rel(path)
    top = folder(path)
    if top.startswith("fretsonfire-songs-") and path.name == "song.ogg":
        mid = (
            PKGS
            / top
            / "usr/share/games/fretsonfire/data/songs"
            / path.parent.relative_to(LIBRARY / top)
            / "notes.mid"
        )
        if mid.exists():
            return {"bpm": _chart_tempo(mid, path), "source": "notes.mid tempo map"}
    if top == "warzone2100-music":
        album = path.parent / "album.json"
        if album.exists():
            for track in json.loads(album.read_text()).get("tracks", []):
                if track.get("filename") == path.name and track.get("bpm"):
                    return {"bpm": float(track["bpm"]), "source": "album.json bpm"}
    del r
    return {}


def _chart_tempo(mid: Path, audio: Path) -> float:
    """The tempo of the MIDI chart that covers most of tuneup's excerpt windows."""
    import soundfile as sf

    from tuneup.library.sound.decode import window_spans

    changes = midi_tempo_map(mid.read_bytes())
    info = sf.info(str(audio))
    seconds: dict[float, float] = {}
    for start, length in window_spans(info.frames / info.samplerate):
        for i, (t0, bpm) in enumerate(changes):
            t1 = changes[i + 1][0] if i + 1 < len(changes) else float("inf")
            overlap = min(t1, start + length) - max(t0, start)
            if overlap > 0:
                seconds[round(bpm, 2)] = seconds.get(round(bpm, 2), 0.0) + overlap
    return max(seconds, key=seconds.get)


def midi_tempo_map(data: bytes) -> list[tuple[float, float]]:
    """[(seconds, bpm)] of every set-tempo event of a standard MIDI file (all tracks)."""
    if data[:4] != b"MThd":
        raise ValueError("not a MIDI file")
    division = struct.unpack(">H", data[12:14])[0]
    pos, events = 8 + struct.unpack(">I", data[4:8])[0], []
    while pos + 8 <= len(data):
        size = struct.unpack(">I", data[pos + 4 : pos + 8])[0]
        if data[pos : pos + 4] == b"MTrk":
            events += _track_tempi(data[pos + 8 : pos + 8 + size])
        pos += 8 + size
    events.sort()
    out, tick0, sec0, tempo = [], 0, 0.0, 500000
    for tick, value in events:
        sec0 += (tick - tick0) * tempo / 1e6 / division
        tick0, tempo = tick, value
        out.append((sec0, 60e6 / value))
    return out or [(0.0, 120.0)]


def _track_tempi(track: bytes) -> list[tuple[int, int]]:
    pos, tick, status, out = 0, 0, 0, []
    while pos < len(track):
        delta, pos = _varlen(track, pos)
        tick += delta
        byte = track[pos]
        if byte == 0xFF:
            kind, (size, pos) = track[pos + 1], _varlen(track, pos + 2)
            if kind == 0x51 and size == 3:
                out.append((tick, int.from_bytes(track[pos : pos + 3], "big")))
            pos += size
        elif byte in (0xF0, 0xF7):
            size, pos = _varlen(track, pos + 1)
            pos += size
        else:
            if byte & 0x80:
                status, pos = byte, pos + 1
            pos += 1 if status >> 4 in (0xC, 0xD) else 2
    return out


def _varlen(data: bytes, pos: int) -> tuple[int, int]:
    value = 0
    while True:
        byte = data[pos]
        pos += 1
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            return value, pos


# ------------------------------------------------------------------------------------ references


def essentia_reference(windows: list[np.ndarray], sr: int) -> dict:
    """RhythmExtractor2013 (multifeature) per window, KeyExtractor (edma) and LoudnessEBUR128 on
    the windows together, at 44.1 kHz mono for rhythm and key, full band at the source rate for
    loudness (a mono file as a single channel, BS.1770's channel sum)."""
    import essentia
    import essentia.standard as es

    essentia.log.infoActive = False
    monos = [w.mean(axis=1).astype(np.float32) for w in windows]
    if sr != 44100:
        resample = es.Resample(inputSampleRate=sr, outputSampleRate=44100, quality=1)
        monos = [resample(m) for m in monos]
    rhythm = es.RhythmExtractor2013(method="multifeature")
    tempi = []
    for m in monos:
        if len(m) >= 44100 * 3:
            bpm, _ticks, confidence, _est, _intervals = rhythm(m)
            tempi.append((float(bpm), float(confidence), len(m)))
    key, scale, strength = es.KeyExtractor(profileType="edma")(np.concatenate(monos))
    stereo = [w if w.shape[1] == 2 else _as_stereo(w) for w in windows]
    loud = es.LoudnessEBUR128(sampleRate=sr)(np.concatenate(stereo).astype(np.float32))[2]
    bpm, confidence = _combine_tempi(tempi)
    return {
        "bpm": bpm,
        "bpm_confidence": confidence,
        "key": key,
        "mode": scale,
        "key_strength": float(strength),
        "lufs": float(loud),
    }


def _as_stereo(w: np.ndarray) -> np.ndarray:
    """BS.1770 channel sum for Essentia's stereo-only meter: mono as one channel (right silent);
    more channels folded into two with their weights, LFE left out."""
    if w.shape[1] == 1:
        return np.concatenate([w, np.zeros_like(w)], axis=1)
    return np.stack([w[:, 0], np.sqrt((w[:, 1:] ** 2).sum(axis=1))], axis=1)


def _combine_tempi(tempi: list[tuple[float, float, int]]) -> tuple[float | None, float]:
    """The window tempo most other windows agree with (within 4 %), confidence its mean."""
    if not tempi:
        return None, 0.0
    best = max(
        tempi, key=lambda t: (sum(abs(o[0] / t[0] - 1) <= 0.04 for o in tempi if t[0] > 0), t[1])
    )
    return best[0], float(np.mean([t[1] for t in tempi]))


def librosa_reference(windows: list[np.ndarray], sr: int) -> dict:
    """bench/analyze.py's librosa pipeline on the same windows: beat_track at 22,050 Hz, rms,
    centroid, chroma_stft and a Krumhansl-Kessler key."""
    import librosa

    from tuneup.library.sound.features import PITCH_NAMES, key_scores

    tempi, chroma = [], np.zeros(12)
    for w in windows:
        y = librosa.resample(w.mean(axis=1), orig_sr=sr, target_sr=22050)
        tempo, _ = librosa.beat.beat_track(y=y, sr=22050)
        tempi.append(float(np.atleast_1d(tempo)[0]))
        librosa.feature.rms(y=y)
        librosa.feature.spectral_centroid(y=y, sr=22050)
        chroma += librosa.feature.chroma_stft(y=y, sr=22050).sum(axis=1)
    best = int(np.argmax(key_scores(chroma)))
    return {
        "bpm": float(np.median(tempi)),
        "key": PITCH_NAMES[best % 12],
        "mode": "major" if best < 12 else "minor",
    }


def bs1770_full_band(windows: list[np.ndarray], sr: int) -> float:
    """Integrated loudness (LUFS) of the windows, K-weighting designed at the source rate (the
    standard's analogue prototype, as pyloudnorm and libebur128 do), blocks per window."""
    from scipy.signal import lfilter

    from tuneup.library.sound.features import integrated_loudness

    (b1, a1), (b2, a2) = k_filter(sr)
    weights = {6: (1, 1, 1, 0, 1.41, 1.41), 5: (1, 1, 1, 1.41, 1.41)}
    blocks = []
    for w in windows:
        y = lfilter(b2, a2, lfilter(b1, a1, w.astype(np.float64), axis=0), axis=0)
        g = np.asarray(weights.get(w.shape[1], (1.0,) * w.shape[1]))
        ms = (y**2) @ g
        n, hop = int(0.4 * sr), int(0.1 * sr)
        csum = np.concatenate([[0.0], np.cumsum(ms)])
        starts = np.arange(0, len(ms) - n + 1, hop)
        blocks.append((csum[starts + n] - csum[starts]) / n)
    return integrated_loudness(blocks)


def k_filter(sr: float):
    """BS.1770 K-weighting biquads (shelf, high-pass) at ``sr``, from the analogue parameters."""
    import math

    f0, gain, q = 1681.974450955533, 3.999843853973347, 0.7071752369554196
    k = math.tan(math.pi * f0 / sr)
    vh = 10 ** (gain / 20)
    vb = vh**0.4996667741545416
    a0 = 1 + k / q + k * k
    shelf = (
        np.array([vh + vb * k / q + k * k, 2 * (k * k - vh), vh - vb * k / q + k * k]) / a0,
        np.array([1.0, 2 * (k * k - 1) / a0, (1 - k / q + k * k) / a0]),
    )
    f0, q = 38.13547087602444, 0.5003270373238773
    k = math.tan(math.pi * f0 / sr)
    a0 = 1 + k / q + k * k
    highpass = (
        np.array([1.0, -2.0, 1.0]),
        np.array([1.0, 2 * (k * k - 1) / a0, (1 - k / q + k * k) / a0]),
    )
    return shelf, highpass


# ------------------------------------------------------------------------------------ the cache

CACHE = LIBRARY.parent / "bench-reference-v1"  # one JSON per track, so runs can share the work


def _entry_path(key: str) -> Path:
    return CACHE / (hashlib.sha1(key.encode()).hexdigest()[:20] + ".json")


def load_cache() -> dict:
    out = {}
    for f in sorted(CACHE.glob("*.json")) if CACHE.exists() else []:
        entry = json.loads(f.read_text())
        out[entry["path"]] = entry
    old = CACHE.with_suffix(".json")  # the first, single-file cache
    if old.exists():
        for key, entry in json.loads(old.read_text()).items():
            out.setdefault(key, dict(entry, path=key))
    return out


def save_entry(key: str, entry: dict) -> None:
    CACHE.mkdir(parents=True, exist_ok=True)
    path = _entry_path(key)
    tmp = path.with_suffix(".part")
    tmp.write_text(json.dumps(dict(entry, path=key), sort_keys=True))
    tmp.replace(path)


def librosa_subset(path: Path) -> bool:
    """librosa runs on a fixed quarter of the library (by path hash): it is the slowest reference."""
    return hashlib.sha1(rel(path).encode()).digest()[1] % 4 == 0


def build_references(paths: list[Path], with_librosa: bool, log=print) -> dict:
    """Essentia, BS.1770 and ground truth (and librosa, for the librosa_subset, when asked) for
    every path not yet in the cache."""
    cache = load_cache()
    for i, path in enumerate(paths):
        key = rel(path)
        entry = cache.get(key) or load_cache_entry(key) or {}
        want_librosa = with_librosa and librosa_subset(path)
        if "essentia" in entry and ("librosa" in entry or not want_librosa):
            continue
        try:
            windows, sr = read_windows(path)
            if "essentia" not in entry:
                entry["truth"] = ground_truth(path)
                entry["bs1770"] = bs1770_full_band(windows, sr)
                entry["essentia"] = essentia_reference(windows, sr)
            if want_librosa:
                entry["librosa"] = librosa_reference(windows, sr)
        except Exception as exc:  # a reference that cannot read a file is recorded, not fatal
            entry["error"] = f"{type(exc).__name__}: {exc}"[:200]
            entry.setdefault("essentia", None)
        save_entry(key, entry)
        cache[key] = entry
        if i % 10 == 0:
            log(f"references: {i + 1}/{len(paths)}", flush=True)
    return cache


def load_cache_entry(key: str) -> dict | None:
    path = _entry_path(key)
    return json.loads(path.read_text()) if path.exists() else None


if __name__ == "__main__":
    import argparse
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    parser = argparse.ArgumentParser(description="build the cached references")
    parser.add_argument("--librosa", action="store_true", help="also librosa on its quarter")
    parser.add_argument("--reverse", action="store_true", help="work from the other end")
    args = parser.parse_args()
    # Ground-truth files first, then the dev half, so tuning can start before the rest is done.
    files = sorted(library_files(), key=lambda p: (not ground_truth(p), split(p) != "dev", rel(p)))
    build_references(files[::-1] if args.reverse else files, args.librosa)
