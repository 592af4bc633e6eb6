"""Training programs: weeks (some of them deload weeks) of scheduled workouts, followed one week at a time.

A program schedules its owner's own workouts (copy a public workout first): then deleting a workout can tell
whether a program still needs it. One program is active per user: activating one deactivates the others in the
same transaction, under a lock on the user's programs, so two concurrent activations leave exactly one active.
Activating the active program changes nothing (a double tap does not restart it); a program that is not active
starts again at week 1. Advancing past the last week completes the program.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

from psycopg import Connection
from psycopg.rows import dict_row

from momentum import db
from momentum.errors import Conflict, InvalidInput, NotFound
from momentum.fitness import rules
from momentum.fitness.models import (
    Program,
    ProgramIn,
    ProgramSummary,
    ProgramWeekIn,
    ScheduledWorkout,
    Today,
    TodayQuery,
    Workout,
)
from momentum.fitness.workouts import get_workouts
from momentum.pagination import Page, PageRequest, page_of
from momentum.platform import days
from momentum.platform.settings import TIMEZONE, get_setting

PROGRAM_COLUMNS = """
p.id, p.name, p.description, p.duration_weeks, p.goal, p.difficulty, p.is_active, p.current_week, p.started_at,
p.completed_at, p.created_at, p.updated_at
"""

PROGRAM_DOCUMENT = f"""
SELECT {PROGRAM_COLUMNS},
       coalesce((
           SELECT jsonb_agg(jsonb_build_object(
                      'id', k.id, 'week_number', k.week_number, 'name', k.name, 'is_deload', k.is_deload,
                      'notes', k.notes,
                      'workouts', coalesce((
                          SELECT jsonb_agg(jsonb_build_object(
                                     'id', pw.id, 'workout_id', pw.workout_id, 'workout_name', w.name,
                                     'day_of_week', pw.day_of_week, 'order_index', pw.order_index,
                                     'intensity_modifier', pw.intensity_modifier)
                                 ORDER BY pw.day_of_week, pw.order_index, pw.id)
                          FROM program_workouts pw JOIN workouts w ON w.id = pw.workout_id
                          WHERE pw.program_week_id = k.id), '[]'))
                  ORDER BY k.week_number, k.id)
           FROM program_weeks k WHERE k.program_id = p.id), '[]') AS weeks
FROM training_programs p
WHERE p.id = %(id)s AND p.user_id = %(user_id)s
"""

LIST_PROGRAMS = f"""
SELECT {PROGRAM_COLUMNS} FROM training_programs p
WHERE p.user_id = %(user_id)s
  AND (%(after_created)s::timestamptz IS NULL OR (p.created_at, p.id) < (%(after_created)s, %(after_id)s::uuid))
ORDER BY p.created_at DESC, p.id DESC
LIMIT %(limit)s
"""

OWN_WORKOUTS = "SELECT id FROM workouts WHERE id = ANY (%(ids)s) AND user_id = %(user_id)s"

INSERT_PROGRAM = """
INSERT INTO training_programs (user_id, name, description, duration_weeks, goal, difficulty)
VALUES (%(user_id)s, %(name)s, %(description)s, %(duration_weeks)s, %(goal)s, %(difficulty)s)
RETURNING id
"""

# An active program cannot be shortened below the week it is in; an inactive one keeps its week within bounds.
UPDATE_PROGRAM = """
UPDATE training_programs SET name = %(name)s, description = %(description)s, duration_weeks = %(duration_weeks)s,
    goal = %(goal)s, difficulty = %(difficulty)s, current_week = least(current_week, %(duration_weeks)s)
WHERE id = %(id)s AND user_id = %(user_id)s AND NOT (is_active AND current_week > %(duration_weeks)s)
RETURNING id
"""

CLEAR_WEEKS = "DELETE FROM program_weeks WHERE program_id = %(id)s"  # cascades to their workouts

INSERT_WEEK = """
INSERT INTO program_weeks (id, program_id, week_number, name, is_deload, notes)
VALUES (%(id)s, %(program_id)s, %(week_number)s, %(name)s, %(is_deload)s, %(notes)s)
"""

INSERT_PROGRAM_WORKOUT = """
INSERT INTO program_workouts (program_week_id, workout_id, day_of_week, order_index, intensity_modifier)
VALUES (%(program_week_id)s, %(workout_id)s, %(day_of_week)s, %(order_index)s, %(intensity_modifier)s)
"""

DELETE_PROGRAM = "DELETE FROM training_programs WHERE id = %(id)s AND user_id = %(user_id)s RETURNING id"

# Every program of the user, locked in one order: concurrent activations take turns instead of both winning.
LOCK_USER_PROGRAMS = "SELECT id FROM training_programs WHERE user_id = %(user_id)s ORDER BY id FOR UPDATE"

DEACTIVATE_OTHERS = """
UPDATE training_programs SET is_active = false WHERE user_id = %(user_id)s AND is_active AND id <> %(id)s
"""

ACTIVATE = """
UPDATE training_programs SET is_active = true, current_week = 1, started_at = now(), completed_at = NULL
WHERE id = %(id)s AND NOT is_active
"""

# SET expressions read the row as it was: at the last week, the program completes instead of moving on.
ADVANCE = """
UPDATE training_programs
SET current_week = least(current_week + 1, duration_weeks),
    is_active = current_week < duration_weeks,
    completed_at = CASE WHEN current_week >= duration_weeks THEN now() ELSE completed_at END
WHERE id = %(id)s AND user_id = %(user_id)s AND is_active
RETURNING id
"""

DEACTIVATE = "UPDATE training_programs SET is_active = false WHERE id = %(id)s AND user_id = %(user_id)s AND is_active"

ACTIVE_PROGRAM = f"""
SELECT {PROGRAM_COLUMNS} FROM training_programs p
WHERE p.user_id = %(user_id)s AND p.is_active
ORDER BY p.started_at DESC NULLS LAST
LIMIT 1
"""

CURRENT_WEEK = """
SELECT k.week_number, k.name, k.is_deload,
       coalesce((SELECT jsonb_agg(jsonb_build_object('id', pw.id, 'workout_id', pw.workout_id,
                                                     'order_index', pw.order_index,
                                                     'intensity_modifier', pw.intensity_modifier)
                                  ORDER BY pw.order_index, pw.id)
                 FROM program_workouts pw
                 WHERE pw.program_week_id = k.id AND pw.day_of_week = %(day)s), '[]') AS workouts
FROM program_weeks k
WHERE k.program_id = %(id)s AND k.week_number = %(week)s
"""


def list_programs(conn: Connection, user_id: UUID, page: PageRequest) -> Page[ProgramSummary]:
    """The user's programs, newest first."""
    after_created, after_id = page.after_key(datetime, UUID)
    params = {"user_id": user_id, "after_created": after_created, "after_id": after_id, "limit": page.limit + 1}
    rows = db.fetch_all(conn, ProgramSummary, LIST_PROGRAMS, params)
    return page_of(rows, page, key=lambda p: (p.created_at.isoformat(), str(p.id)))


def get_program(conn: Connection, user_id: UUID, program_id: UUID) -> Program:
    """One of the user's programs with its weeks and scheduled workouts. Raises: NotFound."""
    with conn.cursor(row_factory=dict_row) as cur:
        row = cur.execute(PROGRAM_DOCUMENT, {"id": program_id, "user_id": user_id}).fetchone()
    if row is None:
        raise NotFound("program")
    return Program.model_validate(row)


def create_program(conn: Connection, user_id: UUID, body: ProgramIn) -> Program:
    """Create a program with its weeks and scheduled workouts, in one transaction.

    Raises: InvalidInput when a scheduled workout is not one of the user's own.
    """
    # A workout deleted between the check and the insert fails its foreign key: unknown_workout, through dberrors.
    with conn.transaction():
        _check_workouts(conn, user_id, body)
        (program_id,) = db.fetch_row(conn, INSERT_PROGRAM, _settings(body) | {"user_id": user_id})
        _insert_weeks(conn, program_id, body.weeks)
    return get_program(conn, user_id, program_id)


def replace_program(conn: Connection, user_id: UUID, program_id: UUID, body: ProgramIn) -> Program:
    """Replace one of the user's programs, weeks included, keeping its progress (active, week, dates).

    Raises: NotFound, InvalidInput (as create_program), Conflict when an active program would end before the
    week it is in.
    """
    params = _settings(body) | {"id": program_id, "user_id": user_id}
    with conn.transaction():
        if conn.execute(UPDATE_PROGRAM, params).fetchone() is None:
            get_program(conn, user_id, program_id)  # raises NotFound when it is not the user's
            raise Conflict(
                "The program is active beyond that many weeks",
                code="program_week_out_of_range",
                details={"duration_weeks": body.duration_weeks},
            )
        _check_workouts(conn, user_id, body)
        conn.execute(CLEAR_WEEKS, params)
        _insert_weeks(conn, program_id, body.weeks)
    return get_program(conn, user_id, program_id)


def delete_program(conn: Connection, user_id: UUID, program_id: UUID) -> None:
    """Raises: NotFound."""
    if conn.execute(DELETE_PROGRAM, {"id": program_id, "user_id": user_id}).fetchone() is None:
        raise NotFound("program")


def activate_program(conn: Connection, user_id: UUID, program_id: UUID) -> Program:
    """Make this the user's one active program, starting at week 1 unless it is already the active one.

    Raises: NotFound.
    """
    params = {"id": program_id, "user_id": user_id}
    with conn.transaction():
        if program_id not in {p for (p,) in conn.execute(LOCK_USER_PROGRAMS, params).fetchall()}:
            raise NotFound("program")
        conn.execute(DEACTIVATE_OTHERS, params)
        conn.execute(ACTIVATE, params)
    return get_program(conn, user_id, program_id)


def advance_program(conn: Connection, user_id: UUID, program_id: UUID) -> Program:
    """Move the active program to its next week; after the last week it is completed and no longer active.

    Raises: NotFound, Conflict when the program is not active.
    """
    with conn.transaction():
        if conn.execute(ADVANCE, {"id": program_id, "user_id": user_id}).fetchone() is None:
            get_program(conn, user_id, program_id)
            raise Conflict("The program is not active; activate it first", code="program_not_active")
    return get_program(conn, user_id, program_id)


def deactivate_program(conn: Connection, user_id: UUID, program_id: UUID) -> Program:
    """Stop following a program (it keeps its week); a program that is not active stays as it is.

    Raises: NotFound.
    """
    conn.execute(DEACTIVATE, {"id": program_id, "user_id": user_id})
    return get_program(conn, user_id, program_id)


def today(conn: Connection, user_id: UUID, query: TodayQuery, now: datetime | None = None) -> Today:
    """The workouts the active program schedules for today (the client's weekday if given, else the weekday in
    the person's timezone), with target weights scaled by each slot's intensity modifier."""
    if query.day_of_week is not None:
        day = query.day_of_week
    else:
        zone = days.zone(get_setting(conn, user_id, TIMEZONE))
        day = _sunday_first_weekday((now or datetime.now(UTC)).astimezone(zone))
    program = db.fetch_optional(conn, ProgramSummary, ACTIVE_PROGRAM, {"user_id": user_id})
    if program is None:
        return Today(day_of_week=day, program=None, week_number=None, week_name=None, is_deload=None, workouts=[])
    with conn.cursor(row_factory=dict_row) as cur:
        week = cur.execute(CURRENT_WEEK, {"id": program.id, "week": program.current_week, "day": day}).fetchone()
    if week is None:  # a rest week: nothing scheduled
        return Today(
            day_of_week=day,
            program=program,
            week_number=program.current_week,
            week_name=None,
            is_deload=None,
            workouts=[],
        )
    documents = get_workouts(conn, user_id, [slot["workout_id"] for slot in week["workouts"]])
    scheduled = [
        ScheduledWorkout(
            program_workout_id=slot["id"],
            order_index=slot["order_index"],
            intensity_modifier=slot["intensity_modifier"],
            workout=_scaled(documents[UUID(slot["workout_id"])], slot["intensity_modifier"]),
        )
        for slot in week["workouts"]
        if UUID(slot["workout_id"]) in documents
    ]
    return Today(
        day_of_week=day,
        program=program,
        week_number=week["week_number"],
        week_name=week["name"],
        is_deload=week["is_deload"],
        workouts=scheduled,
    )


def _sunday_first_weekday(moment: datetime) -> int:
    return moment.isoweekday() % 7  # ISO: Monday 1 … Sunday 7; here Sunday 0 … Saturday 6


def _scaled(workout: Workout, modifier: float) -> Workout:
    sections = [
        s.model_copy(
            update={
                "exercises": [
                    e.model_copy(update={"weight": rules.scaled_weight(e.weight, modifier)}) for e in s.exercises
                ]
            }
        )
        for s in workout.sections
    ]
    return workout.model_copy(update={"sections": sections})


def _settings(body: ProgramIn) -> dict[str, Any]:
    return body.model_dump(exclude={"weeks"})


def _check_workouts(conn: Connection, user_id: UUID, body: ProgramIn) -> None:
    wanted = {w.workout_id for week in body.weeks for w in week.workouts}
    if not wanted:
        return
    own = {w for (w,) in conn.execute(OWN_WORKOUTS, {"ids": list(wanted), "user_id": user_id}).fetchall()}
    if wanted - own:
        raise _unknown_workouts(wanted - own)


def _unknown_workouts(ids: set[UUID]) -> InvalidInput:
    return InvalidInput(
        "A program schedules your own workouts only (copy a public workout first)",
        code="unknown_workout",
        details={"workout_ids": sorted(str(i) for i in ids)},
    )


def _insert_weeks(conn: Connection, program_id: UUID, weeks: list[ProgramWeekIn]) -> None:
    week_rows, workout_rows = [], []
    for week in weeks:
        week_id = uuid4()
        week_rows.append(week.model_dump(exclude={"workouts"}) | {"id": week_id, "program_id": program_id})
        workout_rows += [w.model_dump() | {"program_week_id": week_id} for w in week.workouts]
    with conn.cursor() as cur:
        if week_rows:
            cur.executemany(INSERT_WEEK, week_rows)
        if workout_rows:
            cur.executemany(INSERT_PROGRAM_WORKOUT, workout_rows)
