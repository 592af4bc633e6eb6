"""Spaced review with FSRS (the ``fsrs`` package, the scheduler modern Anki uses).

Each reviewable item has one card per user in ``learn_review_cards``: a lesson's quiz question once the lesson is
passed (``q:<lesson>:<question>``), a drill's item kind once a round of it is done (``d:<drill>``). The quiz answer
or the round's score is the card's first review, so what went wrong comes back first (again: one minute; good:
ten minutes, then days as the card stabilises). FSRS's card state is stored as its own ``to_dict()`` JSON.

A review shows the question without its answer (or a drill item generated from the card's seed), grades the
answer on the server — a wrong answer is always "again", a right one takes the learner's grade — schedules the
next review and draws a new seed. Reviews pay rules.REVIEW_XP XP, at most rules.REVIEW_XP_PER_DAY a day.

Answering is two round trips, authentication included. The card is read with the token check (``READ_CARD``, the
route's read); FSRS schedules it in Python; one statement (the SQL function ``learn_review_record``) writes the
card, the capped XP, the log and the streak. No lock is held between the two (that would need a transaction open
across the grading, and BEGIN and COMMIT are round trips of their own): the card's review count is the version the
grading read, and the write compares it under its row lock, so of two answers sent at once to one card the second
is refused as not due (409), as it was when the first one's lock made it wait.
"""

from __future__ import annotations

import json
import secrets
from datetime import datetime
from typing import Any
from uuid import UUID

from fsrs import Card, Rating, Scheduler, State
from psycopg import Connection
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from momentum import gamification
from momentum.auth import CALLER
from momentum.db import fetch_row
from momentum.errors import Conflict, InvalidInput, NotFound
from momentum.learn import drills, quiz, replay, rules
from momentum.learn.models import Grade, ReviewAnswer, ReviewItem, ReviewQueue, ReviewResult

SCHEDULER = Scheduler()  # FSRS-6 default parameters, 90 % desired retention, fuzzed intervals
RATINGS: dict[str, Rating] = {"again": Rating.Again, "hard": Rating.Hard, "good": Rating.Good, "easy": Rating.Easy}

# Due cards whose lesson or drill a learner can still see (and whose question is still in its quiz).
DUE = """
FROM learn_review_cards c
LEFT JOIN learn_lessons l ON l.id = c.lesson_id
LEFT JOIN learn_drills d ON d.id = c.drill_id
WHERE c.user_id = %(user_id)s AND c.due <= now()
  AND (l.is_active OR d.is_active)
  AND NOT EXISTS (SELECT 1 FROM learn_topics t WHERE t.id = coalesce(l.topic_id, d.topic_id) AND NOT t.is_active)
  AND (c.lesson_id IS NULL OR EXISTS (
      SELECT 1 FROM jsonb_array_elements(l.quiz_json -> 'questions') q WHERE q ->> 'id' = c.question_id))
"""

LIST_DUE = f"""
SELECT c.id, c.lesson_id, c.question_id, c.drill_id, c.card, c.due, c.seed, c.reps,
       l.title AS lesson_title, l.quiz_json, d.title AS drill_title, d.config_json
{DUE}
ORDER BY c.due, c.id
LIMIT %(limit)s
"""

COUNT_DUE = f"SELECT count(*) {DUE}"

# The caller's card to grade (the route's read, sent with the token check: momentum.http), with the database's now
# and the response kept for the Idempotency-Key.
READ_CARD = f"""
SELECT c.id, c.lesson_id, c.question_id, c.drill_id, c.card, c.due, c.seed, c.reps, now() AS now,
       l.quiz_json, d.config_json, {replay.KEPT_COLUMNS}
FROM learn_review_cards c
LEFT JOIN learn_lessons l ON l.id = c.lesson_id
LEFT JOIN learn_drills d ON d.id = c.drill_id
{replay.kept("c.user_id")}
WHERE c.id = %(card_id)s AND c.user_id = {CALLER}
"""

# The card's new state if it is still at the review count graded, the capped XP, the log, the streak and the kept
# response: one statement (migrations/functions/learn_review_record.sql).
RECORD = """
SELECT r.response, r.achievements_due
FROM learn_review_record(%(user_id)s, %(id)s, %(reps)s, %(card)s, %(due)s, %(seed)s, %(lapse)s, %(now)s,
                         %(rating)s, %(correct)s, %(due_before)s, %(xp)s, %(xp_per_day)s, %(key)s, %(request)s,
                         %(response)s) r
"""


def new_seed() -> int:
    return secrets.randbits(62)


def first_review(rating: Grade, now: datetime) -> Card:
    """A new card reviewed once: the quiz answer or the drill round counts as the first look at the item."""
    card, _ = SCHEDULER.review_card(Card(), RATINGS[rating], review_datetime=now)
    return card


def card_rows(cards: list[dict[str, Any]], now: datetime) -> Jsonb:
    """New cards (item_key, lesson_id, question_id, drill_id, rating), each reviewed once by FSRS, as the SQL
    function ``learn_add_cards`` takes them (it skips those the user has already)."""
    rows = []
    for spec in cards:
        card = first_review(spec["rating"], now)
        rows.append(
            {
                "item_key": spec["item_key"],
                "lesson_id": spec.get("lesson_id"),
                "question_id": spec.get("question_id"),
                "drill_id": spec.get("drill_id"),
                "card": card.to_dict(),
                "due": card.due,
                "seed": new_seed(),
                "last_review": now,
            }
        )
    return Jsonb(rows, dumps=_dumps)


def add_cards(conn: Connection, user_id: UUID, cards: list[dict[str, Any]], now: datetime) -> None:
    """Create cards (item_key, lesson_id, question_id, drill_id, rating) unless the user has them already."""
    conn.execute("SELECT learn_add_cards(%s, %s)", (user_id, card_rows(cards, now)))


def _dumps(value: Any) -> str:
    return json.dumps(value, default=str)


def _state(card: dict[str, Any]) -> str:
    return State(card["state"]).name.lower()


def _question(quiz_json: dict[str, Any] | None, question_id: str) -> Any:
    parsed = quiz.parse(quiz_json)
    return next((q for q in parsed.questions if q.id == question_id), None) if parsed else None


def _drill_item(config_json: dict[str, Any], seed: int) -> dict[str, Any]:
    return drills.generate(drills.parse_config(config_json), seed, 1)[0]


def due_reviews(conn: Connection, user_id: UUID, limit: int) -> ReviewQueue:
    """What is due now, oldest first: questions without their answers, drill items without theirs."""
    params = {"user_id": user_id, "limit": limit}
    with conn.cursor(row_factory=dict_row) as cur:
        rows = cur.execute(LIST_DUE, params).fetchall()
        count = cur.execute(COUNT_DUE, params).fetchone()
    items = []
    for row in rows:
        common = {"card_id": row["id"], "due": row["due"], "state": _state(row["card"]), "reps": row["reps"]}
        if row["lesson_id"] is not None:
            question = _question(row["quiz_json"], row["question_id"])
            if question is None:  # edited out of the quiz since the query ran
                continue
            items.append(
                ReviewItem(
                    kind="question",
                    lesson_id=row["lesson_id"],
                    lesson_title=row["lesson_title"],
                    question=quiz.public(question),
                    **common,
                )
            )
        else:
            item = _drill_item(row["config_json"], row["seed"])
            items.append(
                ReviewItem(
                    kind="drill",
                    drill_id=row["drill_id"],
                    drill_title=row["drill_title"],
                    item=drills.public_item(0, item),
                    **common,
                )
            )
    return ReviewQueue(due_count=count["count"] if count else 0, items=items)


def count_due(conn: Connection, user_id: UUID) -> int:
    return int(conn.execute(COUNT_DUE, {"user_id": user_id}).fetchone()[0])  # type: ignore[index]


def review(
    conn: Connection,
    user_id: UUID,
    card_id: UUID,
    body: ReviewAnswer,
    idempotency_key: str | None,
    card_row: dict[str, Any] | None,
) -> ReviewResult:
    """Grade a due card (``card_row``: READ_CARD's row, None when the caller has no such card) and schedule its next
    review. A retry with the same Idempotency-Key answers the first result.

    Raises: NotFound (not the caller's card), Conflict not_due (answered already, or not due yet) /
    idempotency_key_reused, InvalidInput (an answer of the wrong kind)."""
    if card_row is None:
        raise NotFound("review card")
    request = replay.fingerprint("review", card_id, body)
    if (previous := replay.replayed(card_row, request, ReviewResult)) is not None:
        return previous
    now: datetime = card_row["now"]
    if card_row["due"] > now:
        raise Conflict("This card is not due yet", code="not_due", details={"due": card_row["due"].isoformat()})
    correct, answer, explanation = _grade(card_row, body)
    rating: Grade = body.grade if correct else "again"
    card = Card.from_dict(card_row["card"])
    was_review = card.state == State.Review
    card, _ = SCHEDULER.review_card(card, RATINGS[rating], review_datetime=now)
    response, achievements_due = fetch_row(
        conn,
        RECORD,
        {
            "user_id": user_id,
            "id": card_id,
            "reps": card_row["reps"],
            "card": Jsonb(card.to_dict()),
            "due": card.due,
            "seed": new_seed(),
            "lapse": int(was_review and rating == "again"),
            "now": now,
            "rating": rating,
            "correct": correct,
            "due_before": card_row["due"],
            "xp": rules.REVIEW_XP,
            "xp_per_day": rules.REVIEW_XP_PER_DAY,
            "key": idempotency_key,
            "request": request,
            "response": replay.part(
                card_id=card_id,
                correct=correct,
                rating=rating,
                next_due=card.due,
                state=State(card.state).name.lower(),
                correct_answer=answer,
                explanation=explanation,
            ),
        },
    )
    if achievements_due:
        gamification.check_achievements(conn, user_id)
    return ReviewResult.model_validate(response)


def _grade(row: dict[str, Any], body: ReviewAnswer) -> tuple[bool, Any, str | None]:
    """(correct, the correct answer, an explanation) for the card's question or drill item."""
    if row["lesson_id"] is not None:
        question = _question(row["quiz_json"], row["question_id"])
        if question is None:
            raise NotFound("review card")
        if body.answer is None:
            raise InvalidInput("Answer a question with answer", details={"field": "answer"})
        return quiz.is_correct(question, body.answer), quiz.correct_answer(question), question.explanation
    item = _drill_item(row["config_json"], row["seed"])
    if item["kind"] == "bpm_tap":
        if body.taps_ms is None:
            raise InvalidInput("A tapping item is answered with taps_ms", details={"field": "taps_ms"})
        correct, _ = drills.score_item(item, taps_ms=body.taps_ms)
    else:
        if not isinstance(body.answer, str):
            raise InvalidInput("Answer a drill item with one of its options", details={"field": "answer"})
        correct, _ = drills.score_item(item, choice=body.answer)
    return correct, item["answer"], None
