"""Evaluation material the analyser was not written around: real compositions and producers' projects that
Debian and PyPI packages carry, rendered by the tools they were written for, with the truth read from the
source (a project's tempo and pattern grid, a score's bar lines, metre and stated key).

Two sets, cached under ~/.cache/momentum-analysis-eval/real/ (outside git):

* **projects** — the demo songs of two sequencers, rendered headless by the sequencer itself:
  Hydrogen (`hydrogen`, `hydrogen-data`; `h2cli`): drum-machine songs, each through its own drumkit. Truth: the song's
  BPM, every pattern column a 4/4 bar (all pattern sizes are 192 ticks at 48 a quarter), beats on the grid.
  LMMS (`lmms-common`; `lmms --render`): the demo and "shorties" projects (electronic, reggae, reggaeton,
  house, chiptune, rock). Truth: the project's BPM and time signature (no project automates its tempo; those
  that would are refused), bars and beats on the grid from the first to the last clip. No key, no sections:
  neither tool states them.
* **compositions** — real scores. music21's corpus beyond the chorales (string quartets by Haydn, Mozart and
  Beethoven, a Joplin rag, Clara Schumann's polonaises, a Chopin mazurka, Verdi, Schubert, and fiddle tunes from
  Ryan's Mammoth Collection: jigs in 6/8, reels, hornpipes, strathspeys), an excerpt of each from its first
  bar with repeats played, written to MIDI by music21 and rendered by fluidsynth through two soundfonts
  (FluidR3 GM and MuseScore General). MuseScore 3's own demo scores (`musescore3`), exported to MIDI by
  `mscore3` (which plays repeats, tempo changes and metre changes as the score states them) and rendered the
  same way. Truth: bar lines and metre from the score (pickups included), the tempo the MIDI is written at
  (the score's own metronome mark where it has one), the key where the score states key and mode and its
  final bass note is that tonic (as for the chorales); MuseScore writes no mode, so its demos get a key only
  where one signature holds throughout and the final bass note names the major or the relative minor.

Every work is in one split with all its renders: about a quarter is `dev`, the rest `held-out`.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import tempfile
import xml.etree.ElementTree as ET
import zipfile
import zlib
from collections import Counter
from dataclasses import asdict
from pathlib import Path

from analysis_corpus import CACHE, Piece, _beats_between, midi_truth
from analysis_corpus import SOUNDFONTS as RENDER_SOUNDFONTS

REAL = CACHE / "real"
RATE = 44100
APT_PACKAGES = (
    "fluidsynth",
    "fluid-soundfont-gm",
    "musescore-general-soundfont",
    "hydrogen",
    "lmms",
    "musescore3",
)
SOUNDFONTS = {
    "fluidr3": "/usr/share/sounds/sf2/FluidR3_GM.sf2",
    "musescore": "/usr/share/sounds/sf3/MuseScore_General.sf3",
}
ANY_SOUNDFONT = {**RENDER_SOUNDFONTS, **SOUNDFONTS}  # render_midi takes either set's soundfonts
HYDROGEN_SONGS = Path("/usr/share/hydrogen/data/demo_songs")
LMMS_PROJECTS = Path("/usr/share/lmms/projects")
MUSESCORE_DEMOS = Path("/usr/share/mscore3-3.2/demos")

# Hydrogen song -> style; each is played by its own kit (h2cli's -k, which would swap in another kit, renders
# silence here, and so does the Colombo kit's demo song, so neither is used).
HYDROGEN = {
    "GM_kit_demo1": "drum-machine rock",
    "GM_kit_demo2": "drum-machine rock",
    "GM_kit_demo3": "drum-machine rock",
    "GM_kit_Diddley": "drum-machine Bo Diddley",
    "GM_kit_Jazzy": "drum-machine jazz",
    "tutorial_georgyporgy": "drum-machine funk",
    "TR808kit-demo": "drum-machine 808",
}
# LMMS project (under projects/) -> style. Skiessi-Onion is left out: its time signature is 1/1, no beat.
LMMS = {
    "demos/Alf42red-Mauiwowi.mmpz": "lmms electronic",
    "demos/CapDan/CapDan-ReggaeTry.mmpz": "lmms reggae",
    "demos/CapDan/CapDan-ReggaetonTry.mmpz": "lmms reggaeton",
    "demos/CapDan/CapDan-TwilightArea-OriginalByAlf42red.mmpz": "lmms electronic",
    "demos/CapDan/CapDan-ZeroSumGame-OriginalByZakarra.mmpz": "lmms electronic",
    "demos/EsoXLB-CPU.mmpz": "lmms electronic",
    "demos/Impulslogik-Zen.mmpz": "lmms electronic",
    "demos/Jousboxx-BuzzerBeater.mmpz": "lmms electronic",
    "demos/Momo64-esp.mmpz": "lmms electronic",
    "demos/Oglsdl-Dr8v2.mmpz": "lmms electronic",
    "demos/Oglsdl-PpTrip.mmpz": "lmms electronic",
    "demos/Saber-FinalStep.mmpz": "lmms electronic",
    "demos/Settel-InnerRecreation.mmpz": "lmms electronic",
    "demos/Shovon-ProgressiveHousePluckDemo.mmpz": "lmms house",
    "demos/Skiessi/Skiessi-C64.mmpz": "lmms chiptune",
    "demos/Socceroos-Progress.mmpz": "lmms electronic",
    "demos/StrictProduction-DearJonDoe.mmp": "lmms hip-hop",
    "demos/TameAnderson-MakeMe.mmpz": "lmms electronic",
    "demos/Thomasso-AxeFromThe80s.mmpz": "lmms rock",
    "shorties/Crunk(Demo).mmp": "lmms hip-hop",
    "shorties/DirtyLove.mmpz": "lmms electronic",
    "shorties/Greshz-CoolSnip.mmpz": "lmms electronic",
    "shorties/Skiessi-222.mmpz": "lmms electronic",
    "shorties/Surrender-Main.mmpz": "lmms electronic",
}
# music21 corpus work -> (style, tempo of the beat when the score states none, MIDI programs by part).
# The tempo is the one the excerpt is written at; a metronome mark in the score wins over it.
QUARTET = (40, 40, 41, 42)
PIANO = (0, 0)
FIDDLE = (40,)
COMPOSITIONS = {
    "haydn/opus74no1/movement1.mxl": ("string quartet", 132, QUARTET),
    "haydn/opus74no1/movement3.mxl": ("string quartet 3/4", 60, QUARTET),
    "haydn/opus1no1/movement1.mxl": ("string quartet", 84, QUARTET),
    "mozart/k80/movement1.mxl": ("string quartet", 60, QUARTET),
    "mozart/k155/movement1.mxl": ("string quartet", 132, QUARTET),
    "mozart/k156/movement1.mxl": ("string quartet 3/4", 120, QUARTET),
    "mozart/k458/movement1.mxl": ("string quartet 6/8", 96, QUARTET),
    "beethoven/opus18no1/movement1.mxl": ("string quartet 3/4", 66, QUARTET),
    "beethoven/opus59no1/movement1.mxl": ("string quartet", 88, QUARTET),
    "joplin/maple_leaf_rag.mxl": ("rag", 92, PIANO),
    "schumann_clara/polonaise_op1n1.mxl": ("piano 3/4", 100, PIANO),
    "schumann_clara/polonaise_op1n2.mxl": ("piano 3/4", 100, PIANO),
    "chopin/mazurka06-2.krn": ("piano 3/4", 126, PIANO),
    "schubert/Lindenbaum.xml": ("song 3/4", 84, (73, 0, 0)),
    "verdi/laDonnaEMobile.mxl": ("song 3/8", 138, (71, 0, 0)),
    "ryansMammoth/BanishMisfortune.abc": ("fiddle jig 6/8", 108, FIDDLE),
    "ryansMammoth/RakesOfKildareJig.abc": ("fiddle jig 6/8", 112, FIDDLE),
    "ryansMammoth/SmashTheWindowsJig.abc": ("fiddle jig 6/8", 116, FIDDLE),
    "ryansMammoth/BlackSheepJig.abc": ("fiddle jig 6/8", 104, FIDDLE),
    "ryansMammoth/LarkInTheMorningJig.abc": ("fiddle jig 6/8", 112, FIDDLE),
    "ryansMammoth/LanigansBallJig.abc": ("fiddle jig 6/8", 108, FIDDLE),
    "ryansMammoth/KatysRamblesJig.abc": ("fiddle jig 6/8", 110, FIDDLE),
    "ryansMammoth/MrsHogansGooseJig.abc": ("fiddle jig 6/8", 106, FIDDLE),
    "ryansMammoth/BarneysGoatJig.abc": ("fiddle slip jig 9/8", 104, FIDDLE),
    "ryansMammoth/SpeedThePloughReel.abc": ("fiddle reel", 104, FIDDLE),
    "ryansMammoth/WindThatShakesTheBarleyReel.abc": ("fiddle reel", 100, FIDDLE),
    "ryansMammoth/SoldiersJoy.abc": ("fiddle reel", 96, FIDDLE),
    "ryansMammoth/HumoursOfRockstownReel.abc": ("fiddle reel", 100, FIDDLE),
    "ryansMammoth/ColMcBainsReel.abc": ("fiddle reel", 98, FIDDLE),
    "ryansMammoth/AmericanHornpipe.abc": ("fiddle hornpipe", 84, FIDDLE),
    "ryansMammoth/ChampionHornpipe.abc": ("fiddle hornpipe", 80, FIDDLE),
    "ryansMammoth/DemocraticHornpipe.abc": ("fiddle hornpipe", 84, FIDDLE),
    "ryansMammoth/BonnieLassieStrathspey.abc": ("fiddle strathspey", 66, FIDDLE),
}
# MuseScore demos: Fugue_1 is left out (bars of 8/4 to 32/4 written against a 4/4 signature).
MUSESCORE = {
    "Brassed_Up.mscx": "brass band 2/2",
    "Dynamic_Strings.mscx": "string orchestra",
    "Reunion.mscz": "jazz band",
    "Unclaimed_Gift.mscx": "piano",
}
EXCERPT_SECONDS = 45.0
# LMMS renders on every core in about real time, and a render that shares the machine can go wrong: one song
# came out silent for 150 s of its 225 (60-70 dB below a render on an idle machine; its tempo read at half,
# beat F 0.02 against 0.99). Free-running oscillators, LFOs and noise make no two renders bit-identical: of
# 23 songs rendered twice, one differed by up to 5.4 dB over 5 s, the others by under 2.5 dB. So a project is
# rendered until two renders in a row agree within RENDER_AGREEMENT_DB in every window.
RENDER_ATTEMPTS = 4
RENDER_AGREEMENT_DB = 12.0
RENDER_WINDOW_S = 5.0
LEVEL_HOP_S = 0.025
TRUTH_RULES = 2  # raised when the truth read from a score changes, so that cached truth is read again
NOTE_NAMES = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")
MAJOR_BY_FIFTHS = {n: (7 * n) % 12 for n in range(-7, 8)}  # key signature (sharps > 0) -> major tonic


def _split(index: int) -> str:
    """A quarter of the works are for development; all renders of a work share its split."""
    return "dev" if index % 4 == 0 else "held-out"


# ---- tools ----------------------------------------------------------------------------------------------


def ensure_tools() -> None:
    """The renderers and soundfonts from Debian, installed when missing (the bench runs as root)."""
    needed = {
        "fluidsynth": shutil.which("fluidsynth"),
        "h2cli": shutil.which("h2cli"),
        "lmms": shutil.which("lmms"),
        "mscore3": shutil.which("mscore3"),
        "soundfonts": all(Path(p).exists() for p in SOUNDFONTS.values()),
    }
    if not all(needed.values()):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=True, capture_output=True, env=env)
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *APT_PACKAGES],
            check=True,
            capture_output=True,
            env=env,
        )


def _to_flac(wav: Path, out: Path, normalise: bool) -> None:
    import numpy as np
    import soundfile

    audio, sr = soundfile.read(wav, dtype="float32")
    if float(np.abs(audio).max()) < 1e-3:
        wav.unlink()
        raise RuntimeError(f"{out.name}: the renderer wrote silence")
    if normalise:
        audio = audio / (float(np.abs(audio).max()) or 1.0) * 0.89
    soundfile.write(out, np.clip(audio, -1.0, 1.0), sr, subtype="PCM_16")
    wav.unlink()


def render_midi(midi: Path, soundfont: str, out: Path) -> None:
    """A MIDI file to normalised 44.1 kHz FLAC through fluidsynth and one of ANY_SOUNDFONT."""
    wav = out.with_suffix(".wav")
    subprocess.run(
        ["fluidsynth", "-ni", "-q", "-g", "0.6", "-r", str(RATE), "-F", str(wav), ANY_SOUNDFONT[soundfont], str(midi)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    _to_flac(wav, out, normalise=True)


def _qt_env() -> dict[str, str]:
    return {**os.environ, "QT_QPA_PLATFORM": "offscreen"}


# ---- Hydrogen -------------------------------------------------------------------------------------------


def hydrogen_truth(song: Path) -> dict:
    """BPM and the bar grid of a Hydrogen song: each pattern column lasts its longest pattern."""
    root = ET.parse(song).getroot()
    bpm = float(root.findtext("bpm"))
    if root.find("BPMTimeLine") is not None and len(root.find("BPMTimeLine")):
        raise ValueError("tempo changes on the timeline")
    sizes = {p.findtext("name"): int(p.findtext("size")) for p in root.iter("pattern") if p.findtext("size")}
    groups = root.find("patternSequence").findall("group")
    beat = 60.0 / bpm  # Hydrogen counts 48 ticks to the quarter note, the beat of its 4/4 patterns
    t, downbeats, beats = 0.0, [], []
    for g in groups:
        ids = [e.text for e in g.findall("patternID")]
        ticks = max((sizes[i] for i in ids if i in sizes), default=192)
        if ticks % 192:
            raise ValueError(f"a column of {ticks} ticks is not whole 4/4 bars")
        for _bar in range(ticks // 192):
            downbeats.append(t)
            beats.extend(t + k * beat for k in range(4))
            t += 4 * beat
    return {"bpm": bpm, "beats_per_bar": 4, "beats": beats, "downbeats": downbeats, "end": t}


def render_hydrogen(song: Path, out: Path) -> None:
    wav = out.with_suffix(".wav")
    subprocess.run(
        ["h2cli", "-s", str(song), "-o", str(wav), "-r", str(RATE), "-b", "16"],
        check=True,
        capture_output=True,
        timeout=600,
        env=_qt_env(),
    )
    _to_flac(wav, out, normalise=True)


# ---- LMMS -----------------------------------------------------------------------------------------------


def lmms_xml(project: Path) -> ET.Element:
    data = project.read_bytes()
    if project.suffix == ".mmpz":
        data = zlib.decompress(data[4:])  # a 4-byte length, then zlib
    return ET.fromstring(data)


def lmms_truth(project: Path) -> dict:
    """Tempo, metre and the grid of an LMMS project, from its first to its last clip on the song editor."""
    root = lmms_xml(project)
    head = root.find("head")
    if head.find("bpm") is not None:
        raise ValueError("tempo is automated")
    bpm = float(head.get("bpm"))
    num, den = int(head.get("timesig_numerator", 4)), int(head.get("timesig_denominator", 4))
    song = root.find("song").find("trackcontainer")
    starts, ends = [], []
    for track in song.findall("track"):
        if track.get("muted") == "1" or track.get("type") in ("5", "6"):  # automation tracks make no sound
            continue
        for clip in list(track):
            if clip.tag in ("pattern", "bbtco", "sampletco") and clip.get("pos") is not None:
                if clip.tag == "pattern" and not clip.findall("note"):
                    continue
                pos = int(clip.get("pos"))
                length = int(clip.get("len")) if clip.get("len") else 0
                if clip.tag == "pattern" and not length:
                    length = max(int(n.get("pos")) + int(n.get("len", 0)) for n in clip.findall("note"))
                if clip.tag == "bbtco" and clip.get("muted") == "1":
                    continue
                starts.append(pos)
                ends.append(pos + length)
    ticks_per_beat = 192 / den  # LMMS: 192 ticks to a whole note's bar in 4/4, 48 to the quarter
    ticks_per_bar = ticks_per_beat * num
    seconds_per_tick = 60.0 / bpm / 48  # LMMS's tempo counts quarter notes
    first_bar = int(min(starts) // ticks_per_bar)
    last = max(ends)
    beats, downbeats = [], []
    tick = first_bar * ticks_per_bar
    while tick < last - 1e-6:
        if abs(tick / ticks_per_bar - round(tick / ticks_per_bar)) < 1e-9:
            downbeats.append(tick * seconds_per_tick)
        beats.append(tick * seconds_per_tick)
        tick += ticks_per_beat
    return {
        "bpm": 60.0 / (ticks_per_beat * seconds_per_tick),
        "beats_per_bar": num,
        "beats": beats,
        "downbeats": downbeats,
        "end": last * seconds_per_tick,
    }


def render_lmms(project: Path, out: Path) -> None:
    """Render a project until two renders in a row agree (see RENDER_AGREEMENT_DB), and keep the last of them."""
    renders = [out.with_name(f"{out.stem}.{attempt}.wav") for attempt in range(RENDER_ATTEMPTS)]
    previous = None
    try:
        for wav in renders:
            subprocess.run(
                ["lmms", "--allowroot", "--render", str(project), "--output", str(wav), "--format", "wav"],
                check=True,
                capture_output=True,
                timeout=1800,
                env=_qt_env(),
            )
            levels = _window_levels(wav)
            if previous is not None and _renders_agree(previous, levels):
                _to_flac(wav, out, normalise=False)
                return
            previous = levels
        raise RuntimeError(f"{project.name}: {RENDER_ATTEMPTS} renders, no two in a row agree")
    finally:
        for wav in renders:
            wav.unlink(missing_ok=True)


def _window_levels(wav: Path):
    """Level in dB of every 25 ms of the mono mix."""
    import numpy as np
    import soundfile

    audio, sr = soundfile.read(wav, dtype="float32", always_2d=True)
    mono, hop = audio.mean(axis=1), int(sr * LEVEL_HOP_S)
    n = len(mono) // hop
    return 10 * np.log10((mono[: n * hop].reshape(n, hop) ** 2).mean(axis=1) + 1e-10)


def _renders_agree(a, b) -> bool:
    """Whether two renders of a project have the same length and, in every window of RENDER_WINDOW_S, levels
    within RENDER_AGREEMENT_DB of each other (median over the window's 25 ms steps)."""
    import numpy as np

    if len(a) != len(b):
        return False
    step = int(RENDER_WINDOW_S / LEVEL_HOP_S)
    difference = np.abs(a - b)
    return all(float(np.median(difference[i : i + step])) <= RENDER_AGREEMENT_DB for i in range(0, len(a), step))


# ---- scores ---------------------------------------------------------------------------------------------


def _stated_key(score) -> str | None:
    """The score's key where it states key and mode and the final bass note is the tonic."""
    from music21 import key

    keys = list(score.recurse().getElementsByClass(key.KeySignature))
    if not keys or not isinstance(keys[0], key.Key) or keys[0].mode not in ("major", "minor"):
        return None
    if len({(k.sharps, getattr(k, "mode", None)) for k in keys}) > 1:
        return None  # the key changes: no single truth
    lowest = None
    for part in score.parts:
        notes = list(part.flatten().notes)
        if notes:
            end = max(n.offset + n.duration.quarterLength for n in notes)
            for n in notes:
                if n.offset + n.duration.quarterLength >= end - 1e-6:
                    p = min(n.pitches, key=lambda x: x.ps)
                    lowest = p if lowest is None or p.ps < lowest.ps else lowest
    if lowest is None or lowest.pitchClass != keys[0].tonic.pitchClass:
        return None
    return f"{keys[0].tonic.name.replace('-', 'b')} {keys[0].mode}"


def composition_midi(path: str, beat_bpm: float, programs: tuple[int, ...]) -> tuple[bytes, dict]:
    """MIDI of the score's opening (about EXCERPT_SECONDS, whole bars, repeats played) and its truth."""
    import mido
    from music21 import corpus, instrument, meter, stream, tempo

    score = corpus.parse(path)
    if isinstance(score, stream.Opus):
        score = score.scores[0]
    stated = _stated_key(score)
    try:
        score = score.expandRepeats()
    except Exception:  # noqa: BLE001 - repeats music21 cannot expand are played once, as written
        _drop_repeats(score)
    sigs = list(score.recurse().getElementsByClass(meter.TimeSignature))
    sig = sigs[0] if sigs else meter.TimeSignature("4/4")
    compound = sig.denominator == 8 and sig.numerator % 3 == 0 and sig.numerator > 3
    per_bar = sig.numerator // 3 if compound else sig.numerator
    beat_quarters = 4 / sig.denominator * (3 if compound else 1)
    marks = [m for m in score.recurse().getElementsByClass(tempo.MetronomeMark) if m.number and not m.numberImplicit]
    if marks:
        beat_bpm = marks[0].getQuarterBPM() / beat_quarters
    for mark in list(score.recurse().getElementsByClass(tempo.TempoIndication)):
        mark.activeSite.remove(mark)
    quarter_bpm = beat_bpm * beat_quarters
    seconds_per_quarter = 60.0 / quarter_bpm
    measures = list(score.parts[0].getElementsByClass("Measure"))
    bar_q = sig.barDuration.quarterLength
    pickup = len(measures) > 1 and measures[0].duration.quarterLength < bar_q - 1e-6
    bars = _bar_lines(measures, bar_q)
    stop_q = next((b for b in bars if b * seconds_per_quarter >= EXCERPT_SECONDS), None)
    if stop_q is None:
        stop_q = float(score.parts[0].highestTime)
    bars = [b for b in bars if b < stop_q - 1e-6]
    if len({s.ratioString for s in sigs if s.getOffsetInHierarchy(score) < stop_q - 1e-6}) > 1:
        raise ValueError("the metre changes within the excerpt")
    if pickup:
        bars = bars[1:]
    first = score.parts[0].getElementsByClass("Measure")
    (first[0] if len(first) else score.parts[0]).insert(0, tempo.MetronomeMark(number=quarter_bpm, referent=1.0))
    for i, part in enumerate(score.parts):
        for old in list(part.recurse().getElementsByClass(instrument.Instrument)):
            old.activeSite.remove(old)
        inst = instrument.Instrument()
        inst.midiProgram = programs[min(i, len(programs) - 1)]
        part.insert(0, inst)
    with tempfile.NamedTemporaryFile(suffix=".mid") as f:
        score.write("midi", fp=f.name)
        full = mido.MidiFile(f.name)
    midi = _cut_midi(full, int(stop_q * full.ticks_per_beat))
    downbeats = [b * seconds_per_quarter for b in bars]
    step = bar_q / per_bar * seconds_per_quarter
    beats = [b for b in _beats_between(downbeats, per_bar, []) if b < stop_q * seconds_per_quarter - 1e-6] or [
        k * step for k in range(int(stop_q * seconds_per_quarter / step))
    ]
    if pickup and downbeats:
        lead = downbeats[0] - step
        while lead > -1e-6 and (not beats or lead < beats[0] - 1e-6):
            beats.insert(0, lead)
            lead -= step
    truth = {
        "bpm": round(beat_bpm, 3),
        "beats_per_bar": per_bar,
        "key": stated,
        "beats": beats,
        "downbeats": downbeats,
        "end": stop_q * seconds_per_quarter,
    }
    return midi, truth


def _bar_lines(measures: list, bar_q: float) -> list[float]:
    """Offsets of the bar lines. A bar written as two measures, a section's last bar short by the pickup that
    opens the next section (as tunes in ABC are written, played through once), has one bar line: the pickup's
    measure starts no bar."""
    lines, short = [], 0.0
    for m in measures:
        length = float(m.duration.quarterLength)
        if not length:
            continue
        if short and abs(short + length - bar_q) < 1e-6:
            short = 0.0
            continue
        lines.append(float(m.offset))
        short = length if length < bar_q - 1e-6 else 0.0
    return lines


def _drop_repeats(score) -> None:
    from music21 import bar, repeat, spanner

    for m in score.recurse().getElementsByClass("Measure"):
        for side in ("leftBarline", "rightBarline"):
            if isinstance(getattr(m, side), bar.Repeat):
                setattr(m, side, bar.Barline("regular"))
    for mark in list(score.recurse().getElementsByClass(repeat.RepeatExpression)):
        mark.activeSite.remove(mark)
    for bracket in list(score.recurse().getElementsByClass(spanner.RepeatBracket)):
        bracket.activeSite.remove(bracket)


def _cut_midi(mid, stop_tick: int) -> bytes:
    """The MIDI up to a tick: later notes dropped, notes sounding there released at it."""
    import mido

    out = mido.MidiFile(ticks_per_beat=mid.ticks_per_beat)
    for track in mid.tracks:
        events, tick = [], 0
        sounding: Counter[tuple[int, int]] = Counter()  # a pitch can sound twice at once (two voices)
        for msg in track:
            tick += msg.time
            if msg.type == "end_of_track":
                continue
            if tick >= stop_tick and (msg.type == "note_on" and msg.velocity > 0):
                continue
            if msg.type == "note_on" and msg.velocity > 0:
                sounding[(msg.channel, msg.note)] += 1
            elif msg.type in ("note_off", "note_on"):
                if not sounding[(msg.channel, msg.note)]:
                    continue
                sounding[(msg.channel, msg.note)] -= 1
            events.append((min(tick, stop_tick), msg))
        for (c, n), count in sorted(sounding.items()):
            events.extend((stop_tick, mido.Message("note_off", channel=c, note=n)) for _ in range(count))
        new = mido.MidiTrack()
        now = 0
        for t, msg in events:
            new.append(msg.copy(time=t - now))
            now = t
        out.tracks.append(new)
    buf = io.BytesIO()
    out.save(file=buf)
    return buf.getvalue()


def musescore_midi(score: Path, out: Path) -> None:
    subprocess.run(["mscore3", "-o", str(out), str(score)], check=True, capture_output=True, timeout=600, env=_qt_env())


def musescore_key(score: Path, midi: bytes) -> str | None:
    """The demo's key where one key signature holds throughout and the final bass note is its major or
    relative-minor tonic (MuseScore 3 writes the signature, not the mode)."""
    import mido

    text = zipfile.ZipFile(score).read(_mscz_member(score)).decode() if score.suffix == ".mscz" else score.read_text()
    signatures = {int(a) for a in re.findall(r"<KeySig>\s*<accidental>(-?\d+)</accidental>", text)}
    if len(signatures) != 1:
        return None
    major = MAJOR_BY_FIFTHS[signatures.pop()]
    mid = mido.MidiFile(file=io.BytesIO(midi))
    last: dict[int, list[int]] = {}
    for track in mid.tracks:
        tick = 0
        for msg in track:
            tick += msg.time
            if msg.type == "note_on" and msg.velocity > 0 and msg.channel != 9:
                last.setdefault(tick, []).append(msg.note)
    if not last:
        return None
    bass = min(last[max(last)]) % 12
    if bass == major:
        return f"{NOTE_NAMES[major]} major"
    if bass == (major + 9) % 12:
        return f"{NOTE_NAMES[bass]} minor"
    return None


def _mscz_member(score: Path) -> str:
    return next(n for n in zipfile.ZipFile(score).namelist() if n.endswith(".mscx"))


# ---- the sets -------------------------------------------------------------------------------------------


def _piece(ident, kind, style, split, instruments, truth, audio: Path) -> Piece:
    import soundfile

    duration = soundfile.info(audio).duration
    keep = min(duration, truth["end"] + 1e-6)
    return Piece(
        id=ident,
        kind=kind,
        style=style,
        split=split,
        soundfont=instruments,
        bpm=round(truth["bpm"], 3),
        beats_per_bar=truth["beats_per_bar"],
        key=truth.get("key"),
        beats=[b for b in truth["beats"] if b < keep],
        downbeats=[b for b in truth["downbeats"] if b < keep],
        sections=[],
        duration=duration,
        audio=str(audio),
    )


def build(log=print, only: set[str] | None = None) -> list[Piece]:
    """Render (cached) and describe the real material; `only` limits it to "projects" or "compositions"."""
    ensure_tools()
    REAL.mkdir(parents=True, exist_ok=True)
    pieces: list[Piece] = []
    want = only or {"projects", "compositions"}
    if "projects" in want:
        pieces += _hydrogen(log) + _lmms(log)
    if "compositions" in want:
        pieces += _compositions(log) + _musescore(log)
    (REAL / "truth.json").write_text(json.dumps([asdict(p) for p in pieces]))
    return pieces


def _hydrogen(log) -> list[Piece]:
    pieces = []
    for i, (name, style) in enumerate(HYDROGEN.items()):
        song = HYDROGEN_SONGS / f"{name}.h2song"
        truth = hydrogen_truth(song)
        ident = f"h2-{name}"
        out = REAL / f"{ident}.flac"
        if not out.exists():
            log(f"  rendering {out.name}")
            render_hydrogen(song, out)
        pieces.append(_piece(ident, "project", style, _split(i), "own kit", truth, out))
    return pieces


def _lmms(log) -> list[Piece]:
    pieces = []
    for i, (rel, style) in enumerate(LMMS.items()):
        project = LMMS_PROJECTS / rel
        truth = lmms_truth(project)
        ident = "lmms-" + re.sub(r"[^A-Za-z0-9-]+", "", Path(rel).name.split(".")[0])
        out = REAL / f"{ident}.flac"
        if not out.exists():
            log(f"  rendering {out.name} (LMMS renders in about real time)")
            try:
                render_lmms(project, out)
            except (subprocess.SubprocessError, OSError, RuntimeError) as exc:
                log(f"  {rel}: {exc}, skipped")
                continue
        pieces.append(_piece(ident, "project", style, _split(i), "lmms", truth, out))
    return pieces


def _compositions(log) -> list[Piece]:
    pieces = []
    for i, (path, (style, bpm, programs)) in enumerate(COMPOSITIONS.items()):
        name = "m21-" + re.sub(r"[^A-Za-z0-9]+", "_", path.rsplit(".", 1)[0])
        info_path, mid_path = REAL / f"{name}.truth.json", REAL / f"{name}.mid"
        cached = json.loads(info_path.read_text()) if info_path.exists() and mid_path.exists() else {}
        if cached.get("rules") == TRUTH_RULES:
            truth = cached
        else:
            try:
                midi, truth = composition_midi(path, bpm, programs)
            except Exception as exc:  # noqa: BLE001 - a work this music21 cannot read or cut is dropped
                log(f"  {path}: {exc}, skipped")
                continue
            if not mid_path.exists() or mid_path.read_bytes() != midi:
                for sf in SOUNDFONTS:  # renders of other MIDI are stale
                    (REAL / f"{name}.{sf}.flac").unlink(missing_ok=True)
                mid_path.write_bytes(midi)
            truth["rules"] = TRUTH_RULES
            info_path.write_text(json.dumps(truth))
        for sf in SOUNDFONTS:
            out = REAL / f"{name}.{sf}.flac"
            if not out.exists():
                log(f"  rendering {out.name}")
                render_midi(mid_path, sf, out)
            pieces.append(_piece(f"{name}.{sf}", "composition", style, _split(i), sf, truth, out))
    return pieces


def _musescore(log) -> list[Piece]:
    pieces = []
    for i, (file, style) in enumerate(MUSESCORE.items()):
        score = MUSESCORE_DEMOS / file
        name = "mscore-" + file.split(".")[0]
        mid_path = REAL / f"{name}.mid"
        if not mid_path.exists():
            musescore_midi(score, mid_path)
        midi = mid_path.read_bytes()
        truth = midi_truth(midi)
        truth["key"] = musescore_key(score, midi)
        truth["end"] = float("inf")
        for sf in SOUNDFONTS:
            out = REAL / f"{name}.{sf}.flac"
            if not out.exists():
                log(f"  rendering {out.name}")
                render_midi(mid_path, sf, out)
            pieces.append(_piece(f"{name}.{sf}", "composition", style, _split(i + 1), sf, truth, out))
    return pieces


if __name__ == "__main__":
    import sys

    sets = set(sys.argv[1:]) or None
    for p in build(only=sets):
        print(
            f"{p.id:58s} {p.split:8s} {p.style:24s} {p.bpm:7.2f} {p.beats_per_bar} {p.key or '-':10s} "
            f"{len(p.beats):4d} {len(p.downbeats):4d} {p.duration:6.1f}"
        )
