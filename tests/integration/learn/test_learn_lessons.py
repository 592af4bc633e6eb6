"""Lessons: reading one never shows the answers, the server grades the quiz, and the first pass pays once."""

from __future__ import annotations

from tests.helpers import run_concurrently
from tests.integration.learn.conftest import quiz_key, right_answers

LESSON = "mt-notes-and-octaves"


def ledger_and_wallet(conn, user_id):
    ledger = conn.execute(
        "SELECT coalesce(sum(coins), 0), coalesce(sum(xp), 0) FROM points_ledger WHERE user_id = %s", (user_id,)
    ).fetchone()
    wallet = conn.execute(
        "SELECT w.coins, p.total_xp FROM user_wallet w JOIN user_progress p USING (user_id) WHERE w.user_id = %s",
        (user_id,),
    ).fetchone()
    return tuple(ledger), tuple(wallet)


def test_topics_list_counts_and_completion(learner, curriculum):
    me = learner()
    page = me.get("/learn/topics?limit=100")
    keys = [t["key"] for t in page["items"]]
    assert keys[:2] == ["music_theory", "rhythm"] and len(keys) >= 7
    theory = page["items"][0]
    assert theory["lesson_count"] == 6 and theory["drill_count"] == 5 and theory["completion"] == 0

    first = me.get("/learn/topics?limit=3")
    rest = me.get(f"/learn/topics?limit=100&cursor={first['next_cursor']}")
    assert [t["key"] for t in first["items"] + rest["items"]] == keys


def test_lesson_shows_questions_without_answers(learner, curriculum, conn):
    me = learner()
    lesson = me.get(f"/learn/lessons/{curriculum['lessons'][LESSON]}")
    assert lesson["pass_mark"] == 70 and lesson["progress"]["status"] == "not_started"
    assert len(lesson["questions"]) == len(quiz_key(conn, lesson["id"]))
    for question in lesson["questions"]:
        assert set(question) == {"id", "type", "prompt", "options", "unit"}


def test_start_keeps_the_first_started_at(learner, curriculum):
    me = learner()
    lesson_id = curriculum["lessons"][LESSON]
    first = me.post(f"/learn/lessons/{lesson_id}/start")
    again = me.post(f"/learn/lessons/{lesson_id}/start")
    assert first["status"] == "in_progress" and again["started_at"] == first["started_at"]


def test_grading_best_and_latest_score(learner, curriculum, conn):
    me = learner()
    lesson_id = curriculum["lessons"][LESSON]
    questions = quiz_key(conn, lesson_id)
    total = len(questions)

    failed = me.post(f"/learn/lessons/{lesson_id}/quiz", {"answers": right_answers(conn, lesson_id, wrong=3)}, 201)
    assert failed["score"] == round(100 * (total - 3) / total) and not failed["passed"]
    assert failed["xp_awarded"] == 0 and failed["progress"]["status"] == "in_progress"
    # A failed attempt marks the wrong answers without giving the right ones away.
    assert [r["correct"] for r in failed["results"]] == [False] * 3 + [True] * (total - 3)
    assert all(r["correct_answer"] is None and r["explanation"] is None for r in failed["results"])

    passed = me.post(f"/learn/lessons/{lesson_id}/quiz", {"answers": right_answers(conn, lesson_id)}, 201)
    assert passed["score"] == 100 and passed["passed"] and passed["first_pass"]
    assert passed["xp_awarded"] == 20 and passed["coins_awarded"] == 5 and passed["skill_stars_awarded"] == 1
    assert [r["correct_answer"] for r in passed["results"]] == [q["answer"] for q in questions]

    worse = me.post(f"/learn/lessons/{lesson_id}/quiz", {"answers": right_answers(conn, lesson_id, wrong=1)}, 201)
    assert worse["passed"] and not worse["first_pass"] and worse["xp_awarded"] == 0
    progress = worse["progress"]
    assert progress["best_score"] == 100 and progress["latest_score"] == worse["score"] and progress["attempts"] == 3
    assert progress["status"] == "completed"


def test_numeric_answers_within_tolerance(learner, curriculum, conn):
    me = learner()
    lesson_id = curriculum["lessons"][LESSON]
    answers = right_answers(conn, lesson_id)
    answers["octave-hz"] = 880.4  # tolerance 0.5 Hz
    result = me.post(f"/learn/lessons/{lesson_id}/quiz", {"answers": answers}, 201)
    assert next(r for r in result["results"] if r["question_id"] == "octave-hz")["correct"]
    answers["octave-hz"] = 881
    result = me.post(f"/learn/lessons/{lesson_id}/quiz", {"answers": answers}, 201)
    assert not next(r for r in result["results"] if r["question_id"] == "octave-hz")["correct"]


def test_unknown_question_is_422_and_writes_nothing(learner, curriculum, conn):
    me = learner()
    lesson_id = curriculum["lessons"][LESSON]
    status, error = me.request("POST", f"/learn/lessons/{lesson_id}/quiz", {"answers": {"nope": 1}})
    assert status == 422 and error["error"]["code"] == "unknown_question"
    assert conn.execute("SELECT count(*) FROM user_lesson_progress WHERE user_id = %s", (me.id,)).fetchone() == (0,)


def test_first_pass_pays_once_under_50_concurrent_submissions(learner, curriculum, conn):
    me = learner()
    lesson_id = curriculum["lessons"]["mx-compression"]
    answers = {"answers": right_answers(conn, lesson_id)}

    results = run_concurrently(lambda _: me.request("POST", f"/learn/lessons/{lesson_id}/quiz", answers), count=50)

    assert all(r[0] == 201 for r in results), [r for r in results if r[0] != 201][:3]
    assert sum(r[1]["first_pass"] for r in results) == 1
    assert sum(r[1]["xp_awarded"] for r in results) == 30
    (ledger_coins, ledger_xp), (wallet_coins, total_xp) = ledger_and_wallet(conn, me.id)
    assert (ledger_coins, ledger_xp) == (wallet_coins, total_xp)
    lesson_rows = conn.execute(
        "SELECT coins, xp, skill_key, skill_stars FROM points_ledger WHERE user_id = %s AND event_type = %s",
        (me.id, "lesson_completed"),
    ).fetchall()
    assert lesson_rows == [(8, 30, "mixing", 2)]
    stars = conn.execute(
        "SELECT total_stars FROM user_skills WHERE user_id = %s AND skill_key = 'mixing'", (me.id,)
    ).fetchone()
    assert stars == (2,)
    assert conn.execute(
        "SELECT attempts, status FROM user_lesson_progress WHERE user_id = %s AND lesson_id = %s", (me.id, lesson_id)
    ).fetchone() == (50, "completed")


def test_first_pass_touches_the_learning_streak_and_earns_first_lesson(
    learner, curriculum, conn, learning_achievements
):
    me = learner()
    lesson_id = curriculum["lessons"][LESSON]
    result = me.post(f"/learn/lessons/{lesson_id}/quiz", {"answers": right_answers(conn, lesson_id)}, 201)
    assert "first_lesson" in result["achievements_earned"]
    streak = conn.execute(
        "SELECT current_streak FROM user_streaks WHERE user_id = %s AND streak_type = 'learning'", (me.id,)
    ).fetchone()
    assert streak == (1,)
