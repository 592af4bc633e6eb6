"""Taking a lesson: start it, submit its quiz, get graded by the server.

Every submission is one attempt (``learn_quiz_attempts`` keeps the history and the latest score;
``user_lesson_progress`` the best score and the count). A score of at least ``quiz.PASS_MARK`` completes the
lesson. A failed attempt shows which answers were wrong but not the right ones; a passing one shows them all.
The first pass pays the lesson's XP, coins and skill stars (with boosts, as ``gamification.award`` would) under the
key ``lesson-pass:<lesson id>``, all the writes in one statement (the SQL function ``learn_quiz_record``); the
progress row is locked first, so of any number of concurrent passing submissions exactly one sees the lesson not
yet completed and pays (the key would refuse a second payment anyway).
It also creates the lesson's review cards. Every submission touches the ``learning`` streak.
"""

from __future__ import annotations

from uuid import UUID

from psycopg import Connection
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from momentum import gamification, quests
from momentum.errors import Conflict, InvalidInput
from momentum.learn import catalog, quiz, replay, review
from momentum.learn.models import LessonProgress, QuestionResult, QuizResult, QuizSubmission
from momentum.platform import days

# Starting keeps the first started_at; a completed lesson stays completed.
START = """
INSERT INTO user_lesson_progress AS p (user_id, lesson_id, status, started_at)
VALUES (%(user_id)s, %(lesson_id)s, 'in_progress', now())
ON CONFLICT (user_id, lesson_id) DO UPDATE
SET started_at = coalesce(p.started_at, now()),
    status = CASE WHEN p.status = 'completed' THEN p.status ELSE 'in_progress' END
"""

# The progress row, created if need be and locked (the no-op update takes the row lock) until the transaction
# ends: concurrent submissions queue here, so exactly one sees the lesson not completed yet. With it, the person's
# clock (days.CLOCK) for the day the streak counts on.
LOCK_PROGRESS = f"""
WITH locked AS (
    INSERT INTO user_lesson_progress AS p (user_id, lesson_id) VALUES (%(user_id)s, %(lesson_id)s)
    ON CONFLICT (user_id, lesson_id) DO UPDATE SET status = p.status
    RETURNING p.status
)
SELECT locked.status, now() AS now, clock.* FROM locked CROSS JOIN {days.CLOCK}
"""

# The attempt, and on the first pass the lesson's quest progress, rewards and review cards: one statement
# (migrations/functions/learn_quiz_record.sql, with the quest progress as a CTE; a NULL target_type counts nothing).
RECORD = f"""
WITH quest_progress AS ({quests.COUNT_IN_STATEMENT})
SELECT r.paid, r.status, r.started_at, r.completed_at, r.best_score, r.latest_score, r.attempts
FROM learn_quiz_record(%(user_id)s, %(lesson_id)s, %(score)s, %(passed)s, %(answers)s, %(first_pass)s, %(coins)s,
                       %(xp)s, %(skill_key)s, %(skill_stars)s, %(reason)s, %(cards)s) r
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
    request = replay.fingerprint("quiz", lesson_id, body)
    with conn.transaction():
        with conn.cursor(row_factory=dict_row) as cur:
            locked = cur.execute(LOCK_PROGRESS, days.clock_params(user_id) | {"lesson_id": lesson_id}).fetchone()
        assert locked is not None  # the upsert answers its row
        if (previous := replay.replayed(conn, user_id, idempotency_key, request, QuizResult)) is not None:
            return previous
        first_pass = passed and locked["status"] != "completed"
        # The first pass completes the lesson: it pays the lesson's rewards and starts reviewing its questions
        # (those answered wrong come back first).
        rewards = {"xp": lesson["xp_reward"], "coins": lesson["coin_reward"], "skill_stars": 0}
        if lesson["skill_key"]:
            rewards["skill_stars"] = lesson["skill_star_reward"]
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
            "first_pass": first_pass,
            "target_type": "lessons_completed" if first_pass else None,
            "amount": 1,
            "coins": rewards["coins"],
            "xp": rewards["xp"],
            "skill_key": lesson["skill_key"] if rewards["skill_stars"] else None,
            "skill_stars": rewards["skill_stars"],
            "reason": f"Lesson: {lesson['title']}",
            "cards": review.card_rows(cards if first_pass else [], locked["now"]),
        }
        with conn.cursor(row_factory=dict_row) as cur:
            recorded = cur.execute(RECORD, params).fetchone()
        assert recorded is not None  # the function answers one row
        applied = recorded.pop("paid")
        paid = rewards if first_pass and applied else {}
        gamification.touch_streak(conn, user_id, "learning", days.clock_of(locked).activity_day())
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
            progress=LessonProgress.model_validate(recorded),
            achievements_earned=earned,
        )
        replay.keep(conn, user_id, idempotency_key, request, result)
    return result
