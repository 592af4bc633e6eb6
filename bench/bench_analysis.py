"""Benchmark the Momentum analyser against librosa on synthetic music with known ground truth.

    python bench/bench_analysis.py [--quick]

Prints CPU seconds per minute of audio (one thread; with and without decoding), peak RSS for a 10-minute
track (fresh subprocess each), cold import time (median of 5 fresh interpreters) and accuracy: tempo Acc1 /
Acc2, beat F-measure at +-70 ms, key MIREX score. librosa (`pip install librosa`) is only needed here; without
it the table has our column only.
"""

from __future__ import annotations

import os

# One thread everywhere, before numpy (or numba, for librosa) is imported.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import io  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import soundfile  # noqa: E402
from momentum.analysis import analyze, analyze_bytes, decode  # noqa: E402
from momentum_infra import synth  # noqa: E402

SAMPLE_RATE = 44100
REPEATS = 1  # runs per timing (the lower is kept); raise it on a shared, noisy machine
IMPORT_RUNS = 5
LONG_TRACK_MINUTES = 10
# bpm, key, metre, drum style, seconds: 60-180 BPM (178 drum & bass), major and minor keys, 4/4 and 3/4
CLIPS = [
    (60, "Ab major", 4, "click", 40),
    (70, "E minor", 4, "rock", 45),
    (75, "Eb major", 4, "hiphop", 45),
    (85, "C minor", 3, "waltz", 40),
    (90, "G major", 4, "hiphop", 45),
    (96, "F minor", 4, "dnb", 40),
    (100, "Bb major", 3, "waltz", 40),
    (110, "B minor", 4, "rock", 35),
    (120, "C major", 4, "rock", 30),
    (124, "F# minor", 4, "house", 30),
    (128, "D minor", 4, "house", 30),
    (135, "A major", 3, "click", 30),
    (140, "F major", 4, "rock", 30),
    (150, "C# minor", 3, "rock", 30),
    (174, "G minor", 4, "dnb", 45),
    (178, "A minor", 4, "dnb", 45),
    (178, "E major", 4, "click", 30),
    (180, "D major", 4, "house", 30),
]
# Krumhansl-Kessler profiles: the classic librosa-based key baseline.
KK_MAJOR = np.array([6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88])
KK_MINOR = np.array([6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17])
NOTES = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")


@dataclass
class Estimate:
    bpm: float | None
    beats: np.ndarray
    key: str | None
    downbeats: np.ndarray | None = None
    meter: int | None = None


@dataclass
class Scores:
    seconds_with_decode: list[float] = field(default_factory=list)
    seconds_with_decode_wav: list[float] = field(default_factory=list)
    seconds_without_decode: list[float] = field(default_factory=list)
    acc1: list[bool] = field(default_factory=list)
    acc2: list[bool] = field(default_factory=list)
    beat_f: list[float] = field(default_factory=list)
    key: list[float] = field(default_factory=list)
    downbeat_f: list[float] = field(default_factory=list)
    meter: list[bool] = field(default_factory=list)


def cpu_time(fn, *args):
    """(lowest CPU seconds over REPEATS runs, result of the last run)."""
    best, result = float("inf"), None
    for _ in range(REPEATS):
        start = time.process_time()
        result = fn(*args)
        best = min(best, time.process_time() - start)
    return best, result


def encode(samples: np.ndarray, fmt: str) -> bytes:
    out = io.BytesIO()
    with soundfile.SoundFile(out, "w", SAMPLE_RATE, samples.shape[1], format=fmt, subtype="PCM_16") as f:
        for start in range(0, len(samples), 10 * SAMPLE_RATE):
            f.write(samples[start : start + 10 * SAMPLE_RATE])
    return out.getvalue()


# ---- ours ----------------------------------------------------------------------------------------------


def ours_estimate(result) -> Estimate:
    meter = int(result.time_signature[0]) if result.time_signature else None
    return Estimate(result.tempo_bpm, result.beats, result.key, result.downbeats, meter)


# ---- librosa -------------------------------------------------------------------------------------------


def librosa_key(chroma: np.ndarray) -> str:
    profile = chroma.sum(axis=1)
    profile = profile - profile.mean()
    best, name = -np.inf, ""
    for mode, template in (("major", KK_MAJOR), ("minor", KK_MINOR)):
        for tonic in range(12):
            t = np.roll(template, tonic) - template.mean()
            corr = float(profile @ t / (np.linalg.norm(profile) * np.linalg.norm(t) + 1e-12))
            if corr > best:
                best, name = corr, f"{NOTES[tonic]} {mode}"
    return name


def librosa_features(librosa, y: np.ndarray, sr: int) -> Estimate:
    tempo, frames = librosa.beat.beat_track(y=y, sr=sr)
    chroma = librosa.feature.chroma_cqt(y=y, sr=sr)
    return Estimate(float(np.atleast_1d(tempo)[0]), librosa.frames_to_time(frames, sr=sr), librosa_key(chroma))


def librosa_from_bytes(librosa, data: bytes) -> Estimate:
    y, sr = librosa.load(io.BytesIO(data), sr=22050, mono=True)
    return librosa_features(librosa, y, sr)


def librosa_from_samples(librosa, samples: np.ndarray) -> Estimate:
    y = librosa.resample(librosa.to_mono(samples.T), orig_sr=SAMPLE_RATE, target_sr=22050)
    return librosa_features(librosa, y, 22050)


# ---- scoring and reports -------------------------------------------------------------------------------


def score(scores: Scores, estimate: Estimate, clip: synth.Clip) -> None:
    acc1, acc2 = synth.tempo_accuracy(estimate.bpm, clip.bpm)
    scores.acc1.append(acc1)
    scores.acc2.append(acc2)
    scores.beat_f.append(synth.beat_f_measure(estimate.beats, clip.beats))
    scores.key.append(synth.mirex_key_score(estimate.key, clip.key))
    if estimate.downbeats is not None:
        scores.downbeat_f.append(synth.beat_f_measure(estimate.downbeats, clip.downbeats))
        scores.meter.append(estimate.meter == clip.meter)


def child_peak_rss(code: str) -> float | None:
    """Peak RSS (MB, VmHWM) of a fresh interpreter running `code`, which must print its VmHWM line last."""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=os.environ)
    if done.returncode != 0:
        print(done.stderr[-2000:], file=sys.stderr)
        return None
    return int(done.stdout.strip().split()[-2]) / 1024


VMHWM = "print([l for l in open('/proc/self/status') if l.startswith('VmHWM')][0])"


def import_seconds(statement: str) -> float:
    code = f"import time; t = time.perf_counter(); {statement}; print(time.perf_counter() - t)"
    runs = [
        float(
            subprocess.run(
                [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=os.environ
            ).stdout
        )
        for _ in range(IMPORT_RUNS)
    ]
    return statistics.median(runs)


def per_minute(seconds: list[float], minutes: list[float]) -> float:
    return sum(seconds) / sum(minutes)


def row(name: str, ours: str, theirs: str, ratio: str = "") -> None:
    print(f"{name:44s} {ours:>14s} {theirs:>14s} {ratio:>12s}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="6 clips, no 10-minute run")
    args = parser.parse_args()
    try:
        import librosa
    except ImportError:
        librosa = None
        print("librosa is not installed (pip install librosa): reporting our analyser only\n")

    clips = CLIPS[::3] if args.quick else CLIPS
    print(f"rendering {len(clips)} synthetic clips …", file=sys.stderr)
    rendered = [
        synth.make_clip(b, k, m, s, style, SAMPLE_RATE, snr_db=25.0, seed=i)
        for i, (b, k, m, style, s) in enumerate(clips)
    ]
    minutes = [len(c.samples) / c.sample_rate / 60 for c in rendered]
    ours, theirs = Scores(), Scores()
    if librosa is not None:  # numba compiles on first use: not part of any timing
        librosa_from_samples(librosa, rendered[0].samples[: 5 * SAMPLE_RATE])
    analyze(rendered[0].samples[: 5 * SAMPLE_RATE], SAMPLE_RATE)

    print(f"{'clip':28s} {'ours: bpm key':26s} {'librosa: bpm key':26s}")
    for clip, spec in zip(rendered, clips, strict=True):
        flac, wav = encode(clip.samples, "FLAC"), encode(clip.samples, "WAV")
        decoded = decode(flac).samples
        t, result = cpu_time(analyze_bytes, flac)
        ours.seconds_with_decode.append(t)
        ours.seconds_with_decode_wav.append(cpu_time(analyze_bytes, wav)[0])
        ours.seconds_without_decode.append(cpu_time(analyze, decoded, SAMPLE_RATE)[0])
        mine = ours_estimate(result)
        score(ours, mine, clip)
        line = f"{spec[0]:>4} {spec[1]:9s} {spec[2]}/4 {spec[3]:7s}  {mine.bpm!s:>7} {mine.key!s:16s}"
        if librosa is not None:
            t, estimate = cpu_time(librosa_from_bytes, librosa, flac)
            theirs.seconds_with_decode.append(t)
            theirs.seconds_without_decode.append(cpu_time(librosa_from_samples, librosa, decoded)[0])
            score(theirs, estimate, clip)
            line += f"  {estimate.bpm:>7.2f} {estimate.key}"
        print(line)

    peak_ours = peak_ours_array = peak_theirs = None
    if not args.quick:
        print(f"\nrendering a {LONG_TRACK_MINUTES}-minute track for the memory runs …", file=sys.stderr)
        loop = synth.make_aba_clip(126, "D minor", "F major", bars=16, sample_rate=SAMPLE_RATE).samples
        long_track = np.tile(loop, (int(np.ceil(LONG_TRACK_MINUTES * 60 * SAMPLE_RATE / len(loop))), 1))
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "long.flac"
            path.write_bytes(encode(long_track[: LONG_TRACK_MINUTES * 60 * SAMPLE_RATE], "FLAC"))
            del long_track
            peak_ours = child_peak_rss(
                "from momentum.analysis import analyze_bytes\n"
                f"analyze_bytes(open({str(path)!r}, 'rb').read())\n" + VMHWM
            )
            peak_ours_array = child_peak_rss(
                "from momentum.analysis import analyze, decode\n"
                f"d = decode(open({str(path)!r}, 'rb').read())\nanalyze(d.samples, d.sample_rate)\n" + VMHWM
            )
            if librosa is not None:
                peak_theirs = child_peak_rss(
                    "import librosa\n"
                    f"y, sr = librosa.load({str(path)!r}, sr=22050)\n"
                    "librosa.beat.beat_track(y=y, sr=sr)\nlibrosa.feature.chroma_cqt(y=y, sr=sr)\n" + VMHWM
                )

    import_ours = import_seconds("import momentum.analysis")
    import_ours_sf = import_seconds("import momentum.analysis, soundfile")
    import_theirs = (
        import_seconds("import librosa; librosa.beat.beat_track; librosa.feature.chroma_cqt")
        if librosa is not None
        else None
    )

    def fmt(value, spec=".3f"):
        return "n/a" if value is None else format(value, spec)

    def ratio(a, b):
        return "" if a is None or b is None or not b else f"{a / b:.2f}x"

    def mean(values):
        return float(np.mean(values)) if values else None

    total = sum(minutes)
    print(f"\n{len(clips)} clips, {total:.1f} min of 44.1 kHz stereo; CPU s per audio minute, single thread")
    row("", "ours", "librosa", "ours/librosa")
    has = librosa is not None
    for label, attr in (
        ("decode (FLAC) + analysis, s/min", "seconds_with_decode"),
        ("decode (WAV) + analysis, s/min", "seconds_with_decode_wav"),
        ("analysis only (decoded samples), s/min", "seconds_without_decode"),
    ):
        a = per_minute(getattr(ours, attr), minutes)
        b = per_minute(getattr(theirs, attr), minutes) if has and getattr(theirs, attr) else None
        row(label, fmt(a), fmt(b), ratio(a, b))
    a = statistics.median(t / m for t, m in zip(ours.seconds_with_decode, minutes, strict=True))
    b = statistics.median(t / m for t, m in zip(theirs.seconds_with_decode, minutes, strict=True)) if has else None
    row("  median over clips (FLAC), s/min", fmt(a), fmt(b), ratio(a, b))
    row(
        f"peak RSS, {LONG_TRACK_MINUTES}-min track (analyze_bytes), MB",
        fmt(peak_ours, ".0f"),
        fmt(peak_theirs, ".0f"),
        ratio(peak_ours, peak_theirs),
    )
    row(f"peak RSS, {LONG_TRACK_MINUTES}-min track (decode+analyze), MB", fmt(peak_ours_array, ".0f"), "", "")
    row("cold import, s (median of 5)", fmt(import_ours), fmt(import_theirs), ratio(import_ours, import_theirs))
    row("  with soundfile, s", fmt(import_ours_sf), "", "")
    row("tempo Acc1 (within 4 %)", fmt(mean(ours.acc1)), fmt(mean(theirs.acc1)), "")
    row("tempo Acc2 (x2, x1/2, x3, x1/3 allowed)", fmt(mean(ours.acc2)), fmt(mean(theirs.acc2)), "")
    row("beat F-measure (+-70 ms)", fmt(mean(ours.beat_f)), fmt(mean(theirs.beat_f)), "")
    row("key MIREX score", fmt(mean(ours.key)), fmt(mean(theirs.key)), "")
    row("downbeat F-measure (+-70 ms)", fmt(mean(ours.downbeat_f)), "n/a", "")
    row("time signature accuracy", fmt(mean(ours.meter)), "n/a", "")
    return 0


if __name__ == "__main__":
    sys.exit(main())
