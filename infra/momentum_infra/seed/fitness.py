"""The built-in exercise library (exercises.json): strength, cardio and flexibility, with muscle groups, equipment
and instructions. Exercises have no unique key, so a built-in one is found by its name: updated if present,
inserted if not. Running the seed again changes nothing."""

import json
from pathlib import Path

from momentum.fitness.models import ExerciseIn
from psycopg import Connection

LIBRARY = Path(__file__).with_name("exercises.json")

UPSERT_BUILTIN = """
WITH updated AS (
    UPDATE exercises SET description = %(description)s, category = %(category)s, muscle_groups = %(muscle_groups)s,
        equipment = %(equipment)s, instructions = %(instructions)s, video_url = %(video_url)s
    WHERE is_builtin AND user_id IS NULL AND name = %(name)s
    RETURNING id
)
INSERT INTO exercises (name, description, category, muscle_groups, equipment, instructions, video_url, is_custom,
                       is_builtin)
SELECT %(name)s, %(description)s, %(category)s, %(muscle_groups)s, %(equipment)s, %(instructions)s,
       %(video_url)s, false, true
WHERE NOT EXISTS (SELECT 1 FROM updated)
"""


def library() -> list[ExerciseIn]:
    """The built-in exercises, checked against the same rules as a custom exercise (vocabularies, lengths)."""
    return [ExerciseIn.model_validate(entry) for entry in json.loads(LIBRARY.read_text())]


def seed(conn: Connection) -> None:
    with conn.cursor() as cur:
        cur.executemany(UPSERT_BUILTIN, [exercise.model_dump() for exercise in library()])
