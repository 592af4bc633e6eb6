"""Workouts: a name and settings plus ordered sections of ordered exercises, written and read as one document.

A workout is its owner's; a public one is readable and copyable by everyone, and may use built-in exercises only
(others cannot see custom ones). Anyone else asking for a private workout gets 404.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from psycopg import Connection
from psycopg.rows import dict_row

from momentum import db
from momentum.errors import Conflict, NotFound
from momentum.fitness.exercises import like_pattern, require_visible
from momentum.fitness.models import SectionIn, Workout, WorkoutExerciseIn, WorkoutIn, WorkoutQuery, WorkoutSummary
from momentum.pagination import Page, PageRequest, page_of

SUMMARY_COLUMNS = """
w.id, w.user_id, w.name, w.description, w.estimated_duration, w.difficulty, w.category, w.is_template,
w.is_public, w.created_at, w.updated_at,
(SELECT count(*) FROM workout_exercises we WHERE we.workout_id = w.id) AS exercise_count
"""

# The whole document in one query: sections in order, each with its exercises in order (and their names, so a
# client can show a public workout without looking up each exercise).
WORKOUT_DOCUMENTS = f"""
SELECT {SUMMARY_COLUMNS},
       coalesce((
           SELECT jsonb_agg(jsonb_build_object(
                      'id', s.id, 'name', s.name, 'section_type', s.section_type, 'sort_order', s.sort_order,
                      'exercises', coalesce((
                          SELECT jsonb_agg(jsonb_build_object(
                                     'id', we.id, 'exercise_id', we.exercise_id, 'exercise_name', e.name,
                                     'category', e.category, 'sets', we.sets, 'reps', we.reps, 'weight', we.weight,
                                     'duration', we.duration, 'rest_seconds', we.rest_seconds, 'notes', we.notes,
                                     'sort_order', we.sort_order)
                                 ORDER BY we.sort_order, we.id)
                          FROM workout_exercises we JOIN exercises e ON e.id = we.exercise_id
                          WHERE we.section_id = s.id), '[]'))
                  ORDER BY s.sort_order, s.id)
           FROM workout_sections s WHERE s.workout_id = w.id), '[]') AS sections
FROM workouts w
WHERE w.id = ANY (%(ids)s) AND (w.user_id = %(user_id)s OR w.is_public)
"""

_LIST_FILTERS = """
  AND (%(is_template)s::boolean IS NULL OR w.is_template = %(is_template)s)
  AND (%(pattern)s::text IS NULL OR w.name ILIKE %(pattern)s)
  AND (%(after_created)s::timestamptz IS NULL OR (w.created_at, w.id) < (%(after_created)s, %(after_id)s::uuid))
ORDER BY w.created_at DESC, w.id DESC
LIMIT %(limit)s
"""
# Two statements rather than one with a switch, so each keeps its index (a user's, or the public ones).
LIST_MINE = f"SELECT {SUMMARY_COLUMNS} FROM workouts w WHERE w.user_id = %(user_id)s {_LIST_FILTERS}"
LIST_PUBLIC = f"SELECT {SUMMARY_COLUMNS} FROM workouts w WHERE w.is_public {_LIST_FILTERS}"

INSERT_WORKOUT = """
INSERT INTO workouts (user_id, name, description, estimated_duration, difficulty, category, is_template, is_public)
VALUES (%(user_id)s, %(name)s, %(description)s, %(estimated_duration)s, %(difficulty)s, %(category)s,
        %(is_template)s, %(is_public)s)
RETURNING id
"""

UPDATE_WORKOUT = """
UPDATE workouts SET name = %(name)s, description = %(description)s, estimated_duration = %(estimated_duration)s,
    difficulty = %(difficulty)s, category = %(category)s, is_template = %(is_template)s, is_public = %(is_public)s
WHERE id = %(id)s AND user_id = %(user_id)s
RETURNING id
"""

INSERT_SECTION = """
INSERT INTO workout_sections (id, workout_id, name, section_type, sort_order)
VALUES (%(id)s, %(workout_id)s, %(name)s, %(section_type)s, %(sort_order)s)
"""

INSERT_WORKOUT_EXERCISE = """
INSERT INTO workout_exercises (workout_id, section_id, exercise_id, sets, reps, weight, duration, rest_seconds,
                               notes, sort_order)
VALUES (%(workout_id)s, %(section_id)s, %(exercise_id)s, %(sets)s, %(reps)s, %(weight)s, %(duration)s,
        %(rest_seconds)s, %(notes)s, %(sort_order)s)
"""

# Replacing a document starts from an empty workout (deleting the sections cascades to their exercises).
CLEAR_EXERCISES = "DELETE FROM workout_exercises WHERE workout_id = %(id)s"
CLEAR_SECTIONS = "DELETE FROM workout_sections WHERE workout_id = %(id)s"

LOCK_OWN_WORKOUT = "SELECT id FROM workouts WHERE id = %(id)s AND user_id = %(user_id)s FOR UPDATE"

SCHEDULING_PROGRAMS = """
SELECT DISTINCT pk.program_id
FROM program_workouts pw JOIN program_weeks pk ON pk.id = pw.program_week_id
WHERE pw.workout_id = %(id)s
"""

# Sessions keep their sets when the workout they were started from goes away.
DETACH_SESSIONS = "UPDATE workout_sessions SET workout_id = NULL WHERE workout_id = %(id)s"
DELETE_WORKOUT = "DELETE FROM workouts WHERE id = %(id)s"


def list_workouts(conn: Connection, user_id: UUID, query: WorkoutQuery, page: PageRequest) -> Page[WorkoutSummary]:
    """The user's workouts, or everyone's public ones, newest first."""
    after_created, after_id = page.after_key(datetime, UUID)
    params = {
        "user_id": user_id,
        "is_template": query.is_template,
        "pattern": like_pattern(query.q) if query.q else None,
        "after_created": after_created,
        "after_id": after_id,
        "limit": page.limit + 1,
    }
    rows = db.fetch_all(conn, WorkoutSummary, LIST_PUBLIC if query.visibility == "public" else LIST_MINE, params)
    return page_of(rows, page, key=lambda w: (w.created_at.isoformat(), str(w.id)))


def get_workouts(conn: Connection, user_id: UUID, workout_ids: list[UUID]) -> dict[UUID, Workout]:
    """The documents of those of ``workout_ids`` the user can see, by id."""
    with conn.cursor(row_factory=dict_row) as cur:
        rows = cur.execute(WORKOUT_DOCUMENTS, {"ids": workout_ids, "user_id": user_id}).fetchall()
    return {row["id"]: Workout.model_validate(row) for row in rows}


def get_workout(conn: Connection, user_id: UUID, workout_id: UUID) -> Workout:
    """One workout the user owns, or a public one. Raises: NotFound."""
    workout = get_workouts(conn, user_id, [workout_id]).get(workout_id)
    if workout is None:
        raise NotFound("workout")
    return workout


def create_workout(conn: Connection, user_id: UUID, body: WorkoutIn) -> Workout:
    """Create a workout with its sections and exercises, in one transaction.

    Raises: InvalidInput when an exercise is unknown to the user (or custom in a public workout).
    """
    with conn.transaction():
        _check_exercises(conn, user_id, body)
        (workout_id,) = db.fetch_row(conn, INSERT_WORKOUT, _settings(body) | {"user_id": user_id})
        _insert_sections(conn, workout_id, body.sections)
    return get_workout(conn, user_id, workout_id)


def replace_workout(conn: Connection, user_id: UUID, workout_id: UUID, body: WorkoutIn) -> Workout:
    """Replace one of the user's workouts, sections and exercises included, in one transaction.

    Raises: NotFound, InvalidInput (as create_workout).
    """
    with conn.transaction():
        if conn.execute(UPDATE_WORKOUT, _settings(body) | {"id": workout_id, "user_id": user_id}).fetchone() is None:
            raise NotFound("workout")
        _check_exercises(conn, user_id, body)
        conn.execute(CLEAR_EXERCISES, {"id": workout_id})
        conn.execute(CLEAR_SECTIONS, {"id": workout_id})
        _insert_sections(conn, workout_id, body.sections)
    return get_workout(conn, user_id, workout_id)


def delete_workout(conn: Connection, user_id: UUID, workout_id: UUID) -> None:
    """Delete one of the user's workouts; sessions started from it keep their sets and lose the link.

    Raises: NotFound, Conflict while a training program schedules it.
    """
    params = {"id": workout_id, "user_id": user_id}
    with conn.transaction():
        if conn.execute(LOCK_OWN_WORKOUT, params).fetchone() is None:
            raise NotFound("workout")
        programs = [str(p) for (p,) in conn.execute(SCHEDULING_PROGRAMS, params).fetchall()]
        if programs:
            raise Conflict(
                "A training program schedules this workout; remove it from the program first",
                code="workout_scheduled",
                details={"program_ids": programs},
            )
        conn.execute(DETACH_SESSIONS, params)
        conn.execute(DELETE_WORKOUT, params)


def copy_workout(conn: Connection, user_id: UUID, workout_id: UUID) -> Workout:
    """Copy a workout the user can see (their own or a public one) into a new private workout of theirs.

    Raises: NotFound.
    """
    source = get_workout(conn, user_id, workout_id)
    copy = WorkoutIn(
        name=source.name,
        description=source.description,
        estimated_duration=source.estimated_duration,
        difficulty=source.difficulty or "intermediate",
        category=source.category,
        is_template=source.is_template,
        is_public=False,
        sections=[
            SectionIn(
                name=s.name,
                section_type=s.section_type or "main",
                exercises=[
                    WorkoutExerciseIn(
                        exercise_id=e.exercise_id,
                        sets=e.sets,
                        reps=e.reps,
                        weight=e.weight,
                        duration=e.duration,
                        rest_seconds=e.rest_seconds,
                        notes=e.notes,
                    )
                    for e in s.exercises
                ],
            )
            for s in source.sections
        ],
    )
    return create_workout(conn, user_id, copy)


def _settings(body: WorkoutIn) -> dict[str, Any]:
    return body.model_dump(exclude={"sections"})


def _check_exercises(conn: Connection, user_id: UUID, body: WorkoutIn) -> None:
    ids = {e.exercise_id for s in body.sections for e in s.exercises}
    require_visible(conn, user_id, ids, builtin_only=body.is_public)


def _insert_sections(conn: Connection, workout_id: UUID, sections: list[SectionIn]) -> None:
    section_rows, exercise_rows = [], []
    for order, section in enumerate(sections):
        section_id = uuid4()  # known before the insert, so the exercises can name it in the same batch
        section_rows.append(
            {
                "id": section_id,
                "workout_id": workout_id,
                "name": section.name,
                "section_type": section.section_type,
                "sort_order": order,
            }
        )
        exercise_rows += [
            e.model_dump() | {"workout_id": workout_id, "section_id": section_id, "sort_order": i}
            for i, e in enumerate(section.exercises)
        ]
    with conn.cursor() as cur:
        if section_rows:
            cur.executemany(INSERT_SECTION, section_rows)
        if exercise_rows:
            cur.executemany(INSERT_WORKOUT_EXERCISE, exercise_rows)
