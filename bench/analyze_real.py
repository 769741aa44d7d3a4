"""Audio analysis on real music (issue 15): tuneup against Essentia, librosa and ground truth.

    .venv/bin/pip install -e '.[bench]' essentia    # Essentia is AGPL: bench-only, never a dependency
    bash /work/shared/real-library/build.sh          # TRANSCODE=1 for the mp3/flac/m4a copies
    nice .venv/bin/python bench/analyze_real.py      # builds missing references first (cached)

The library is ~/.cache/tuneup-real-library/library (TUNEUP_REAL_LIBRARY to change it), split into
a dev half and a report half by a hash of each path (bench/real_reference.split): tuneup's
constants were tuned on dev only; both halves are reported.

Every pipeline reads tuneup's own excerpt windows. References (bench/real_reference.py, cached in
~/.cache/tuneup-real-library/bench-reference-v1/): Essentia 2.1 RhythmExtractor2013
(multifeature), KeyExtractor (edma profile), LoudnessEBUR128; librosa 0.11 beat_track and a
chroma_stft key on a fixed quarter of the files; a full-band BS.1770 meter (K-weighting designed
at the source rate); ground truth where it exists offline: the Frets on Fire charts' notes.mid
tempo maps and Warzone 2100's album.json bpm.

Speed is measured side by side in one run, one core each (one BLAS thread), on --timing files:
tuneup's analyse (decoding included), librosa's pipeline and Essentia's rhythm + key + loudness
extractors, each also reading the windows itself.
"""

from __future__ import annotations

import os

for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

import argparse  # noqa: E402
import collections  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import real_reference as ref  # noqa: E402

OCTAVES = (0.5, 2.0, 1 / 3, 3.0, 2 / 3, 1.5)
ESSENTIA_CONFIDENT = 1.5  # RhythmExtractor2013's confidence: 1.5-3.5 "good", above "excellent"
FLAT = {"Bb": "A#", "Eb": "D#", "Ab": "G#", "Db": "C#", "Gb": "F#"}
NAMES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")


def tempo_verdict(found: float | None, reference: float | None, tolerance: float = 0.04) -> str:
    if not found or not reference:
        return "none"
    ratio = found / reference
    if abs(ratio - 1) <= tolerance:
        return "same"
    if any(abs(ratio - r) <= tolerance * r for r in OCTAVES):
        return "octave"
    return "other"


def key_verdict(reference: tuple[str, str], found: tuple[str | None, str | None]) -> str:
    if not found[0] or not reference[0]:
        return "none"
    rt, rm = NAMES.index(FLAT.get(reference[0], reference[0])), reference[1]
    ft, fm = NAMES.index(found[0]), found[1]
    if (rt, rm) == (ft, fm):
        return "same"
    relative = ((rt + (9 if rm == "major" else 3)) % 12, "minor" if rm == "major" else "major")
    if (ft, fm) == relative:
        return "relative"
    if fm == rm and (ft - rt) % 12 in (5, 7):
        return "fifth"
    if ft == rt:
        return "parallel"
    return "other"


def run_tuneup(path: Path) -> dict:
    from tuneup.library.sound.features import analyse

    data, _ = analyse(str(path))
    return {
        "bpm": data["tempo_bpm"],
        "confidence": data["tempo_confidence"],
        "key": data["key"],
        "mode": data["mode"],
        "lufs": data["loudness_lufs"],
        "decoder": data["decoder"],
        "seconds": data["analysed_s"],
    }


def pct(n: int, d: int) -> str:
    return f"{n}/{d} ({100 * n / d:.0f} %)" if d else "—"


# ------------------------------------------------------------------------------------ tables


def tempo_table(rows: list[dict], who: str = "tuneup") -> list[str]:
    """tuneup's (or librosa's) tempo against Essentia's where Essentia is confident, by folder."""
    out = [
        f"| folder | tracks | Essentia confident | {who} same (4 %) | octave | other |",
        "|---|---|---|---|---|---|",
    ]
    groups = collections.defaultdict(list)
    for r in rows:
        groups[r["folder"]].append(r)
    for folder in sorted(groups) + ["all"]:
        sub = rows if folder == "all" else groups[folder]
        conf = [r for r in sub if r["ess_conf"] >= ESSENTIA_CONFIDENT]
        c = collections.Counter(tempo_verdict(r.get(who + "_bpm"), r["ess_bpm"]) for r in conf)
        n = len(conf)
        out.append(
            f"| {folder} | {len(sub)} | {n} | {pct(c['same'], n)} | {c['octave']} "
            f"| {c['other'] + c['none']} |"
        )
    return out


def truth_table(rows: list[dict]) -> list[str]:
    truth = [r for r in rows if r.get("truth_bpm")]
    out = [
        "| source | tracks | tuneup within 4 % | Essentia within 4 % | librosa within 4 % "
        "| tuneup and Essentia differ: who is right |",
        "|---|---|---|---|---|---|",
    ]
    for source in sorted({r["truth_source"] for r in truth}) + ["all"]:
        sub = [r for r in truth if source == "all" or r["truth_source"] == source]
        ok = {
            who: sum(tempo_verdict(r.get(who + "_bpm"), r["truth_bpm"]) == "same" for r in sub)
            for who in ("tuneup", "ess", "librosa")
        }
        n_lib = sum(1 for r in sub if r.get("librosa_bpm"))
        differ = [r for r in sub if tempo_verdict(r["tuneup_bpm"], r["ess_bpm"]) != "same"]
        t_right = sum(tempo_verdict(r["tuneup_bpm"], r["truth_bpm"]) == "same" for r in differ)
        e_right = sum(tempo_verdict(r["ess_bpm"], r["truth_bpm"]) == "same" for r in differ)
        out.append(
            f"| {source} | {len(sub)} | {pct(ok['tuneup'], len(sub))} | {pct(ok['ess'], len(sub))} "
            f"| {pct(ok['librosa'], n_lib)} | {len(differ)} differ: tuneup right {t_right}, "
            f"Essentia right {e_right}, neither {len(differ) - t_right - e_right} |"
        )
    return out


def key_table(rows: list[dict]) -> list[str]:
    out = [
        "| split | tracks | tuneup = Essentia edma | relative | fifth | parallel | other "
        "| librosa = Essentia (its quarter) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for split in ("dev", "report", "all"):
        sub = [r for r in rows if (split == "all" or r["split"] == split) and r.get("ess_key")]
        c = collections.Counter(
            key_verdict((r["ess_key"], r["ess_mode"]), (r["tuneup_key"], r["tuneup_mode"]))
            for r in sub
        )
        lib = [r for r in sub if r.get("librosa_key")]
        lib_ok = sum(
            key_verdict((r["ess_key"], r["ess_mode"]), (r["librosa_key"], r["librosa_mode"]))
            == "same"
            for r in lib
        )
        out.append(
            f"| {split} | {len(sub)} | {pct(c['same'], len(sub))} | {c['relative']} | {c['fifth']} "
            f"| {c['parallel']} | {c['other'] + c['none']} | {pct(lib_ok, len(lib))} |"
        )
    return out


def loudness_table(rows: list[dict]) -> list[str]:
    out = [
        "| decoder / format | tracks | tuneup within 1 LU of BS.1770 | median diff (LU) "
        "| worst | Essentia EBU R128 within 1 LU |",
        "|---|---|---|---|---|---|",
    ]
    groups = collections.defaultdict(list)
    for r in rows:
        if r.get("bs1770") is not None and r.get("tuneup_lufs") is not None:
            groups[f"{r['decoder']} {r['ext']}"].append(r)
    for name in sorted(groups) + ["all"]:
        sub = [r for g in groups.values() for r in g] if name == "all" else groups[name]
        diff = sorted(r["tuneup_lufs"] - r["bs1770"] for r in sub)
        ok = sum(abs(d) <= 1 for d in diff)
        ess = sum(abs(r["ess_lufs"] - r["bs1770"]) <= 1 for r in sub if r.get("ess_lufs"))
        worst = max(diff, key=abs) if diff else 0.0
        out.append(
            f"| {name} | {len(sub)} | {pct(ok, len(sub))} | {diff[len(diff) // 2]:+.2f} "
            f"| {worst:+.2f} | {pct(ess, len(sub))} |"
        )
    return out


def confidence_table(rows: list[dict]) -> list[str]:
    """Does tuneup's confidence mean something? Agreement with Essentia (confident) by band."""
    out = [
        "| tuneup tempo_confidence | tracks | same as Essentia | octave | other |",
        "|---|---|---|---|---|",
    ]
    conf = [r for r in rows if r["ess_conf"] >= ESSENTIA_CONFIDENT]
    for lo, hi in ((0.0, 0.1), (0.1, 0.3), (0.3, 0.6), (0.6, 1.01)):
        sub = [r for r in conf if lo <= r["tuneup_conf"] < hi]
        c = collections.Counter(tempo_verdict(r["tuneup_bpm"], r["ess_bpm"]) for r in sub)
        out.append(
            f"| {lo:.1f}–{min(hi, 1):.1f} | {len(sub)} | {pct(c['same'], len(sub))} "
            f"| {c['octave']} | {c['other'] + c['none']} |"
        )
    return out


# ------------------------------------------------------------------------------------ speed


def speed(paths: list[Path]) -> list[str]:
    """tuneup, librosa and Essentia on the same files, interleaved, CPU time of one core."""

    def lib(path):
        windows, sr = ref.read_windows(path)
        return ref.librosa_reference(windows, sr)

    def ess(path):
        windows, sr = ref.read_windows(path)
        return ref.essentia_reference(windows, sr)

    def dec(path):
        return ref.read_windows(path)

    pipelines = (("tuneup", run_tuneup), ("librosa", lib), ("essentia", ess), ("decode", dec))
    for _name, fn in pipelines:
        fn(paths[0])  # imports, numba compilation: not counted
    cpu = dict.fromkeys((n for n, _ in pipelines), 0.0)
    wall = dict.fromkeys(cpu, 0.0)
    audio = 0.0
    for path in paths:
        for name, fn in pipelines:
            c0, w0 = time.process_time(), time.perf_counter()
            out = fn(path)
            cpu[name] += time.process_time() - c0
            wall[name] += time.perf_counter() - w0
            if name == "tuneup":
                audio += out["seconds"]
    lines = [
        f"{len(paths)} files, {audio / 60:.1f} min of excerpt audio, load {os.getloadavg()[0]:.1f}",
        "",
        "| pipeline | CPU s | x realtime (CPU, 1 core) | wall s |",
        "|---|---|---|---|",
    ]
    for name, _ in pipelines:
        lines.append(f"| {name} | {cpu[name]:.1f} | {audio / cpu[name]:.0f}x | {wall[name]:.1f} |")
    lines += [
        "",
        f"tuneup throughput / librosa: {cpu['librosa'] / cpu['tuneup']:.1f}x (CPU); "
        f"/ Essentia rhythm+key+loudness: {cpu['essentia'] / cpu['tuneup']:.1f}x (CPU)",
        f"10,000 tracks like these at this rate: {10000 * cpu['tuneup'] / len(paths) / 60:.0f} "
        f"CPU-minutes ({10000 * cpu['tuneup'] / len(paths) / 60 / 2:.0f} min on 2 workers)",
    ]
    return lines


# ------------------------------------------------------------------------------------ main


def collect(files: list[Path], refs: dict) -> list[dict]:
    rows = []
    for path in files:
        key = ref.rel(path)
        entry = refs.get(key) or {}
        ess = entry.get("essentia")
        if not ess:
            continue
        try:
            t = run_tuneup(path)
        except Exception as exc:  # noqa: BLE001 - a file tuneup cannot read is reported
            print(f"tuneup failed on {key}: {exc}", file=sys.stderr)
            continue
        lib = entry.get("librosa") or {}
        truth = entry.get("truth") or {}
        rows.append(
            {
                "path": key,
                "folder": ref.folder(path),
                "split": ref.split(path),
                "ext": path.suffix.lower().lstrip("."),
                "tuneup_bpm": t["bpm"],
                "tuneup_conf": t["confidence"],
                "tuneup_key": t["key"],
                "tuneup_mode": t["mode"],
                "tuneup_lufs": t["lufs"],
                "decoder": t["decoder"],
                "ess_bpm": ess["bpm"],
                "ess_conf": ess["bpm_confidence"],
                "ess_key": ess["key"],
                "ess_mode": ess["mode"],
                "ess_lufs": ess["lufs"],
                "librosa_bpm": lib.get("bpm"),
                "librosa_key": lib.get("key"),
                "librosa_mode": lib.get("mode"),
                "bs1770": entry.get("bs1770"),
                "truth_bpm": truth.get("bpm"),
                "truth_source": truth.get("source"),
            }
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--timing", type=int, default=24, help="files in the speed comparison")
    parser.add_argument("--no-build", action="store_true", help="use only cached references")
    parser.add_argument("--json", type=Path, help="write the per-track rows here")
    args = parser.parse_args()
    if not ref.LIBRARY.exists():
        raise SystemExit(f"no library at {ref.LIBRARY}: run /work/shared/real-library/build.sh")
    files = ref.library_files()
    refs = ref.load_cache() if args.no_build else ref.build_references(files, with_librosa=True)
    print(f"# tuneup on real music: {len(files)} files, {time.strftime('%Y-%m-%d %H:%M')}, "
          f"load {os.getloadavg()[0]:.1f}\n")  # fmt: skip
    rows = collect(files, refs)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
    for split in ("dev", "report"):
        sub = [r for r in rows if r["split"] == split]
        print(f"\n## Tempo against Essentia, {split} half\n")
        print("\n".join(tempo_table(sub)))
    print("\n## Tempo against Essentia, librosa on its quarter (both halves)\n")
    print("\n".join(tempo_table([r for r in rows if r.get("librosa_bpm")], "librosa")))
    print("\n## Tempo against ground truth (both halves)\n")
    print("\n".join(truth_table(rows)))
    print("\n## What tuneup's tempo confidence means (Essentia-confident tracks)\n")
    print("\n".join(confidence_table(rows)))
    print("\n## Key against Essentia KeyExtractor (edma)\n")
    print("\n".join(key_table(rows)))
    print("\n## Loudness against a full-band BS.1770 meter\n")
    print("\n".join(loudness_table(rows)))
    if args.timing:
        timing = [p for p in files if ref.librosa_subset(p)][: args.timing]
        print("\n## Speed, side by side in one run\n")
        print("\n".join(speed(timing)))


if __name__ == "__main__":
    main()
