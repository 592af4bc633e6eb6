"""Erasing a user's fitness data, for account deletion.

The spec's foreign keys to exercises, workouts and sets do not cascade, and PostgreSQL checks them at the end of
each cascaded step, so ``DELETE FROM users`` alone fails for a user with custom exercises in workouts, or whose
public workout other users started sessions from. Deleting in dependency order first makes it work.
"""

from __future__ import annotations

from uuid import UUID

from psycopg import Connection

ERASE = [
    "DELETE FROM personal_records WHERE user_id = %(user_id)s",
    "DELETE FROM workout_sessions WHERE user_id = %(user_id)s",  # their sets cascade
    # Other users' sessions started from this user's public workouts keep their sets and lose the link.
    "UPDATE workout_sessions SET workout_id = NULL WHERE workout_id IN (SELECT id FROM workouts WHERE user_id = "
    "%(user_id)s)",
    "DELETE FROM training_programs WHERE user_id = %(user_id)s",  # weeks and scheduled workouts cascade
    "DELETE FROM workouts WHERE user_id = %(user_id)s",  # sections and their exercises cascade
    "DELETE FROM exercises WHERE user_id = %(user_id)s AND NOT is_builtin",
]


def erase_fitness_data(conn: Connection, user_id: UUID) -> None:
    """Delete everything of the user's in the fitness tables, in an order the foreign keys accept; run it in the
    account-deletion transaction before deleting the user."""
    with conn.transaction():
        for statement in ERASE:
            conn.execute(statement, {"user_id": user_id})
