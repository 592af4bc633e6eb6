"""Logging, editing and deleting sets, with the personal records they set.

Logging is the hot path: one statement, ``fitness_log_set`` (migration 0010), locks the session, numbers the set
within its exercise, inserts it and inserts the records it breaks against the current bests (read from the top of
an index, so the cost does not grow with the history). The rule of which values a set offers stays in
``rules.record_values``. The same statement advances the accepted quests that count working sets
(``quests.COUNT_IN_STATEMENT``), so with authentication a logged set costs two round trips, and the set and its
quest progress commit together or not at all.

Editing or deleting a set rebuilds the records of its exercise from that set onwards (see ``records``), in one
transaction. Sets of a completed session can still be corrected; the session's payment does not change.
"""

from __future__ import annotations

from uuid import UUID

import psycopg
from psycopg import Connection

from momentum import db, dberrors, quests
from momentum.errors import InvalidInput
from momentum.fitness import records, rules
from momentum.fitness.exercises import require_visible
from momentum.fitness.models import ExerciseSet, LoggedSet, SetIn, SetPatch
from momentum.fitness.sessions import lock_session

# target_type is NULL for a warm-up, which no quest counts. The function runs first (the CTE is materialised and
# read by the main query); if it raises, the whole statement, quest progress included, is undone.
LOG_SET = f"""
WITH logged AS MATERIALIZED (
    SELECT fitness_log_set(%(user_id)s, %(session_id)s, %(exercise_id)s, %(reps)s::integer, %(weight)s::real,
                           %(duration)s::integer, %(is_warmup)s, %(is_dropset)s, %(rpe)s::integer, %(notes)s::text,
                           %(record_types)s::text[], %(record_values)s::real[]) AS result
), quest_progress AS ({quests.COUNT_IN_STATEMENT})
SELECT result FROM logged
"""

SET_COLUMNS = (
    "id, session_id, exercise_id, set_number, reps, weight, duration, is_warmup, is_dropset, rpe, notes, completed_at"
)

LOCK_SET = f"SELECT {SET_COLUMNS} FROM exercise_sets WHERE id = %(id)s AND session_id = %(session_id)s FOR UPDATE"

# A set moved to another exercise goes last among that exercise's sets in the session.
UPDATE_SET = f"""
UPDATE exercise_sets SET
    exercise_id = %(exercise_id)s,
    set_number = CASE WHEN %(moved)s THEN (
        SELECT coalesce(max(x.set_number), 0) + 1 FROM exercise_sets x
        WHERE x.session_id = %(session_id)s AND x.exercise_id = %(exercise_id)s) ELSE set_number END,
    reps = %(reps)s, weight = %(weight)s, duration = %(duration)s, is_warmup = %(is_warmup)s,
    is_dropset = %(is_dropset)s, rpe = %(rpe)s, notes = %(notes)s
WHERE id = %(id)s
RETURNING {SET_COLUMNS}
"""

DELETE_SET = "DELETE FROM exercise_sets WHERE id = %(id)s"

# The sets after a removed one move up, so an exercise's sets stay numbered 1, 2, 3 …
CLOSE_GAP = """
UPDATE exercise_sets SET set_number = set_number - 1
WHERE session_id = %(session_id)s AND exercise_id = %(exercise_id)s AND set_number > %(set_number)s
"""

# What fitness_log_set raises (migration 0010).


def log_set(conn: Connection, user_id: UUID, session_id: UUID, body: SetIn) -> LoggedSet:
    """Log a set in one of the user's sessions; returns it with the personal records it broke.

    Raises: NotFound (session), Conflict (session completed), InvalidInput (exercise the user cannot see).
    """
    offered = rules.record_values(body.weight, body.reps, body.duration, body.is_warmup)
    params = body.model_dump() | {
        "user_id": user_id,
        "session_id": session_id,
        "record_types": list(offered),
        "record_values": list(offered.values()),
        "target_type": None if body.is_warmup else "sets_logged",
        "amount": 1,
    }
    # fitness_log_set's errors (MF404, MF409, MF422) and a custom exercise deleted between its check and the insert
    # (a foreign-key violation) reach the glue, which maps them through momentum.dberrors.
    try:
        (result,) = db.fetch_row(conn, LOG_SET, params)
    except psycopg.Error as error:
        # fitness_log_set names no exercise in MF422's DETAIL yet; until it does, add the one this call sent.
        if error.sqlstate == "MF422" and not dberrors.details(error):
            raise _unknown_exercise(body.exercise_id) from None
        raise
    return LoggedSet.model_validate(result)


def update_set(conn: Connection, user_id: UUID, session_id: UUID, set_id: UUID, patch: SetPatch) -> LoggedSet:
    """Change the fields sent of a set and rebuild the records it affects; returns it with the records it holds.

    Raises: NotFound (session or set), InvalidInput (no reps nor duration left, or an exercise the user cannot see).
    """
    with conn.transaction():
        lock_session(conn, user_id, session_id)
        current = _lock_set(conn, session_id, set_id)
        merged = current.model_dump() | patch.model_dump(include=patch.model_fields_set)
        if merged["reps"] is None and merged["duration"] is None:
            raise InvalidInput("a set needs reps or a duration", details={"fields": ["reps", "duration"]})
        moved = merged["exercise_id"] != current.exercise_id
        if moved:
            require_visible(conn, user_id, {merged["exercise_id"]})
        affected = {current.exercise_id, merged["exercise_id"]}
        start = (current.completed_at, current.id)
        records.lock_records(conn, user_id, affected)
        for exercise_id in affected:
            records.drop_records_from(conn, user_id, exercise_id, start)
        updated = db.fetch_one(conn, ExerciseSet, UPDATE_SET, merged | {"moved": moved}, resource="set")
        if moved:
            conn.execute(
                CLOSE_GAP,
                {"session_id": session_id, "exercise_id": current.exercise_id, "set_number": current.set_number},
            )
        for exercise_id in affected:
            records.replay_from(conn, user_id, exercise_id, start)
        held = records.records_of_sets(conn, [set_id])
    return LoggedSet(set=updated, records=held)


def delete_set(conn: Connection, user_id: UUID, session_id: UUID, set_id: UUID) -> None:
    """Delete a set, renumber the ones after it and rebuild the records of its exercise without it.

    Raises: NotFound (session or set).
    """
    with conn.transaction():
        lock_session(conn, user_id, session_id)
        current = _lock_set(conn, session_id, set_id)
        start = (current.completed_at, current.id)
        records.lock_records(conn, user_id, [current.exercise_id])
        records.drop_records_from(conn, user_id, current.exercise_id, start)
        conn.execute(DELETE_SET, {"id": set_id})
        conn.execute(
            CLOSE_GAP, {"session_id": session_id, "exercise_id": current.exercise_id, "set_number": current.set_number}
        )
        records.replay_from(conn, user_id, current.exercise_id, start)


def _lock_set(conn: Connection, session_id: UUID, set_id: UUID) -> ExerciseSet:
    return db.fetch_one(conn, ExerciseSet, LOCK_SET, {"id": set_id, "session_id": session_id}, resource="set")


def _unknown_exercise(exercise_id: UUID) -> InvalidInput:
    return InvalidInput("Unknown exercise", code="unknown_exercise", details={"exercise_ids": [str(exercise_id)]})
