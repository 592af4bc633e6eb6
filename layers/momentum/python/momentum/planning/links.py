"""What a calendar event or a plan item may link to: the person's own habits and goals, a workout they can see, an
active lesson. A link to anything else is refused (422 ``unknown_link``), so a link never leaks another person's id."""

from __future__ import annotations

from uuid import UUID

from psycopg import Connection

from momentum.errors import InvalidInput

VISIBLE = {
    "habit": "SELECT 1 FROM habits WHERE id = %(id)s AND user_id = %(user_id)s",
    "goal": "SELECT 1 FROM goals WHERE id = %(id)s AND user_id = %(user_id)s",
    "workout": "SELECT 1 FROM workouts WHERE id = %(id)s AND (user_id = %(user_id)s OR is_public)",
    "lesson": "SELECT 1 FROM learn_lessons WHERE id = %(id)s AND is_active",
}


def require_link(conn: Connection, user_id: UUID, kind: str, target_id: UUID | None) -> None:
    """Raises: InvalidInput (unknown_link) when the target is not one the person may link to."""
    if target_id is None or kind not in VISIBLE:  # a focus task is the client's own id
        return
    if conn.execute(VISIBLE[kind], {"id": target_id, "user_id": user_id}).fetchone() is None:
        raise InvalidInput(f"Unknown {kind}", code="unknown_link", details={"type": kind, "id": str(target_id)})
