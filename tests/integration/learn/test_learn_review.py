"""Spaced review with FSRS: passed lessons' questions and played drills come back when due, graded by the server,
rescheduled by the scheduler, paying a small capped amount. Time passing is simulated by moving a card's due
date in the database, never by changing the server's clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

import psycopg
import pytest
from momentum import auth
from momentum.dberrors import domain_error
from momentum.learn import review, rules
from momentum.learn.models import ReviewAnswer
from psycopg.types.json import Jsonb

from tests.helpers import run_concurrently
from tests.integration.learn.conftest import answers_for, quiz_key, right_answers, round_items

LESSON = "mt-intervals"


def make_due(conn, user_id):
    conn.execute("UPDATE learn_review_cards SET due = now() - interval '1 second' WHERE user_id = %s", (user_id,))


def parse(ts: str) -> datetime:
    return datetime.fromisoformat(ts)


def test_passing_schedules_each_question_wrong_ones_first(learner, curriculum, conn):
    me = learner()
    lesson_id = curriculum["lessons"][LESSON]
    me.post(f"/learn/lessons/{lesson_id}/quiz", {"answers": right_answers(conn, lesson_id, wrong=1)}, 201)

    cards = dict(
        conn.execute(
            "SELECT question_id, due - last_review FROM learn_review_cards WHERE user_id = %s", (me.id,)
        ).fetchall()
    )
    questions = quiz_key(conn, lesson_id)
    assert set(cards) == {q["id"] for q in questions}
    # FSRS's learning steps: "again" comes back after 1 minute, "good" after 10.
    assert cards[questions[0]["id"]] == timedelta(minutes=1)
    assert all(cards[q["id"]] == timedelta(minutes=10) for q in questions[1:])
    assert me.get("/learn/review")["due_count"] == 0


def test_a_failed_quiz_schedules_nothing(learner, curriculum, conn):
    me = learner()
    lesson_id = curriculum["lessons"][LESSON]
    me.post(f"/learn/lessons/{lesson_id}/quiz", {"answers": {}}, 201)
    assert conn.execute("SELECT count(*) FROM learn_review_cards WHERE user_id = %s", (me.id,)).fetchone() == (0,)


def test_due_questions_come_back_and_are_graded(learner, curriculum, conn):
    me = learner()
    lesson_id = curriculum["lessons"][LESSON]
    me.post(f"/learn/lessons/{lesson_id}/quiz", {"answers": right_answers(conn, lesson_id)}, 201)
    make_due(conn, me.id)

    queue = me.get("/learn/review")
    key = {q["id"]: q for q in quiz_key(conn, lesson_id)}
    assert queue["due_count"] == len(key) == len(queue["items"])
    item = queue["items"][0]
    assert item["kind"] == "question" and set(item["question"]) == {"id", "type", "prompt", "options", "unit"}
    question = key[item["question"]["id"]]

    result = me.post(f"/learn/review/{item['card_id']}", {"answer": question["answer"], "grade": "easy"})
    assert result["correct"] and result["rating"] == "easy" and result["xp_awarded"] == rules.REVIEW_XP
    assert parse(result["next_due"]) > datetime.now(parse(result["next_due"]).tzinfo) + timedelta(days=1)
    assert result["correct_answer"] == question["answer"]

    status, error = me.request("POST", f"/learn/review/{item['card_id']}", {"answer": question["answer"]})
    assert (status, error["error"]["code"]) == (409, "not_due")


def test_a_wrong_answer_is_again_whatever_the_grade(learner, curriculum, conn):
    me = learner()
    lesson_id = curriculum["lessons"][LESSON]
    me.post(f"/learn/lessons/{lesson_id}/quiz", {"answers": right_answers(conn, lesson_id)}, 201)
    make_due(conn, me.id)
    item = me.get("/learn/review")["items"][0]
    question = next(q for q in quiz_key(conn, lesson_id) if q["id"] == item["question"]["id"])
    wrong = not question["answer"] if question["type"] == "true_false" else "certainly not an option"

    result = me.post(f"/learn/review/{item['card_id']}", {"answer": wrong, "grade": "easy"})
    assert not result["correct"] and result["rating"] == "again"
    due_in = parse(result["next_due"]) - datetime.now(parse(result["next_due"]).tzinfo)
    assert timedelta(0) < due_in <= timedelta(minutes=10)


def test_drill_cards_deal_an_item_from_the_cards_seed(learner, curriculum, conn):
    me = learner()
    drill_id = curriculum["drills"]["chords-major-minor"]
    issued = me.post(f"/learn/drills/{drill_id}/rounds", expect=201)
    me.post(
        f"/learn/rounds/{issued['id']}/submit",
        {"answers": answers_for(round_items(conn, issued["id"])), "time_seconds": 5},
    )
    make_due(conn, me.id)

    first = me.get("/learn/review")["items"]
    assert [i["kind"] for i in first] == ["drill"] and first[0]["drill_id"] == drill_id
    assert me.get("/learn/review")["items"] == first  # the same item until it is answered
    shown = first[0]["item"]
    assert set(shown) == {"item", "kind", "show", "options"}
    # Only the server knows the answer: it regenerates the item from the seed it keeps.
    from momentum.learn import drills

    seed, config = conn.execute(
        "SELECT c.seed, d.config_json FROM learn_review_cards c JOIN learn_drills d ON d.id = c.drill_id "
        "WHERE c.id = %s",
        (first[0]["card_id"],),
    ).fetchone()
    answer = drills.generate(drills.parse_config(config), seed, 1)[0]["answer"]
    result = me.post(f"/learn/review/{first[0]['card_id']}", {"answer": answer})
    assert result["correct"] and result["rating"] == "good"
    new_seed = conn.execute("SELECT seed FROM learn_review_cards WHERE id = %s", (first[0]["card_id"],)).fetchone()
    assert new_seed != (seed,)


def test_review_xp_is_capped_per_day(learner, curriculum, conn):
    me = learner()
    for key in list(curriculum["lessons"])[:8]:  # about 45 questions, more than the cap
        lesson_id = curriculum["lessons"][key]
        me.post(f"/learn/lessons/{lesson_id}/quiz", {"answers": right_answers(conn, lesson_id)}, 201)
    make_due(conn, me.id)
    items = me.get("/learn/review?limit=100")["items"]
    assert len(items) > rules.REVIEW_XP_PER_DAY

    results = run_concurrently(
        lambda i: me.request("POST", f"/learn/review/{items[i]['card_id']}", {"answer": "x", "grade": "good"}),
        count=len(items),
        workers=16,
    )

    assert all(r[0] == 200 for r in results), [r for r in results if r[0] != 200][:2]
    assert sum(r[1]["xp_awarded"] for r in results) == rules.REVIEW_XP_PER_DAY
    assert conn.execute(
        "SELECT coalesce(sum(xp), 0) FROM points_ledger WHERE user_id = %s AND event_type = 'review'", (me.id,)
    ).fetchone() == (rules.REVIEW_XP_PER_DAY,)


def test_a_question_edited_out_of_its_quiz_is_no_longer_due(learner, curriculum, conn):
    admin, me = learner(admin=True), learner()
    lesson = admin.post(
        "/learn/lessons",
        {
            "topic_id": curriculum["topics"]["mixing"],
            "key": f"edited-{me.id.hex[:8]}",
            "title": "Edited",
            "content_markdown": "Text",
            "quiz": {
                "questions": [{"id": f"q{i}", "type": "true_false", "prompt": "T", "answer": True} for i in range(6)]
            },
        },
        201,
    )
    me.post(f"/learn/lessons/{lesson['id']}/quiz", {"answers": {f"q{i}": True for i in range(6)}}, 201)
    make_due(conn, me.id)
    assert me.get("/learn/review")["due_count"] == 6

    questions = [{"id": f"q{i}", "type": "true_false", "prompt": "T", "answer": True} for i in range(1, 6)]
    admin.request("PATCH", f"/learn/lessons/{lesson['id']}", {"quiz": {"questions": questions}}, expect=200)

    queue = me.get("/learn/review")
    assert queue["due_count"] == 5 and "q0" not in [i["question"]["id"] for i in queue["items"]]
    assert me.get("/learn/progress")["reviews_due"] == 5


def test_the_review_cap_counts_the_learners_local_day(learner, curriculum, conn):
    me = learner()
    # UTC-11 before 11:00 UTC, UTC+14 from 10:00 UTC: either way the learner's date is not the UTC date.
    zone = "Pacific/Pago_Pago" if datetime.now(UTC).hour < 11 else "Pacific/Kiritimati"
    assert datetime.now(ZoneInfo(zone)).date() != datetime.now(UTC).date()
    conn.execute("INSERT INTO user_settings (user_id, key, value) VALUES (%s, 'timezone', %s)", (me.id, Jsonb(zone)))
    lesson_id = next(iter(curriculum["lessons"].values()))
    me.post(f"/learn/lessons/{lesson_id}/quiz", {"answers": right_answers(conn, lesson_id)}, 201)
    make_due(conn, me.id)
    card = me.get("/learn/review")["items"][0]
    me.post(f"/learn/review/{card['card_id']}", {"answer": "x", "grade": "good"}, 200)
    assert conn.execute(
        "SELECT day FROM learn_daily_usage WHERE user_id = %s AND bucket = 'review-xp'", (me.id,)
    ).fetchone() == (datetime.now(ZoneInfo(zone)).date(),)


def test_concurrent_answers_to_one_card_pay_once_and_the_others_are_not_due(learner, curriculum, conn):
    me = learner()
    lesson_id = curriculum["lessons"][LESSON]
    me.post(f"/learn/lessons/{lesson_id}/quiz", {"answers": right_answers(conn, lesson_id)}, 201)
    make_due(conn, me.id)
    card = me.get("/learn/review")["items"][0]

    results = run_concurrently(
        lambda _: me.request("POST", f"/learn/review/{card['card_id']}", {"answer": "x", "grade": "good"}), count=8
    )

    assert sorted(status for status, _ in results) == [200] + [409] * 7, results
    assert {data["error"]["code"] for status, data in results if status == 409} == {"not_due"}
    assert conn.execute(
        "SELECT reps, (SELECT count(*) FROM learn_review_logs l WHERE l.card_id = c.id) FROM learn_review_cards c "
        "WHERE c.id = %s",
        (card["card_id"],),
    ).fetchone() == (card["reps"] + 1, 1)
    assert conn.execute(
        "SELECT coalesce(sum(xp), 0) FROM points_ledger WHERE user_id = %s AND event_type = 'review'", (me.id,)
    ).fetchone() == (rules.REVIEW_XP,)


def test_an_answer_graded_from_a_card_answered_since_is_refused_and_pays_nothing(learner, curriculum, conn):
    """The race above, made certain: the card is read, another answer lands, then the first answer is written."""
    me = learner()
    lesson_id = curriculum["lessons"][LESSON]
    me.post(f"/learn/lessons/{lesson_id}/quiz", {"answers": right_answers(conn, lesson_id)}, 201)
    make_due(conn, me.id)
    card_id = UUID(me.get("/learn/review")["items"][0]["card_id"])
    _, stale = auth.authenticate_and_read(
        conn, me.user.token, review.READ_CARD, {"card_id": card_id, "idempotency_key": None}
    )
    me.post(f"/learn/review/{card_id}", {"answer": "x"})

    with pytest.raises(psycopg.Error) as refused:
        review.review(conn, me.id, card_id, ReviewAnswer(answer="x"), None, stale)

    error = domain_error(refused.value)
    assert error is not None and (error.status, error.code) == (409, "not_due")
    assert conn.execute("SELECT count(*) FROM learn_review_logs WHERE card_id = %s", (card_id,)).fetchone() == (1,)
    assert conn.execute(
        "SELECT coalesce(sum(xp), 0) FROM points_ledger WHERE user_id = %s AND event_type = 'review'", (me.id,)
    ).fetchone() == (rules.REVIEW_XP,)
