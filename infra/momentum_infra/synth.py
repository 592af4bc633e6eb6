"""Synthetic music with a known tempo, beat grid, metre, key and section plan, for tests and the benchmark.

Every clip is built from drum one-shots placed on a beat grid, a chord progression that changes on each
downbeat (bass root plus a voiced triad) and pink noise, so tempo, beats, downbeats, key and sections are
all known exactly. The MIREX-style scores that compare an estimate with that truth live here too. Only
numpy is used.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

PITCH_CLASSES = {
    "C": 0,
    "C#": 1,
    "Db": 1,
    "D": 2,
    "D#": 3,
    "Eb": 3,
    "E": 4,
    "F": 5,
    "F#": 6,
    "Gb": 6,
    "G": 7,
    "G#": 8,
    "Ab": 8,
    "A": 9,
    "A#": 10,
    "Bb": 10,
    "B": 11,
}
MAJOR_SCALE = (0, 2, 4, 5, 7, 9, 11)
HARMONIC_MINOR_SCALE = (0, 2, 3, 5, 7, 8, 11)  # raised 7th: the dominant (V) is major, as in real minor cadences

# Chord progressions as scale degrees (0 = tonic); each chord lasts one bar and cadences land on the tonic.
PROGRESSIONS = {
    "major": ((0, 3, 4, 0), (0, 5, 3, 4)),  # I-IV-V-I, I-vi-IV-V
    "minor": ((0, 3, 4, 0), (0, 5, 3, 4)),  # i-iv-V-i, i-VI-iv-V
}

# Drum patterns: instrument -> onset positions in beats within one bar, per metre.
PATTERNS: dict[str, dict[int, dict[str, tuple[float, ...]]]] = {
    "click": {4: {"accent": (0,), "click": (1, 2, 3)}, 3: {"accent": (0,), "click": (1, 2)}},
    "rock": {
        4: {"kick": (0, 2), "snare": (1, 3), "hat": (0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5)},
        3: {"kick": (0,), "snare": (1, 2), "hat": (0, 0.5, 1, 1.5, 2, 2.5)},
    },
    "house": {4: {"kick": (0, 1, 2, 3), "snare": (1, 3), "open_hat": (0.5, 1.5, 2.5, 3.5)}},
    "dnb": {4: {"kick": (0, 2.5), "snare": (1, 3), "hat": (0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5)}},
    "hiphop": {4: {"kick": (0, 1.75, 2.5), "snare": (1, 3), "hat": (0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5)}},
    "waltz": {3: {"kick": (0,), "snare": (1, 2), "hat": (0, 1, 2)}},
    "none": {4: {}, 3: {}},
}
HARMONICS = 6  # partials per synthesised note
DRUM_GAINS = {"kick": 0.9, "snare": 0.6, "hat": 0.3, "open_hat": 0.3, "click": 0.35, "accent": 0.7}


@dataclass(frozen=True)
class Clip:
    """Synthetic audio and its ground truth (times in seconds)."""

    samples: np.ndarray  # float32, shape (n, 2)
    sample_rate: int
    bpm: float
    meter: int
    key: str
    beats: np.ndarray
    downbeats: np.ndarray
    sections: list[tuple[float, float, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Part:
    """One section of a clip: how many bars, in which key, with which drums and chord timbre."""

    label: str
    bars: int
    key: str
    style: str = "rock"
    progression: int = 0
    bright: bool = True
    level_db: float = 0.0
    harmony: bool = True  # False: drums only


def parse_key(key: str) -> tuple[int, str]:
    """'A minor' -> (9, 'minor'); sharps or flats."""
    tonic, mode = key.split()
    return PITCH_CLASSES[tonic], mode


def _one_shots(sr: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    def t(seconds: float) -> np.ndarray:
        return np.arange(int(seconds * sr)) / sr

    tk = t(0.35)
    kick_freq = 48 + 110 * np.exp(-tk / 0.03)
    kick = np.sin(2 * np.pi * np.cumsum(kick_freq) / sr) * np.exp(-tk / 0.18)
    ts = t(0.25)  # a body around 185 Hz plus a 1-8 kHz rattle, whatever the sample rate
    snare = _band_noise(len(ts), 1000, 8000, sr, rng) * np.exp(-ts / 0.07)
    snare += 0.8 * np.sin(2 * np.pi * 185 * ts) * np.exp(-ts / 0.06)
    th = t(0.08)
    hat = _band_noise(len(th), 7000, 16000, sr, rng) * np.exp(-th / 0.015)
    to = t(0.25)
    open_hat = _band_noise(len(to), 6000, 16000, sr, rng) * np.exp(-to / 0.08)
    tc = t(0.04)
    click = np.sin(2 * np.pi * 1000 * tc) * np.exp(-tc / 0.008)
    accent = np.sin(2 * np.pi * 2000 * tc) * np.exp(-tc / 0.012)
    shots = {"kick": kick, "snare": snare, "hat": hat, "open_hat": open_hat, "click": click, "accent": accent}
    return {name: DRUM_GAINS[name] * wave / np.max(np.abs(wave)) for name, wave in shots.items()}


def _band_noise(n: int, low_hz: float, high_hz: float, sr: int, rng: np.random.Generator) -> np.ndarray:
    """Unit-RMS noise limited to [low_hz, high_hz], or the top octave below Nyquist if the band is above it."""
    spectrum = np.fft.rfft(rng.standard_normal(n))
    freqs = np.fft.rfftfreq(n, 1 / sr)
    low_hz = min(low_hz, sr / 4)
    spectrum[(freqs < low_hz) | (freqs > high_hz)] = 0
    noise = np.fft.irfft(spectrum, n)
    normalised: np.ndarray = noise / np.sqrt(np.mean(noise**2))
    return normalised


def _pink_noise(shape: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
    """Unit-RMS noise with a 1/f power spectrum (as music and room noise have), shaped in the frequency domain."""
    size = 1 << int(np.ceil(np.log2(shape[0])))  # a power of two: other lengths can be 100x slower
    spectrum = np.fft.rfft(rng.standard_normal((size, shape[1])), axis=0)
    spectrum /= np.sqrt(np.maximum(np.arange(len(spectrum)), 1))[:, None]
    noise = np.fft.irfft(spectrum, size, axis=0)[: shape[0]]
    normalised: np.ndarray = (noise / np.sqrt(np.mean(noise**2))).astype(np.float32)
    return normalised


def _add(out: np.ndarray, start: int, wave: np.ndarray) -> None:
    end = min(len(out), start + len(wave))
    if end > start:
        out[start:end] += wave[: end - start]


def _tone(freqs: list[float], n: int, sr: int, bright: bool) -> np.ndarray:
    """A sustained chord: harmonics fall as 1/h (bright, saw-like) or 1/h^2 (soft), with attack and release."""
    t = np.arange(n, dtype=np.float32) / np.float32(sr)
    wave = np.zeros(n, np.float32)
    for f in freqs:
        # sin(h x) by the Chebyshev recurrence: two transcendental calls per note instead of one per harmonic
        phase = np.float32(2 * np.pi * f) * t
        previous, current, twice_cos = np.zeros(n, np.float32), np.sin(phase), 2 * np.cos(phase)
        for h in range(1, HARMONICS + 1):
            if h * f >= sr / 2:
                break
            wave += current / (h if bright else h * h)
            previous, current = current, twice_cos * current - previous
    attack, release = np.minimum(1.0, t / 0.01), np.minimum(1.0, (n - 1 - t * sr) / (0.02 * sr))
    envelope = attack * (0.6 + 0.4 * np.exp(-t / 0.3)) * release
    shaped: np.ndarray = wave * envelope.astype(np.float32)
    return shaped


def _chord_notes(tonic: int, mode: str, degree: int) -> tuple[int, list[int]]:
    """MIDI bass root (octave 2) and a root-position triad from octave 3 for a scale degree."""
    scale = MAJOR_SCALE if mode == "major" else HARMONIC_MINOR_SCALE
    pcs = [(tonic + scale[(degree + step) % 7]) % 12 for step in (0, 2, 4)]
    root = 48 + pcs[0]
    return 36 + pcs[0], [root + (pc - pcs[0]) % 12 for pc in pcs]


def _midi_hz(note: int, cents: float = 0.0) -> float:
    return 440.0 * 2 ** ((note - 69 + cents / 100) / 12)


def render(
    parts: list[Part],
    bpm: float,
    meter: int = 4,
    sample_rate: int = 44100,
    snr_db: float = 30.0,
    seed: int = 0,
    lead_in: float = 0.5,
    tail: float = 1.0,
    tuning_cents: float = 0.0,
) -> Clip:
    """Render sections back to back; beats start after `lead_in` seconds and the clip ends `tail` s after the grid.

    `tuning_cents` detunes every pitched note from A440 (drums are unpitched noise and sweeps).
    """
    rng = np.random.default_rng(seed)
    sr = sample_rate
    beat_s = 60.0 / bpm
    n_bars = sum(p.bars for p in parts)
    n = int((lead_in + n_bars * meter * beat_s + tail) * sr)
    drums = np.zeros(n, np.float32)
    left = np.zeros(n, np.float32)
    right = np.zeros(n, np.float32)
    shots = _one_shots(sr, rng)
    sections = []
    bar = 0
    for part in parts:
        tonic, mode = parse_key(part.key)
        pattern = PATTERNS[part.style][meter]
        progression = PROGRESSIONS[mode][part.progression]
        gain = 10 ** (part.level_db / 20)
        start_s = lead_in + bar * meter * beat_s
        for b in range(part.bars):
            bar_start = lead_in + (bar + b) * meter * beat_s
            for name, positions in pattern.items():
                for pos in positions:
                    _add(drums, int(round((bar_start + pos * beat_s) * sr)), gain * shots[name])
            if not part.harmony:
                continue
            root, triad = _chord_notes(tonic, mode, progression[b % len(progression)])
            i0 = int(round(bar_start * sr))
            length = int(round(meter * beat_s * sr))
            chord = _tone([_midi_hz(m, tuning_cents) for m in triad], length, sr, part.bright)
            bass = _tone([_midi_hz(root, tuning_cents)], length, sr, bright=False)
            _add(left, i0, gain * (0.10 * chord + 0.25 * bass))
            _add(right, i0, gain * (0.07 * chord + 0.25 * bass))
        bar += part.bars
        sections.append((start_s, lead_in + bar * meter * beat_s, part.label))
    stereo = np.stack([left + drums, right + drums], axis=1)
    stereo += _pink_noise(stereo.shape, rng) * np.float32(np.sqrt(np.mean(stereo**2)) * 10 ** (-snr_db / 20))
    stereo *= np.float32(0.5 / np.max(np.abs(stereo)))  # -6 dBFS peak
    beats = lead_in + np.arange(n_bars * meter) * beat_s
    return Clip(stereo.astype(np.float32), sr, bpm, meter, parts[0].key, beats, beats[::meter], sections)


def make_clip(
    bpm: float = 120.0,
    key: str = "C major",
    meter: int = 4,
    seconds: float = 30.0,
    style: str = "rock",
    sample_rate: int = 44100,
    snr_db: float = 30.0,
    seed: int = 0,
    tuning_cents: float = 0.0,
) -> Clip:
    """One-section clip of about `seconds` seconds; its progression alternates with the seed."""
    bars = max(2, int(round(seconds * bpm / 60 / meter)))
    part = Part("A", bars, key, style, progression=seed % 2)
    return render([part], bpm, meter, sample_rate, snr_db, seed, tuning_cents=tuning_cents)


def make_aba_clip(
    bpm: float = 120.0,
    key: str = "C major",
    other_key: str = "E minor",
    bars: int = 8,
    sample_rate: int = 44100,
    seed: int = 0,
) -> Clip:
    """A-B-A: B differs in harmony, chord timbre, drum pattern and level, as a verse/chorus change would."""
    parts = [
        Part("A", bars, key, "rock", progression=0, bright=True),
        Part("B", bars, other_key, "house", progression=1, bright=False, level_db=-6.0),
        Part("A", bars, key, "rock", progression=0, bright=True),
    ]
    return render(parts, bpm, 4, sample_rate, seed=seed)


def sway_tempo(
    samples: np.ndarray, sample_rate: int, depth: float, cycle_s: float
) -> tuple[np.ndarray, Callable[[np.ndarray], np.ndarray]]:
    """The samples ((n,) or (n, channels)) played with their tempo swaying +-depth over cycle_s seconds, as a
    band drifts (varispeed: the pitch sways too), and a function moving times of the original onto the result."""
    x = samples if samples.ndim == 2 else samples[:, None]
    duration = len(x) / sample_rate
    out_times = np.arange(int(duration / (1 - depth) * sample_rate)) / sample_rate
    in_times = out_times + depth * cycle_s / (2 * np.pi) * (1 - np.cos(2 * np.pi * out_times / cycle_s))
    keep = in_times < duration
    out_times, in_times = out_times[keep], in_times[keep]
    positions = np.arange(len(x))
    swayed = np.stack([np.interp(in_times * sample_rate, positions, x[:, c]) for c in range(x.shape[1])], axis=1)
    swayed = swayed.astype(np.float32)

    def move(times: np.ndarray) -> np.ndarray:
        moved: np.ndarray = np.interp(np.asarray(times, float), in_times, out_times)
        return moved

    return (swayed if samples.ndim == 2 else swayed[:, 0]), move


LIMITER_BLOCK_S = 0.005


def mastered(
    samples: np.ndarray, sample_rate: int, drive_db: float = 10.0, ceiling_db: float = -1.0, hold_s: float = 0.06
) -> np.ndarray:
    """The samples ((n,) or (n, channels)) as a loud release is mastered: driven `drive_db` above their peak into
    a brickwall limiter, channels linked, that sees each peak coming, holds its gain reduction for `hold_s` and
    releases it over as long, with `ceiling_db` as its ceiling. At 10 dB a funk groove's crest factor falls from
    18.6 dB to 12.1, where much commercial pop sits."""
    x = samples if samples.ndim == 2 else samples[:, None]
    x = x.astype(np.float64) * (10 ** (drive_db / 20) / max(float(np.abs(x).max()), 1e-12))
    ceiling = 10 ** (ceiling_db / 20)
    block = max(1, int(LIMITER_BLOCK_S * sample_rate))
    n_blocks = -(-len(x) // block)
    peaks = np.pad(np.abs(x).max(axis=1), (0, n_blocks * block - len(x))).reshape(n_blocks, block).max(axis=1)
    needed = np.minimum(1.0, ceiling / np.maximum(peaks, 1e-12))
    k = max(1, int(round(hold_s / LIMITER_BLOCK_S)))
    held = np.lib.stride_tricks.sliding_window_view(np.pad(needed, k, mode="edge"), 2 * k + 1).min(axis=1)
    released = np.convolve(np.pad(held, k, mode="edge"), np.ones(2 * k + 1) / (2 * k + 1), mode="valid")
    gain = np.interp(np.arange(len(x)), np.arange(n_blocks) * block + block / 2, np.minimum(released, needed))
    out: np.ndarray = np.clip(x * gain[:, None], -ceiling, ceiling).astype(np.float32)
    return out if samples.ndim == 2 else out[:, 0]


def sine(
    freq: float, seconds: float, sample_rate: int = 48000, dbfs: float = -23.0, channels: int = 2, phase: float = 0.0
) -> np.ndarray:
    """A sine of peak level `dbfs` in every channel, shape (n, channels), float32."""
    t = np.arange(int(seconds * sample_rate)) / sample_rate
    wave = 10 ** (dbfs / 20) * np.sin(2 * np.pi * freq * t + phase)
    return np.repeat(wave[:, None], channels, axis=1).astype(np.float32)


# Scores that compare an estimate with the ground truth, as in MIREX (used by the tests and the benchmark).
BEAT_TOLERANCE_S = 0.07
TEMPO_TOLERANCE = 0.04
TEMPO_OCTAVE_FACTORS = (1.0, 2.0, 0.5, 3.0, 1 / 3)


def beat_f_measure(estimated: np.ndarray, reference: np.ndarray, tolerance: float = BEAT_TOLERANCE_S) -> float:
    """F-measure of beat times, each reference beat matched at most once within +-tolerance (mir_eval's rule)."""
    estimated, reference = np.sort(np.asarray(estimated)), np.sort(np.asarray(reference))
    if not len(estimated) or not len(reference):
        return 0.0
    used = np.zeros(len(estimated), bool)
    hits = 0
    for r in reference:
        candidates = np.flatnonzero(~used & (np.abs(estimated - r) <= tolerance))
        if len(candidates):
            used[candidates[np.argmin(np.abs(estimated[candidates] - r))]] = True
            hits += 1
    precision, recall = hits / len(estimated), hits / len(reference)
    return 0.0 if hits == 0 else 2 * precision * recall / (precision + recall)


def tempo_accuracy(estimated: float | None, reference: float) -> tuple[bool, bool]:
    """(Acc1: within 4 %, Acc2: within 4 % of the tempo or its double, half, triple or third)."""
    if not estimated:
        return False, False
    within = [abs(estimated / (reference * f) - 1) <= TEMPO_TOLERANCE for f in TEMPO_OCTAVE_FACTORS]
    return within[0], any(within)


def mirex_key_score(estimated: str | None, reference: str) -> float:
    """1 for the same key, 0.5 a fifth away (same mode), 0.3 relative, 0.2 parallel, else 0."""
    if estimated is None:
        return 0.0
    (pe, me), (pr, mr) = parse_key(estimated), parse_key(reference)
    interval = (pe - pr) % 12
    if me == mr:
        return 1.0 if interval == 0 else 0.5 if interval in (5, 7) else 0.0
    if (mr, interval) in (("major", 9), ("minor", 3)):
        return 0.3
    return 0.2 if interval == 0 else 0.0
