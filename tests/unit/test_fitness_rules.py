"""The pure fitness rules: record values (Epley e1RM), record replay, the session award, program scaling."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from momentum.fitness import rules
from momentum.fitness.rules import SetFacts

T0 = datetime(2025, 1, 6, 18, 0, tzinfo=UTC)


def a_set(minute, weight=None, reps=None, duration=None, is_warmup=False):
    return SetFacts(uuid.uuid4(), T0 + timedelta(minutes=minute), reps, weight, duration, is_warmup)


@pytest.mark.parametrize(
    ("weight", "reps", "expected"),
    [
        (100.0, 1, 100.0),  # a single is its own 1RM, not 100 × 31/30
        (100.0, 5, 100.0 * (1 + 5 / 30)),
        (60.0, 10, 80.0),
        (80.0, 8, 80.0 * (1 + 8 / 30)),
    ],
)
def test_epley_estimate(weight, reps, expected):
    assert rules.epley_1rm(weight, reps) == pytest.approx(expected)


def test_a_weighted_set_offers_every_strength_record():
    values = rules.record_values(100.0, 5, None, is_warmup=False)

    assert values == {"weight": 100.0, "reps": 5.0, "volume": 500.0, "e1rm": rules.as_real(100.0 * (1 + 5 / 30))}


def test_a_warm_up_offers_nothing():
    assert rules.record_values(100.0, 5, 30, is_warmup=True) == {}


@pytest.mark.parametrize(
    ("weight", "reps", "duration", "types"),
    [
        (None, 12, None, {"reps"}),  # body weight
        (0.0, 12, None, {"reps"}),
        (None, None, 60, {"duration"}),  # a plank
        (24.0, None, 90, {"weight", "duration"}),  # a loaded carry
        (20.0, 0, None, {"weight"}),  # a failed rep still moved (or held) the weight
        (None, 0, 0, set()),
    ],
)
def test_only_positive_values_count(weight, reps, duration, types):
    assert set(rules.record_values(weight, reps, duration, is_warmup=False)) == types


def test_values_are_compared_as_the_database_stores_them():
    # REAL is single precision: 100.1 is stored as 100.09999847…, and the database prints the e1RM of 100 × 5
    # as 116.666664. Read back as text, those bests must still tie with a repeat of the same set.
    assert rules.record_values(100.1, 3, None, is_warmup=False)["weight"] == rules.as_real(100.1) != 100.1
    bests = {"weight": 100.1, "e1rm": 116.666664}

    records = rules.replay_records(bests, [a_set(1, weight=100.1, reps=3), a_set(2, weight=100.0, reps=5)])

    assert {r.record_type for r in records} == {"reps", "volume"}


def test_first_set_ever_holds_every_record_with_no_previous_value():
    first = a_set(1, weight=100.0, reps=5)

    records = rules.replay_records({}, [first])

    assert {r.record_type for r in records} == {"weight", "reps", "volume", "e1rm"}
    assert all(r.previous_value is None and r.exercise_set_id == first.id for r in records)


def test_a_tie_is_not_a_record():
    records = rules.replay_records({}, [a_set(1, weight=100.0, reps=5), a_set(2, weight=100.0, reps=5)])
    assert len(records) == 4


def test_a_lighter_set_with_more_reps_sets_reps_and_volume_only():
    heavy, light = a_set(1, weight=100.0, reps=5), a_set(2, weight=80.0, reps=8)

    later = [r for r in rules.replay_records({}, [heavy, light]) if r.exercise_set_id == light.id]

    # 80 × 8 = 640 > 500, but its e1RM 101.3 is below 116.7 and 80 < 100.
    assert {(r.record_type, r.value, r.previous_value) for r in later} == {("reps", 8.0, 5.0), ("volume", 640.0, 500.0)}


def test_warm_ups_never_count():
    records = rules.replay_records({}, [a_set(1, weight=60.0, reps=5), a_set(2, weight=200.0, reps=20, is_warmup=True)])
    assert max(r.value for r in records if r.record_type == "weight") == 60.0


def test_replay_continues_from_the_bests_it_is_given_and_chains_previous_values():
    sets = [a_set(i, weight=w, reps=5) for i, w in enumerate([90.0, 100.0, 95.0, 105.0, 105.0, 110.0])]

    weight = [r for r in rules.replay_records({"weight": 95.0}, sets) if r.record_type == "weight"]

    assert [(r.value, r.previous_value) for r in weight] == [(100.0, 95.0), (105.0, 100.0), (110.0, 105.0)]


@pytest.mark.parametrize(
    ("working_sets", "xp", "coins", "stars"),
    [
        (0, 0, 0, 0),  # an empty session pays nothing
        (-3, 0, 0, 0),
        (1, 4, 1, 1),  # the first working set already pays a coin
        (4, 16, 1, 1),
        (5, 20, 1, 1),
        (12, 48, 2, 1),
        (30, 120, 6, 1),
        (31, 120, 6, 1),  # beyond a session's worth, nothing more
        (500, 120, 6, 1),
    ],
)
def test_session_award(working_sets, xp, coins, stars):
    award = rules.session_award(working_sets)
    assert (award.xp, award.coins, award.skill_stars) == (xp, coins, stars)
    assert award.pays == (working_sets > 0)


@pytest.mark.parametrize(
    ("weight", "modifier", "expected"),
    [
        (100.0, 0.9, 90.0),
        (62.5, 1.1, 68.75),
        (101.0, 0.333, 33.63),
        (None, 0.8, None),
        (40.0, 1.0, 40.0),
    ],
)
def test_scaled_weight(weight, modifier, expected):
    assert rules.scaled_weight(weight, modifier) == expected
