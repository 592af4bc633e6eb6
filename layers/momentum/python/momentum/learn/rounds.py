"""Drill rounds: the server deals items from a seed it keeps, the client answers them, the server scores them.

A round is issued with its items (answers kept in ``learn_drill_rounds``) and graded once, before it expires.
Grading scores the answers in Python, then one statement (the SQL function ``learn_round_record``) updates
``user_drill_stats`` in one upsert (the row lock of ON CONFLICT DO UPDATE orders concurrent rounds, so the counts
stay exact), pays XP by the score under the drill's daily cap (``rules``), marks the round submitted and creates the
drill's review card on the first round; then the ``learning`` streak is touched.
"""

from __future__ import annotations

import math
from typing import Any
from uuid import UUID

from psycopg import Connection
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from momentum import gamification
from momentum.db import fetch_value
from momentum.errors import Conflict, Gone, InvalidInput, NotFound, TooManyRequests
from momentum.learn import drills, replay, review, rules
from momentum.learn.catalog import VISIBLE_DRILL
from momentum.learn.models import DrillRound, DrillStats, ItemResult, RoundResult, RoundSubmission
from momentum.platform import days

# A round lives twice the drill's time limit, at least 15 minutes. A learner has at most MAX_OPEN_ROUNDS rounds
# open (neither submitted nor expired), so dealing rounds in a loop cannot fill the table.
MAX_OPEN_ROUNDS = 50
ISSUE = f"""
INSERT INTO learn_drill_rounds (user_id, drill_id, seed, items, expires_at)
SELECT %(user_id)s, d.id, %(seed)s, %(items)s,
       now() + make_interval(secs => greatest(900, 2 * coalesce(d.duration_seconds, 0)))
FROM learn_drills d WHERE d.id = %(drill_id)s AND {VISIBLE_DRILL}
RETURNING id, drill_id, issued_at, expires_at
"""
OPEN_ROUNDS = """
SELECT count(*) FROM learn_drill_rounds
WHERE user_id = %(user_id)s AND submitted_at IS NULL AND expires_at > now()
"""

GET_DRILL = f"SELECT d.config_json FROM learn_drills d WHERE d.id = %(drill_id)s AND {VISIBLE_DRILL}"

# The round, locked, with the person's clock (days.CLOCK) for the day its XP cap and streak count on.
LOCK_ROUND = f"""
SELECT r.id, r.drill_id, r.items, r.issued_at, r.expires_at, r.submitted_at, now() AS now, d.xp_reward,
       d.duration_seconds, clock.*
FROM learn_drill_rounds r JOIN learn_drills d ON d.id = r.drill_id
CROSS JOIN {days.CLOCK}
WHERE r.id = %(id)s AND r.user_id = %(user_id)s
FOR UPDATE OF r
"""

# The stats, the capped XP, the round marked submitted and its review card: one statement
# (migrations/functions/learn_round_record.sql).
RECORD = """
SELECT (r.stats).total_attempts, (r.stats).correct_answers, (r.stats).best_score, (r.stats).average_score,
       (r.stats).current_streak, (r.stats).best_streak, (r.stats).last_attempt_at, (r.stats).total_time_seconds,
       r.xp
FROM learn_round_record(%(user_id)s, %(id)s, %(drill_id)s, %(score)s, %(correct)s, %(total)s, %(all_correct)s,
                        %(leading)s, %(trailing)s, %(longest)s, %(seconds)s, %(day)s, %(xp)s, %(cap)s, %(cards)s) r
"""


def issue_round(conn: Connection, user_id: UUID, drill_id: UUID) -> DrillRound:
    """Deal a round of a drill: what to play or show for each item, not the answers.

    Raises: NotFound, TooManyRequests too_many_open_rounds."""
    row = conn.execute(GET_DRILL, {"drill_id": drill_id}).fetchone()
    if row is None:
        raise NotFound("drill")
    if fetch_value(conn, OPEN_ROUNDS, {"user_id": user_id}) >= MAX_OPEN_ROUNDS:
        raise TooManyRequests(
            "Too many open rounds: answer or let some expire first",
            code="too_many_open_rounds",
            retry_after=60,  # a minute: answering a round frees a place at once, expiry frees one later
            details={"max_open_rounds": MAX_OPEN_ROUNDS},
        )
    seed = review.new_seed()
    items = drills.generate(drills.parse_config(row[0]), seed)
    params = {"user_id": user_id, "drill_id": drill_id, "seed": seed, "items": Jsonb(items)}
    with conn.cursor(row_factory=dict_row) as cur:
        issued = cur.execute(ISSUE, params).fetchone()
    if issued is None:  # deactivated in between
        raise NotFound("drill")
    return DrillRound(**issued, items=[drills.public_item(i, item) for i, item in enumerate(items)])


def submit_round(
    conn: Connection, user_id: UUID, round_id: UUID, body: RoundSubmission, idempotency_key: str | None = None
) -> RoundResult:
    """Score a round's answers once, update the drill stats and pay XP by the score. A retry with the same
    Idempotency-Key answers the first result.

    Raises: NotFound, Conflict already_submitted / idempotency_key_reused, Gone expired, InvalidInput (answers to
    items not dealt)."""
    request = replay.fingerprint("round", round_id, body)
    with conn.transaction():
        with conn.cursor(row_factory=dict_row) as cur:
            row = cur.execute(LOCK_ROUND, days.clock_params(user_id) | {"id": round_id}).fetchone()
        if row is None:
            raise NotFound("round")
        if (previous := replay.replayed(conn, user_id, idempotency_key, request, RoundResult)) is not None:
            return previous
        if row["submitted_at"] is not None:
            raise Conflict("This round has been submitted already", code="already_submitted")
        if row["expires_at"] <= row["now"]:
            raise Gone("This round has expired; start a new one", code="expired")
        results = _score(row["items"], body)
        total = len(results)
        correct = [r.correct for r in results]
        score = round(sum(r.score for r in results) / total) if total else 0
        leading, trailing, longest = rules.runs(correct)
        # Time is what the client reports, but never more than the round has been open.
        seconds = min(body.time_seconds, math.ceil((row["now"] - row["issued_at"]).total_seconds()))
        day = days.clock_of(row).activity_day()
        rating = "good" if score >= 80 else "hard" if score >= 60 else "again"
        params = {
            "user_id": user_id,
            "id": round_id,
            "drill_id": row["drill_id"],
            "correct": sum(correct),
            "score": score,
            "total": total,
            "all_correct": all(correct),
            "leading": leading,
            "trailing": trailing,
            "longest": longest,
            "seconds": max(0, seconds),
            "day": day,
            "xp": rules.drill_xp(score, row["xp_reward"]),
            "cap": rules.drill_daily_cap(row["xp_reward"]),
            "cards": review.card_rows(
                [{"item_key": f"d:{row['drill_id']}", "drill_id": row["drill_id"], "rating": rating}], row["now"]
            ),
        }
        with conn.cursor(row_factory=dict_row) as cur:
            recorded = cur.execute(RECORD, params).fetchone()
        assert recorded is not None  # the function answers one row or raises
        xp = recorded.pop("xp")
        stats = DrillStats.model_validate(recorded)
        gamification.touch_streak(conn, user_id, "learning", day)
        earned = gamification.check_achievements(conn, user_id)
        result = RoundResult(
            round_id=round_id,
            drill_id=row["drill_id"],
            score=score,
            correct=sum(correct),
            total=total,
            xp_awarded=xp,
            results=results,
            stats=stats,
            achievements_earned=earned,
        )
        replay.keep(conn, user_id, idempotency_key, request, result)
    return result


def _score(items: list[dict[str, Any]], body: RoundSubmission) -> list[ItemResult]:
    """Each dealt item's result; an item left unanswered is wrong."""
    answers = {}
    for answer in body.answers:
        if answer.item >= len(items):
            raise InvalidInput("No such item in this round", details={"item": answer.item})
        if answer.item in answers:
            raise InvalidInput("An item is answered twice", details={"item": answer.item})
        answers[answer.item] = answer
    results = []
    for index, item in enumerate(items):
        given = answers.get(index)
        correct, points = drills.score_item(item, choice=given.choice, taps_ms=given.taps_ms) if given else (False, 0)
        your = None if given is None else given.choice if given.choice is not None else given.taps_ms
        results.append(
            ItemResult(item=index, correct=correct, score=points, your_answer=your, correct_answer=item["answer"])
        )
    return results
