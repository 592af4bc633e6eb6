"""Personal records: kept as a history per user, exercise and record type, where each record beat the one before.

Logging a set adds records in the same statement (``fitness_log_set``, migration 0010). Editing or deleting a set
rebuilds the history from that set onwards: records derived from it or from any later set of that exercise go,
then the later sets are replayed on top of the bests from before it (``rules.replay_records``). Records from
earlier sets cannot depend on a later set, so they stay as they are.

History order is (completed_at, id) of the source set; callers hold the (user, exercise) lock from
``lock_records`` while they change a history, as ``fitness_log_set`` does.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any
from uuid import UUID

from psycopg import Connection

from momentum import db
from momentum.fitness.models import ExerciseRecords, PersonalRecord, RecordQuery
from momentum.fitness.rules import RECORD_TYPES, SetFacts, replay_records
from momentum.pagination import Page, PageRequest, page_of

HistoryKey = tuple[datetime, UUID]  # (completed_at, id) of a set: its place in the history

LOCK_RECORDS = "SELECT pg_advisory_xact_lock(fitness_records_lock(%(user_id)s, %(exercise_id)s))"

DROP_RECORDS_FROM = """
DELETE FROM personal_records pr USING exercise_sets s
WHERE pr.user_id = %(user_id)s AND pr.exercise_id = %(exercise_id)s AND s.id = pr.exercise_set_id
  AND (s.completed_at, s.id) >= (%(from_at)s, %(from_id)s::uuid)
"""

# Each best is the top of personal_records_best_idx: independent of how long the history is.
CURRENT_BESTS = """
SELECT t.record_type,
       (SELECT pr.value FROM personal_records pr
        WHERE pr.user_id = %(user_id)s AND pr.exercise_id = %(exercise_id)s AND pr.record_type = t.record_type
        ORDER BY pr.value DESC LIMIT 1) AS best
FROM unnest(%(types)s::text[]) AS t (record_type)
"""

SETS_FROM = """
SELECT s.id, s.completed_at, s.reps, s.weight, s.duration, s.is_warmup
FROM exercise_sets s JOIN workout_sessions ws ON ws.id = s.session_id
WHERE ws.user_id = %(user_id)s AND s.exercise_id = %(exercise_id)s AND NOT s.is_warmup
  AND (s.completed_at, s.id) >= (%(from_at)s, %(from_id)s::uuid)
ORDER BY s.completed_at, s.id
"""

INSERT_RECORD = """
INSERT INTO personal_records (user_id, exercise_id, record_type, value, reps, achieved_at, exercise_set_id,
                              previous_value)
VALUES (%(user_id)s, %(exercise_id)s, %(record_type)s, %(value)s, %(reps)s, %(achieved_at)s, %(exercise_set_id)s,
        %(previous_value)s)
"""

RECORD_COLUMNS = (
    "pr.id, pr.exercise_id, pr.record_type, pr.value, pr.reps, pr.achieved_at, pr.exercise_set_id, pr.previous_value"
)

RECORDS_OF_SETS = f"""
SELECT {RECORD_COLUMNS} FROM personal_records pr
WHERE pr.exercise_set_id = ANY (%(set_ids)s)
ORDER BY pr.achieved_at, pr.record_type
"""

# A page of the user's exercises that have records, by name; for each record type the best and the records before
# it (records only grow, so highest value first is newest first).
RECORDS_PAGE = """
WITH mine AS (
    SELECT DISTINCT pr.exercise_id FROM personal_records pr
    WHERE pr.user_id = %(user_id)s AND (%(exercise_id)s::uuid IS NULL OR pr.exercise_id = %(exercise_id)s)
), page AS (
    SELECT e.id, e.name FROM mine JOIN exercises e ON e.id = mine.exercise_id
    WHERE %(after_name)s::text IS NULL OR (lower(e.name), e.id) > (lower(%(after_name)s), %(after_id)s::uuid)
    ORDER BY lower(e.name), e.id
    LIMIT %(limit)s
)
SELECT page.id AS exercise_id, page.name AS exercise_name, t.record_type, r.value, r.reps, r.achieved_at,
       r.exercise_set_id, r.previous_value  -- the last five: RECORD_ENTRY
FROM page
CROSS JOIN unnest(%(types)s::text[]) WITH ORDINALITY AS t (record_type, type_order)
CROSS JOIN LATERAL (
    SELECT pr.value, pr.reps, pr.achieved_at, pr.exercise_set_id, pr.previous_value, pr.id
    FROM personal_records pr
    WHERE pr.user_id = %(user_id)s AND pr.exercise_id = page.id AND pr.record_type = t.record_type
    ORDER BY pr.value DESC, pr.achieved_at DESC, pr.id DESC
    LIMIT 1 + %(history)s
) r
ORDER BY lower(page.name), page.id, t.type_order, r.value DESC, r.achieved_at DESC, r.id DESC
"""

# What RECORDS_PAGE gives of each record after its exercise and type, in its column order.
RECORD_ENTRY = ("value", "reps", "achieved_at", "exercise_set_id", "previous_value")


def lock_records(conn: Connection, user_id: UUID, exercise_ids: Iterable[UUID]) -> None:
    """Take the record-keeping locks of these exercises for the user, in one order so two callers never deadlock."""
    for exercise_id in sorted(set(exercise_ids)):
        conn.execute(LOCK_RECORDS, {"user_id": user_id, "exercise_id": exercise_id})


def drop_records_from(conn: Connection, user_id: UUID, exercise_id: UUID, start: HistoryKey) -> None:
    """Delete the records derived from sets at or after ``start`` in the history (before the sets change)."""
    conn.execute(
        DROP_RECORDS_FROM, {"user_id": user_id, "exercise_id": exercise_id, "from_at": start[0], "from_id": start[1]}
    )


def replay_from(conn: Connection, user_id: UUID, exercise_id: UUID, start: HistoryKey) -> None:
    """Rebuild the records of the sets at or after ``start`` (after the sets changed), on top of the bests left."""
    params = {
        "user_id": user_id,
        "exercise_id": exercise_id,
        "from_at": start[0],
        "from_id": start[1],
        "types": list(RECORD_TYPES),
    }
    bests = {t: v for t, v in conn.execute(CURRENT_BESTS, params).fetchall() if v is not None}
    sets = db.fetch_all(conn, SetFacts, SETS_FROM, params)
    rows = [
        {
            "user_id": user_id,
            "exercise_id": exercise_id,
            "record_type": r.record_type,
            "value": r.value,
            "reps": r.reps,
            "achieved_at": r.achieved_at,
            "exercise_set_id": r.exercise_set_id,
            "previous_value": r.previous_value,
        }
        for r in replay_records(bests, sets)
    ]
    if rows:
        with conn.cursor() as cur:
            cur.executemany(INSERT_RECORD, rows)


def records_of_sets(conn: Connection, set_ids: list[UUID]) -> list[PersonalRecord]:
    return db.fetch_all(conn, PersonalRecord, RECORDS_OF_SETS, {"set_ids": set_ids})


def list_records(conn: Connection, user_id: UUID, query: RecordQuery, page: PageRequest) -> Page[ExerciseRecords]:
    """The user's current best per exercise and record type, each with the records it followed."""
    after_name, after_id = page.after_key(str, UUID)
    params = {
        "user_id": user_id,
        "exercise_id": query.exercise_id,
        "after_name": after_name,
        "after_id": after_id,
        "limit": page.limit + 1,
        "history": query.history,
        "types": list(RECORD_TYPES),
    }
    # Plain rows grouped into plain dicts, then one validation per exercise: a model per row (a page of 20
    # exercises with their histories is a few hundred rows) cost more than the query.
    groups: dict[UUID, dict[str, Any]] = {}
    for exercise_id, exercise_name, record_type, *values in conn.execute(RECORDS_PAGE, params).fetchall():
        group = groups.get(exercise_id)
        if group is None:
            group = groups[exercise_id] = {"exercise_id": exercise_id, "exercise_name": exercise_name, "records": []}
        entry = dict(zip(RECORD_ENTRY, values, strict=True))
        kept = group["records"]
        if kept and kept[-1]["record_type"] == record_type:
            kept[-1]["history"].append(entry)  # a type's rows come best first: after the first, its history
        else:
            kept.append({"record_type": record_type, **entry, "history": []})
    items = [ExerciseRecords.model_validate(group) for group in groups.values()]
    return page_of(items, page, key=lambda g: (g.exercise_name, str(g.exercise_id)))
