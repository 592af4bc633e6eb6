"""Graded submissions with an Idempotency-Key: a retry (even many at once) answers the first result and changes
nothing more; the same key for another request is a 409."""

from __future__ import annotations

from tests.helpers import run_concurrently
from tests.integration.learn.conftest import answers_for, right_answers, round_items


def test_quiz_retries_answer_the_first_result_and_record_one_attempt(learner, curriculum, conn):
    me = learner()
    lesson_id = curriculum["lessons"]["ms-loudness-lufs"]
    body = {"answers": right_answers(conn, lesson_id)}
    key = {"Idempotency-Key": "quiz-once"}

    results = run_concurrently(
        lambda _: me.request("POST", f"/learn/lessons/{lesson_id}/quiz", body, headers=key), count=10
    )

    assert all(status == 201 for status, _ in results)
    assert all(data == results[0][1] for _, data in results)
    assert results[0][1]["first_pass"] and results[0][1]["xp_awarded"] == 30
    assert conn.execute(
        "SELECT attempts FROM user_lesson_progress WHERE user_id = %s AND lesson_id = %s", (me.id, lesson_id)
    ).fetchone() == (1,)

    other = curriculum["lessons"]["ms-limiting-and-true-peak"]
    status, error = me.request(
        "POST", f"/learn/lessons/{other}/quiz", {"answers": right_answers(conn, other)}, headers=key
    )
    assert (status, error["error"]["code"]) == (409, "idempotency_key_reused")


def test_round_retry_answers_the_first_result(learner, curriculum, conn):
    me = learner()
    issued = me.post(f"/learn/drills/{curriculum['drills']['keys-major']}/rounds", expect=201)
    body = {"answers": answers_for(round_items(conn, issued["id"]), wrong=2), "time_seconds": 3}
    key = {"Idempotency-Key": f"round-{issued['id']}"}

    first = me.request("POST", f"/learn/rounds/{issued['id']}/submit", body, headers=key)
    again = me.request("POST", f"/learn/rounds/{issued['id']}/submit", body, headers=key)
    without_key = me.request("POST", f"/learn/rounds/{issued['id']}/submit", body)

    assert first == again and first[1]["score"] == 80
    assert without_key[0] == 409
    assert me.get(f"/learn/drills/{curriculum['drills']['keys-major']}")["stats"]["total_attempts"] == 1


def test_review_retry_answers_the_first_result(learner, curriculum, conn):
    me = learner()
    lesson_id = curriculum["lessons"]["ar-transitions"]
    me.post(f"/learn/lessons/{lesson_id}/quiz", {"answers": right_answers(conn, lesson_id)}, 201)
    conn.execute("UPDATE learn_review_cards SET due = now() - interval '1 second' WHERE user_id = %s", (me.id,))
    first_card, second_card = me.get("/learn/review")["items"][:2]
    key = {"Idempotency-Key": "review-1"}

    first = me.request("POST", f"/learn/review/{first_card['card_id']}", {"answer": "x"}, headers=key)
    again = me.request("POST", f"/learn/review/{first_card['card_id']}", {"answer": "x"}, headers=key)
    reused = me.request("POST", f"/learn/review/{second_card['card_id']}", {"answer": "x"}, headers=key)

    assert first == again and first[0] == 200
    assert reused[0] == 409 and reused[1]["error"]["code"] == "idempotency_key_reused"
    assert conn.execute("SELECT count(*) FROM learn_review_logs WHERE user_id = %s", (me.id,)).fetchone() == (1,)


def test_the_same_key_with_another_body_is_409_on_every_graded_route(learner, curriculum, conn):
    """One rule on every idempotent route: a key names one request, body included."""
    me = learner()
    lesson_id = curriculum["lessons"]["ms-loudness-lufs"]
    answers = right_answers(conn, lesson_id)
    key = {"Idempotency-Key": "quiz-body"}
    assert me.request("POST", f"/learn/lessons/{lesson_id}/quiz", {"answers": answers}, headers=key)[0] == 201
    changed = {"answers": {question: "not this" for question in answers}}
    status, error = me.request("POST", f"/learn/lessons/{lesson_id}/quiz", changed, headers=key)
    assert (status, error["error"]["code"]) == (409, "idempotency_key_reused")

    issued = me.post(f"/learn/drills/{curriculum['drills']['keys-major']}/rounds", expect=201)
    items = round_items(conn, issued["id"])
    key = {"Idempotency-Key": f"round-body-{issued['id']}"}
    first = {"answers": answers_for(items, wrong=0), "time_seconds": 3}
    assert me.request("POST", f"/learn/rounds/{issued['id']}/submit", first, headers=key)[0] == 200
    status, error = me.request("POST", f"/learn/rounds/{issued['id']}/submit", first | {"time_seconds": 4}, headers=key)
    assert (status, error["error"]["code"]) == (409, "idempotency_key_reused")

    conn.execute("UPDATE learn_review_cards SET due = now() - interval '1 second' WHERE user_id = %s", (me.id,))
    card = me.get("/learn/review")["items"][0]
    key = {"Idempotency-Key": "review-body"}
    assert me.request("POST", f"/learn/review/{card['card_id']}", {"answer": "x"}, headers=key)[0] == 200
    status, error = me.request("POST", f"/learn/review/{card['card_id']}", {"answer": "y"}, headers=key)
    assert (status, error["error"]["code"]) == (409, "idempotency_key_reused")


def test_concurrent_retries_of_a_round_or_a_review_answer_the_first_result(learner, curriculum, conn):
    """Retries sent while the first request is still writing wait for it and answer its result."""
    me = learner()
    issued = me.post(f"/learn/drills/{curriculum['drills']['keys-major']}/rounds", expect=201)
    body = {"answers": answers_for(round_items(conn, issued["id"])), "time_seconds": 3}
    key = {"Idempotency-Key": f"round-at-once-{issued['id']}"}

    rounds = run_concurrently(
        lambda _: me.request("POST", f"/learn/rounds/{issued['id']}/submit", body, headers=key), count=8
    )

    assert all(result == rounds[0] for result in rounds) and rounds[0][0] == 200, rounds
    assert me.get(f"/learn/drills/{curriculum['drills']['keys-major']}")["stats"]["total_attempts"] == 1

    conn.execute("UPDATE learn_review_cards SET due = now() - interval '1 second' WHERE user_id = %s", (me.id,))
    card = me.get("/learn/review")["items"][0]
    key = {"Idempotency-Key": "review-at-once"}

    reviews = run_concurrently(
        lambda _: me.request("POST", f"/learn/review/{card['card_id']}", {"answer": "x"}, headers=key), count=8
    )

    assert all(result == reviews[0] for result in reviews) and reviews[0][0] == 200, reviews
    assert conn.execute("SELECT count(*) FROM learn_review_logs WHERE user_id = %s", (me.id,)).fetchone() == (1,)


def test_a_retry_answers_the_achievements_the_first_request_earned(learner, curriculum, conn, learning_achievements):
    """The achievement check follows the write; what it earned is kept with the response for the key."""
    me = learner()
    lesson_id = curriculum["lessons"]["mt-notes-and-octaves"]
    body = {"answers": right_answers(conn, lesson_id)}
    key = {"Idempotency-Key": "quiz-achievement"}

    first = me.request("POST", f"/learn/lessons/{lesson_id}/quiz", body, headers=key)
    again = me.request("POST", f"/learn/lessons/{lesson_id}/quiz", body, headers=key)

    assert first[0] == 201 and "first_lesson" in first[1]["achievements_earned"]
    assert again == first
