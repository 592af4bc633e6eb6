"""Evaluate the Momentum analyser beside librosa and essentia on the same files, in one run.

    python bench/bench_analysis.py [--quick] [--systems ours,librosa,essentia] [--split dev|held-out|all]
                                   [--set renders,scores,projects,compositions] [--reuse-peers]
                                   [--no-resources] [--verbose] [--losses] [--drift PERCENT] [--cut SECONDS]
                                   [--other-soundfont] [--reverb RT60] [--mp3 KBPS] [--rate HZ] [--master DB]

The material is rendered into ~/.cache/momentum-analysis-eval (outside git); its truth comes from the MIDI,
score or project, never from an analyser. Four sets: `renders` and `scores` (bench/analysis_corpus.py: MIDI
written for this evaluation, and Bach chorales), `projects` and `compositions` (bench/analysis_real.py:
Hydrogen and LMMS demo songs rendered by their sequencers, real scores from music21's corpus and MuseScore's
demos rendered through two soundfonts). Metrics
use mir_eval: tempo Acc1 (within 4 %) and Acc2 (also x2, x1/2, x3, x1/3), beat and downbeat F-measure
(+-70 ms, first 5 s trimmed as mir_eval.beat.evaluate does), key MIREX weighted score, section boundary
F-measure at 3 s (start and end of the track excluded). librosa has no key or section estimator of its own:
its key is Krumhansl-Kessler on chroma_cqt, its sections agglomerative clustering told the true count.
essentia: RhythmExtractor2013 (multifeature) and KeyExtractor (defaults). Neither peer reports downbeats.

Every file of the evaluation keeps one tempo, as rendered. `--drift 2` plays each one with its tempo swaying
+-2 % over a DRIFT_CYCLE_S cycle (varispeed; beats, downbeats and sections moved with it), as a band drifts,
and evaluates those copies instead (cached beside the audio). Every file also starts at its first bar, as a
bounce from a sequencer does; `--cut 7.77` evaluates excerpts that start that far in, in the middle of the
music, as a clip cut from a song does (combined with `--drift`, the drifted copies are cut).
`--other-soundfont` renders each work once more, through a soundfont its set is not rendered with (renders
and chorales through MuseScore General, compositions through TimGM6mb; the sequencer projects have no MIDI),
and evaluates those renders instead: timbres no threshold was read on. `--reverb 1.5` plays each file in a
hall (a decaying noise tail of that reverberation time, as loud as the direct sound), as a concert recording
sounds: onsets smeared and notes held over the next ones. `--mp3 128` encodes each file as a constant-bitrate
MP3 at that many kbit/s (LAME through libsndfile, decoded gapless, so the truth keeps its times), as most
uploads arrive: the spectrum's quiet parts quantised or dropped frame by frame. `--rate 48000` resamples each
file to that sample rate, as a video soundtrack or a DAW's default export arrives. `--master 10` drives each
file 10 dB into a brickwall limiter (synth.mastered), as a commercial release is made loud: its peaks flattened.

Also printed: CPU seconds per audio minute including decode (one thread), peak RSS for a 10-minute track
through `analyze_bytes` (the path the analysis Lambda uses; fresh interpreter each) and cold import time.
"""

from __future__ import annotations

import os

# One thread everywhere, before numpy (or numba, for librosa) is imported.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from collections import defaultdict  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
import analysis_corpus  # noqa: E402
import analysis_real  # noqa: E402
from analysis_corpus import CACHE, Piece  # noqa: E402

SETS = {"renders": "render", "scores": "score", "projects": "project", "compositions": "composition"}
IMPORT_RUNS = 5
DRIFT_CYCLE_S = 40.0
MIN_CUT_S = 10.0
LONG_TRACK_MINUTES = 10
KK_MAJOR = np.array([6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88])
KK_MINOR = np.array([6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17])
NOTES = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")
METRICS = ("acc1", "acc2", "beat_f", "key", "downbeat_f", "section_f")
LABELS = {
    "acc1": "tempo Acc1",
    "acc2": "tempo Acc2",
    "beat_f": "beat F",
    "key": "key weighted",
    "downbeat_f": "downbeat F",
    "section_f": "section F 3s",
}


# ---- the systems: each returns {"bpm", "beats", "key", "downbeats", "sections"} --------------------------


def run_ours(path: str) -> dict:
    from momentum.analysis import analyze_bytes

    result = analyze_bytes(Path(path).read_bytes())
    return {
        "bpm": result.tempo_bpm,
        "beats": np.asarray(result.beats).tolist(),
        "key": result.key,
        "downbeats": np.asarray(result.downbeats).tolist(),
        "sections": [s["start_s"] for s in result.sections],
        "tempo_confidence": result.tempo_confidence,
        "tempo_unsure": result.tempo_unsure,
        "tempo_alternative": result.tempo_alternative_bpm,
    }


def _kk_key(chroma: np.ndarray) -> str:
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


def run_librosa(path: str, n_sections: int | None) -> dict:
    import librosa

    y, sr = librosa.load(path, sr=22050, mono=True)
    tempo, frames = librosa.beat.beat_track(y=y, sr=sr)
    chroma = librosa.feature.chroma_cqt(y=y, sr=sr)
    out = {
        "bpm": float(np.atleast_1d(tempo)[0]),
        "beats": librosa.frames_to_time(frames, sr=sr).tolist(),
        "key": _kk_key(chroma),
        "downbeats": None,
        "sections": None,
    }
    if n_sections and len(frames) > n_sections:
        mfcc = librosa.feature.mfcc(y=y, sr=sr, n_mfcc=13)
        feats = np.vstack([librosa.util.sync(chroma, frames), librosa.util.sync(mfcc, frames)])
        feats = librosa.util.normalize(feats, axis=1)
        bounds = librosa.segment.agglomerative(feats, n_sections)
        times = librosa.frames_to_time(librosa.util.fix_frames(frames)[bounds], sr=sr)
        out["sections"] = sorted({0.0, *np.round(times, 3).tolist()})
    return out


def run_essentia(path: str) -> dict:
    import essentia.standard as es

    audio = es.MonoLoader(filename=path, sampleRate=44100)()
    bpm, ticks, _conf, _est, _intervals = es.RhythmExtractor2013(method="multifeature")(audio)
    key, scale, _strength = es.KeyExtractor()(audio)
    return {
        "bpm": float(bpm),
        "beats": np.asarray(ticks).tolist(),
        "key": f"{key} {scale}",
        "downbeats": None,
        "sections": None,
    }


# ---- scoring --------------------------------------------------------------------------------------------


def tempo_accuracy(estimated: float | None, reference: float) -> tuple[float, float]:
    if not estimated:
        return 0.0, 0.0
    ok = [abs(estimated / (reference * f) - 1) <= 0.04 for f in (1, 2, 0.5, 3, 1 / 3)]
    return float(ok[0]), float(any(ok))


def beat_f(estimated: list[float] | None, reference: list[float]) -> float | None:
    import mir_eval

    if estimated is None:
        return None
    ref = mir_eval.beat.trim_beats(np.asarray(reference, float))
    est = mir_eval.beat.trim_beats(np.asarray(estimated, float))
    return float(mir_eval.beat.f_measure(ref, est)) if len(ref) else None


def key_score(estimated: str | None, reference: str | None) -> float | None:
    import mir_eval

    if reference is None:
        return None
    if not estimated:
        return 0.0
    return float(mir_eval.key.weighted_score(reference.replace("Db minor", "C# minor"), estimated))


def section_f(estimated: list[float] | None, reference: list[float], duration: float) -> float | None:
    import mir_eval

    if estimated is None or len(reference) < 2:
        return None

    def intervals(starts: list[float]) -> np.ndarray:
        s = sorted(t for t in set(starts) if 0 < t < duration - 0.5)
        edges = np.array([0.0, *s, duration])
        return np.stack([edges[:-1], edges[1:]], axis=1)

    _p, _r, f = mir_eval.segment.detection(intervals(reference), intervals(estimated), window=3.0, trim=True)
    return float(f)


def scores(piece: Piece, est: dict) -> dict[str, float | None]:
    acc1, acc2 = tempo_accuracy(est["bpm"], piece.bpm)
    return {
        "acc1": acc1,
        "acc2": acc2,
        "beat_f": beat_f(est["beats"], piece.beats),
        "key": key_score(est["key"], piece.key),
        "downbeat_f": beat_f(est["downbeats"], piece.downbeats),
        "section_f": section_f(est["sections"], piece.sections, piece.duration) if piece.sections else None,
    }


# ---- drift ----------------------------------------------------------------------------------------------


def drifted(piece: Piece, percent: float) -> Piece:
    """The piece played with its tempo swaying +-percent over DRIFT_CYCLE_S (varispeed: pitch sways too), its
    truth moved with it; the audio is written once beside the original."""
    import dataclasses

    import soundfile
    from momentum_infra import synth

    audio, sr = soundfile.read(piece.audio, dtype="float32", always_2d=True)
    swayed, move = synth.sway_tempo(audio, sr, percent / 100, DRIFT_CYCLE_S)
    ident = f"{piece.id}.drift{percent:g}"
    path = Path(piece.audio).with_name(f"{ident}.flac")
    if not path.exists():
        soundfile.write(path, swayed, sr, subtype="PCM_16")
    duration, swayed_duration = len(audio) / sr, len(swayed) / sr

    def moved(times: list[float]) -> list[float]:
        return [float(t) for t in move(np.asarray(times)) if t < duration]

    return dataclasses.replace(
        piece,
        id=ident,
        bpm=piece.bpm * duration / swayed_duration,  # the mean tempo over the track
        beats=moved(piece.beats),
        downbeats=moved(piece.downbeats),
        sections=moved(piece.sections),
        duration=swayed_duration,
        audio=str(path),
    )


def cut(piece: Piece, seconds: float) -> Piece:
    """The piece from `seconds` in, as an excerpt cut in the middle of the music, its truth moved with it; the
    audio is written once beside the original."""
    import dataclasses

    import soundfile

    ident = f"{piece.id}.cut{seconds:g}"
    path = Path(piece.audio).with_name(f"{ident}.flac")
    if not path.exists():
        audio, sr = soundfile.read(piece.audio, dtype="float32", always_2d=True)
        soundfile.write(path, audio[int(round(seconds * sr)) :], sr, subtype="PCM_16")

    def moved(times: list[float]) -> list[float]:
        return [t - seconds for t in times if t >= seconds]

    return dataclasses.replace(
        piece,
        id=ident,
        beats=moved(piece.beats),
        downbeats=moved(piece.downbeats),
        sections=moved(piece.sections),
        duration=piece.duration - seconds,
        audio=str(path),
    )


# ---- copies heard another way: the same truth, other audio ----------------------------------------------


def _derived(piece: Piece, ident: str, suffix: str, write: Callable[[np.ndarray, int, Path], None]) -> Piece:
    """The piece under id `ident` with its audio made from the original's by `write(audio, sr, path)` (float32,
    channels last), written once beside the original; the truth is unchanged."""
    import dataclasses

    import soundfile

    path = Path(piece.audio).with_name(f"{ident}{suffix}")
    if not path.exists():
        audio, sr = soundfile.read(piece.audio, dtype="float32", always_2d=True)
        write(audio, sr, path)
    return dataclasses.replace(piece, id=ident, audio=str(path))


# ---- reverberation ---------------------------------------------------------------------------------------

REVERB_PREDELAY_S = 0.015


def reverberated(piece: Piece, rt60: float) -> Piece:
    """The piece heard in a room: convolved with a decaying noise tail (two channels decorrelated, reverberation
    time `rt60`, its energy equal to the direct sound's: a hall heard from the middle of it), cut to the
    original length."""
    import soundfile
    from scipy.signal import fftconvolve

    def write(audio: np.ndarray, sr: int, path: Path) -> None:
        rng = np.random.default_rng(7)
        t = np.arange(int(rt60 * sr)) / sr
        tail = rng.standard_normal((len(t), 2)) * np.exp(-6.91 * t / rt60)[:, None]  # -60 dB at rt60
        tail = np.concatenate([np.zeros((int(REVERB_PREDELAY_S * sr), 2)), tail])
        tail /= np.sqrt((tail**2).sum(axis=0))  # unit energy: as loud as the direct sound
        dry = audio if audio.shape[1] == 2 else np.repeat(audio, 2, axis=1)
        wet = np.stack([fftconvolve(dry[:, c], tail[:, c])[: len(dry)] for c in range(2)], axis=1)
        mixed = dry + wet
        soundfile.write(path, mixed / np.abs(mixed).max() * 0.89, sr, subtype="PCM_16")

    return _derived(piece, f"{piece.id}.reverb{rt60:g}", ".flac", write)


# ---- a lossy upload --------------------------------------------------------------------------------------

MP3_MAX_KBPS, MP3_MIN_KBPS = 320, 32  # libsndfile maps compression level 0..1 onto LAME's bitrates over this range


def lossy(piece: Piece, kbps: int) -> Piece:
    """The piece as a constant-bitrate MP3 of `kbps` kbit/s. The encoder's delay is undone on decoding (the LAME
    header's gapless information), so the truth holds."""
    import soundfile

    def write(audio: np.ndarray, sr: int, path: Path) -> None:
        level = (MP3_MAX_KBPS - kbps) / (MP3_MAX_KBPS - MP3_MIN_KBPS)
        soundfile.write(
            path, audio, sr, format="MP3", subtype="MPEG_LAYER_III", bitrate_mode="CONSTANT", compression_level=level
        )

    return _derived(piece, f"{piece.id}.mp3-{kbps}", ".mp3", write)


def resampled(piece: Piece, rate: int) -> Piece:
    """The piece resampled to `rate` Hz (polyphase, scipy)."""
    from fractions import Fraction

    import soundfile
    from scipy.signal import resample_poly

    def write(audio: np.ndarray, sr: int, path: Path) -> None:
        ratio = Fraction(rate, sr)
        soundfile.write(path, resample_poly(audio, ratio.numerator, ratio.denominator, axis=0), rate, subtype="PCM_16")

    return _derived(piece, f"{piece.id}.{rate}hz", ".flac", write)


# ---- a mastered release ---------------------------------------------------------------------------------


def mastered(piece: Piece, drive_db: float) -> Piece:
    """The piece as a loud release is mastered: driven `drive_db` into a brickwall limiter (synth.mastered)."""
    import soundfile
    from momentum_infra import synth

    def write(audio: np.ndarray, sr: int, path: Path) -> None:
        soundfile.write(path, synth.mastered(audio, sr, drive_db), sr, subtype="PCM_16")

    return _derived(piece, f"{piece.id}.master{drive_db:g}", ".flac", write)


# ---- another soundfont ----------------------------------------------------------------------------------

# Every set is rendered through two soundfonts, and the analyser's thresholds were read on those renders. The
# third soundfont is one its set never used: renders and chorales go through MuseScore General, compositions
# through TimGM6mb (the sequencer projects have no MIDI and are left out).
OTHER_SOUNDFONT = {"render": "musescore", "score": "musescore", "composition": "timgm6mb"}


def other_soundfont(piece: Piece) -> Piece | None:
    """The piece's MIDI rendered through its set's OTHER_SOUNDFONT, once per work (from its FluidR3 file, None
    for the other), its truth unchanged; the audio is written once beside the original."""
    import dataclasses

    import soundfile

    if piece.soundfont != "fluidr3" or piece.kind not in OTHER_SOUNDFONT:
        return None
    soundfont = OTHER_SOUNDFONT[piece.kind]
    stem = piece.id.removesuffix(".fluidr3")
    source = Path(piece.audio)
    # renders and chorales keep the MIDI beside each render, compositions one per work
    midi = source.with_name(f"{stem}.mid") if piece.kind == "composition" else source.with_suffix(".mid")
    path = source.with_name(f"{stem}.{soundfont}.flac")
    if not path.exists():
        analysis_real.render_midi(midi, soundfont, path)
    return dataclasses.replace(
        piece, id=f"{stem}.{soundfont}", soundfont=soundfont, duration=soundfile.info(path).duration, audio=str(path)
    )


# ---- resources ------------------------------------------------------------------------------------------

VMHWM = "print([l for l in open('/proc/self/status') if l.startswith('VmHWM')][0])"


def child_peak_rss(code: str) -> float | None:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=os.environ)
    if done.returncode != 0:
        print(done.stderr[-2000:], file=sys.stderr)
        return None
    return int(done.stdout.strip().split()[-2]) / 1024


def import_seconds(statement: str) -> float:
    code = f"import time; t = time.perf_counter(); {statement}; print(time.perf_counter() - t)"
    runs = [
        float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=os.environ).stdout)
        for _ in range(IMPORT_RUNS)
    ]
    return statistics.median(runs)


def long_track(pieces: list[Piece]) -> Path:
    """A 10-minute FLAC made by chaining rendered pieces (what a long upload looks like to the analyser)."""
    import soundfile

    path = CACHE / f"long-{LONG_TRACK_MINUTES}min.flac"
    if path.exists():
        return path
    parts, total = [], 0
    while total < LONG_TRACK_MINUTES * 60 * 44100:
        for p in pieces:
            audio, _sr = soundfile.read(p.audio, dtype="float32")
            parts.append(audio)
            total += len(audio)
            if total >= LONG_TRACK_MINUTES * 60 * 44100:
                break
    soundfile.write(path, np.concatenate(parts)[: LONG_TRACK_MINUTES * 60 * 44100], 44100, subtype="PCM_16")
    return path


# ---- report ---------------------------------------------------------------------------------------------


def mean(values: list[float | None]) -> float | None:
    vals = [v for v in values if v is not None]
    return float(np.mean(vals)) if vals else None


def fmt(v: float | None) -> str:
    return "—" if v is None else f"{v:.2f}"


def table(title: str, rows: list[tuple[str, list[tuple[Piece, dict]]]], systems: list[str]) -> None:
    print(f"\n{title}")
    head = f"{'':22s}{'n':>4s} " + " ".join(f"{LABELS[m]:>23s}" for m in METRICS)
    print(head)
    print(f"{'':27s}" + " ".join(f"{' '.join(s[:7] for s in systems):>23s}" for _ in METRICS))
    for name, items in rows:
        cells = []
        for m in METRICS:
            cells.append(" ".join(f"{fmt(mean([r[s][m] for _p, r in items])):>7s}" for s in systems))
        print(f"{name:22s}{len(items):>4d} " + " ".join(f"{c:>23s}" for c in cells))


def print_unsure(results: list[tuple[Piece, dict]]) -> None:
    """Whether ours says when its tempo may be wrong: how often a right and a wrong tempo (Acc1) are marked
    unsure, and how often the alternative it gives is the right one."""
    right = [r["ours"]["_est"] for _p, r in results if r["ours"]["acc1"] == 1.0]
    wrong = [(p, r["ours"]["_est"]) for p, r in results if r["ours"]["acc1"] == 0.0]
    if not right or not wrong:
        return
    unsure = [(p, e) for p, e in wrong if e.get("tempo_unsure")]
    mended = [p for p, e in unsure if e.get("tempo_alternative") and tempo_accuracy(e["tempo_alternative"], p.bpm)[0]]
    print(
        f"\ntempo marked unsure (ours): {sum(bool(e.get('tempo_unsure')) for e in right)} of {len(right)} right "
        f"(Acc1), {len(unsure)} of {len(wrong)} wrong; the alternative given is right for {len(mended)} of those"
    )


def print_losses(results: list[tuple[Piece, dict]], systems: list[str]) -> None:
    """Each file and metric where a peer scores above ours, with both estimates: the kinds of failure."""
    peers = [s for s in systems if s != "ours"]
    if "ours" not in systems or not peers:
        return
    print("\nwhere a peer beats ours (file, metric: ours vs best peer; estimates in brackets)")
    for p, r in results:
        for m in METRICS:
            ours = r["ours"][m]
            best = max(peers, key=lambda s: -1.0 if r[s][m] is None else r[s][m])
            if ours is None or r[best][m] is None or r[best][m] <= ours + 0.05:
                continue
            est, peer = r["ours"]["_est"], r[best]["_est"]
            if m in ("acc1", "acc2", "beat_f"):
                detail = f"truth {p.bpm:.1f} BPM, ours {est['bpm'] or 0:.1f}, {best} {peer['bpm'] or 0:.1f}"
            elif m == "key":
                detail = f"truth {p.key}, ours {est['key']}, {best} {peer['key']}"
            else:
                detail = f"{p.beats_per_bar} beats a bar, ours {est['bpm'] or 0:.1f} BPM"
            print(f"  {p.id:48s} {LABELS[m]:13s} {ours:.2f} vs {r[best][m]:.2f} ({detail})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one variant per style, a quarter of the scores")
    parser.add_argument("--systems", default="ours,librosa,essentia")
    parser.add_argument("--split", default="all", choices=("dev", "held-out", "all"))
    parser.add_argument("--reuse-peers", action="store_true", help="reuse cached peer results (development)")
    parser.add_argument("--no-resources", action="store_true", help="skip the 10-minute memory and import runs")
    parser.add_argument("--verbose", action="store_true", help="one line per file")
    parser.add_argument("--set", default=",".join(SETS), help="comma-separated: " + ", ".join(SETS))
    parser.add_argument("--losses", action="store_true", help="list the files where a peer beats ours")
    parser.add_argument("--drift", type=float, default=0.0, help="play each file with its tempo swaying +-PERCENT")
    parser.add_argument("--cut", type=float, default=0.0, help="start each file SECONDS in, mid-music")
    parser.add_argument("--reverb", type=float, default=0.0, help="play each file in a room of RT60 SECONDS")
    parser.add_argument("--mp3", type=int, default=0, help="encode each file as an MP3 of KBPS kbit/s")
    parser.add_argument("--rate", type=int, default=0, help="resample each file to HZ")
    parser.add_argument("--master", type=float, default=0.0, help="drive each file DB into a mastering limiter")
    parser.add_argument(
        "--other-soundfont", action="store_true", help="each work through a soundfont its set is not rendered with"
    )
    args = parser.parse_args()
    systems = args.systems.split(",")
    warnings.filterwarnings("ignore")

    print("building the evaluation set (cached) …", file=sys.stderr)
    sets = args.set.split(",")
    if unknown := set(sets) - set(SETS):
        parser.error(f"unknown set {', '.join(sorted(unknown))}")
    log = lambda m: print(m, file=sys.stderr)  # noqa: E731
    pieces: list[Piece] = []
    if {"renders", "scores"} & set(sets):
        pieces += analysis_corpus.build(quick=args.quick, log=log)
    if real := {"projects", "compositions"} & set(sets):
        pieces += analysis_real.build(log=log, only=real)
    kinds = [SETS[s] for s in sets]
    pieces = [p for p in pieces if p.kind in kinds]
    if args.split != "all":
        pieces = [p for p in pieces if p.split == args.split]
    if args.other_soundfont:
        analysis_corpus.ensure_tools()
        analysis_real.ensure_tools()
        pieces = [q for p in pieces if (q := other_soundfont(p))]
    if args.reverb:
        pieces = [reverberated(p, args.reverb) for p in pieces]
    if args.rate:
        pieces = [resampled(p, args.rate) for p in pieces]
    if args.master:
        pieces = [mastered(p, args.master) for p in pieces]
    if args.mp3:
        pieces = [lossy(p, args.mp3) for p in pieces]
    if args.drift:
        pieces = [drifted(p, args.drift) for p in pieces]
    if args.cut:
        # an excerpt keeps at least MIN_CUT_S: the 12-second LMMS shorts are too short to cut
        pieces = [cut(p, args.cut) for p in pieces if p.duration - args.cut >= MIN_CUT_S]
    results: list[tuple[Piece, dict]] = []
    seconds: dict[str, float] = defaultdict(float)
    minutes = 0.0
    for piece in pieces:
        minutes += piece.duration / 60
        row: dict[str, dict] = {}
        for system in systems:
            cache = Path(piece.audio).with_name(f"{piece.id}.{system}.json")
            if system != "ours" and args.reuse_peers and cache.exists():
                est = json.loads(cache.read_text())
            else:
                start = time.process_time()
                if system == "ours":
                    est = run_ours(piece.audio)
                elif system == "librosa":
                    est = run_librosa(piece.audio, len(piece.sections) or None)
                else:
                    est = run_essentia(piece.audio)
                seconds[system] += time.process_time() - start
                cache.write_text(json.dumps(est))
            row[system] = scores(piece, est)
            row[system]["_est"] = est
        results.append((piece, row))
        if args.verbose:
            line = f"{piece.id:44s} {piece.bpm:6.1f} {piece.key or '-':9s} |"
            for s in systems:
                e = row[s]["_est"]
                line += f" {s[:3]} {e['bpm'] or 0:6.1f} {e['key'] or '-':9s}"
                line += f" b{fmt(row[s]['beat_f'])} d{fmt(row[s]['downbeat_f'])} s{fmt(row[s]['section_f'])} |"
            print(line, flush=True)

    print(f"\n{len(pieces)} files, {minutes:.1f} audio minutes; systems: {', '.join(systems)}")
    by_style: dict[str, list] = defaultdict(list)
    for p, r in results:
        by_style[p.style].append((p, r))
    for split in ("dev", "held-out"):
        items = [(p, r) for p, r in results if p.split == split]
        if not items:
            continue
        styles: dict[str, list] = defaultdict(list)
        for p, r in items:
            styles[p.style].append((p, r))
        rows = []
        for name in sets:  # each set's styles, then the set
            rows += sorted((st, v) for st, v in styles.items() if v[0][0].kind == SETS[name])
            rows.append((f"= {name}", [(p, r) for p, r in items if p.kind == SETS[name]]))
        rows.append((f"ALL {split}", items))
        table(f"{split} (per style; columns: {', '.join(systems)})", [r for r in rows if r[1]], systems)
    totals = [(name, [(p, r) for p, r in results if p.kind == SETS[name]]) for name in sets]
    minor = [(p, r) for p, r in results if p.key and p.key.endswith("minor")]
    major = [(p, r) for p, r in results if p.key and p.key.endswith("major")]
    totals += [("stated minor key", minor), ("stated major key", major), ("ALL", results)]
    table("all files", [r for r in totals if r[1]], systems)
    if "ours" in systems:
        print_unsure(results)
    if args.losses:
        print_losses(results, systems)
    print("\nCPU s per audio minute incl. decode (single thread):")
    for s in systems:
        if seconds[s]:
            print(f"  {s:10s} {seconds[s] / minutes:.3f}")

    if not args.no_resources:
        path = long_track(pieces)
        print(f"\npeak RSS, {LONG_TRACK_MINUTES}-minute track, MB (fresh interpreter):")
        codes = {
            "ours": f"from momentum.analysis import analyze_bytes\nanalyze_bytes(open({str(path)!r}, 'rb').read())\n",
            "librosa": f"import librosa\ny, sr = librosa.load({str(path)!r}, sr=22050)\n"
            "librosa.beat.beat_track(y=y, sr=sr)\nlibrosa.feature.chroma_cqt(y=y, sr=sr)\n",
            "essentia": f"import essentia.standard as es\na = es.MonoLoader(filename={str(path)!r})()\n"
            "es.RhythmExtractor2013(method='multifeature')(a)\nes.KeyExtractor()(a)\n",
        }
        for s in systems:
            print(f"  {s:10s} {fmt(child_peak_rss(codes[s] + VMHWM))}")
        print("cold import, s (median of 5):")
        statements = {
            "ours": "import momentum.analysis",
            "librosa": "import librosa; librosa.beat.beat_track; librosa.feature.chroma_cqt",
            "essentia": "import essentia.standard",
        }
        for s in systems:
            print(f"  {s:10s} {import_seconds(statements[s]):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
