"""The learn domain's pure rules: quiz grading, drill items (deterministic, musically right, scored by the server),
tap tempo, XP by score and correct-answer runs."""

from __future__ import annotations

import pytest
from momentum.learn import drills, quiz, rules
from momentum.learn.models import MultipleChoice, Numeric, SingleChoice, TrueFalse


def test_quiz_grading_by_question_type():
    single = SingleChoice(id="a", type="single", prompt="p", options=["x", "y"], answer="y")
    multiple = MultipleChoice(id="b", type="multiple", prompt="p", options=["x", "y", "z"], answer=["x", "z"])
    truth = TrueFalse(id="c", type="true_false", prompt="p", answer=False)
    number = Numeric(id="d", type="numeric", prompt="p", answer=880, tolerance=0.5)

    assert quiz.is_correct(single, "y") and not quiz.is_correct(single, "x") and not quiz.is_correct(single, ["y"])
    assert quiz.is_correct(multiple, ["z", "x"]) and not quiz.is_correct(multiple, ["x"])
    assert not quiz.is_correct(multiple, ["x", "z", "y"]) and not quiz.is_correct(multiple, ["x", "x", "z"])
    assert quiz.is_correct(truth, False) and quiz.is_correct(truth, "false") and not quiz.is_correct(truth, 0)
    assert quiz.is_correct(number, 880.5) and quiz.is_correct(number, 879.5) and not quiz.is_correct(number, 881)
    assert not quiz.is_correct(number, True) and not quiz.is_correct(number, float("nan"))
    assert not quiz.is_correct(single, None)


def test_public_question_has_no_answer():
    number = Numeric(id="d", type="numeric", prompt="p", answer=880, tolerance=0.5, unit="Hz", explanation="x2")
    shown = quiz.public(number).model_dump()
    assert shown == {"id": "d", "type": "numeric", "prompt": "p", "options": None, "unit": "Hz"}


@pytest.mark.parametrize(("correct", "total", "score"), [(0, 5, 0), (5, 5, 100), (7, 10, 70), (2, 3, 67)])
def test_quiz_score(correct, total, score):
    assert quiz.score(correct, total) == score


def test_frequencies_are_equal_tempered_from_a440():
    assert drills.frequency(69) == 440.0
    assert drills.frequency(81) == 880.0
    assert drills.frequency(60) == 261.63  # middle C


def config(**fields):
    return drills.parse_config(fields)


def test_items_are_deterministic_from_the_seed():
    cfg = config(generator="interval", intervals=[3, 4, 7, 12])
    assert drills.generate(cfg, 7) == drills.generate(cfg, 7)
    assert drills.generate(cfg, 7) != drills.generate(cfg, 8)


@pytest.mark.parametrize("direction", ["ascending", "descending", "harmonic"])
def test_interval_items_name_the_distance_between_their_notes(direction):
    cfg = config(generator="interval", intervals=list(range(1, 13)), direction=direction, items=20)
    for seed in range(20):
        for item in drills.generate(cfg, seed):
            low, high = sorted(item["show"]["notes_midi"])
            assert drills.INTERVAL_NAMES[high - low] == item["answer"] and item["answer"] in item["options"]
            if direction == "descending":
                assert item["show"]["notes_midi"][0] > item["show"]["notes_midi"][1]


def test_chord_items_have_their_quality_intervals():
    cfg = config(generator="chord_quality", qualities=["major", "minor", "diminished", "augmented", "major7"])
    for item in drills.generate(cfg, 3, 20):
        notes = item["show"]["notes_midi"]
        assert tuple(n - notes[0] for n in notes) == drills.CHORD_INTERVALS[item["answer"]]


def test_note_names_on_the_staff():
    cfg = config(generator="note_name", clef="treble")
    # The bottom line of the treble staff is E, the top line F; bass clef lines are G B D F A.
    for item in drills.generate(cfg, 1, 20):
        step = item["show"]["staff_step"]
        assert item["answer"] == "EFGABCD"[step % 7]
    bass = config(generator="note_name", clef="bass")
    for item in drills.generate(bass, 2, 20):
        assert item["answer"] == "GABCDEF"[item["show"]["staff_step"] % 7]


def test_key_signature_items():
    cfg = config(generator="key_signature", modes=["major", "minor"], ask="count_accidentals")
    signatures = {("major", "E"): "4#", ("major", "Bb"): "2b", ("minor", "F#"): "3#", ("minor", "C"): "3b"}
    for item in drills.generate(cfg, 5, 20):
        key = (item["show"]["mode"], item["show"]["key"])
        if key in signatures:
            assert item["answer"] == signatures[key]
        assert item["answer"] in item["options"]


def test_eq_items_boost_inside_their_band_and_score_an_octave_off_as_half():
    cfg = config(generator="eq_band", bands=[125, 250, 500, 1000])
    for item in drills.generate(cfg, 9, 20):
        hz = item["show"]["filter"]["frequency_hz"]
        band = min([125, 250, 500, 1000], key=lambda b: abs(b / hz - 1) if b > hz else abs(hz / b - 1))
        assert drills.band_label(band) == item["answer"]
    item = {"kind": "eq_band", "options": ["125 Hz", "250 Hz", "500 Hz"], "answer": "250 Hz"}
    assert drills.score_item(item, choice="250 Hz") == (True, 100)
    assert drills.score_item(item, choice="500 Hz") == (False, 50)
    assert drills.score_item(item, choice="1 kHz") == (False, 0)


def test_tapped_tempo_is_the_median_interval():
    taps = [0, 500, 1000, 1500, 2100, 2500, 3000]  # one late tap
    assert drills.tapped_bpm(taps) == 120
    assert drills.tapped_bpm([0]) is None and drills.tapped_bpm([0, 500, 400]) is None


@pytest.mark.parametrize(
    ("tapped", "correct", "score"),
    [(120, True, 100), (122.4, True, 100), (124.8, True, 80), (127.2, False, 60), (134.4, False, 0)],
)
def test_tap_scores_against_the_tolerance(tapped, correct, score):
    item = {"kind": "bpm_tap", "show": {"min_taps": 4}, "answer": 120, "tolerance_pct": 4.0}
    interval = 60_000 / tapped
    assert drills.score_item(item, taps_ms=[k * interval for k in range(6)]) == (correct, score)
    assert drills.score_item(item, taps_ms=[0, interval, 2 * interval]) == (False, 0)  # too few taps


@pytest.mark.parametrize(("score", "xp"), [(100, 10), (80, 10), (79, 5), (60, 5), (59, 1), (0, 1)])
def test_drill_xp_scales_with_the_score(score, xp):
    assert rules.drill_xp(score, 10) == xp
    assert rules.drill_xp(score, 0) == 0


def test_runs_of_correct_answers():
    assert rules.runs([True, True, False, True, True, True, False, True]) == (2, 1, 3)
    assert rules.runs([True] * 4) == (4, 4, 4)
    assert rules.runs([False, False]) == (0, 0, 0)
