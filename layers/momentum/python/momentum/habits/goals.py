"""Goals with milestones: progress follows the milestones done (or is set by hand when there are none).

Completing a milestone pays once (``goal-milestone:<id>``); completing the goal (by hand, or by completing its last
milestone) pays more, once (``goal:<id>``). A paused or completed goal changes no milestone and pays nothing (409
``goal_not_active``). Every change locks the goal row first, so concurrent requests pay once. Completing a goal or a
milestone is one statement (``goal_complete`` in migrations/functions), answering with the goal (``goal_state``).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from psycopg import Connection
from psycopg.types.json import Jsonb

from momentum import gamification
from momentum.db import fetch_row
from momentum.errors import Conflict, NotFound
from momentum.habits import rules
from momentum.habits.models import Goal, GoalIn, GoalMilestoneIn, GoalPatch, GoalQuery
from momentum.pagination import Page, PageRequest, page_of

GOAL = "SELECT goal_state(g) FROM goals g"
GET = f"{GOAL} WHERE g.id = %(id)s AND g.user_id = %(user_id)s"
LIST = f"""{GOAL}
WHERE g.user_id = %(user_id)s AND (%(status)s::text IS NULL OR g.status = %(status)s)
  AND (%(after_order)s::integer IS NULL OR (g.sort_order, g.id) > (%(after_order)s, %(after_id)s::uuid))
ORDER BY g.sort_order, g.id
LIMIT %(limit)s
"""
LOCK = "SELECT status, title FROM goals WHERE id = %(id)s AND user_id = %(user_id)s FOR UPDATE"
CREATE = """
WITH g AS (
    INSERT INTO goals (user_id, title, description, category, target_date, priority, sort_order, started_at)
    VALUES (%(user_id)s, %(title)s, %(description)s, %(category)s, %(target_date)s, %(priority)s, %(sort_order)s,
            now())
    RETURNING id
), m AS (
    INSERT INTO goal_milestones (goal_id, title, description, sort_order)
    SELECT g.id, x.title, x.description, coalesce(x.sort_order, x.n - 1)
    FROM g, ROWS FROM (jsonb_to_recordset(%(milestones)s) AS (title text, description text, sort_order integer))
         WITH ORDINALITY AS x(title, description, sort_order, n)
)
SELECT id FROM g
"""
ADD_MILESTONE = """
INSERT INTO goal_milestones (goal_id, title, description, sort_order)
VALUES (%(id)s, %(title)s, %(description)s,
        coalesce(%(sort_order)s, (SELECT coalesce(max(sort_order) + 1, 0) FROM goal_milestones WHERE goal_id = %(id)s)))
"""
DELETE_MILESTONE = "DELETE FROM goal_milestones WHERE id = %(milestone_id)s AND goal_id = %(id)s RETURNING id"
# Progress follows the milestones whenever there are some.
SYNC_PROGRESS = """
UPDATE goals g SET progress = m.pct
FROM (SELECT (100 * count(*) FILTER (WHERE is_completed) / count(*))::integer AS pct
      FROM goal_milestones WHERE goal_id = %(id)s HAVING count(*) > 0) m
WHERE g.id = %(id)s
RETURNING g.progress
"""
MILESTONE_COUNT = "SELECT count(*) FROM goal_milestones WHERE goal_id = %(id)s"
COMPLETE = """
SELECT goal_complete(%(user_id)s, %(id)s, %(milestone_id)s, %(milestone_xp)s, %(milestone_coins)s, %(goal_xp)s,
                     %(goal_coins)s)
"""
DELETE = "DELETE FROM goals WHERE id = %(id)s AND user_id = %(user_id)s RETURNING id"
PATCHABLE = ("title", "description", "category", "target_date", "priority", "sort_order", "status", "progress")


def list_goals(conn: Connection, user_id: UUID, query: GoalQuery, page: PageRequest) -> Page[Goal]:
    after_order, after_id = page.after_key(int, UUID)
    params = {
        "user_id": user_id,
        "status": query.status,
        "after_order": after_order,
        "after_id": after_id,
        "limit": page.limit + 1,
    }
    rows = [Goal.model_validate(goal) for (goal,) in conn.execute(LIST, params)]
    return page_of(rows, page, key=lambda g: (g.sort_order, str(g.id)))


def get_goal(conn: Connection, user_id: UUID, goal_id: UUID) -> Goal:
    """Raises: NotFound."""
    row = conn.execute(GET, {"id": goal_id, "user_id": user_id}).fetchone()
    if row is None:
        raise NotFound("goal")
    return Goal.model_validate(row[0])


def create_goal(conn: Connection, user_id: UUID, body: GoalIn) -> Goal:
    milestones = Jsonb([m.model_dump() for m in body.milestones])
    values = body.model_dump(exclude={"milestones"}) | {"user_id": user_id, "milestones": milestones}
    (goal_id,) = conn.execute(CREATE, values).fetchone() or (None,)
    return get_goal(conn, user_id, goal_id)


def _lock(conn: Connection, user_id: UUID, goal_id: UUID) -> tuple[str, str]:
    row = conn.execute(LOCK, {"id": goal_id, "user_id": user_id}).fetchone()
    if row is None:
        raise NotFound("goal")
    return row[0], row[1]


def _require_active(status: str) -> None:
    if status != "active":
        raise Conflict(f"The goal is {status}", code="goal_not_active", details={"status": status})


def update_goal(conn: Connection, user_id: UUID, goal_id: UUID, body: GoalPatch) -> Goal:
    """Change the fields sent; pause or resume with ``status``. Raises: NotFound, Conflict (goal_has_milestones,
    goal_not_active)."""
    fields = [f for f in PATCHABLE if f in body.model_fields_set]
    with conn.transaction():
        status, _ = _lock(conn, user_id, goal_id)
        if status == "completed" and {"status", "progress"} & set(fields):
            raise Conflict("The goal is completed", code="goal_not_active", details={"status": status})
        if "progress" in fields and conn.execute(MILESTONE_COUNT, {"id": goal_id}).fetchone() != (0,):
            raise Conflict("Progress follows the goal's milestones", code="goal_has_milestones")
        if fields:
            values: dict[str, Any] = {f: getattr(body, f) for f in fields} | {"id": goal_id}
            assignments = ", ".join(f"{f} = %({f})s" for f in fields)
            conn.execute(f"UPDATE goals SET {assignments} WHERE id = %(id)s", values)
    return get_goal(conn, user_id, goal_id)


def delete_goal(conn: Connection, user_id: UUID, goal_id: UUID) -> None:
    """Raises: NotFound."""
    if conn.execute(DELETE, {"id": goal_id, "user_id": user_id}).fetchone() is None:
        raise NotFound("goal")


def add_milestone(conn: Connection, user_id: UUID, goal_id: UUID, body: GoalMilestoneIn) -> Goal:
    """Raises: NotFound, Conflict (goal_not_active)."""
    with conn.transaction():
        status, _ = _lock(conn, user_id, goal_id)
        _require_active(status)
        conn.execute(ADD_MILESTONE, body.model_dump() | {"id": goal_id})
        conn.execute(SYNC_PROGRESS, {"id": goal_id})
    return get_goal(conn, user_id, goal_id)


def delete_milestone(conn: Connection, user_id: UUID, goal_id: UUID, milestone_id: UUID) -> Goal:
    """Raises: NotFound, Conflict (goal_not_active)."""
    with conn.transaction():
        status, _ = _lock(conn, user_id, goal_id)
        if conn.execute(DELETE_MILESTONE, {"id": goal_id, "milestone_id": milestone_id}).fetchone() is None:
            raise NotFound("milestone")
        _require_active(status)
        conn.execute(SYNC_PROGRESS, {"id": goal_id})
    return get_goal(conn, user_id, goal_id)


def _complete(conn: Connection, user_id: UUID, goal_id: UUID, milestone_id: UUID | None) -> Goal:
    params = {
        "user_id": user_id,
        "id": goal_id,
        "milestone_id": milestone_id,
        "milestone_xp": rules.MILESTONE_XP,
        "milestone_coins": rules.MILESTONE_COINS,
        "goal_xp": rules.GOAL_XP,
        "goal_coins": rules.GOAL_COINS,
    }
    (result,) = fetch_row(conn, COMPLETE, params)
    if result["achievements_due"]:
        gamification.check_achievements(conn, user_id)
    return Goal.model_validate(result["goal"])


def complete_milestone(conn: Connection, user_id: UUID, goal_id: UUID, milestone_id: UUID) -> Goal:
    """Complete a milestone and pay for it once; the last one completes the goal.

    Raises: NotFound, Conflict (goal_not_active, milestone_completed).
    """
    return _complete(conn, user_id, goal_id, milestone_id)


def complete_goal(conn: Connection, user_id: UUID, goal_id: UUID) -> Goal:
    """Complete an active goal by hand and pay once. Raises: NotFound, Conflict (goal_not_active)."""
    return _complete(conn, user_id, goal_id, None)
