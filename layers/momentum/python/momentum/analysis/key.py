"""Key and mode from chroma: correlation with rotated major/minor key profiles over the 24 keys."""

from __future__ import annotations

import numpy as np

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
CONFIDENCE_SCALE = 0.15  # correlation margin (best minus runner-up) that counts as full confidence
# Chroma whose pitch classes differ by less than this (RMS relative to their mean) has no key: noise and
# drums score ~0.03, tonal music 0.2 and more.
MIN_CHROMA_CONTRAST = 0.08


def _profiles() -> np.ndarray:
    """(24, 12) zero-mean, unit-norm profiles: rows 0-11 major on C..B, 12-23 minor on C..B."""
    rows = [np.roll(base, tonic) for base in (MAJOR_PROFILE, MINOR_PROFILE) for tonic in range(12)]
    profiles = np.array(rows) - np.mean(rows, axis=1, keepdims=True)
    return profiles / np.linalg.norm(profiles, axis=1, keepdims=True)


PROFILES = _profiles()


def key_name(index: int) -> str:
    """Profile row (0-11 major on C..B, 12-23 minor) to a name such as "G# minor"."""
    return f"{MAJOR_NAMES[index]} major" if index < 12 else f"{MINOR_NAMES[index - 12]} minor"


def parse_key(name: str) -> tuple[int, str]:
    """ "G# minor" -> (8, "minor"); accepts sharps or flats."""
    tonic, mode = name.split()
    return _PITCH_CLASSES[tonic], mode


def estimate_key(chroma_sum: np.ndarray) -> tuple[str | None, float]:
    """(key such as "A minor", confidence 0-1) for a summed chroma vector; (None, 0) without pitch content."""
    centred = chroma_sum - chroma_sum.mean()
    norm = np.linalg.norm(centred)
    if not np.isfinite(norm) or norm <= MIN_CHROMA_CONTRAST * np.sqrt(12) * chroma_sum.mean():
        return None, 0.0
    corr = PROFILES @ (centred / norm)
    order = np.argsort(corr)[::-1]
    margin = corr[order[0]] - corr[order[1]]
    return key_name(int(order[0])), float(np.clip(margin / CONFIDENCE_SCALE, 0.0, 1.0))
