"""Taking a lesson: start it, submit its quiz, get graded by the server.

Every submission is one attempt (``learn_quiz_attempts`` keeps the history and the latest score;
``user_lesson_progress`` the best score and the count). A score of at least ``quiz.PASS_MARK`` completes the
lesson. A failed attempt shows which answers were wrong but not the right ones; a passing one shows them all.
The first pass pays the lesson's XP, coins and skill stars through ``gamification.award`` under the key
``lesson-pass:<lesson id>``; the progress row is locked first, so of any number of concurrent passing
submissions exactly one sees the lesson not yet completed and pays (the key would refuse a second payment anyway).
It also creates the lesson's review cards. Every submission touches the ``learning`` streak.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from psycopg import Connection
from psycopg.types.json import Jsonb

from momentum import gamification, quests
from momentum.errors import Conflict, InvalidInput
from momentum.learn import catalog, quiz, replay, review
from momentum.learn.models import LessonProgress, QuestionResult, QuizResult, QuizSubmission

# Starting keeps the first started_at; a completed lesson stays completed.
START = """
INSERT INTO user_lesson_progress AS p (user_id, lesson_id, status, started_at)
VALUES (%(user_id)s, %(lesson_id)s, 'in_progress', now())
ON CONFLICT (user_id, lesson_id) DO UPDATE
SET started_at = coalesce(p.started_at, now()),
    status = CASE WHEN p.status = 'completed' THEN p.status ELSE 'in_progress' END
"""

# The progress row, created if need be and locked (the no-op update takes the row lock) until the transaction
# ends: concurrent submissions queue here, so exactly one sees the lesson not completed yet.
LOCK_PROGRESS = """
INSERT INTO user_lesson_progress AS p (user_id, lesson_id) VALUES (%(user_id)s, %(lesson_id)s)
ON CONFLICT (user_id, lesson_id) DO UPDATE SET status = p.status
RETURNING p.status, now()
"""

RECORD_ATTEMPT = """
WITH progress AS (
    UPDATE user_lesson_progress
    SET attempts = attempts + 1,
        quiz_score = greatest(quiz_score, %(score)s),
        started_at = coalesce(started_at, now()),
        status = CASE WHEN status = 'completed' OR %(passed)s THEN 'completed' ELSE 'in_progress' END,
        completed_at = CASE WHEN completed_at IS NULL AND %(passed)s THEN now() ELSE completed_at END
    WHERE user_id = %(user_id)s AND lesson_id = %(lesson_id)s
)
INSERT INTO learn_quiz_attempts (user_id, lesson_id, score, passed, answers)
VALUES (%(user_id)s, %(lesson_id)s, %(score)s, %(passed)s, %(answers)s)
"""


def start_lesson(conn: Connection, user_id: UUID, lesson_id: UUID) -> LessonProgress:
    """Mark a lesson started (the first start time is kept). Raises: NotFound."""
    catalog.lesson_row(conn, lesson_id)
    params = {"user_id": user_id, "lesson_id": lesson_id}
    conn.execute(START, params)
    return catalog.lesson_progress(conn, user_id, lesson_id)


def submit_quiz(
    conn: Connection, user_id: UUID, lesson_id: UUID, body: QuizSubmission, idempotency_key: str | None = None
) -> QuizResult:
    """Grade a quiz submission; the first pass completes the lesson and pays its rewards once. A retry with the
    same Idempotency-Key answers the first result and records nothing.

    Raises: NotFound, Conflict no_quiz / idempotency_key_reused, InvalidInput unknown_question."""
    lesson = catalog.lesson_row(conn, lesson_id)
    parsed = quiz.parse(lesson["quiz_json"])
    if parsed is None:
        raise Conflict("This lesson has no quiz", code="no_quiz")
    unknown = sorted(set(body.answers) - {q.id for q in parsed.questions})
    if unknown:
        raise InvalidInput("Unknown question ids", code="unknown_question", details={"question_ids": unknown})

    marks = [quiz.is_correct(q, body.answers.get(q.id)) for q in parsed.questions]
    score = quiz.score(sum(marks), len(marks))
    passed = score >= quiz.PASS_MARK
    # A failed attempt says which answers were wrong, not what is right: otherwise the next attempt would pass by
    # copying. Once the lesson is passed, the answers and explanations are the learner's to read.
    results = [
        QuestionResult(
            question_id=q.id,
            correct=correct,
            your_answer=body.answers.get(q.id),
            correct_answer=quiz.correct_answer(q) if passed else None,
            explanation=q.explanation if passed else None,
        )
        for q, correct in zip(parsed.questions, marks, strict=True)
    ]
    params = {"user_id": user_id, "lesson_id": lesson_id, "score": score, "passed": passed}

    request = replay.fingerprint("quiz", lesson_id, body)
    with conn.transaction():
        status, now = conn.execute(LOCK_PROGRESS, params).fetchone()  # type: ignore[misc]
        if (previous := replay.replayed(conn, user_id, idempotency_key, request, QuizResult)) is not None:
            return previous
        conn.execute(RECORD_ATTEMPT, params | {"answers": Jsonb(body.answers)})
        first_pass = passed and status != "completed"
        paid = _pay_first_pass(conn, user_id, lesson, results, now) if first_pass else {}
        gamification.touch_streak(conn, user_id, "learning")
        earned = gamification.check_achievements(conn, user_id)
        result = QuizResult(
            lesson_id=lesson_id,
            score=score,
            passed=passed,
            pass_mark=quiz.PASS_MARK,
            first_pass=first_pass,
            xp_awarded=paid.get("xp", 0),
            coins_awarded=paid.get("coins", 0),
            skill_stars_awarded=paid.get("skill_stars", 0),
            results=results,
            progress=catalog.lesson_progress(conn, user_id, lesson_id),
            achievements_earned=earned,
        )
        replay.keep(conn, user_id, idempotency_key, request, result)
    return result


def _pay_first_pass(
    conn: Connection, user_id: UUID, lesson: dict[str, Any], results: list[QuestionResult], now: datetime
) -> dict[str, int]:
    """Pay the lesson's rewards and start reviewing its questions (those answered wrong come back first)."""
    paid = {"xp": lesson["xp_reward"], "coins": lesson["coin_reward"], "skill_stars": 0}
    quests.record_progress(conn, user_id, "lessons_completed", 1)  # the first pass completes the lesson, once
    if lesson["skill_key"]:
        paid["skill_stars"] = lesson["skill_star_reward"]
    if any(paid.values()):
        award = gamification.award(
            conn,
            user_id,
            event_type="lesson_completed",
            idempotency_key=f"lesson-pass:{lesson['id']}",
            coins=paid["coins"],
            xp=paid["xp"],
            skill_key=lesson["skill_key"] if paid["skill_stars"] else None,
            skill_stars=paid["skill_stars"],
            reason=f"Lesson: {lesson['title']}",
            event_id=lesson["id"],
        )
        if not award.applied:
            paid = {}
    review.add_cards(
        conn,
        user_id,
        [
            {
                "item_key": f"q:{lesson['id']}:{r.question_id}",
                "lesson_id": lesson["id"],
                "question_id": r.question_id,
                "rating": "good" if r.correct else "again",
            }
            for r in results
        ],
        now,
    )
    return paid
