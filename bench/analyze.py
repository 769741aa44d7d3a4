"""Audio analysis benchmark (issue 4): accuracy on known answers, speed against librosa, peak RSS.

    /work/venv/bin/pip install -e '.[bench]'       # librosa and psutil, for this script only
    /work/venv/bin/python bench/analyze.py          # about 3 minutes on 2 cores
    /work/venv/bin/python bench/analyze.py --quick  # a third of the set

The set (generated once, cached in the temp directory): drum patterns 60-180 BPM every 4 BPM,
straight and swung; the humanised grooves of tests/signals.GROOVE_KINDS (rock, off-beat hats,
four on the floor, breakbeat, swing, half-time, shuffle, waltz, ballad, no drums) every 10 BPM
over 60-180 (each within its own range); chord progressions in all 24 keys with two timbres each; and "songs" (drums
plus chords, stereo) with a known tempo and key. Files rotate through ogg vorbis, mp3 and flac,
44.1 kHz stereo, as a real library would.

Every pipeline reads exactly the same excerpt windows (tuneup.library.sound.decode.window_spans) from the
same files, and decoding is included in every timing:
  decode   soundfile reads the windows (float32, all channels): the floor no analysis can beat.
  tuneup   tuneup.library.sound.features.analyse: decode + mix-down + decimation + every feature.
  librosa  the same soundfile read, mono, resampled to 22,050 Hz (librosa's default, soxr), then
           beat_track tempo, rms, spectral centroid, chroma_stft and a key from the same
           Krumhansl-Kessler profiles tuneup uses.
Each pipeline runs on one core (one BLAS thread), one file after another, best of --repeat runs
per file; CPU time is the headline (the machine is shared), wall time is shown too. Then the
real batch (`analyze(workers=2)` into a fresh database) runs with both cores busy and its process
tree's peak RSS is sampled.
"""

from __future__ import annotations

import os

# One core per pipeline, librosa included: BLAS threads would only fight the other pipelines' cores.
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

import argparse  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

import signals  # noqa: E402

SR = 44100
FORMATS = (("ogg", "VORBIS", "OGG"), ("mp3", "MPEG_LAYER_III", "MP3"), ("flac", "PCM_16", "FLAC"))
OCTAVE_RATIOS = (0.5, 2.0, 1 / 3, 3.0, 2 / 3, 1.5)


# ---------------------------------------------------------------------------------------- the set


def build_set(folder: Path, quick: bool) -> list[dict]:
    """[{path, bpm | None, key | None, mode | None, kind}], generating missing files."""
    folder.mkdir(parents=True, exist_ok=True)
    items, n = [], 0
    step = 12 if quick else 4
    for bpm in range(60, 181, step):
        for swing in (False, True):
            items.append(
                _make(
                    folder,
                    n,
                    "drums",
                    lambda: _stereo(signals.drum_pattern(bpm, 30.0, SR, swing, bpm)),
                    bpm=bpm,
                )
            )
            n += 1
    for variant in range(1 if quick else 2):
        for i in range(24):
            tonic, mode = i % 12, ("major" if i < 12 else "minor")
            timbre = signals.TIMBRES[(i + variant * 2) % len(signals.TIMBRES)]
            items.append(
                _make(
                    folder,
                    n,
                    "chords",
                    lambda: _stereo(
                        signals.chord_progression(
                            tonic, mode, timbre, 20.0, SR, seed=i + 24 * variant
                        )
                    ),
                    key=signals.PITCH_NAMES[tonic],
                    mode=mode,
                )
            )
            n += 1
    for kind, lo, hi in signals.GROOVE_KINDS:  # the grooves of issue 15, humanised
        for bpm in range(lo, hi + 1, 30 if quick else 10):
            tempo = bpm + 0.3 * (n % 3)  # not only round numbers
            items.append(
                _make(
                    folder,
                    n,
                    f"groove-{kind}",
                    lambda: _stereo(signals.groove(tempo, kind, 20.0, SR, seed=n)),
                    bpm=tempo,
                )
            )
            n += 1
    rng = np.random.default_rng(4)
    for i in range(8 if quick else 24):
        bpm, tonic = int(rng.integers(60, 181)), int(rng.integers(12))
        mode, swing = ("major", "minor")[i % 2], bool(rng.integers(2))
        timbre = signals.TIMBRES[i % len(signals.TIMBRES)]
        items.append(
            _make(
                folder,
                n,
                "song",
                lambda: signals.song(bpm, tonic, mode, timbre, 45.0, SR, swing, i),
                bpm=bpm,
                key=signals.PITCH_NAMES[tonic],
                mode=mode,
            )
        )
        n += 1
    return items


def _stereo(mono: np.ndarray) -> np.ndarray:
    return np.stack([mono, 0.9 * mono], axis=1)


def _make(folder: Path, n: int, kind: str, make, bpm=None, key=None, mode=None) -> dict:
    ext, subtype, fmt = FORMATS[n % len(FORMATS)]
    path = folder / f"{n:03d}_{kind}.{ext}"
    if not path.exists():
        tmp = path.with_suffix(".part" + path.suffix)
        signals.write(tmp, make(), SR, subtype, fmt)
        tmp.rename(path)
    return {"path": str(path), "kind": kind, "format": ext, "bpm": bpm, "key": key, "mode": mode}


# ---------------------------------------------------------------------------------------- pipelines


def _spans(path: str) -> tuple[list[tuple[int, int]], int]:
    import soundfile as sf

    from tuneup.library.sound.decode import window_spans

    info = sf.info(path)
    return [
        (int(s * info.samplerate), int(round(n * info.samplerate)))
        for s, n in window_spans(info.frames / info.samplerate)
    ], info.samplerate


def decode_only(path: str) -> float:
    """Read the excerpt windows as soundfile gives them; returns the seconds of audio read."""
    import soundfile as sf

    spans, sr = _spans(path)
    total = 0
    with sf.SoundFile(path) as f:
        for start, count in spans:
            f.seek(start)
            total += len(f.read(count, dtype="float32", always_2d=True))
    return total / sr


def run_tuneup(path: str) -> dict:
    from tuneup.library.sound.features import analyse

    data, _ = analyse(path)
    return {
        "tempo": data["tempo_bpm"],
        "key": data["key"],
        "mode": data["mode"],
        "seconds": data["analysed_s"],
    }


def run_librosa(path: str) -> dict:
    import librosa
    import soundfile as sf

    from tuneup.library.sound.features import PITCH_NAMES, key_scores

    spans, sr = _spans(path)
    tempos, chroma, seconds = [], np.zeros(12), 0.0
    with sf.SoundFile(path) as f:
        for start, count in spans:
            f.seek(start)
            y = f.read(count, dtype="float32", always_2d=True).mean(axis=1)
            seconds += len(y) / sr
            y = librosa.resample(y, orig_sr=sr, target_sr=22050)
            tempo, _ = librosa.beat.beat_track(y=y, sr=22050)
            tempos.append(float(np.atleast_1d(tempo)[0]))
            librosa.feature.rms(y=y)
            librosa.feature.spectral_centroid(y=y, sr=22050)
            chroma += librosa.feature.chroma_stft(y=y, sr=22050).sum(axis=1)
    best = int(np.argmax(key_scores(chroma)))
    return {
        "tempo": float(np.median(tempos)),
        "key": PITCH_NAMES[best % 12],
        "mode": "major" if best < 12 else "minor",
        "seconds": seconds,
    }


def timed(fn, path: str, repeat: int):
    """(best CPU seconds, best wall seconds, output). CPU time is what one core spends: on a machine
    shared with other work the wall clock mostly measures waiting for a core."""
    cpu = wall = float("inf")
    out = None
    for _ in range(repeat):
        c0, w0 = time.process_time(), time.perf_counter()
        out = fn(path)
        cpu, wall = min(cpu, time.process_time() - c0), min(wall, time.perf_counter() - w0)
    return cpu, wall, out


# ---------------------------------------------------------------------------------------- scoring


def score(items: list[dict], results: list[dict]) -> dict:
    tempo_ok = tempo_octave = tempo_n = key_ok = key_relative = key_n = 0
    for item, res in zip(items, results):
        if item["bpm"]:
            tempo_n += 1
            ratio = (res["tempo"] or 0) / item["bpm"]
            if abs(ratio - 1) <= 0.02:
                tempo_ok += 1
            elif any(abs(ratio - r) <= 0.02 * r for r in OCTAVE_RATIOS):
                tempo_octave += 1
        if item["key"]:
            key_n += 1
            if (res["key"], res["mode"]) == (item["key"], item["mode"]):
                key_ok += 1
            elif _relative(item, res):
                key_relative += 1
    return {
        "tempo_n": tempo_n,
        "tempo_ok": tempo_ok,
        "tempo_octave": tempo_octave,
        "tempo_other": tempo_n - tempo_ok - tempo_octave,
        "key_n": key_n,
        "key_ok": key_ok,
        "key_relative": key_relative,
    }


def _relative(item: dict, res: dict) -> bool:
    names = signals.PITCH_NAMES
    if not res["key"]:
        return False
    shift = 9 if item["mode"] == "major" else 3
    return (
        res["mode"] != item["mode"]
        and names.index(res["key"]) == (names.index(item["key"]) + shift) % 12
    )


# ---------------------------------------------------------------------------------------- batch + RSS


def batch_rss(items: list[dict], workers: int) -> dict:
    """Scan the set into a fresh home and run `tuneup analyze --workers N` as a person would;
    sample the RSS of its whole process tree (the command and its workers)."""
    import json
    import subprocess

    import psutil

    home = tempfile.mkdtemp(prefix="tuneup-bench-home-")
    tuneup = [sys.executable, "-m", "tuneup", "--home", home]
    subprocess.run(
        tuneup + ["scan", "-q", str(Path(items[0]["path"]).parent)], check=True, capture_output=True
    )
    proc = subprocess.Popen(
        tuneup + ["analyze", "-q", "--json", "--workers", str(workers)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    root, peak = psutil.Process(proc.pid), 0
    while proc.poll() is None:
        try:
            tree = [root] + root.children(recursive=True)
            peak = max(peak, sum(p.memory_info().rss for p in tree))
        except psutil.Error:
            pass
        time.sleep(0.02)
    out, err = proc.communicate()
    if proc.returncode:
        raise SystemExit(err)
    d = json.loads(out)
    return {
        "workers": workers,
        "tracks": d["analysed"],
        "seconds": round(d["seconds"], 2),
        "tracks_per_s": d["tracks_per_s"],
        "excerpt_x_realtime": round(d["excerpt_seconds"] / d["seconds"], 1),
        "peak_rss_mb": round(peak / 2**20, 1),
    }


# ---------------------------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a third of the set")
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs per file per pipeline (best is kept)"
    )
    parser.add_argument("--no-librosa", action="store_true")
    args = parser.parse_args()
    folder = (
        Path(tempfile.gettempdir()) / f"tuneup-bench-analyze-{'quick' if args.quick else 'full'}-v2"
    )
    t0 = time.perf_counter()
    items = build_set(folder, args.quick)
    print(
        f"set: {len(items)} files in {folder} ({time.perf_counter() - t0:.1f} s to build or find)"
    )

    pipelines = [("decode", decode_only), ("tuneup", run_tuneup)]
    if not args.no_librosa:
        t0 = time.perf_counter()
        import librosa  # noqa: F401

        run_librosa(items[0]["path"])  # numba compiles on first use: not counted
        print(
            f"librosa {librosa.__version__}: import + first call {time.perf_counter() - t0:.1f} s (not counted)"
        )
        pipelines.append(("librosa", run_librosa))
    run_tuneup(items[0]["path"])

    times = {name: {} for name, _ in pipelines}
    walls = {name: {} for name, _ in pipelines}
    outputs = {name: [] for name, _ in pipelines}
    audio_s = {}
    for item in items:
        for name, fn in pipelines:
            cpu, wall, out = timed(fn, item["path"], args.repeat)
            times[name][item["path"]], walls[name][item["path"]] = cpu, wall
            outputs[name].append(out)
        audio_s[item["path"]] = outputs["decode"][-1]

    total_audio = sum(audio_s.values())
    print(
        f"\naudio analysed: {total_audio / 60:.1f} min in {len(items)} files "
        f"(same excerpt windows for every pipeline)\n"
    )
    print(
        "| pipeline | CPU s | x realtime (CPU, 1 core) | x realtime (wall) | tempo within 2 % | octave errors "
        "| key exact | relative key |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for name, _ in pipelines:
        t, w = sum(times[name].values()), sum(walls[name].values())
        row = f"| {name} | {t:.2f} | {total_audio / t:.0f}x | {total_audio / w:.0f}x |"
        if name == "decode":
            row += " — | — | — | — |"
        else:
            s = score(items, outputs[name])
            row += (
                f" {s['tempo_ok']}/{s['tempo_n']} ({100 * s['tempo_ok'] / s['tempo_n']:.0f} %) |"
                f" {s['tempo_octave']} (other misses {s['tempo_other']}) |"
                f" {s['key_ok']}/{s['key_n']} ({100 * s['key_ok'] / s['key_n']:.0f} %) | {s['key_relative']} |"
            )
        print(row)

    print(
        "\n| format | files | decode x realtime (CPU) | tuneup x realtime (CPU) | analysis on top of decode |"
    )
    print("|---|---|---|---|---|")
    for ext, _, _ in FORMATS + (("all", None, None),):
        paths = [i["path"] for i in items if ext == "all" or i["format"] == ext]
        audio = sum(audio_s[p] for p in paths)
        dec = sum(times["decode"][p] for p in paths)
        tun = sum(times["tuneup"][p] for p in paths)
        print(
            f"| {ext} | {len(paths)} | {audio / dec:.0f}x | {audio / tun:.0f}x | {(tun - dec) / dec:.2f} x decode |"
        )
    if "librosa" in times:
        ratio = sum(times["librosa"].values()) / sum(times["tuneup"].values())
        wall = sum(walls["librosa"].values()) / sum(walls["tuneup"].values())
        print(f"\ntuneup throughput / librosa throughput: {ratio:.1f}x CPU, {wall:.1f}x wall")

    groove_summary(items, outputs)
    for kind in ("drums", "chords", "song"):
        sub = [(i, o) for i, o in zip(items, outputs["tuneup"]) if i["kind"] == kind]
        s = score([i for i, _ in sub], [o for _, o in sub])
        misses = [
            (Path(i["path"]).name, i["bpm"], o["tempo"])
            for i, o in sub
            if i["bpm"] and abs((o["tempo"] or 0) / i["bpm"] - 1) > 0.02
        ]
        keymiss = [
            (Path(i["path"]).name, i["key"], i["mode"], o["key"], o["mode"])
            for i, o in sub
            if i["key"] and (o["key"], o["mode"]) != (i["key"], i["mode"])
        ]
        print(f"tuneup {kind}: {s}; tempo misses {misses}; key misses {keymiss}")

    grooves(folder, "librosa" in times)
    print("\nbatch with both cores busy:", batch_rss(items, workers=2))


def groove_summary(items: list[dict], outputs: dict) -> None:
    """The issue-15 grooves (60-180 BPM): within 2 %, octave errors, other, by groove."""
    print("\n| groove | files | " + " | ".join(f"{n} within 2 % / octave / other" for n in outputs
                                              if n != "decode") + " |")  # fmt: skip
    print("|---|---|" + "---|" * (len(outputs) - 1))
    kinds = [k for k, _, _ in signals.GROOVE_KINDS] + ["all"]
    for kind in kinds:
        idx = [
            j
            for j, i in enumerate(items)
            if i["kind"].startswith("groove-") and (kind == "all" or i["kind"] == f"groove-{kind}")
        ]
        cells = []
        for name, outs in outputs.items():
            if name == "decode":
                continue
            s = score([items[j] for j in idx], [outs[j] for j in idx])
            cells.append(
                f"{pct(s['tempo_ok'], s['tempo_n'])} / {s['tempo_octave']} / {s['tempo_other']}"
            )
        print(f"| {kind} | {len(idx)} | " + " | ".join(cells) + " |")
    misses = [
        f"{items[j]['kind'][7:]} {items[j]['bpm']:.1f}→{outputs['tuneup'][j]['tempo'] or 0:.1f}"
        for j, i in enumerate(items)
        if i["kind"].startswith("groove-")
        and abs((outputs["tuneup"][j]["tempo"] or 0) / i["bpm"] - 1) > 0.02
    ]
    print(f"tuneup groove misses: {', '.join(misses) or 'none'}")


def pct(n: int, d: int) -> str:
    return f"{n}/{d} ({100 * n / d:.0f} %)" if d else "—"


def grooves(folder: Path, with_librosa: bool) -> None:
    """Other drum patterns, outside the known-answer set: where the tempo estimators differ."""
    print("\nother grooves (tempo within 2 %; not part of the set above):")
    print("| groove | tuneup | librosa |")
    print("|---|---|---|")
    for kind in signals.GROOVES:
        hits = {"tuneup": [], "librosa": []}
        for bpm in (70, 90, 110, 128, 150, 175):
            path = folder / "grooves" / f"{kind}_{bpm}.flac"
            if not path.exists():
                path.parent.mkdir(exist_ok=True)
                signals.write(path, signals.drum_groove(bpm, kind, 30.0, SR, seed=bpm), SR)
            for name, fn in (("tuneup", run_tuneup), ("librosa", run_librosa)):
                if name == "librosa" and not with_librosa:
                    continue
                tempo = fn(str(path))["tempo"] or 0
                hits[name].append(f"{bpm}{'' if abs(tempo / bpm - 1) <= 0.02 else f'→{tempo:.0f}'}")
        print(f"| {kind} | {', '.join(hits['tuneup'])} | {', '.join(hits['librosa'])} |")


if __name__ == "__main__":
    main()
