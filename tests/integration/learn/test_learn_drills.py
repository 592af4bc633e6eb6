"""Drill rounds: items dealt without answers, scored by the server once, stats kept exact under concurrency, XP by
score and capped per drill per day."""

from __future__ import annotations

from uuid import UUID

import psycopg
import pytest
from momentum import auth
from momentum.dberrors import domain_error
from momentum.learn import rounds
from momentum.learn.models import RoundSubmission

from tests.helpers import run_concurrently
from tests.integration.learn.conftest import answers_for, round_items

INTERVALS = "intervals-first-steps"  # 10 items, xp_reward 10
TAPPING = "tempo-tap-steady"  # 3 items, 4 % tolerance


def play(me, drill_id, conn, wrong=0, time_seconds=30, expect=200):
    issued = me.post(f"/learn/drills/{drill_id}/rounds", expect=201)
    body = {"answers": answers_for(round_items(conn, issued["id"]), wrong), "time_seconds": time_seconds}
    return issued, me.post(f"/learn/rounds/{issued['id']}/submit", body, expect=expect)


def test_a_round_shows_what_to_play_not_the_answer(learner, curriculum, conn):
    me = learner()
    issued = me.post(f"/learn/drills/{curriculum['drills'][INTERVALS]}/rounds", expect=201)
    kept = round_items(conn, issued["id"])
    assert len(issued["items"]) == len(kept) == 10
    for shown, item in zip(issued["items"], kept, strict=True):
        assert set(shown) == {"item", "kind", "show", "options"}
        assert shown["show"] == item["show"] and item["answer"] in shown["options"]
        assert len(shown["show"]["frequencies_hz"]) == 2


def test_scoring_stats_and_xp_by_score(learner, curriculum, conn):
    me = learner()
    drill_id = curriculum["drills"][INTERVALS]

    _, perfect = play(me, drill_id, conn, wrong=0, time_seconds=40)
    assert (perfect["score"], perfect["correct"], perfect["total"], perfect["xp_awarded"]) == (100, 10, 10, 10)
    _, good = play(me, drill_id, conn, wrong=3)  # 70: half XP
    assert (good["score"], good["xp_awarded"]) == (70, 5)
    _, poor = play(me, drill_id, conn, wrong=10)  # 0: 1 XP
    assert (poor["score"], poor["xp_awarded"]) == (0, 1)

    stats = poor["stats"]
    assert stats["total_attempts"] == 3 and stats["correct_answers"] == 17 and stats["best_score"] == 100
    assert abs(stats["average_score"] - 170 / 3) < 0.01
    # 10 right, then 3 wrong and 7 right, then 10 wrong: the best run is the first 10, nothing runs now.
    assert stats["best_streak"] == 10 and stats["current_streak"] == 0
    assert 0 < stats["total_time_seconds"] <= 40 + 30 + 30
    assert me.get(f"/learn/drills/{drill_id}")["stats"] == stats


def test_streak_runs_across_rounds(learner, curriculum, conn):
    me = learner()
    drill_id = curriculum["drills"][INTERVALS]
    play(me, drill_id, conn, wrong=2)  # ends with 8 right
    _, second = play(me, drill_id, conn)  # 10 more right
    assert second["stats"]["current_streak"] == 18 and second["stats"]["best_streak"] == 18


def test_time_is_capped_by_how_long_the_round_was_open(learner, curriculum, conn):
    me = learner()
    _, result = play(me, curriculum["drills"][INTERVALS], conn, time_seconds=3600)
    assert result["stats"]["total_time_seconds"] <= 5


def test_tapping_is_scored_from_tap_times(learner, curriculum, conn):
    me = learner()
    drill_id = curriculum["drills"][TAPPING]
    issued = me.post(f"/learn/drills/{drill_id}/rounds", expect=201)
    items = round_items(conn, issued["id"])
    for shown, item in zip(issued["items"], items, strict=True):
        assert item["answer"] not in shown["show"].values() and shown["options"] is None
    answers = []
    for i, item in enumerate(items):
        interval = 60_000 / item["answer"]
        drift = [1.0, 1.03, 1.10][i]  # exact, 3 % slow (inside 4 %), 10 % slow (outside)
        taps = [k * interval * drift for k in range(8)]
        taps[3] += 40  # one sloppy tap: the median interval ignores it
        answers.append({"item": i, "taps_ms": taps})
    result = me.post(f"/learn/rounds/{issued['id']}/submit", {"answers": answers, "time_seconds": 20})
    assert [r["correct"] for r in result["results"]] == [True, True, False]
    assert result["results"][0]["score"] == 100 and result["results"][2]["score"] < 80


def test_a_round_is_graded_once(learner, curriculum, conn):
    me = learner()
    issued, _ = play(me, curriculum["drills"][INTERVALS], conn)
    status, error = me.request("POST", f"/learn/rounds/{issued['id']}/submit", {"answers": [], "time_seconds": 1})
    assert (status, error["error"]["code"]) == (409, "already_submitted")


def test_an_expired_round_is_410(learner, curriculum, conn):
    me = learner()
    issued = me.post(f"/learn/drills/{curriculum['drills'][INTERVALS]}/rounds", expect=201)
    conn.execute(
        "UPDATE learn_drill_rounds SET expires_at = now() - interval '1 second' WHERE id = %s", (issued["id"],)
    )
    status, error = me.request("POST", f"/learn/rounds/{issued['id']}/submit", {"answers": [], "time_seconds": 1})
    assert (status, error["error"]["code"]) == (410, "expired")
    assert conn.execute("SELECT count(*) FROM user_drill_stats WHERE user_id = %s", (me.id,)).fetchone() == (0,)


def test_answers_to_items_not_dealt_are_422(learner, curriculum, conn):
    me = learner()
    issued = me.post(f"/learn/drills/{curriculum['drills'][INTERVALS]}/rounds", expect=201)
    for answers in ([{"item": 10, "choice": "octave"}], [{"item": 0, "choice": "x"}, {"item": 0, "choice": "y"}]):
        status, _ = me.request("POST", f"/learn/rounds/{issued['id']}/submit", {"answers": answers, "time_seconds": 1})
        assert status == 422
    # Nothing was written, so the round can still be answered.
    me.post(f"/learn/rounds/{issued['id']}/submit", {"answers": [], "time_seconds": 1})


def test_concurrent_rounds_keep_the_stats_exact(learner, curriculum, conn):
    me = learner()
    drill_id = curriculum["drills"][INTERVALS]
    rounds = [me.post(f"/learn/drills/{drill_id}/rounds", expect=201)["id"] for _ in range(30)]
    wrong = [i % 4 for i in range(30)]  # scores 100, 90, 80, 70, …
    bodies = [{"answers": answers_for(round_items(conn, r), wrong[i]), "time_seconds": 1} for i, r in enumerate(rounds)]

    results = run_concurrently(lambda i: me.request("POST", f"/learn/rounds/{rounds[i]}/submit", bodies[i]), count=30)

    assert all(r[0] == 200 for r in results), [r for r in results if r[0] != 200][:2]
    stats = me.get(f"/learn/drills/{drill_id}")["stats"]
    scores = [100 - 10 * w for w in wrong]
    assert stats["total_attempts"] == 30
    assert stats["correct_answers"] == sum(10 - w for w in wrong)
    assert stats["best_score"] == 100
    assert abs(stats["average_score"] - sum(scores) / 30) < 0.01


def test_drill_xp_is_capped_per_drill_per_day(learner, curriculum, conn):
    me = learner()
    drill_id = curriculum["drills"][INTERVALS]
    rounds = [me.post(f"/learn/drills/{drill_id}/rounds", expect=201)["id"] for _ in range(8)]
    bodies = [{"answers": answers_for(round_items(conn, r)), "time_seconds": 1} for r in rounds]

    results = run_concurrently(lambda i: me.request("POST", f"/learn/rounds/{rounds[i]}/submit", bodies[i]), count=8)

    assert sum(r[1]["xp_awarded"] for r in results) == 50  # 5 paid rounds × 10 XP
    ledger = conn.execute(
        "SELECT coalesce(sum(xp), 0) FROM points_ledger WHERE user_id = %s AND event_type = 'drill_round'", (me.id,)
    ).fetchone()
    assert ledger == (50,)
    # Another drill has its own cap.
    _, other = play(me, curriculum["drills"]["chords-major-minor"], conn)
    assert other["xp_awarded"] == 10


def test_open_rounds_are_limited(learner, curriculum, conn):
    from momentum.learn.rounds import MAX_OPEN_ROUNDS

    me = learner()
    drill_id = curriculum["drills"]["notes-treble"]
    opened = [me.post(f"/learn/drills/{drill_id}/rounds", expect=201)["id"] for _ in range(MAX_OPEN_ROUNDS)]

    status, error = me.request("POST", f"/learn/drills/{drill_id}/rounds", {})
    assert (status, error["error"]["code"]) == (429, "too_many_open_rounds")

    me.post(f"/learn/rounds/{opened[0]}/submit", {"answers": [], "time_seconds": 1})
    me.post(f"/learn/drills/{drill_id}/rounds", expect=201)
    assert learner().request("POST", f"/learn/drills/{drill_id}/rounds", {})[0] == 201  # a limit per learner


def test_concurrent_submissions_of_one_round_pay_once_and_the_others_are_refused(learner, curriculum, conn):
    me = learner()
    drill_id = curriculum["drills"][INTERVALS]
    issued = me.post(f"/learn/drills/{drill_id}/rounds", expect=201)
    body = {"answers": answers_for(round_items(conn, issued["id"])), "time_seconds": 1}

    results = run_concurrently(lambda _: me.request("POST", f"/learn/rounds/{issued['id']}/submit", body), count=8)

    assert sorted(status for status, _ in results) == [200] + [409] * 7, results
    assert {data["error"]["code"] for status, data in results if status == 409} == {"already_submitted"}
    assert me.get(f"/learn/drills/{drill_id}")["stats"]["total_attempts"] == 1
    assert conn.execute(
        "SELECT coalesce(sum(xp), 0) FROM points_ledger WHERE user_id = %s AND event_type = 'drill_round'", (me.id,)
    ).fetchone() == (10,)


def test_a_round_scored_from_a_read_before_another_submission_is_refused_and_pays_nothing(learner, curriculum, conn):
    """The race above, made certain: the round is read, another submission lands, then the first one is written."""
    me = learner()
    drill_id = curriculum["drills"][INTERVALS]
    round_id = UUID(me.post(f"/learn/drills/{drill_id}/rounds", expect=201)["id"])
    body = {"answers": answers_for(round_items(conn, round_id)), "time_seconds": 1}
    _, stale = auth.authenticate_and_read(
        conn, me.user.token, rounds.READ_ROUND, {"round_id": round_id, "idempotency_key": None}
    )
    me.post(f"/learn/rounds/{round_id}/submit", body)

    with pytest.raises(psycopg.Error) as refused:
        rounds.submit_round(conn, me.id, round_id, RoundSubmission.model_validate(body), None, stale)

    error = domain_error(refused.value)
    assert error is not None and (error.status, error.code) == (409, "already_submitted")
    assert me.get(f"/learn/drills/{drill_id}")["stats"]["total_attempts"] == 1
    assert conn.execute(
        "SELECT coalesce(sum(xp), 0) FROM points_ledger WHERE user_id = %s AND event_type = 'drill_round'", (me.id,)
    ).fetchone() == (10,)
