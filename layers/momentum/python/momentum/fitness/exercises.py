"""The exercise library: built-in exercises everyone sees, and custom ones only their creator sees."""

from __future__ import annotations

from typing import NoReturn
from uuid import UUID

from psycopg import Connection

from momentum import db
from momentum.errors import Forbidden, InvalidInput
from momentum.fitness.models import Exercise, ExerciseIn, ExercisePatch, ExerciseQuery
from momentum.pagination import Page, PageRequest, page_of

EXERCISE_COLUMNS = """
e.id, e.name, e.description, e.category, coalesce(e.muscle_groups, '{}') AS muscle_groups,
coalesce(e.equipment, '{}') AS equipment, e.instructions, e.video_url, e.is_custom, e.is_builtin, e.created_at
"""

# The one definition of "an exercise this user can see".
VISIBLE = "(e.is_builtin OR e.user_id = %(user_id)s)"

GET_EXERCISE = f"SELECT {EXERCISE_COLUMNS} FROM exercises e WHERE e.id = %(id)s AND {VISIBLE}"

LIST_EXERCISES = f"""
SELECT {EXERCISE_COLUMNS}
FROM exercises e
WHERE {VISIBLE}
  AND (%(category)s::text IS NULL OR e.category = %(category)s)
  AND (%(muscle_group)s::text IS NULL OR %(muscle_group)s = ANY (e.muscle_groups))
  AND (%(equipment)s::text IS NULL OR %(equipment)s = ANY (e.equipment))
  AND (%(pattern)s::text IS NULL OR e.name ILIKE %(pattern)s)
  AND (%(source)s::text IS NULL OR e.is_builtin = (%(source)s = 'builtin'))
  AND (%(after_name)s::text IS NULL OR (lower(e.name), e.id) > (lower(%(after_name)s), %(after_id)s::uuid))
ORDER BY lower(e.name), e.id
LIMIT %(limit)s
"""

VISIBLE_IDS = f"SELECT e.id, e.is_builtin FROM exercises e WHERE e.id = ANY (%(ids)s) AND {VISIBLE}"

INSERT_CUSTOM = f"""
INSERT INTO exercises AS e (name, description, category, muscle_groups, equipment, instructions, video_url,
                            is_custom, is_builtin, user_id)
VALUES (%(name)s, %(description)s, %(category)s, %(muscle_groups)s, %(equipment)s, %(instructions)s,
        %(video_url)s, true, false, %(user_id)s)
RETURNING {EXERCISE_COLUMNS}
"""

# Absent fields keep their value: each column is replaced only when its "set_<column>" flag is true.
UPDATE_CUSTOM = f"""
UPDATE exercises AS e SET
    name = CASE WHEN %(set_name)s THEN %(name)s ELSE e.name END,
    description = CASE WHEN %(set_description)s THEN %(description)s ELSE e.description END,
    category = CASE WHEN %(set_category)s THEN %(category)s ELSE e.category END,
    muscle_groups = CASE WHEN %(set_muscle_groups)s THEN %(muscle_groups)s ELSE e.muscle_groups END,
    equipment = CASE WHEN %(set_equipment)s THEN %(equipment)s ELSE e.equipment END,
    instructions = CASE WHEN %(set_instructions)s THEN %(instructions)s ELSE e.instructions END,
    video_url = CASE WHEN %(set_video_url)s THEN %(video_url)s ELSE e.video_url END
WHERE e.id = %(id)s AND e.user_id = %(user_id)s AND NOT e.is_builtin
RETURNING {EXERCISE_COLUMNS}
"""

DELETE_CUSTOM = "DELETE FROM exercises WHERE id = %(id)s AND user_id = %(user_id)s AND NOT is_builtin RETURNING id"


def like_pattern(text: str) -> str:
    """A LIKE pattern matching ``text`` anywhere, with its own % _ and \\ taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def list_exercises(conn: Connection, user_id: UUID, query: ExerciseQuery, page: PageRequest) -> Page[Exercise]:
    """Built-in and the user's own exercises, by name, filtered by category, muscle group, equipment and name."""
    after_name, after_id = page.after_key(str, UUID)
    params = {
        "user_id": user_id,
        "category": query.category,
        "muscle_group": query.muscle_group,
        "equipment": query.equipment,
        "pattern": like_pattern(query.q) if query.q else None,
        "source": query.source,
        "after_name": after_name,
        "after_id": after_id,
        "limit": page.limit + 1,
    }
    rows = db.fetch_all(conn, Exercise, LIST_EXERCISES, params)
    return page_of(rows, page, key=lambda e: (e.name, str(e.id)))


def get_exercise(conn: Connection, user_id: UUID, exercise_id: UUID) -> Exercise:
    """Raises: NotFound (also for another user's custom exercise)."""
    return db.fetch_one(conn, Exercise, GET_EXERCISE, {"id": exercise_id, "user_id": user_id}, resource="exercise")


def require_visible(conn: Connection, user_id: UUID, exercise_ids: set[UUID], *, builtin_only: bool = False) -> None:
    """Check a document only names exercises the user can see (built-in ones only, when ``builtin_only``).

    Raises: InvalidInput (422) listing the ids that are not allowed: the body is wrong, not the URL.
    """
    if not exercise_ids:
        return
    visible: dict[UUID, object] = dict(
        conn.execute(VISIBLE_IDS, {"ids": list(exercise_ids), "user_id": user_id}).fetchall()
    )
    unknown = sorted(str(i) for i in exercise_ids - visible.keys())
    if unknown:
        raise InvalidInput("Unknown exercise", code="unknown_exercise", details={"exercise_ids": unknown})
    custom = sorted(str(i) for i, builtin in visible.items() if not builtin)
    if builtin_only and custom:
        raise InvalidInput(
            "A public workout can use built-in exercises only: others cannot see custom ones",
            code="custom_exercise_in_public_workout",
            details={"exercise_ids": custom},
        )


def create_exercise(conn: Connection, user_id: UUID, body: ExerciseIn) -> Exercise:
    """A custom exercise, visible to its creator only."""
    return db.fetch_one(conn, Exercise, INSERT_CUSTOM, body.model_dump() | {"user_id": user_id}, resource="exercise")


def update_exercise(conn: Connection, user_id: UUID, exercise_id: UUID, body: ExercisePatch) -> Exercise:
    """Change the fields sent of one of the user's custom exercises.

    Raises: NotFound, Forbidden (built-in exercises are shared and cannot be changed).
    """
    params = body.model_dump() | {f"set_{name}": name in body.model_fields_set for name in type(body).model_fields}
    exercise = db.fetch_optional(conn, Exercise, UPDATE_CUSTOM, params | {"id": exercise_id, "user_id": user_id})
    if exercise is None:
        _refuse_builtin(conn, user_id, exercise_id)
    return exercise


def delete_exercise(conn: Connection, user_id: UUID, exercise_id: UUID) -> None:
    """Delete one of the user's custom exercises.

    Raises: NotFound, Forbidden (built-in), Conflict when logged sets, records or workouts still use it.
    """
    # The foreign keys are the "in use" check (exercise_in_use, through dberrors), so a set logged a moment ago
    # cannot slip past a separate query.
    deleted = conn.execute(DELETE_CUSTOM, {"id": exercise_id, "user_id": user_id}).fetchone()
    if deleted is None:
        _refuse_builtin(conn, user_id, exercise_id)


def _refuse_builtin(conn: Connection, user_id: UUID, exercise_id: UUID) -> NoReturn:
    """Why a change to an exercise matched nothing: it is not visible (404), or it is a built-in one (403)."""
    get_exercise(conn, user_id, exercise_id)
    raise Forbidden("Built-in exercises cannot be changed; create a custom exercise instead", code="builtin_exercise")
