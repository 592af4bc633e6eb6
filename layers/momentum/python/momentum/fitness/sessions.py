"""Workout sessions: started (optionally from a workout), filled with sets, completed once for XP and coins.

Completing pays under the key ``workout-session:<id>`` by ``rules.session_award`` (working sets, not minutes; nothing
for an empty session), extends the ``workout`` streak when the session had working sets, and records the payment on
the session, all in one statement (``fitness_complete_session`` in migrations/functions, given the rule's table),
which also answers with the session: with authentication, completing is two round trips. The completing UPDATE only
matches a session that is not completed yet, so of two concurrent completions one pays and the other gets 409.
Locking the session row also orders completion against set logging: a set is either in before the count or refused
after.

A session as the API shows it (summary, sets by exercise with their records, the workout's plan) is built by one
SQL function, ``fitness_session_state``, which reading, starting and completing a session share.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from psycopg import Connection

from momentum import db, gamification
from momentum.errors import InvalidInput, NotFound
from momentum.fitness import records, rules
from momentum.fitness.models import CompleteIn, Session, SessionIn, SessionQuery, SessionSummary
from momentum.pagination import Page, PageRequest, page_of

# Whether a set ``s`` is a working set, and what it adds to a volume, for aggregates over many sets: the SQL
# functions are the one definition (the planner inlines them).
WORKING_SET = "fitness_working_set(s.is_warmup, s.reps, s.duration)"
SET_VOLUME = "fitness_set_volume(s.is_warmup, s.weight, s.reps)"

# The list's summaries; a single session's, the same fields, comes with the rest of it from fitness_session_state
# (a test holds the two equal).
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

LIST_SUMMARIES = f"""{SUMMARY}
WHERE ws.user_id = %(user_id)s
  AND (%(status)s::text IS NULL OR (ws.completed_at IS NOT NULL) = (%(status)s = 'completed'))
  AND (%(after_started)s::timestamptz IS NULL OR (ws.started_at, ws.id) < (%(after_started)s, %(after_id)s::uuid))
ORDER BY ws.started_at DESC, ws.id DESC
LIMIT %(limit)s
"""

# Only a workout the user can see can be the base of a session.
START_SESSION = """
INSERT INTO workout_sessions (user_id, workout_id, notes)
SELECT %(user_id)s, %(workout_id)s, %(notes)s
WHERE %(workout_id)s::uuid IS NULL OR EXISTS (
    SELECT 1 FROM workouts w WHERE w.id = %(workout_id)s AND (w.user_id = %(user_id)s OR w.is_public))
RETURNING id
"""

SESSION_STATE = "SELECT fitness_session_state(%(user_id)s, %(id)s)"

LOCK_SESSION = """
SELECT id, completed_at FROM workout_sessions WHERE id = %(id)s AND user_id = %(user_id)s FOR UPDATE
"""

COMPLETE_SESSION = """
SELECT session, achievements_due
FROM fitness_complete_session(%(user_id)s, %(id)s, %(notes)s, %(set_notes)s, %(rating)s, %(xp)s, %(coins)s,
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
    state = db.fetch_value(conn, SESSION_STATE, {"id": session_id, "user_id": user_id})
    if state is None:
        raise NotFound("session")
    return Session.model_validate(state)


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
    session, achievements_due = db.fetch_row(conn, COMPLETE_SESSION, params)
    if achievements_due:
        gamification.check_achievements(conn, user_id)
    return Session.model_validate(session)


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
