"""Drill rounds: the server deals items from a seed it keeps, the client answers them, the server scores them.

A round is issued with its items (answers kept in ``learn_drill_rounds``) and graded once, before it expires.
Submitting is two round trips, authentication included: the round is read with the token check (``READ_ROUND``,
the route's read); Python scores the answers; one statement (the SQL function ``learn_round_record``) updates
``user_drill_stats`` in one upsert (the row lock of ON CONFLICT DO UPDATE orders concurrent rounds, so the counts
stay exact), pays XP by the score under the drill's daily cap (``rules``), marks the round submitted, creates the
drill's review card on the first round and touches the ``learning`` streak. No lock is held between the read and
the write (that would need a transaction open across the scoring, and BEGIN and COMMIT are round trips of their
own): the write marks the round submitted only if it still is not, under its row lock, so of two submissions of one
round sent at once the second is refused as already submitted (409) and pays nothing.
"""

from __future__ import annotations

import math
from typing import Any
from uuid import UUID

from psycopg import Connection
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from momentum.auth import CALLER
from momentum.db import fetch_row, fetch_value
from momentum.errors import Conflict, Gone, InvalidInput, NotFound, TooManyRequests
from momentum.learn import drills, replay, review, rules
from momentum.learn.catalog import VISIBLE_DRILL
from momentum.learn.models import DrillRound, ItemResult, RoundResult, RoundSubmission

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

# The caller's round to score (the route's read, sent with the token check: momentum.http), with the database's
# now and the response kept for the Idempotency-Key.
READ_ROUND = f"""
SELECT r.id, r.drill_id, r.items, r.issued_at, r.expires_at, r.submitted_at, now() AS now, d.xp_reward,
       {replay.KEPT_COLUMNS}
FROM learn_drill_rounds r JOIN learn_drills d ON d.id = r.drill_id
{replay.kept("r.user_id")}
WHERE r.id = %(round_id)s AND r.user_id = {CALLER}
"""

# The round marked submitted if it still is not, the stats, the capped XP, its review card, the streak and the
# kept response: one statement (migrations/functions/learn_round_record.sql).
RECORD = """
SELECT r.response, r.achievements_due
FROM learn_round_record(%(user_id)s, %(id)s, %(drill_id)s, %(score)s, %(correct)s, %(total)s, %(all_correct)s,
                        %(leading)s, %(trailing)s, %(longest)s, %(seconds)s, %(xp)s, %(cap)s, %(cards)s, %(key)s,
                        %(request)s, %(response)s) r
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
    conn: Connection,
    user_id: UUID,
    round_id: UUID,
    body: RoundSubmission,
    idempotency_key: str | None,
    row: dict[str, Any] | None,
) -> RoundResult:
    """Score a round's answers once (``row``: READ_ROUND's row, None when the caller has no such round),
    update the drill stats and pay XP by the score. A retry with the same Idempotency-Key answers the first result.

    Raises: NotFound, Conflict already_submitted / idempotency_key_reused, Gone expired, InvalidInput (answers to
    items not dealt)."""
    if row is None:
        raise NotFound("round")
    request = replay.fingerprint("round", round_id, body)
    if (previous := replay.replayed(row, request, RoundResult)) is not None:
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
        "xp": rules.drill_xp(score, row["xp_reward"]),
        "cap": rules.drill_daily_cap(row["xp_reward"]),
        "cards": review.card_rows(
            [{"item_key": f"d:{row['drill_id']}", "drill_id": row["drill_id"], "rating": rating}], row["now"]
        ),
        "key": idempotency_key,
        "request": request,
        "response": replay.part(
            round_id=round_id,
            drill_id=row["drill_id"],
            score=score,
            correct=sum(correct),
            total=total,
            results=results,
            achievements_earned=[],
        ),
    }
    response, achievements_due = fetch_row(conn, RECORD, params)
    result = RoundResult.model_validate(response)
    return replay.with_achievements(conn, user_id, idempotency_key, result, achievements_due)


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
