"""Workout sessions: started (optionally from a workout), filled with sets, completed once for XP and coins.

Completing pays under the key ``workout-session:<id>`` by ``rules.session_award`` (working sets, not minutes; nothing
for an empty session), extends the ``workout`` streak when the session had working sets, and records the payment on
the session, all in one statement (``fitness_complete_session`` in migrations/functions, given the rule's table).
The completing UPDATE only matches a session that is not completed yet, so of two concurrent completions one pays
and the other gets 409. Locking the session row also orders completion against set logging: a set is either in
before the count or refused after. The answer, the session with its sets, is read after.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from psycopg import Connection
from psycopg.rows import dict_row

from momentum import db, gamification
from momentum.errors import InvalidInput, NotFound
from momentum.fitness import records, rules
from momentum.fitness.models import (
    CompleteIn,
    ExerciseSet,
    LastTime,
    PlannedExercise,
    Session,
    SessionExercise,
    SessionIn,
    SessionQuery,
    SessionSummary,
)
from momentum.pagination import Page, PageRequest, page_of

# The SQL side of rules.is_working_set and of a set's volume, for aggregates over many sets
# (tests hold them equal to the Python rules).
WORKING_SET = "(NOT s.is_warmup AND (coalesce(s.reps, 0) > 0 OR coalesce(s.duration, 0) > 0))"
SET_VOLUME = "(CASE WHEN s.is_warmup THEN 0 ELSE coalesce(s.weight::float8 * s.reps, 0) END)"

SUMMARY = f"""
SELECT ws.id, ws.workout_id, w.name AS workout_name, ws.started_at, ws.completed_at, ws.duration_seconds,
       ws.notes, ws.rating, ws.xp_awarded, ws.coins_awarded, agg.set_count, agg.working_set_count, agg.volume
FROM workout_sessions ws
-- the workout's name only while the user may still see it (a public workout can be made private again)
LEFT JOIN workouts w ON w.id = ws.workout_id AND (w.user_id = ws.user_id OR w.is_public)
CROSS JOIN LATERAL (
    SELECT count(*) AS set_count, count(*) FILTER (WHERE {WORKING_SET}) AS working_set_count,
           coalesce(sum({SET_VOLUME}), 0) AS volume
    FROM exercise_sets s WHERE s.session_id = ws.id
) agg
"""

GET_SUMMARY = f"{SUMMARY} WHERE ws.id = %(id)s AND ws.user_id = %(user_id)s"

LIST_SUMMARIES = f"""{SUMMARY}
WHERE ws.user_id = %(user_id)s
  AND (%(status)s::text IS NULL OR (ws.completed_at IS NOT NULL) = (%(status)s = 'completed'))
  AND (%(after_started)s::timestamptz IS NULL OR (ws.started_at, ws.id) < (%(after_started)s, %(after_id)s::uuid))
ORDER BY ws.started_at DESC, ws.id DESC
LIMIT %(limit)s
"""

# Exercises in the order they were first done in the session, sets by number.
SESSION_SETS = """
SELECT s.id, s.session_id, s.exercise_id, s.set_number, s.reps, s.weight, s.duration, s.is_warmup, s.is_dropset,
       s.rpe, s.notes, s.completed_at, e.name AS exercise_name, e.category,
       min(s.completed_at) OVER (PARTITION BY s.exercise_id) AS first_done
FROM exercise_sets s JOIN exercises e ON e.id = s.exercise_id
WHERE s.session_id = %(id)s
ORDER BY first_done, s.exercise_id, s.set_number, s.id
"""

# Only a workout the user can see can be the base of a session.
START_SESSION = """
INSERT INTO workout_sessions (user_id, workout_id, notes)
SELECT %(user_id)s, %(workout_id)s, %(notes)s
WHERE %(workout_id)s::uuid IS NULL OR EXISTS (
    SELECT 1 FROM workouts w WHERE w.id = %(workout_id)s AND (w.user_id = %(user_id)s OR w.is_public))
RETURNING id
"""

# The workout's exercises in section and list order, each with the sets of the user's latest earlier session that
# did it (whatever workout that session came from).
SESSION_PLAN = """
SELECT we.exercise_id, e.name AS exercise_name, e.category, sec.name AS section_name, we.sets, we.reps, we.weight,
       we.duration, we.rest_seconds, we.notes, last.session_id AS last_session_id, last.started_at AS last_started_at,
       last.sets AS last_sets
FROM workout_sessions ws
JOIN workouts w ON w.id = ws.workout_id AND (w.user_id = ws.user_id OR w.is_public)
JOIN workout_exercises we ON we.workout_id = w.id
JOIN exercises e ON e.id = we.exercise_id
LEFT JOIN workout_sections sec ON sec.id = we.section_id
LEFT JOIN LATERAL (
    SELECT prev.id AS session_id, prev.started_at,
           (SELECT json_agg(json_build_object('set_number', s.set_number, 'reps', s.reps, 'weight', s.weight,
                                              'duration', s.duration, 'is_warmup', s.is_warmup)
                            ORDER BY s.set_number, s.id)
            FROM exercise_sets s WHERE s.session_id = prev.id AND s.exercise_id = we.exercise_id) AS sets
    FROM workout_sessions prev
    WHERE prev.user_id = ws.user_id AND prev.id <> ws.id
      AND (prev.started_at, prev.id) < (ws.started_at, ws.id)
      AND EXISTS (SELECT 1 FROM exercise_sets s WHERE s.session_id = prev.id AND s.exercise_id = we.exercise_id)
    ORDER BY prev.started_at DESC, prev.id DESC
    LIMIT 1
) last ON true
WHERE ws.id = %(id)s AND ws.user_id = %(user_id)s
ORDER BY sec.sort_order NULLS FIRST, sec.id, we.sort_order, we.id
"""

LOCK_SESSION = """
SELECT id, completed_at FROM workout_sessions WHERE id = %(id)s AND user_id = %(user_id)s FOR UPDATE
"""

COMPLETE_SESSION = """
SELECT fitness_complete_session(%(user_id)s, %(id)s, %(notes)s, %(set_notes)s, %(rating)s, %(xp)s, %(coins)s,
                                %(skill_stars)s, %(skill_key)s)
"""
# What a session pays by its count of working sets (index n for n sets; the rule pays nothing more past the cap).
PAY_TABLE = [rules.session_award(n) for n in range(rules.WORKING_SETS_PAID + 1)]

# Where each exercise of the session starts in the user's history, for rebuilding its records.
SESSION_HISTORY_STARTS = """
SELECT DISTINCT ON (s.exercise_id) s.exercise_id, s.completed_at, s.id
FROM exercise_sets s WHERE s.session_id = %(id)s
ORDER BY s.exercise_id, s.completed_at, s.id
"""

DELETE_SESSION = "DELETE FROM workout_sessions WHERE id = %(id)s"


def start_session(conn: Connection, user_id: UUID, body: SessionIn) -> Session:
    """Start a session, from one of the user's workouts or a public one if given.

    Raises: InvalidInput when the workout is not one the user can see.
    """
    params = {"user_id": user_id, "workout_id": body.workout_id, "notes": body.notes}
    # A workout deleted after the statement's check saw it fails its foreign key: the same error, through dberrors.
    row = conn.execute(START_SESSION, params).fetchone()
    if row is None:
        raise InvalidInput("Unknown workout", code="unknown_workout", details={"workout_id": str(body.workout_id)})
    return get_session(conn, user_id, row[0])


def lock_session(conn: Connection, user_id: UUID, session_id: UUID) -> datetime | None:
    """Lock one of the user's sessions for the rest of the transaction; returns when it was completed, if it was.

    Raises: NotFound.
    """
    row = conn.execute(LOCK_SESSION, {"id": session_id, "user_id": user_id}).fetchone()
    if row is None:
        raise NotFound("session")
    completed_at: datetime | None = row[1]
    return completed_at


def get_session(conn: Connection, user_id: UUID, session_id: UUID) -> Session:
    """A session with its sets grouped by exercise, and the records each exercise's sets hold. Raises: NotFound."""
    summary = db.fetch_one(
        conn, SessionSummary, GET_SUMMARY, {"id": session_id, "user_id": user_id}, resource="session"
    )
    groups: dict[UUID, SessionExercise] = {}
    with conn.cursor(row_factory=dict_row) as cur:
        for row in cur.execute(SESSION_SETS, {"id": session_id}):
            group = groups.setdefault(
                row["exercise_id"],
                SessionExercise(
                    exercise_id=row["exercise_id"],
                    exercise_name=row["exercise_name"],
                    category=row["category"],
                    sets=[],
                    records=[],
                ),
            )
            group.sets.append(ExerciseSet.model_validate(row))
    set_ids = [s.id for g in groups.values() for s in g.sets]
    for record in records.records_of_sets(conn, set_ids) if set_ids else []:
        groups[record.exercise_id].records.append(record)
    return Session(
        **summary.model_dump(), exercises=list(groups.values()), plan=session_plan(conn, user_id, session_id)
    )


def session_plan(conn: Connection, user_id: UUID, session_id: UUID) -> list[PlannedExercise]:
    """The targets of the session's workout, each with what the user did in that exercise last time."""
    plan = []
    with conn.cursor(row_factory=dict_row) as cur:
        for row in cur.execute(SESSION_PLAN, {"id": session_id, "user_id": user_id}):
            last = {"session_id": row.pop("last_session_id"), "started_at": row.pop("last_started_at")}
            last["sets"] = row.pop("last_sets")
            last_time = LastTime.model_validate(last) if last["session_id"] is not None else None
            plan.append(PlannedExercise(**row, last_time=last_time))
    return plan


def list_sessions(conn: Connection, user_id: UUID, query: SessionQuery, page: PageRequest) -> Page[SessionSummary]:
    """The user's sessions, newest first, optionally only the active or the completed ones."""
    after_started, after_id = page.after_key(datetime, UUID)
    params = {
        "user_id": user_id,
        "status": query.status,
        "after_started": after_started,
        "after_id": after_id,
        "limit": page.limit + 1,
    }
    rows = db.fetch_all(conn, SessionSummary, LIST_SUMMARIES, params)
    return page_of(rows, page, key=lambda s: (s.started_at.isoformat(), str(s.id)))


def complete_session(conn: Connection, user_id: UUID, session_id: UUID, body: CompleteIn) -> Session:
    """Complete a session and pay for it once (see the module docstring for the rule).

    Raises: NotFound, Conflict when the session is already completed.
    """
    params = {
        "id": session_id,
        "user_id": user_id,
        "notes": body.notes,
        "set_notes": "notes" in body.model_fields_set,
        "rating": body.rating,
        "xp": [pay.xp for pay in PAY_TABLE],
        "coins": [pay.coins for pay in PAY_TABLE],
        "skill_stars": [pay.skill_stars for pay in PAY_TABLE],
        "skill_key": rules.FITNESS_SKILL,
    }
    (achievements_due,) = db.fetch_row(conn, COMPLETE_SESSION, params)
    if achievements_due:
        gamification.check_achievements(conn, user_id)
    return get_session(conn, user_id, session_id)


def delete_session(conn: Connection, user_id: UUID, session_id: UUID) -> None:
    """Discard a session in progress, or delete a completed one from the history, with its sets; the records of
    its exercises are rebuilt without them. What a completed session paid stays paid: the ledger is history.

    Raises: NotFound.
    """
    params = {"id": session_id, "user_id": user_id}
    with conn.transaction():
        lock_session(conn, user_id, session_id)
        starts = {
            exercise_id: (at, set_id)
            for exercise_id, at, set_id in conn.execute(SESSION_HISTORY_STARTS, params).fetchall()
        }
        records.lock_records(conn, user_id, starts)
        for exercise_id, start in starts.items():
            records.drop_records_from(conn, user_id, exercise_id, start)
        conn.execute(DELETE_SESSION, params)
        for exercise_id, start in starts.items():
            records.replay_from(conn, user_id, exercise_id, start)
