"""Taking a lesson: start it, submit its quiz, get graded by the server.

Every submission is one attempt (``learn_quiz_attempts`` keeps the history and the latest score;
``user_lesson_progress`` the best score and the count). A score of at least ``quiz.PASS_MARK`` completes the
lesson. A failed attempt shows which answers were wrong but not the right ones; a passing one shows them all.
The first pass pays the lesson's XP, coins and skill stars (with boosts, as ``gamification.award`` would) under the
key ``lesson-pass:<lesson id>`` and creates the lesson's review cards. Every submission touches the ``learning``
streak.

Submitting is two round trips, authentication included: the lesson is read with the token check (``READ_LESSON``,
the route's read); Python grades the answers; one statement (the SQL function ``learn_quiz_record``, with the
quest progress as a CTE) writes everything. Whether this is the first pass is decided inside that statement, under
the progress row's lock, so of any number of concurrent passing submissions exactly one pays (the key would refuse
a second payment anyway) and every one is recorded as an attempt.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from psycopg import Connection
from psycopg.types.json import Jsonb

from momentum import quests
from momentum.auth import CALLER
from momentum.db import fetch_row
from momentum.errors import Conflict, InvalidInput, NotFound
from momentum.learn import catalog, quiz, replay, review
from momentum.learn.catalog import VISIBLE_LESSON
from momentum.learn.models import LessonProgress, QuestionResult, QuizResult, QuizSubmission

# Starting keeps the first started_at; a completed lesson stays completed.
START = """
INSERT INTO user_lesson_progress AS p (user_id, lesson_id, status, started_at)
VALUES (%(user_id)s, %(lesson_id)s, 'in_progress', now())
ON CONFLICT (user_id, lesson_id) DO UPDATE
SET started_at = coalesce(p.started_at, now()),
    status = CASE WHEN p.status = 'completed' THEN p.status ELSE 'in_progress' END
"""

# The lesson to grade against (the route's read, sent with the token check: momentum.http), with the database's now
# and the response kept for the caller's Idempotency-Key.
READ_LESSON = f"""
SELECT l.id, l.title, l.quiz_json, l.xp_reward, l.coin_reward, l.skill_key, l.skill_star_reward, now() AS now,
       {replay.KEPT_COLUMNS}
FROM learn_lessons l
{replay.kept(CALLER)}
WHERE l.id = %(lesson_id)s AND {VISIBLE_LESSON}
"""

# The attempt, and on the first pass the lesson's rewards, review cards and quest progress (a CTE counting what the
# function says it completed), the streak and the kept response: one statement
# (migrations/functions/learn_quiz_record.sql).
RECORD = f"""
WITH r AS (
    SELECT * FROM learn_quiz_record(%(user_id)s, %(lesson_id)s, %(score)s, %(passed)s, %(answers)s, %(coins)s,
                                    %(xp)s, %(skill_key)s, %(skill_stars)s, %(reason)s, %(cards)s, %(key)s,
                                    %(request)s, %(response)s)
), quest_progress AS ({quests.count_in_statement("(SELECT r.lessons_completed FROM r)")})
SELECT r.response, r.achievements_due FROM r
"""


def start_lesson(conn: Connection, user_id: UUID, lesson_id: UUID) -> LessonProgress:
    """Mark a lesson started (the first start time is kept). Raises: NotFound."""
    catalog.lesson_row(conn, lesson_id)
    params = {"user_id": user_id, "lesson_id": lesson_id}
    conn.execute(START, params)
    return catalog.lesson_progress(conn, user_id, lesson_id)


def submit_quiz(
    conn: Connection,
    user_id: UUID,
    lesson_id: UUID,
    body: QuizSubmission,
    idempotency_key: str | None,
    lesson: dict[str, Any] | None,
) -> QuizResult:
    """Grade a quiz submission against ``lesson`` (READ_LESSON's row, None when no visible lesson has the id); the
    first pass completes the lesson and pays its rewards once. A retry with the same Idempotency-Key answers the
    first result and records nothing.

    Raises: NotFound, Conflict no_quiz / idempotency_key_reused, InvalidInput unknown_question."""
    if lesson is None:
        raise NotFound("lesson")
    parsed = quiz.parse(lesson["quiz_json"])
    if parsed is None:
        raise Conflict("This lesson has no quiz", code="no_quiz")
    unknown = sorted(set(body.answers) - {q.id for q in parsed.questions})
    if unknown:
        raise InvalidInput("Unknown question ids", code="unknown_question", details={"question_ids": unknown})
    request = replay.fingerprint("quiz", lesson_id, body)
    if (previous := replay.replayed(lesson, request, QuizResult)) is not None:
        return previous

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
    # What the first pass pays and the review cards it starts (those answered wrong come back first); the write
    # uses them only if this pass turns out to be the first.
    skill_stars = lesson["skill_star_reward"] if lesson["skill_key"] else 0
    cards = [
        {
            "item_key": f"q:{lesson['id']}:{r.question_id}",
            "lesson_id": lesson["id"],
            "question_id": r.question_id,
            "rating": "good" if r.correct else "again",
        }
        for r in results
    ]
    params = {
        "user_id": user_id,
        "lesson_id": lesson_id,
        "score": score,
        "passed": passed,
        "answers": Jsonb(body.answers),
        "target_type": "lessons_completed",
        "coins": lesson["coin_reward"],
        "xp": lesson["xp_reward"],
        "skill_key": lesson["skill_key"] if skill_stars else None,
        "skill_stars": skill_stars,
        "reason": f"Lesson: {lesson['title']}",
        "cards": review.card_rows(cards if passed else [], lesson["now"]),
        "key": idempotency_key,
        "request": request,
        "response": replay.part(
            lesson_id=lesson_id,
            score=score,
            passed=passed,
            pass_mark=quiz.PASS_MARK,
            results=results,
            achievements_earned=[],
        ),
    }
    response, achievements_due = fetch_row(conn, RECORD, params)
    result = QuizResult.model_validate(response)
    return replay.with_achievements(conn, user_id, idempotency_key, result, achievements_due)
