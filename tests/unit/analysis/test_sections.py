from itertools import pairwise

import numpy as np
import pytest
from momentum.analysis import analyze, sections
from momentum_infra import synth

from .conftest import aba, clip


def test_aba_boundaries_and_labels():
    truth, result = aba()
    starts = [s["start_s"] for s in result.sections]
    true_starts = [0.0] + [start for start, _, _ in truth.sections[1:]]

    assert [s["label"] for s in result.sections] == ["A", "B", "A"]
    assert np.allclose(starts, true_starts, atol=0.25)  # within half a beat
    assert result.sections[-1]["end_s"] == pytest.approx(result.duration_seconds, abs=1e-3)
    assert all(a["end_s"] == b["start_s"] for a, b in pairwise(result.sections))


def test_sections_have_level_tempo_key_and_names():
    _, result = aba()
    a1, b, a2 = result.sections

    assert b["loudness_lufs"] < a1["loudness_lufs"] - 3  # B is rendered 6 dB down
    assert all(s["tempo_bpm"] == pytest.approx(120, rel=0.02) for s in result.sections)
    assert (a1["section_type"], b["section_type"], a2["section_type"]) == ("chorus", "bridge", "chorus")
    section_events = [e for e in result.events if e["event_type"] == "section"]
    assert [e["event_data"]["label"] for e in section_events] == ["A", "B", "A"]


@pytest.mark.slow
def test_a_steady_loop_is_one_section():
    loop = clip(128, "A minor", 4, "house", seconds=60)
    result = analyze(loop.samples, loop.sample_rate)

    assert len(result.sections) == 1
    assert result.sections[0]["start_s"] == 0.0


def test_a_short_intro_in_fast_triple_time_is_a_section():
    # Four bars of 3/4 at 170 BPM last 4.2 s: sections are counted in bars of the track's metre, and a
    # 4-bar intro is one even when it is that short.
    parts = [
        synth.Part("intro", 4, "D minor", "waltz", progression=1, bright=False, level_db=-6.0),
        synth.Part("verse", 12, "F major", "rock", progression=0, bright=True),
    ]
    clip = synth.render(parts, 170, 3, 22050)
    result = analyze(clip.samples, clip.sample_rate)

    assert result.time_signature == "3/4"
    assert [s["start_s"] for s in result.sections] == pytest.approx([0.0, clip.sections[1][0]], abs=0.2)


def test_one_big_change_does_not_hide_a_smaller_one_far_away():
    # Novelty along a long track: a drop (a peak ten times the rest) early on, and a modest change late. The
    # peak threshold is the local level, so the late change counts; a global mean + spread would lose it.
    units = np.arange(400)
    nov = 0.12 + 0.01 * np.cos(units) + 3.0 * np.exp(-0.5 * ((units - 40) / 6) ** 2)
    nov += 0.25 * np.exp(-0.5 * ((units - 300) / 6) ** 2)

    starts = sections.find_boundaries(nov, np.arange(0, 400, 4), min_units=12, window=64)

    assert starts.tolist() == [0, 40, 300]
