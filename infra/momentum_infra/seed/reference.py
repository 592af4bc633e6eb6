"""Listening prompts: guided exercises a producer runs on a reference track, from counting bars to hearing the
mix bus, each with presets that set up the player (a loop over a section, a band to solo, a playback speed)."""

from typing import Any

from momentum import db
from psycopg import Connection
from psycopg.types.json import Jsonb

# name, category, difficulty, tags, prompt_text, hints, expected_observations, presets
# A preset: (name, preset_type, config, description)
Preset = tuple[str, str, dict[str, Any], str | None]
PROMPTS: list[tuple[str, str, str, list[str], str, list[str], list[str], list[Preset]]] = [
    (
        "Count the bars",
        "arrangement",
        "beginner",
        ["structure", "counting"],
        "Play the track from the top and count bars until the first big change. How many bars is the intro?",
        ["Count 1-2-3-4 on the beats; each downbeat starts a bar", "Changes usually land after 4, 8 or 16 bars"],
        ["The intro length in bars", "What enters or leaves at the first change"],
        [
            (
                "Intro loop",
                "loop_region",
                {"from": "section", "section_index": 0, "repeat": True},
                "Loops the first detected section",
            )
        ],
    ),
    (
        "Find the downbeat",
        "rhythm",
        "beginner",
        ["timing", "groove"],
        "Tap along and find beat one of each bar. Which sound tells you where the bar starts?",
        ["Kicks and crashes often mark beat one", "Chord changes usually fall on the downbeat"],
        ["The instrument that marks the downbeat", "Whether the bar is felt in 4 or in 3"],
        [
            (
                "Click on downbeats",
                "metronome",
                {"events": "downbeat", "volume": 0.6},
                "Plays a click on each downbeat",
            ),
            ("Half speed", "playback", {"rate": 0.5, "preserve_pitch": True}, None),
        ],
    ),
    (
        "Map the sections",
        "arrangement",
        "intermediate",
        ["structure", "form"],
        "Listen through once and name every section: intro, verse, chorus, bridge, breakdown, drop, outro.",
        ["A section that returns with the same chords and melody is a repeat", "Energy changes mark boundaries"],
        ["A section map with start times", "Which sections repeat, and what changes when they do"],
        [("Section markers", "overlay", {"events": "section", "labels": True}, "Shows the detected sections")],
    ),
    (
        "Energy curve",
        "arrangement",
        "intermediate",
        ["energy", "dynamics"],
        "Sketch the track's energy from start to end. Where is the peak, and how does the track get there?",
        ["Watch the loudness lane as you listen", "Energy comes from density and brightness as much as level"],
        ["Where the energy peaks", "The tools used to build up and release (filters, risers, drops)"],
        [("Loudness lane", "overlay", {"lane": "rms", "smoothing_ms": 400}, None)],
    ),
    (
        "Hear the key centre",
        "harmony",
        "beginner",
        ["key", "tonal centre"],
        "Hum the note that feels like home. Does the track feel major (bright) or minor (dark)?",
        ["The home note is where phrases come to rest", "Check against the detected key after you decide"],
        ["The tonic note", "Major or minor"],
        [
            (
                "Drone on the tonic",
                "drone",
                {"note": "tonic", "level_db": -18},
                "Plays the detected tonic under the track",
            )
        ],
    ),
    (
        "Chord changes",
        "harmony",
        "intermediate",
        ["chords", "progression"],
        "Follow the bass and mark every chord change in the first chorus. How many chords, and how long each?",
        ["The bass usually plays the root", "Changes tend to fall on downbeats"],
        ["The number of chords in the loop", "The harmonic rhythm (one chord per bar, two per bar …)"],
        [("Bass band solo", "band_solo", {"low_hz": 40, "high_hz": 250}, "Hear only the bass range")],
    ),
    (
        "Low-end balance",
        "mix",
        "intermediate",
        ["low end", "kick", "bass"],
        "Listen to the kick and the bass together. Which one owns the sub, and how do they stay out of each other's "
        "way?",
        ["Solo 30-120 Hz and listen for which part sustains", "Sidechain ducking pumps the bass on each kick"],
        ["Which element carries the sub frequencies", "Ducking, EQ splits or arrangement that separate them"],
        [
            ("Sub only", "band_solo", {"low_hz": 20, "high_hz": 120}, None),
            ("Low mids", "band_solo", {"low_hz": 120, "high_hz": 500}, None),
        ],
    ),
    (
        "Stereo picture",
        "mix",
        "beginner",
        ["stereo", "panning", "width"],
        "Close your eyes and place every instrument left, centre or right. What is wide, what is narrow?",
        ["Kick, bass and lead vocal are usually centred", "Switch to mono and listen for what disappears"],
        ["A map of instrument positions", "What widens in the chorus"],
        [("Mono check", "playback", {"mono": True}, "Sums the track to mono")],
    ),
    (
        "Loudness and dynamics",
        "mastering",
        "advanced",
        ["loudness", "lufs", "dynamics"],
        "Compare the quietest and loudest sections. How much louder is the loudest part, and how is that achieved?",
        ["Read the integrated LUFS and loudness range from the analysis", "Listen for limiting on transients"],
        ["The loudness range in LU", "Whether transients are preserved or flattened"],
        [("Loudest section loop", "loop_region", {"from": "loudest_section", "repeat": True}, None)],
    ),
    (
        "Transients and punch",
        "mix",
        "advanced",
        ["transients", "compression", "drums"],
        "Focus on the snare. Is it sharp or rounded? Does it have a long tail? What shapes its attack?",
        ["Onset strength peaks show the sharpest hits", "Slow the track down to hear the attack"],
        ["How sharp the attack is", "Room, reverb or sample tail on the snare"],
        [("Quarter speed", "playback", {"rate": 0.25, "preserve_pitch": True}, None)],
    ),
    (
        "Sound design: the lead",
        "sound_design",
        "intermediate",
        ["synthesis", "timbre"],
        "Describe the main lead sound: its waveform, filter movement, envelope and effects.",
        ["Bright and buzzy suggests saw waves; hollow suggests square", "Listen for the filter opening over notes"],
        ["The likely oscillator shape", "Envelope (pluck or pad) and effects (delay, reverb, chorus)"],
        [("Upper mids", "band_solo", {"low_hz": 1000, "high_hz": 5000}, None)],
    ),
    (
        "Spot the automation",
        "sound_design",
        "advanced",
        ["automation", "movement", "fx"],
        "Find three things that change over time without new notes: filter sweeps, reverb throws, volume rides.",
        ["Watch the spectral centroid rise during sweeps", "Automation often marks the last bars before a change"],
        ["Three automated parameters with their times", "What each change does to the energy"],
        [("Brightness lane", "overlay", {"lane": "centroid"}, "Shows the spectral centroid over time")],
    ),
    (
        "Groove and swing",
        "rhythm",
        "intermediate",
        ["swing", "groove", "hi-hats"],
        "Listen to the hi-hats. Are they straight or swung? Which notes are accented?",
        ["Swing delays every second sixteenth note", "Accents are often velocity, not extra sounds"],
        ["Straight or swung, and roughly how much", "The accent pattern across one bar"],
        [
            ("Hats band", "band_solo", {"low_hz": 6000, "high_hz": 16000}, None),
            ("Beat grid", "overlay", {"events": "beat"}, "Shows the detected beats"),
        ],
    ),
    (
        "Tempo by ear",
        "rhythm",
        "beginner",
        ["tempo", "bpm"],
        "Guess the tempo in BPM before looking it up. Is it half-time, double-time, or straight?",
        ["Tap for 15 seconds and multiply the count by four", "Fast genres feel at half the tempo they run at"],
        ["Your BPM estimate and the analysed one", "Whether the feel is half-time"],
        [("Click on beats", "metronome", {"events": "beat", "volume": 0.5}, None)],
    ),
]


def seed(conn: Connection) -> None:
    for order, (name, category, difficulty, tags, text, hints, observations, presets) in enumerate(PROMPTS):
        values = (category, difficulty, text, Jsonb(hints), Jsonb(observations), tags, order * 10)
        row = conn.execute(
            "UPDATE listening_prompt_templates SET category = %s, difficulty = %s, prompt_text = %s, hints = %s, "
            "expected_observations = %s, tags = %s, display_order = %s WHERE lower(name) = lower(%s) RETURNING id",
            (*values, name),
        ).fetchone()
        if row is None:
            row = db.fetch_row(
                conn,
                "INSERT INTO listening_prompt_templates (category, difficulty, prompt_text, hints, "
                "expected_observations, tags, display_order, name) VALUES (%s, %s, %s, %s, %s, %s, %s, %s) "
                "RETURNING id",
                (*values, name),
            )
        for preset_name, preset_type, config, description in presets:
            preset = (preset_type, Jsonb(config), description)
            updated = conn.execute(
                "UPDATE listening_prompt_presets SET preset_type = %s, config = %s, description = %s "
                "WHERE template_id = %s AND name = %s RETURNING id",
                (*preset, row[0], preset_name),
            ).fetchone()
            if updated is None:
                conn.execute(
                    "INSERT INTO listening_prompt_presets (preset_type, config, description, template_id, name) "
                    "VALUES (%s, %s, %s, %s, %s)",
                    (*preset, row[0], preset_name),
                )
