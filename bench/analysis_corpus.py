"""The analysis evaluation set: MIDI written from a fixed list of pieces, rendered with fluidsynth through
Debian soundfonts into a cache folder outside git, with the truth taken from the MIDI itself.

Two kinds of material:

* **renders** — multi-instrument arrangements of styles that bait metrical-level and mode errors (half-time
  grooves under busy hi-hats, swing and shuffle, fast 3/4, 6/8, dotted-eighth synth lines, one-drop, minor
  keys), each with intro / verse / chorus / verse / chorus / outro. The tempo, time signature, key and
  section starts are the MIDI's own tempo, time-signature, key-signature and marker events.
* **scores** — works from music21's corpus (Bach chorales, other scores), written to MIDI by music21. Key
  (only where the score states the mode), metre and bar lines come from the score; the tempo is the one the
  MIDI is written at.

Each piece is rendered through two soundfonts (fluid-soundfont-gm, timgm6mb-soundfont). Pieces are split into
a development part and a held-out part by a fixed rule (variant 0 / 1 of each style; alternate scores), so
tuning on one part can be checked on the other.
"""

from __future__ import annotations

import contextlib
import json
import random
import shutil
import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path

CACHE = Path.home() / ".cache" / "momentum-analysis-eval"
SOUNDFONTS = {
    "fluidr3": "/usr/share/sounds/sf2/FluidR3_GM.sf2",
    "timgm6mb": "/usr/share/sounds/sf2/TimGM6mb.sf2",
}
APT_PACKAGES = ("fluidsynth", "fluid-soundfont-gm", "timgm6mb-soundfont")
RATE = 44100
TPB = 480  # MIDI ticks per quarter note
NOTE_NAMES = ("C", "Db", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")
MINOR_NAMES = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "G#", "A", "Bb", "B")
MAJOR_SCALE = (0, 2, 4, 5, 7, 9, 11)
MINOR_SCALE = (0, 2, 3, 5, 7, 8, 10)


@dataclass
class Piece:
    id: str
    kind: str  # "render" or "score"
    style: str
    split: str  # "dev" or "held-out"
    soundfont: str
    bpm: float  # the beat's tempo (dotted quarter in 6/8)
    beats_per_bar: int
    key: str | None  # mir_eval spelling, None when the source does not state a mode
    beats: list[float]
    downbeats: list[float]
    sections: list[float]  # section start times in seconds (0 included), empty when the source has none
    duration: float
    audio: str


# ---- styles --------------------------------------------------------------------------------------------
# name: (tempo range of the beat, metre, swing, drum pattern, progression mode, instruments)
# Drum patterns are per bar on a grid of `steps` sub-divisions: (drum note, steps hit, velocity).
KICK, SNARE, RIM, CLAP, HAT, OPEN_HAT, RIDE, CRASH, SHAKER = 36, 38, 37, 39, 42, 46, 51, 49, 70

STYLES: dict[str, dict] = {
    # Half-time: snare on beat 3 only, sixteenth hi-hats: the hats bait double time, the sparse kick half.
    "halftime": {
        "bpm": (68, 84),
        "meter": 4,
        "steps": 16,
        "swing": 0.0,
        "drums": [(KICK, [0, 10], 110), (SNARE, [8], 115), (HAT, list(range(16)), 70)],
        "mode": "minor",
        "program": {"chords": 89, "bass": 38, "lead": 81},
    },
    # Swung eighths (triplet feel): the off-beat hats bait double time.
    "swing": {
        "bpm": (84, 104),
        "meter": 4,
        "steps": 8,
        "swing": 2 / 3,
        "drums": [(KICK, [0, 4], 100), (SNARE, [2, 6], 105), (RIDE, list(range(8)), 80)],
        "mode": "major",
        "program": {"chords": 4, "bass": 32, "lead": 65},
    },
    # Shuffle blues/rock: swung sixteenths in a medium groove.
    "shuffle": {
        "bpm": (88, 112),
        "meter": 4,
        "steps": 8,
        "swing": 2 / 3,
        "drums": [(KICK, [0, 3, 4], 105), (SNARE, [2, 6], 110), (HAT, list(range(8)), 75)],
        "mode": "minor",
        "program": {"chords": 16, "bass": 33, "lead": 29},
    },
    # Fast waltz: bass on 1, chords on 2 and 3; bait for half and third tempo.
    "waltz": {
        "bpm": (138, 176),
        "meter": 3,
        "steps": 3,
        "swing": 0.0,
        "drums": [(KICK, [0], 90), (HAT, [1, 2], 60)],
        "mode": "minor",
        "program": {"chords": 0, "bass": 32, "lead": 40},
    },
    # Jig in 6/8: the beat is the dotted quarter; the eighths bait triple time.
    "jig68": {
        "bpm": (58, 76),
        "meter": 2,
        "steps": 6,
        "swing": 0.0,
        "drums": [(KICK, [0, 3], 100), (SNARE, [3], 60), (HAT, list(range(6)), 65)],
        "mode": "major",
        "program": {"chords": 24, "bass": 32, "lead": 73},
        "compound": True,
    },
    # Trance/EDM with a dotted-eighth (3-3-2) bass and lead: bait for x4/3.
    "dotted": {
        "bpm": (124, 150),
        "meter": 4,
        "steps": 16,
        "swing": 0.0,
        "drums": [(KICK, [0, 8], 115), (CLAP, [4, 12], 100), (HAT, [2, 6, 10, 14], 70)],
        "mode": "minor",
        "program": {"chords": 90, "bass": 38, "lead": 81},
        "dotted": True,
    },
    # Four-on-the-floor house.
    "house": {
        "bpm": (120, 128),
        "meter": 4,
        "steps": 16,
        "swing": 0.0,
        "drums": [(KICK, [0, 4, 8, 12], 115), (CLAP, [4, 12], 95), (OPEN_HAT, [2, 6, 10, 14], 75)],
        "mode": "minor",
        "program": {"chords": 4, "bass": 38, "lead": 80},
    },
    # Drum & bass: fast breakbeat; bait for half tempo.
    "dnb": {
        "bpm": (168, 178),
        "meter": 4,
        "steps": 16,
        "swing": 0.0,
        "drums": [(KICK, [0, 10], 115), (SNARE, [4, 12], 115), (HAT, [0, 2, 4, 6, 8, 10, 12, 14], 70)],
        "mode": "minor",
        "program": {"chords": 89, "bass": 38, "lead": 81},
    },
    # Reggae one-drop: kick and rim only on beat 3, skank chords on the off-beats.
    "onedrop": {
        "bpm": (70, 84),
        "meter": 4,
        "steps": 8,
        "swing": 0.0,
        "drums": [(KICK, [4], 105), (RIM, [4], 100), (HAT, list(range(8)), 60)],
        "mode": "minor",
        "program": {"chords": 16, "bass": 33, "lead": 26},
        "offbeat_chords": True,
    },
    # Straight rock with eighth hats.
    "rock": {
        "bpm": (104, 140),
        "meter": 4,
        "steps": 8,
        "swing": 0.0,
        "drums": [(KICK, [0, 4, 5], 110), (SNARE, [2, 6], 115), (HAT, list(range(8)), 75)],
        "mode": "major",
        "program": {"chords": 29, "bass": 33, "lead": 30},
    },
    # Slow ballad in 3/4 with arpeggiated piano (eighths bait double time).
    "ballad34": {
        "bpm": (62, 80),
        "meter": 3,
        "steps": 6,
        "swing": 0.0,
        "drums": [(KICK, [0], 70), (RIDE, [0, 2, 4], 50)],
        "mode": "minor",
        "program": {"chords": 0, "bass": 42, "lead": 40},
        "arpeggio": True,
    },
    # Boom-bap hip-hop with swung sixteenths.
    "boombap": {
        "bpm": (84, 96),
        "meter": 4,
        "steps": 16,
        "swing": 0.62,
        "drums": [(KICK, [0, 7, 10], 115), (SNARE, [4, 12], 115), (HAT, list(range(0, 16, 2)), 70)],
        "mode": "minor",
        "program": {"chords": 4, "bass": 33, "lead": 11},
    },
}
STYLES.update(
    {
        # Funk: syncopated sixteenth kicks, ghost snares, accented sixteenth hats: baits double time.
        "funk": {
            "bpm": (96, 112),
            "meter": 4,
            "steps": 16,
            "swing": 0.0,
            "drums": [
                (KICK, [0, 3, 6, 10, 11], 110),
                (SNARE, [4, 12], 115),
                (SNARE, [7, 9, 15], 45),
                (HAT, list(range(16)), 65),
            ],
            "mode": "minor",
            "program": {"chords": 27, "bass": 36, "lead": 61},
        },
        # Bossa nova: clave cross-stick, dotted bass on 1 and 3, shaker eighths: baits x4/3 and half time.
        "bossa": {
            "bpm": (128, 148),
            "meter": 4,
            "steps": 16,
            "swing": 0.0,
            "drums": [(RIM, [0, 3, 6, 10, 13], 95), (KICK, [0, 6, 8, 14], 85), (SHAKER, list(range(0, 16, 2)), 60)],
            "mode": "major",
            "program": {"chords": 24, "bass": 32, "lead": 73},
            "dotted": True,
        },
        # Trap-style half-time: snare on 3, syncopated kicks, hi-hat rolls in sixteenths and 32nds.
        "trap": {
            "bpm": (68, 80),
            "meter": 4,
            "steps": 32,
            "swing": 0.0,
            "drums": [
                (KICK, [0, 6, 14, 20], 120),
                (CLAP, [16], 115),
                (HAT, list(range(0, 32, 2)) + [25, 27, 29, 31], 70),
            ],
            "mode": "minor",
            "program": {"chords": 89, "bass": 38, "lead": 80},
        },
        # Orchestral, no drums: sustained strings, pizzicato bass on the beats, a horn melody.
        "orchestral": {
            "bpm": (72, 100),
            "meter": 4,
            "steps": 4,
            "swing": 0.0,
            "drums": [],
            "mode": "minor",
            "program": {"chords": 48, "bass": 45, "lead": 60},
        },
        # Orchestral waltz, no drums: bass on 1, string chords on 2 and 3.
        "orchwaltz": {
            "bpm": (120, 168),
            "meter": 3,
            "steps": 3,
            "swing": 0.0,
            "drums": [],
            "mode": "minor",
            "program": {"chords": 49, "bass": 45, "lead": 71},
            "offbeat_chords": True,
        },
    }
)
PROGRESSIONS = {
    "major": [[0, 4, 5, 3], [3, 0, 4, 5], [0, 5, 3, 4], [1, 4, 0, 0]],  # scale degrees of chord roots
    "minor": [[0, 5, 2, 6], [0, 3, 4, 0], [0, 6, 5, 4], [0, 3, 6, 2]],
}
FORM = [("intro", 4), ("verse", 8), ("chorus", 8), ("verse", 8), ("chorus", 8), ("outro", 4)]


def _chord(tonic: int, mode: str, degree: int) -> list[int]:
    """Triad on a scale degree (pitch classes from the tonic); minor-key V is major (harmonic minor)."""
    scale = MAJOR_SCALE if mode == "major" else MINOR_SCALE
    notes = [scale[(degree + i) % 7] + 12 * ((degree + i) // 7) for i in (0, 2, 4)]
    if mode == "minor" and degree == 4:
        notes[1] += 1  # the leading tone
    return [tonic + n for n in notes]


class Track:
    """Absolute-time note list for one MIDI channel."""

    def __init__(self, channel: int, program: int):
        self.channel, self.program = channel, program
        self.notes: list[tuple[int, int, int, int]] = []  # start tick, length, note, velocity

    def add(self, start: float, length: float, note: int, velocity: int) -> None:
        self.notes.append((int(round(start)), max(1, int(round(length))), note, max(1, min(127, velocity))))


def compose(style: str, variant: int) -> tuple[bytes, dict]:
    """(MIDI file bytes, truth) for one variant of a style; fixed by (style, variant)."""
    import mido

    spec = STYLES[style]
    rng = random.Random(f"{style}-{variant}")
    lo, hi = spec["bpm"]
    beat_bpm = round(rng.uniform(lo, hi))
    tonic = rng.randrange(12)
    mode = spec["mode"]
    compound = spec.get("compound", False)
    quarter_bpm = beat_bpm * 1.5 if compound else beat_bpm
    beat_ticks = TPB * 1.5 if compound else TPB
    meter = spec["meter"]
    bar_ticks = beat_ticks * meter
    steps = spec["steps"]
    step_ticks = bar_ticks / steps
    swing = spec["swing"]
    verse_prog, chorus_prog = rng.sample(PROGRESSIONS[mode], 2)

    def at(bar: int, step: float) -> float:
        """Tick of a grid step with swing applied to the off-beat sub-division."""
        per_pair = 2
        pair, odd = divmod(step, per_pair)
        pos = pair * per_pair + (2 * swing if swing and odd else odd)
        return bar * bar_ticks + pos * step_ticks

    drums, chords, bass, lead = (
        Track(9, 0),
        Track(0, spec["program"]["chords"]),
        Track(1, spec["program"]["bass"]),
        Track(2, spec["program"]["lead"]),
    )
    scale = MAJOR_SCALE if mode == "major" else MINOR_SCALE
    bar = 0
    markers = []
    for section, length in FORM:
        markers.append((bar * bar_ticks, section))
        prog = chorus_prog if section == "chorus" else verse_prog
        full = section in ("verse", "chorus")
        for b in range(length):
            degree = prog[b % len(prog)] if section != "outro" or b < length - 1 else 0
            if section == "outro" and b >= length - 2:
                degree = 4 if b == length - 2 else 0  # V - i cadence
            notes = _chord(tonic, mode, degree)
            t0 = bar * bar_ticks
            # Drums (intro: kick and hats only, chorus adds a crash on its first bar)
            fill = full and b == length - 1 and spec["drums"]  # a snare fill closes each verse and chorus
            for note, hits, vel in spec["drums"]:
                if section == "intro" and note in (SNARE, CLAP, RIM):
                    continue
                for h in hits:
                    if fill and h >= steps * (meter - 1) / meter and note != KICK:
                        continue
                    if note in (HAT, SHAKER, RIDE) and rng.random() < 0.08:
                        continue  # the drummer leaves a hat out now and then
                    accent = 10 if h == 0 else (6 if note in (HAT, SHAKER) and h % 2 == 0 else 0)
                    drums.add(at(bar, h) + rng.gauss(0, 8), step_ticks / 2, note, vel + accent + rng.randint(-12, 8))
            if fill:
                last_beat = steps * (meter - 1) // meter
                for h in range(last_beat, steps, max(1, steps // (4 * meter))):
                    drums.add(at(bar, h) + rng.gauss(0, 8), step_ticks / 2, SNARE, 70 + 8 * (h - last_beat) // 2)
            if section == "chorus" and b == 0 and spec["drums"]:
                drums.add(t0, bar_ticks, CRASH, 100)
            # Chords
            voiced = [60 + (n - 60) % 12 if n < 60 else n for n in (48 + x for x in notes)]
            vel = 62 if section == "chorus" else 52
            if spec.get("offbeat_chords"):
                for s in range(1, steps, 2):
                    for n in voiced:
                        chords.add(at(bar, s), step_ticks * 0.5, n, vel + 8)
            elif spec.get("arpeggio"):
                pattern = [voiced[0], voiced[1], voiced[2], voiced[1] + 12, voiced[2], voiced[1]]
                for s in range(steps):
                    chords.add(at(bar, s), step_ticks * 1.8, pattern[s % len(pattern)], vel + 6)
            else:
                for n in voiced:
                    chords.add(t0, bar_ticks * 0.98, n, vel)
            # Bass: roots, rhythm per style
            root = 36 + (notes[0] - 36) % 12
            if section != "intro":
                if spec.get("dotted"):
                    for s in (0, 3, 6, 9, 12, 14):
                        bass.add(at(bar, s), step_ticks * 2.5, root + (12 if s in (6, 14) else 0), 95)
                else:
                    for beat in range(meter):
                        pos = beat * beat_ticks
                        note = root if beat % 2 == 0 else root + 7
                        bass.add(t0 + pos, beat_ticks * 0.9, note, 92 if beat == 0 else 80)
            # Lead melody in the chorus (and dotted-eighth stabs in the dotted style)
            if section == "chorus":
                if spec.get("dotted"):
                    for s in (0, 3, 6, 9, 12):
                        lead.add(at(bar, s), step_ticks * 2, 72 + (notes[(s // 3) % 3] - 60) % 12, 80)
                else:
                    beats_in_bar = meter * (3 if compound else 2)
                    sub = bar_ticks / beats_in_bar
                    pitch = 72 + (notes[0] - 72) % 12
                    for i in range(beats_in_bar):
                        if rng.random() < 0.3 and i:
                            continue
                        if i == 0:
                            pitch = 72 + (notes[rng.randrange(3)] - 72) % 12
                        else:
                            deg = rng.randrange(7)
                            pitch = 72 + tonic % 12 + scale[deg]
                        lead.add(t0 + i * sub, sub * 0.9, pitch, 85 if i == 0 else 72)
            bar += 1
    end_tick = bar * bar_ticks
    # Final tonic chord to close
    for n in _chord(tonic, mode, 0):
        chords.add(end_tick, bar_ticks, 48 + (n - 48) % 12 + 12, 60)
    bass.add(end_tick, bar_ticks, 36 + tonic % 12, 90)
    drums.add(end_tick, bar_ticks, KICK, 110)
    drums.add(end_tick, bar_ticks, CRASH, 100)

    mid = mido.MidiFile(ticks_per_beat=TPB)
    meta = mido.MidiTrack()
    mid.tracks.append(meta)
    numerator, denominator = (6, 8) if compound else (meter, 4)
    key_name = MINOR_NAMES[tonic] + "m" if mode == "minor" else NOTE_NAMES[tonic]
    events = [
        (0, mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(quarter_bpm), time=0)),
        (0, mido.MetaMessage("time_signature", numerator=numerator, denominator=denominator, time=0)),
        (0, mido.MetaMessage("key_signature", key=key_name, time=0)),
    ] + [(t, mido.MetaMessage("marker", text=name, time=0)) for t, name in markers]
    _write_track(meta, events)
    for track in (drums, chords, bass, lead):
        mt = mido.MidiTrack()
        mid.tracks.append(mt)
        evs = [(0, mido.Message("program_change", channel=track.channel, program=track.program, time=0))]
        for start, length, note, vel in track.notes:
            start = max(start, 0)
            evs.append((start, mido.Message("note_on", channel=track.channel, note=note, velocity=vel, time=0)))
            evs.append((start + length, mido.Message("note_off", channel=track.channel, note=note, time=0)))
        _write_track(mt, evs)
    return _midi_bytes(mid), {"mode": mode}


def _write_track(track, events) -> None:
    events.sort(key=lambda e: (e[0], 0 if e[1].type == "note_off" else 1))
    now = 0
    for tick, msg in events:
        tick = int(round(tick))
        track.append(msg.copy(time=tick - now))
        now = tick


def _midi_bytes(mid) -> bytes:
    import io

    out = io.BytesIO()
    mid.save(file=out)
    return out.getvalue()


# ---- truth from MIDI -----------------------------------------------------------------------------------


def midi_truth(data: bytes) -> dict:
    """Tempo, metre, key, beats, downbeats and section starts from the MIDI's own meta events.

    The beat is the time signature's counting unit, except in compound metres (6/8, 9/8, 12/8) where it is
    the dotted quarter. Tempo changes are followed (beats are placed in seconds through the tempo map).
    """
    import io

    import mido

    mid = mido.MidiFile(file=io.BytesIO(data))
    tempo_map = [(0, 500000)]
    signatures = [(0, 4, 4)]
    key = None
    markers = []
    last = 0
    for track in mid.tracks:
        tick = 0
        for msg in track:
            tick += msg.time
            if msg.type == "set_tempo":
                tempo_map.append((tick, msg.tempo))
            elif msg.type == "time_signature":
                signatures.append((tick, msg.numerator, msg.denominator))
            elif msg.type == "key_signature" and key is None:
                key = msg.key
            elif msg.type == "marker":
                markers.append(tick)
            elif msg.type == "note_off" or (msg.type == "note_on" and msg.velocity == 0):
                last = max(last, tick)
    tempo_map = sorted(dict(tempo_map).items())
    signatures = sorted({t: (n, d) for t, n, d in signatures}.items())

    def seconds(tick: float) -> float:
        total, prev_tick, prev_tempo = 0.0, 0, 500000
        for t, tempo in tempo_map:
            if t >= tick:
                break
            total += (t - prev_tick) * prev_tempo / 1e6 / mid.ticks_per_beat
            prev_tick, prev_tempo = t, tempo
        return total + (tick - prev_tick) * prev_tempo / 1e6 / mid.ticks_per_beat

    beats, downbeats = [], []
    per_bar = 4
    for i, (start, (num, den)) in enumerate(signatures):
        stop = signatures[i + 1][0] if i + 1 < len(signatures) else last
        compound = den == 8 and num % 3 == 0 and num > 3
        beat_ticks = mid.ticks_per_beat * 4 / den * (3 if compound else 1)
        per_bar = num // 3 if compound else num
        n = 0
        tick = start
        while tick < stop - 1e-6:
            beats.append(seconds(tick))
            if n % per_bar == 0:
                downbeats.append(seconds(tick))
            n += 1
            tick = start + n * beat_ticks
    intervals = [b - a for a, b in zip(beats, beats[1:], strict=False)]
    bpm = 60.0 / sorted(intervals)[len(intervals) // 2] if intervals else 0.0
    return {
        "bpm": round(bpm, 3),
        "beats_per_bar": per_bar,
        "key": _mir_key(key),
        "beats": beats,
        "downbeats": downbeats,
        "sections": [seconds(t) for t in sorted(set(markers))],
    }


def _mir_key(key: str | None) -> str | None:
    """mido's key ("Gm", "Eb") to mir_eval's ("G minor", "Eb major")."""
    if not key:
        return None
    return f"{key[:-1]} minor" if key.endswith("m") else f"{key} major"


def _beats_between(downbeats: list[float], per_bar: int, fallback: list[float]) -> list[float]:
    """Beats that divide each bar evenly, with the pickup's beats before the first bar line."""
    if len(downbeats) < 2:
        return fallback
    beats: list[float] = []
    for a, b in zip(downbeats, downbeats[1:], strict=False):
        beats.extend(a + (b - a) * i / per_bar for i in range(per_bar))
    step = (downbeats[1] - downbeats[0]) / per_bar
    lead = [downbeats[0] - step * k for k in range(1, per_bar) if downbeats[0] - step * k > -1e-6][::-1]
    tail = [downbeats[-1] + step * k for k in range(per_bar)]
    return lead + beats + tail


# ---- scores from music21 -------------------------------------------------------------------------------

# (corpus path, tempo of the beat in BPM); the keys and metres are read from the score. Chosen for metre
# (3/4, 6/8, 2/2 and 4/4), mode (minor and major) and length; alternate entries are held out.
SCORES = [
    ("bach/bwv66.6", 84),
    ("bach/bwv244.10", 76),
    ("bach/bwv253", 92),
    ("bach/bwv269", 72),
    ("bach/bwv390", 88),
    ("bach/bwv267", 80),
    ("bach/bwv26.6", 96),
    ("bach/bwv40.8", 70),
    ("bach/bwv281", 86),
    ("bach/bwv10.7", 78),
    ("bach/bwv86.6", 90),
    ("bach/bwv57.8", 74),
    ("bach/bwv37.6", 82),
    ("bach/bwv153.1", 88),
    ("bach/bwv145.5", 76),
    ("bach/bwv318", 94),
    ("bach/bwv248.42-4", 80),
    ("bach/bwv364", 84),
    ("bach/bwv6.6", 78),
    ("bach/bwv65.7", 88),
]
CHORALE_PROGRAM = [19, 48]  # organ and strings: the chorales sound as sung/played


def score_midi(path: str, bpm: float) -> tuple[bytes, str | None, int] | None:
    """(MIDI bytes at `bpm`, key with mode or None, beats per bar) for a corpus score, or None."""
    import tempfile

    from music21 import corpus, instrument, key, meter, tempo

    try:
        score = corpus.parse(path)
    except Exception:  # noqa: BLE001 - a corpus that lacks the work simply drops it
        return None
    with contextlib.suppress(Exception):  # badly formed repeats: played as written
        score = score.expandRepeats()
    keys = list(score.recurse().getElementsByClass(key.KeySignature))
    stated = None
    if keys and isinstance(keys[0], key.Key) and keys[0].mode in ("major", "minor"):
        stated = f"{keys[0].tonic.name.replace('-', 'b')} {keys[0].mode}"
        # Chorales in the church modes are written with the signature of a neighbouring key (G Dorian
        # with one flat, tagged D minor): the stated key counts only when the final bass note is its tonic.
        last = list(score.parts[-1].flatten().notes)
        final_bass = min(last[-1].pitches, key=lambda p: p.ps) if last else None
        if final_bass is None or final_bass.pitchClass != keys[0].tonic.pitchClass:
            stated = None
    sigs = list(score.recurse().getElementsByClass(meter.TimeSignature))
    sig = sigs[0] if sigs else meter.TimeSignature("4/4")
    compound = sig.denominator == 8 and sig.numerator % 3 == 0 and sig.numerator > 3
    per_bar = sig.numerator // 3 if compound else sig.numerator
    for mark in list(score.recurse().getElementsByClass(tempo.MetronomeMark)):
        mark.activeSite.remove(mark)
    quarter_bpm = bpm * (4 / sig.denominator) * (3 if compound else 1)
    first = score.parts[0].getElementsByClass("Measure")
    target = first[0] if len(first) else score.parts[0]
    target.insert(0, tempo.MetronomeMark(number=quarter_bpm, referent=1.0))
    for i, part in enumerate(score.parts):
        for old in list(part.recurse().getElementsByClass(instrument.Instrument)):
            old.activeSite.remove(old)
        inst = instrument.Instrument()
        inst.midiProgram = CHORALE_PROGRAM[i % 2] if path.startswith("bach") else (40 if i < 2 else 42)
        part.insert(0, inst)
    # Bar lines from the score (a pickup bar moves every downbeat); in seconds at the written tempo.
    seconds_per_quarter = 60.0 / quarter_bpm
    bars = sorted({float(m.offset) for m in score.parts[0].getElementsByClass("Measure") if m.duration.quarterLength})
    pickup = score.parts[0].getElementsByClass("Measure")
    if len(pickup) > 1 and pickup[0].duration.quarterLength < sig.barDuration.quarterLength:
        bars = bars[1:]  # the pickup bar does not start on a downbeat
    with tempfile.NamedTemporaryFile(suffix=".mid") as f:
        score.write("midi", fp=f.name)
        downbeats = [b * seconds_per_quarter for b in bars]
        return Path(f.name).read_bytes(), stated, per_bar, downbeats


# ---- rendering -----------------------------------------------------------------------------------------


def ensure_tools() -> None:
    """fluidsynth and the soundfonts from Debian (installed when missing and running as root)."""
    missing = shutil.which("fluidsynth") is None or not all(Path(p).exists() for p in SOUNDFONTS.values())
    if missing:
        subprocess.run(["apt-get", "install", "-y", "-qq", *APT_PACKAGES], check=True, capture_output=True)


def render(midi: bytes, soundfont: str, out: Path) -> None:
    """MIDI to 44.1 kHz stereo FLAC through fluidsynth (no reverb/chorus tails beyond the instruments')."""
    mid_path = out.with_suffix(".mid")
    mid_path.write_bytes(midi)
    wav = out.with_suffix(".wav")
    subprocess.run(
        ["fluidsynth", "-ni", "-q", "-g", "0.6", "-r", str(RATE), "-F", str(wav), SOUNDFONTS[soundfont], str(mid_path)],
        check=True,
        capture_output=True,
        timeout=300,  # a MIDI that never ends (seen with one string-quartet export) must not hang the run
    )
    import numpy as np
    import soundfile

    audio, sr = soundfile.read(wav, dtype="float32")
    peak = float(np.abs(audio).max()) or 1.0
    soundfile.write(out, audio / peak * 0.89, sr, subtype="PCM_16")  # normalised: fluidsynth levels vary
    wav.unlink()


def build(quick: bool = False, log=print) -> list[Piece]:
    """Compose, render and describe every piece (cached: only missing renders are made)."""
    ensure_tools()
    CACHE.mkdir(parents=True, exist_ok=True)
    pieces: list[Piece] = []
    jobs: list[tuple[str, str, str, str, bytes, dict]] = []  # id, kind, style, split, midi, extra
    variants = (0,) if quick else (0, 1)
    for style in STYLES:
        for variant in variants:
            midi, _ = compose(style, variant)
            jobs.append((f"{style}-{variant}", "render", style, "dev" if variant == 0 else "held-out", midi, {}))
    scores = SCORES[::4] if quick else SCORES
    for i, (path, bpm) in enumerate(scores):
        name = path.replace("/", "_")
        cached = CACHE / f"{name}.score.json"
        if cached.exists():
            info = json.loads(cached.read_text())
            midi = (CACHE / f"{name}.score.mid").read_bytes()
        else:
            try:
                made = score_midi(path, bpm)
            except Exception as exc:  # noqa: BLE001 - e.g. repeats music21 cannot expand: the work is dropped
                log(f"  {path}: {exc}, skipped")
                made = None
            if made is None:
                log(f"  {path}: not in this music21 corpus, skipped")
                continue
            midi, stated, per_bar, downbeats = made
            info = {"key": stated, "beats_per_bar": per_bar, "downbeats": downbeats}
            (CACHE / f"{name}.score.mid").write_bytes(midi)
            cached.write_text(json.dumps(info))
        style = "chorale" if path.startswith("bach") else "classical"
        jobs.append((name, "score", style, "dev" if i % 2 == 0 else "held-out", midi, info))
    for ident, kind, style, split, midi, extra in jobs:
        truth = midi_truth(midi)
        if kind == "score":
            truth["key"] = extra["key"]  # music21 writes no key event; the score's stated key is the truth
            truth["sections"] = []
            truth["beats_per_bar"] = extra["beats_per_bar"]
            truth["downbeats"] = extra["downbeats"]
            truth["beats"] = _beats_between(extra["downbeats"], extra["beats_per_bar"], truth["beats"])
        for sf in SOUNDFONTS:
            out = CACHE / f"{ident}.{sf}.flac"
            if not out.exists():
                log(f"  rendering {out.name}")
                render(midi, sf, out)
            import soundfile

            duration = soundfile.info(out).duration
            pieces.append(
                Piece(
                    id=f"{ident}.{sf}",
                    kind=kind,
                    style=style,
                    split=split,
                    soundfont=sf,
                    bpm=truth["bpm"],
                    beats_per_bar=truth["beats_per_bar"],
                    key=truth["key"],
                    beats=truth["beats"],
                    downbeats=truth["downbeats"],
                    sections=truth["sections"],
                    duration=duration,
                    audio=str(out),
                )
            )
    (CACHE / "truth.json").write_text(json.dumps([asdict(p) for p in pieces]))
    return pieces


if __name__ == "__main__":
    for p in build():
        print(p.id, p.split, p.bpm, p.beats_per_bar, p.key, len(p.beats), len(p.sections), round(p.duration, 1))
