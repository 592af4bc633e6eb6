"""Drill items: generated from a seed the server keeps, shown to the client without their answers, and scored by
the server (pure functions, no I/O).

``generate(config, seed, count)`` is deterministic: the same seed gives the same items, so a round or a review
card stores its seed and the server can grade exactly what it issued. An item is
``{"kind", "show", "options", "answer"}``; ``public_item`` drops the answer. ``score_item`` gives
(correct, 0–100) for what the client sent.

Pitch is equal temperament at A4 = 440 Hz (MIDI 69); frequencies are rounded to 0.01 Hz.
"""

from __future__ import annotations

import random
import statistics
from collections.abc import Callable
from functools import cache
from typing import Any

from pydantic import TypeAdapter

from momentum.learn.models import (
    BpmTapConfig,
    ChordConfig,
    DrillConfig,
    EqBandConfig,
    IntervalConfig,
    KeySignatureConfig,
    NoteNameConfig,
    PublicItem,
)

Item = dict[str, Any]

INTERVAL_NAMES = {
    1: "minor second",
    2: "major second",
    3: "minor third",
    4: "major third",
    5: "perfect fourth",
    6: "tritone",
    7: "perfect fifth",
    8: "minor sixth",
    9: "major sixth",
    10: "minor seventh",
    11: "major seventh",
    12: "octave",
}

CHORD_INTERVALS = {
    "major": (0, 4, 7),
    "minor": (0, 3, 7),
    "diminished": (0, 3, 6),
    "augmented": (0, 4, 8),
    "sus2": (0, 2, 7),
    "sus4": (0, 5, 7),
    "dominant7": (0, 4, 7, 10),
    "major7": (0, 4, 7, 11),
    "minor7": (0, 3, 7, 10),
}

LETTERS = "CDEFGAB"
LETTER_SEMITONES = (0, 2, 4, 5, 7, 9, 11)
# The bottom line of each staff as a diatonic step number (octave × 7 + letter index): E4 and G2.
STAFF_BOTTOM = {"treble": 4 * 7 + 2, "bass": 2 * 7 + 4}

# Major keys by signature: positive = sharps, negative = flats; relative minors a minor third below.
MAJOR_KEYS = {0: "C", 1: "G", 2: "D", 3: "A", 4: "E", 5: "B", 6: "F#", 7: "C#"}
MAJOR_KEYS |= {-1: "F", -2: "Bb", -3: "Eb", -4: "Ab", -5: "Db", -6: "Gb", -7: "Cb"}
MINOR_KEYS = {0: "A", 1: "E", 2: "B", 3: "F#", 4: "C#", 5: "G#", 6: "D#", 7: "A#"}
MINOR_KEYS |= {-1: "D", -2: "G", -3: "C", -4: "F", -5: "Bb", -6: "Eb", -7: "Ab"}


@cache
def _config_adapter() -> TypeAdapter[Any]:
    # Built on first use, not at import: a cold start that deals no drill does not pay for it.
    return TypeAdapter(DrillConfig)


def parse_config(config_json: dict[str, Any]) -> Any:
    """A stored drill configuration (validated when it was written) as its model."""
    return _config_adapter().validate_python(config_json)


def frequency(midi: int) -> float:
    return round(440.0 * 2 ** ((midi - 69) / 12), 2)


def signature_label(accidentals: int) -> str:
    """0 → "0", 3 → "3#", -2 → "2b"."""
    return "0" if accidentals == 0 else f"{abs(accidentals)}{'#' if accidentals > 0 else 'b'}"


def band_label(hz: int) -> str:
    return f"{hz // 1000} kHz" if hz >= 1000 else f"{hz} Hz"


def generate(config: Any, seed: int, count: int | None = None) -> list[Item]:
    """``count`` items (the config's own count by default) from ``seed``."""
    rng = random.Random(seed)
    make = _GENERATORS[config.generator]
    return [make(config, rng) for _ in range(count or config.items)]


def public_item(index: int, item: Item) -> PublicItem:
    return PublicItem(item=index, kind=item["kind"], show=item["show"], options=item.get("options"))


def score_item(item: Item, choice: str | None = None, taps_ms: list[float] | None = None) -> tuple[bool, int]:
    """(correct, score 0–100) of an answer to an issued item."""
    if item["kind"] == "bpm_tap":
        return _score_taps(item, taps_ms)
    if choice is None:
        return False, 0
    if item["kind"] == "eq_band":
        options = item["options"]
        if choice not in options:
            return False, 0
        distance = abs(options.index(choice) - options.index(item["answer"]))
        # An octave off is half right: the ear found the region, not the band.
        return distance == 0, {0: 100, 1: 50}.get(distance, 0)
    correct = choice.strip().replace("♯", "#").replace("♭", "b").lower() == str(item["answer"]).lower()
    return correct, 100 if correct else 0


# ---------------------------------------------------------------- generators


def _interval(config: IntervalConfig, rng: random.Random) -> Item:
    semitones = rng.choice(config.intervals)
    direction = config.direction
    if direction == "descending":
        top = rng.randint(config.low + semitones, max(config.low + semitones, config.high))
        notes = [top, top - semitones]
    else:
        root = rng.randint(config.low, max(config.low, config.high - semitones))
        notes = [root, root + semitones]
    options = [INTERVAL_NAMES[s] for s in sorted(set(config.intervals))]
    show = {
        "notes_midi": notes,
        "frequencies_hz": [frequency(n) for n in notes],
        "play": "together" if direction == "harmonic" else "one_after_another",
        "note_ms": config.note_ms,
    }
    return {"kind": "interval", "show": show, "options": options, "answer": INTERVAL_NAMES[semitones]}


def _chord(config: ChordConfig, rng: random.Random) -> Item:
    quality = rng.choice(config.qualities)
    root = rng.randint(config.low, config.high)
    notes = [root + step for step in CHORD_INTERVALS[quality]]
    if config.inversions:
        for _ in range(rng.randrange(len(notes))):  # lift the lowest note an octave per inversion
            notes = [*notes[1:], notes[0] + 12]
    options = list(dict.fromkeys(config.qualities))
    show = {"notes_midi": notes, "frequencies_hz": [frequency(n) for n in notes], "duration_ms": config.duration_ms}
    return {"kind": "chord_quality", "show": show, "options": options, "answer": quality}


def _note_name(config: NoteNameConfig, rng: random.Random) -> Item:
    bottom = STAFF_BOTTOM[config.clef]
    step = rng.randint(-2, 10)  # two ledger steps below the staff to two above (the top line is step 8)
    letter = LETTERS[(bottom + step) % 7]
    accidental = rng.choice([None, "sharp", "flat"]) if config.accidentals else None
    name = letter + {None: "", "sharp": "#", "flat": "b"}[accidental]
    options = list(LETTERS)
    if config.accidentals:
        options += [f"{x}#" for x in LETTERS] + [f"{x}b" for x in LETTERS]
    show = {"clef": config.clef, "staff_step": step, "accidental": accidental}
    return {"kind": "note_name", "show": show, "options": options, "answer": name}


def _bpm_tap(config: BpmTapConfig, rng: random.Random) -> Item:
    bpm = rng.randint(config.low, max(config.low, config.high))
    show = {
        "click_interval_ms": round(60_000 / bpm, 3),
        "clicks": config.clicks,
        "min_taps": config.min_taps,
        "instruction": "Listen to the clicks, then keep tapping the same tempo after they stop",
    }
    return {"kind": "bpm_tap", "show": show, "options": None, "answer": bpm, "tolerance_pct": config.tolerance_pct}


def _eq_band(config: EqBandConfig, rng: random.Random) -> Item:
    bands = sorted(set(config.bands))
    band = rng.choice(bands)
    # Somewhere inside the band (±1/6 octave of its centre), so the boost is not always at the same frequency.
    centre = round(band * 2 ** rng.uniform(-1 / 6, 1 / 6), 1)
    show = {
        "source": config.source,
        "filter": {"type": "peaking", "frequency_hz": centre, "gain_db": config.gain_db, "q": config.q},
        "duration_ms": config.duration_ms,
        "compare_with_flat": True,
    }
    return {"kind": "eq_band", "show": show, "options": [band_label(b) for b in bands], "answer": band_label(band)}


def _key_signature(config: KeySignatureConfig, rng: random.Random) -> Item:
    mode = rng.choice(config.modes)
    accidentals = rng.randint(-config.max_accidentals, config.max_accidentals)
    key = (MAJOR_KEYS if mode == "major" else MINOR_KEYS)[accidentals]
    ask = rng.choice(["name_the_key", "count_accidentals"]) if config.ask == "mixed" else config.ask
    span = range(-config.max_accidentals, config.max_accidentals + 1)
    if ask == "name_the_key":
        show = {"ask": ask, "mode": mode, "signature": signature_label(accidentals)}
        names = MAJOR_KEYS if mode == "major" else MINOR_KEYS
        return {"kind": "key_signature", "show": show, "options": [names[a] for a in span], "answer": key}
    show = {"ask": ask, "mode": mode, "key": key}
    return {
        "kind": "key_signature",
        "show": show,
        "options": [signature_label(a) for a in span],
        "answer": signature_label(accidentals),
    }


_GENERATORS: dict[str, Callable[[Any, random.Random], Item]] = {
    "interval": _interval,
    "chord_quality": _chord,
    "note_name": _note_name,
    "bpm_tap": _bpm_tap,
    "eq_band": _eq_band,
    "key_signature": _key_signature,
}


# ---------------------------------------------------------------- tapping


def tapped_bpm(taps_ms: list[float]) -> float | None:
    """The tempo of a run of taps: 60,000 / the median inter-onset interval, robust to one stray tap."""
    intervals = [b - a for a, b in zip(taps_ms, taps_ms[1:], strict=False)]
    if not intervals or any(i <= 0 for i in intervals):
        return None
    return 60_000 / statistics.median(intervals)


def _score_taps(item: Item, taps_ms: list[float] | None) -> tuple[bool, int]:
    """Within the tolerance is correct (score ≥ 80); full marks within half of it, nothing at three times it."""
    if not taps_ms or len(taps_ms) < item["show"]["min_taps"]:
        return False, 0
    bpm = tapped_bpm(taps_ms)
    if bpm is None:
        return False, 0
    tolerance = item["tolerance_pct"]
    error = abs(bpm - item["answer"]) / item["answer"] * 100
    points = 100 * (1 - max(0.0, error - tolerance / 2) / (2.5 * tolerance))
    return error <= tolerance, max(0, min(100, round(points)))
