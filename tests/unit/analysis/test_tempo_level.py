"""Which metrical level is the beat, on onset envelopes (50 frames/s): synthetic, and one from a render."""

from pathlib import Path

import numpy as np
import pytest
from momentum.analysis import tempo

FPS = 1000 / tempo.HOP_MS


def _bpm(env: np.ndarray, drumless: bool) -> float:
    acf = tempo._autocorrelation(env, len(env) - 1)
    return 60 * FPS / tempo.choose_period(env, acf, drumless=drumless).period


def _jig(beat_bpm: float, seed: int, seconds: float = 40.0) -> np.ndarray:
    """Eighths three to the beat, the first of each three accented, the middle one tied over half the time
    (the quarter-eighth figure of a jig)."""
    rng = np.random.default_rng(seed)
    env = rng.uniform(0, 0.02, int(seconds * FPS))
    eighth = 60 * FPS / beat_bpm / 3
    for k in range(int(len(env) / eighth) - 1):
        if k % 3 == 1 and rng.random() < 0.5:
            continue
        env[int(round(k * eighth))] += (1.0 if k % 3 == 0 else 0.6) * rng.uniform(0.7, 1.0)
    return env.astype(np.float32)


def _sixteenths_over_half_notes(bpm: float, seed: int, seconds: float = 40.0) -> np.ndarray:
    """Even sixteenths (a running accompaniment) and a bass note on every other beat."""
    rng = np.random.default_rng(seed)
    env = rng.uniform(0, 0.02, int(seconds * FPS))
    sixteenth = 60 * FPS / bpm / 4
    for k in range(int(len(env) / sixteenth) - 1):
        env[int(round(k * sixteenth))] += 0.5 * rng.uniform(0.8, 1.0) + (0.4 if k % 8 == 0 else 0.0)
    return env.astype(np.float32)


@pytest.mark.parametrize("drumless", [False, True])
@pytest.mark.parametrize("seed", [1, 2])
def test_eighths_accented_in_threes_are_read_at_the_dotted_quarter(seed, drumless):
    # 6/8 at 80 dotted quarters: every level built on the eighths carries onsets, and the quarter (two
    # eighths, 120 BPM) used to pass for the beat.
    assert _bpm(_jig(80, seed), drumless) == pytest.approx(80, rel=0.02)


@pytest.mark.parametrize("beat_bpm", [100, 120])
def test_faster_jigs_stay_at_the_dotted_quarter(beat_bpm):
    assert _bpm(_jig(beat_bpm, 0), True) == pytest.approx(beat_bpm, rel=0.02)


@pytest.mark.parametrize("seed", [0, 1])
def test_sixteenths_over_a_half_note_bass_are_not_read_at_the_eighth(seed):
    # At 100 BPM the eighths (200) are as full as the beat; without an accent between them the onsets cannot
    # tell the two apart, and the beat-rate prior settles it.
    assert _bpm(_sixteenths_over_half_notes(100, seed), True) == pytest.approx(100, rel=0.02)


@pytest.mark.parametrize("seed", [0, 1])
def test_a_dotted_level_never_wins_over_the_beat(seed):
    # At 90 BPM the same texture used to come out at 120: three sixteenths (a dotted eighth) times four.
    assert _bpm(_sixteenths_over_half_notes(90, seed), True) == pytest.approx(90, rel=0.02)


def test_a_bare_fast_pulse_keeps_its_level():
    # No notes between the pulses: nothing for the prior to decide, 180 stays 180 although 90 is nearer the
    # preferred rate.
    rng = np.random.default_rng(0)
    env = rng.uniform(0, 0.02, int(40 * FPS))
    period = 60 * FPS / 180
    for k in range(int(len(env) / period) - 1):
        env[int(round(k * period))] += (1.0 if k % 2 == 0 else 0.8) * rng.uniform(0.9, 1.0)

    assert _bpm(env.astype(np.float32), True) == pytest.approx(180, rel=0.02)


def test_the_prior_is_symmetric_in_octaves_around_the_preferred_rate():
    centre = tempo.BEAT_PRIOR_BPM

    assert tempo._log_prior(centre) == 0.0
    assert tempo._log_prior(centre / 2) == pytest.approx(tempo._log_prior(2 * centre))
    assert tempo._log_prior(2 * centre) < tempo._log_prior(1.5 * centre) < 0.0


def _even_eighths_in_a_cycle_of_12(eighth_bpm: float, seed: int, seconds: float = 40.0) -> np.ndarray:
    """Running eighths with no accent in twos or threes, swelling and fading over a 12-eighth cycle (a melody
    that repeats every two bars of 6/8 or 3/4)."""
    rng = np.random.default_rng(seed)
    env = rng.uniform(0, 0.02, int(seconds * FPS))
    eighth = 60 * FPS / eighth_bpm
    for k in range(int(len(env) / eighth) - 1):
        env[int(round(k * eighth))] += (0.7 + 0.3 * np.cos(2 * np.pi * k / 12)) * rng.uniform(0.9, 1.0)
    return env.astype(np.float32)


@pytest.mark.parametrize("drumless", [False, True])
@pytest.mark.parametrize("seed", [0, 1])
def test_even_eighths_in_a_ternary_cycle_are_read_at_the_preferred_of_two_and_three(seed, drumless):
    # Eighths at 330: the dotted quarter (110) rather than the quarter (165); eighths at 240: the quarter (120,
    # 3/4) rather than the dotted quarter (80).
    assert _bpm(_even_eighths_in_a_cycle_of_12(330, seed), drumless) == pytest.approx(110, rel=0.02)
    assert _bpm(_even_eighths_in_a_cycle_of_12(240, seed), drumless) == pytest.approx(120, rel=0.02)


def _fast_waltz(beat_bpm: float, seed: int, seconds: float = 40.0) -> np.ndarray:
    """3/4: the bass on the first beat, chords on the other two, eighths between the beats."""
    rng = np.random.default_rng(seed)
    env = rng.uniform(0, 0.02, int(seconds * FPS))
    eighth = 60 * FPS / beat_bpm / 2
    for k in range(int(len(env) / eighth) - 1):
        value = 1.0 if k % 6 == 0 else 0.7 if k % 2 == 0 else 0.5
        env[int(round(k * eighth))] += value * rng.uniform(0.8, 1.0)
    return env.astype(np.float32)


@pytest.mark.parametrize("seed", [0, 1])
def test_a_fast_three_four_is_not_halved(seed):
    # Two beats of a 3/4 at 190 are no metrical level: the bar groups the beats in threes. The chords are
    # weaker than the bass and the eighths fill the level's half, so the beat-rate prior alone would halve
    # it (to 95).
    assert _bpm(_fast_waltz(190, seed), True) == pytest.approx(190, rel=0.02)


@pytest.mark.parametrize("seed", [0, 1])
def test_a_metre_chosen_by_the_prior_alone_is_unsure(seed):
    # Even eighths at 330 in a cycle of 12: 6/8 at 110 or 3/4 at 165, which the onsets cannot tell apart. The
    # preferred rate picks 110 and the other grouping is named as the rival.
    env = _even_eighths_in_a_cycle_of_12(330, seed)
    level = tempo.choose_period(env, tempo._autocorrelation(env, len(env) - 1), drumless=True)

    assert level.unsure
    assert level.alternative is not None
    assert 60 * FPS / level.alternative == pytest.approx(165, rel=0.02)


def _pattern(pattern: tuple[float, ...], step: float, seed: int, seconds: float = 40.0) -> np.ndarray:
    """Onsets every `step` frames at the strengths of `pattern`, repeated (a zero is a silent pulse)."""
    rng = np.random.default_rng(seed)
    env = rng.uniform(0, 0.02, int(seconds * FPS))
    for k in range(int(len(env) / step) - 1):
        if pattern[k % len(pattern)]:
            env[int(round(k * step))] += pattern[k % len(pattern)] * rng.uniform(0.8, 1.0)
    return env.astype(np.float32)


@pytest.mark.parametrize("seed", [0, 1])
def test_eighths_that_do_not_fill_the_beat_are_not_regrouped(seed):
    # The eighths are the strongest division of the beat and their sparse accents happen to repeat in threes;
    # but they are no stream of notes and say nothing of the grouping: the level stays at 84 rather than three
    # eighths (56).
    # A 3/4 accompaniment: a soft bass on beat 1, loud chords on beats 2 and 3 and an eighth after beat 3 leading
    # into the next bar. Every beat sounds; the eighths between them mostly do not.
    period = 60 * FPS / 84
    env = _pattern((0.3, 0.0, 1.0, 0.0, 1.0, 1.0), period / 2, seed)
    acf = tempo._autocorrelation(env, len(env) - 1)

    level, undecided = tempo._regroup(env, acf, period, threshold=0.6)

    assert (level, undecided) == (period, None)
    assert tempo._regroup(env, acf, period, threshold=0.0)[0] != period


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize(
    ("pattern", "expected_bpm"),
    [
        # accents every 2 and 4 pulses: the dotted level (3 pulses, 83 BPM) is no beat, two pulses are
        ((1.0, 0, 0.5, 0, 1.0, 0, 0.5, 0, 1.0, 0, 0, 0), 125.0),
        # grouped neither in twos nor in threes: sparse pulses cannot overturn the level
        ((1.0, 0, 0.6, 0, 1.0, 0, 0.6, 0, 0, 0, 0.6, 0), 83.3),
    ],
)
def test_a_dotted_level_over_sparse_pulses_gives_way_only_where_they_group_in_twos(pattern, expected_bpm, seed):
    env = _pattern(pattern, 12.0, seed)  # pulses 250 per minute, many of them silent

    level, _ = tempo._regroup(env, tempo._autocorrelation(env, len(env) - 1), 36.0, threshold=0.6)

    assert 60 * FPS / level == pytest.approx(expected_bpm, rel=0.02)


def _level(bpm: float, clarity: float = 0.5) -> tempo.Level:
    return tempo.Level(60 * FPS / bpm, clarity, False, None)


@pytest.mark.parametrize(
    ("first_bpm", "second_bpm", "expected_bpm"), [(84, 42, 84), (42, 84, 84), (132, 66, 132), (160, 80, 80)]
)
def test_looks_an_octave_apart_give_the_level_nearer_the_preferred_rate_and_say_they_are_unsure(
    first_bpm, second_bpm, expected_bpm
):
    first, second = _level(first_bpm, 0.7), _level(second_bpm, 0.2)

    level = tempo.second_look(first, second)

    other = second if expected_bpm == first_bpm else first
    assert 60 * FPS / level.period == pytest.approx(expected_bpm)
    assert level.unsure and level.alternative == pytest.approx(other.period)
    assert level.clarity == (first if other is second else second).clarity


@pytest.mark.parametrize("second_bpm", [60, 135, 91])
def test_a_second_look_at_another_ratio_or_the_same_level_stands(second_bpm):
    # 90 -> 60 is the ternary reading the warp exists to mend; 135 and 91 are no octave of 90
    second = _level(second_bpm)

    assert tempo.second_look(_level(90), second) is second


def test_a_figure_across_the_beat_does_not_anchor_the_metrical_levels():
    # The onset pulse of a bossa at 130 BPM (rim clicks 3+3+4+3+3 sixteenths apart, kick, shaker) rendered from
    # MIDI and played with its tempo swaying +-2 % over 40 s, scaled to 8 bits. The sway smears the beat's
    # periodicity more than that of the rim's three-sixteenth figure (4/3 of the beat), which then anchored
    # the levels: the beat was no candidate and the bossa read at a third of its tempo.
    pulse = np.load(Path(__file__).with_name("data") / "bossa_swayed_pulse.npy").astype(np.float32)
    level = tempo.choose_period(pulse, tempo._autocorrelation(pulse, tempo.MAX_LAG_FRAMES))  # as analyse_rhythm
    assert 60 * FPS / level.period == pytest.approx(130, rel=0.04)


def _melody(tune: tuple[int, ...], step: float, n_frames: int) -> np.ndarray:
    """Per-frame chroma of a line that plays `tune` (pitch classes, repeated) one note every `step` frames."""
    chroma = np.full((n_frames, 12), 0.01, np.float32)
    for k in range(int(n_frames / step)):
        start, stop = int(round(k * step)), int(round((k + 1) * step))
        chroma[start:stop, tune[k % len(tune)]] = 1.0
    return chroma


@pytest.mark.parametrize("seed", [0, 1])
def test_even_eighths_take_their_grouping_from_the_melody(seed):
    # Eighths at 330 with no accent among them (a fiddle tune rendered flat): the onsets cannot group them. A
    # line that turns every six eighths (two bars of a jig's three) is 6/8, the dotted quarter (110); one that
    # turns every four (a reel's) is not, and stays at the quarter or its half.
    step = 60 * FPS / 330
    env = _pattern((1.0,), step, seed)
    acf = tempo._autocorrelation(env, len(env) - 1)
    jig = _melody((9, 9, 4, 1, 1, 6), step, len(env))
    reel = _melody((9, 9, 4, 1), step, len(env))

    def bpm(chroma: np.ndarray | None) -> float:
        return 60 * FPS / tempo.choose_period(env, acf, drumless=True, chroma=chroma).period

    assert bpm(jig) == pytest.approx(110, rel=0.02)
    assert bpm(reel) != pytest.approx(110, rel=0.02)
    assert bpm(None) != pytest.approx(110, rel=0.02)
