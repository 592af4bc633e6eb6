"""Key and mode from chroma: correlation with rotated major/minor key profiles over the 24 keys."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from .features import CHROMA_COMPRESSION, HOP_MS

# Spelled as musicians name these keys (Db major but C# minor, Ab major but G# minor).
MAJOR_NAMES = ("C", "Db", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")
MINOR_NAMES = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "G#", "A", "Bb", "B")
_PITCH_CLASSES = {
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
# Albrecht & Shanahan's (2013) profiles, built to balance the major/minor decision. Temperley's minor
# profile expects the raised seventh and punishes the flat one, so natural-minor music (VII and VI chords)
# read as its relative major; Sha'ath's pop profiles err the other way (I-vi-IV-V reads as the relative
# minor). Compared on the evaluation set (bench/bench_analysis.py, MIREX weighted, renders and chorales /
# the project's synthetic clips): Temperley 0.85 / 1.00, Krumhansl 0.88 / 0.97, Bellman-Budge 0.87 / 1.00,
# Sha'ath 0.93 / 0.93, Faraldo's EDM 0.91 / 0.93, Albrecht 0.94 / 1.00.
MAJOR_PROFILE = np.array([0.238, 0.006, 0.111, 0.006, 0.137, 0.094, 0.016, 0.214, 0.009, 0.080, 0.008, 0.081])
MINOR_PROFILE = np.array([0.220, 0.006, 0.104, 0.123, 0.019, 0.103, 0.012, 0.214, 0.062, 0.022, 0.061, 0.052])
# Keys that share most of their pitch classes are told apart by the chord the piece opens on and the one it
# closes on: pieces start and end on the tonic far more often than on a neighbouring key's tonic. A key and its
# relative (A minor / C major) share every pitch class, a key and its dominant or subdominant (C / G / F major)
# six of seven; a neighbour whose correlation comes within RELATIVE_MARGIN or FIFTH_MARGIN of the best is
# taken when both ends sound its tonic triad more than the best key's. When the ends split, a major reading
# turns to its relative minor if the minor key's raised leading tone (G# in A minor: the major dominant of a
# minor key; foreign to C major) is present; a minor reading stays minor. A loop that neither opens nor
# closes on its tonic (I - vi - IV - V) keeps the profiles' answer. On the evaluation set the ends mend
# relative-major readings of minor pieces (renders 0.92 -> 1.00 dev) and, on the development split, a chorale
# read in its dominant and a chromatic piano piece in E-flat major read as C minor, whose B naturals had
# vetoed the ends; no held-out file changed with them.
RELATIVE_MARGIN = 0.2
FIFTH_MARGIN = 0.1
ENDS_S = 2.0  # the opening and closing chord: this long, counted over frames with pitch content
# The key is read from the compressed wheel (features.CHROMA_COMPRESSION), where pitch classes differ less than
# in plain magnitudes. The leading tone is present when its share reaches this fraction of the mean of the
# natural-minor scale's pitch classes (development renders: major pieces 0.57-0.84 for their relative's, minor
# pieces 0.62-0.96; on plain magnitudes it was 0.65, with 0.37-0.78 and 0.50-0.93). Key weighted as rendered
# 0.942 at 0.70, 0.937 at 0.72 and at 0.75; at 0.75 a minor key whose V chord sounds one bar in four reads as
# its relative major (test_key).
LEADING_TONE_SHARE = 0.70
CONFIDENCE_SCALE = 0.15  # correlation margin (best minus runner-up) that counts as full confidence
# Chroma whose pitch classes differ by less than this (RMS relative to their mean) has no tones: noise and
# drums score ~0.03, tonal music 0.2 and more (plain magnitudes). The floor used is the compressed wheel's,
# which takes the compression (a small contrast d reads about CHROMA_COMPRESSION * d): as rendered, the 7
# Hydrogen drum songs now all say "no key" (2 read one on the plain floor); with a 1.5 s reverberation 2 of
# them read one, against all 7 before. The beat tracker asks the same question (without tones it leaves chord
# changes out), and once asked it of the plain wheel: there the drum songs read 0.058-0.093 and the tonal
# tracks of the evaluation 0.090 and up, so two drum songs had tones for the beats and none for the key, and a
# mastering limiter (bench --master 14) moved a third over the floor and its beats off the beat. On the
# compressed wheel the drum songs read 0.030-0.047 (0.040-0.050 mastered), the tonal tracks 0.059 and up
# (0.057 mastered).
MIN_CHROMA_CONTRAST = 0.08
KEY_MIN_CHROMA_CONTRAST = MIN_CHROMA_CONTRAST * CHROMA_COMPRESSION


def _profiles() -> npt.NDArray[np.float64]:
    """(24, 12) zero-mean, unit-norm profiles: rows 0-11 major on C..B, 12-23 minor on C..B."""
    rows = [np.roll(base, tonic) for base in (MAJOR_PROFILE, MINOR_PROFILE) for tonic in range(12)]
    profiles = np.array(rows) - np.mean(rows, axis=1, keepdims=True)
    unit: npt.NDArray[np.float64] = profiles / np.linalg.norm(profiles, axis=1, keepdims=True)
    return unit


PROFILES = _profiles()


def key_name(index: int) -> str:
    """Profile row (0-11 major on C..B, 12-23 minor) to a name such as "G# minor"."""
    return f"{MAJOR_NAMES[index]} major" if index < 12 else f"{MINOR_NAMES[index - 12]} minor"


def parse_key(name: str) -> tuple[int, str]:
    """ "G# minor" -> (8, "minor"); accepts sharps or flats."""
    tonic, mode = name.split()
    return _PITCH_CLASSES[tonic], mode


def opening_and_closing(chroma: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """Summed chroma of the first and last ENDS_S seconds that carry pitch (silence and fades left out)."""
    level = chroma.sum(axis=1)
    voiced = np.flatnonzero(level > 0.1 * np.median(level[level > 0])) if (level > 0).any() else level[:0]
    count = int(ENDS_S * 1000 / HOP_MS)
    if len(voiced) < 2 * count:
        return None
    return chroma[voiced[:count]].sum(axis=0), chroma[voiced[-count:]].sum(axis=0)


def _relative(index: int) -> int:
    """C major (0) <-> A minor (21)."""
    return 12 + (index + 9) % 12 if index < 12 else (index - 12 + 3) % 12


def _triad(index: int) -> np.ndarray:
    tonic, third = index % 12, 3 if index >= 12 else 4
    template = np.zeros(12)
    template[[tonic, (tonic + third) % 12, (tonic + 7) % 12]] = 1.0
    return template


def _neighbours(index: int) -> list[tuple[int, float]]:
    """The keys sharing most of `index`'s pitch classes, with the correlation margin within which they compete:
    its relative, its dominant and its subdominant (same mode)."""
    mode = index - index % 12
    fifths = [mode + (index + step) % 12 for step in (7, 5)]
    return [(_relative(index), RELATIVE_MARGIN)] + [(fifth, FIFTH_MARGIN) for fifth in fifths]


def _by_the_ends(corr: np.ndarray, best: int, ends: tuple[np.ndarray, np.ndarray]) -> int:
    """A close neighbour of `best` whose tonic triad both ends sound more than best's, else best."""
    chosen, strongest = best, sum(end @ _triad(best) / end.sum() for end in ends)
    for other, margin in _neighbours(best):
        if corr[best] - corr[other] < margin and all(end @ _triad(other) > end @ _triad(best) for end in ends):
            strength = sum(end @ _triad(other) / end.sum() for end in ends)
            if strength > strongest:
                chosen, strongest = other, strength
    return chosen


def _minor_by_leading_tone(chroma_sum: np.ndarray, best: int, ends: tuple[np.ndarray, np.ndarray] | None) -> int:
    """A major `best` or its relative minor when the ends split: minor if one end and the leading tone say so."""
    minor = _relative(best)
    tonic = minor - 12
    natural = [(tonic + step) % 12 for step in (0, 2, 3, 5, 7, 8, 10)]
    leading = chroma_sum[(tonic + 11) % 12] >= LEADING_TONE_SHARE * chroma_sum[natural].mean()
    end_votes = sum(end @ _triad(minor) > end @ _triad(best) for end in ends) if ends is not None else 0
    return minor if leading and end_votes >= 1 else best


def has_pitch_content(chroma_sum: np.ndarray) -> bool:
    """Whether a summed chroma vector from the compressed wheel has tones at all (its pitch classes differ by
    more than KEY_MIN_CHROMA_CONTRAST): drums and noise do not. The key and the beat tracker both ask this."""
    centred = chroma_sum - chroma_sum.mean()
    norm = np.linalg.norm(centred)
    return bool(np.isfinite(norm) and norm > KEY_MIN_CHROMA_CONTRAST * np.sqrt(12) * chroma_sum.mean())


def estimate_key(chroma_sum: np.ndarray, ends: tuple[np.ndarray, np.ndarray] | None = None) -> tuple[str | None, float]:
    """(key such as "A minor", confidence 0-1) for a summed chroma vector from the compressed wheel; (None, 0)
    without pitch content.

    `ends`: summed chroma of the opening and the closing seconds, to choose between a key and its close
    neighbours (relative, dominant, subdominant). Without them, the profiles' best key stands.
    """
    if not has_pitch_content(chroma_sum):
        return None, 0.0
    centred = chroma_sum - chroma_sum.mean()
    norm = np.linalg.norm(centred)
    corr = PROFILES @ (centred / norm)
    best = int(np.argmax(corr))
    chosen = _by_the_ends(corr, best, ends) if ends is not None else best
    if chosen == best and best < 12 and corr[best] - corr[_relative(best)] < RELATIVE_MARGIN:
        chosen = _minor_by_leading_tone(chroma_sum, best, ends)
    # Confidence: the margin over the runner-up; when the ends chose a neighbour over the profiles' best, its
    # margin over every key but the two contested (both ends agreeing on a tonic is evidence in its own right;
    # measured against the overruled key, every such choice would read as a guess).
    contested = {best, chosen}
    runner_up = max(float(c) for i, c in enumerate(corr) if i not in contested)
    margin = float(corr[chosen]) - runner_up
    return key_name(chosen), float(np.clip(margin / CONFIDENCE_SCALE, 0.0, 1.0))
