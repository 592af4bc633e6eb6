"""Habits: a schedule (daily, weekly or custom days), completions counted per period in the person's time zone, and
streaks per habit that follow the schedule.

Completing locks the habit row, refuses a completion beyond ``target_count`` in the period (409
``habit_done_for_period``), and pays under ``habit-completion:<completion id>``: the base amount, plus a bonus when
the completion finishes a period on a milestone streak (``rules.MILESTONES``).
Undoing removes today's latest completion and reverses exactly what it paid with a negative award under
``habit-undo:<completion id>`` (refused with 409 ``insufficient_coins`` when those coins are spent already).
Streaks are recomputed from the completions after each change (``habit_streaks``), so an undo also takes back the
streak it made.

Completing and undoing are one statement each (``habit_complete``, ``habit_undo`` in migrations/functions), with
the quest progress they count in the same statement: with authentication, two round trips, all or nothing. The full
achievement check runs after, only when the completion says one may be due.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, LiteralString
from uuid import UUID

import psycopg
from psycopg import Connection
from psycopg.pq import TransactionStatus

from momentum import dberrors, gamification, localtime, quests
from momentum.db import fetch_all, fetch_one, fetch_row
from momentum.errors import InvalidInput, NotFound
from momentum.habits import rules
from momentum.habits.models import (
    Habit,
    HabitCompleteIn,
    HabitCompletion,
    HabitCompletionQuery,
    HabitCompletionRecord,
    HabitIn,
    HabitPatch,
)
from momentum.pagination import Page, PageRequest, page_of

HABIT = """
SELECT h.id, h.name, h.description, h.frequency, h.target_count, h.custom_days, h.icon, h.color, h.is_active,
       h.current_streak, h.longest_streak, h.last_completed_at, h.sort_order, h.created_at, h.updated_at,
       pc.n AS period_count, pc.n >= h.target_count AS done_for_period
FROM habits h
CROSS JOIN LATERAL (
    SELECT count(*)::integer AS n FROM habit_completions c
    WHERE c.habit_id = h.id AND c.completed_date <= %(today)s
      AND c.completed_date >= CASE WHEN h.frequency = 'weekly' THEN date_trunc('week', %(today)s::date)::date
                                   ELSE %(today)s::date END
) pc
"""
GET = f"{HABIT} WHERE h.id = %(id)s AND h.user_id = %(user_id)s"
LIST = f"""{HABIT}
WHERE h.user_id = %(user_id)s
  AND (%(after_order)s::integer IS NULL OR (h.sort_order, h.id) > (%(after_order)s, %(after_id)s::uuid))
ORDER BY h.sort_order, h.id
LIMIT %(limit)s
"""
LOCK = """
SELECT id, frequency, custom_days, target_count, is_active, created_at, name
FROM habits WHERE id = %(id)s AND user_id = %(user_id)s
FOR UPDATE
"""
CREATE = """
INSERT INTO habits (user_id, name, description, frequency, target_count, custom_days, icon, color, sort_order)
VALUES (%(user_id)s, %(name)s, %(description)s, %(frequency)s, %(target_count)s, %(custom_days)s, %(icon)s,
        %(color)s, %(sort_order)s)
RETURNING id
"""
DELETE = "DELETE FROM habits WHERE id = %(id)s AND user_id = %(user_id)s RETURNING id"
SET_STREAKS = """
SELECT habit_set_streaks(%(id)s, z.tz, (now() AT TIME ZONE z.tz)::date)
FROM (SELECT user_time_zone(%(user_id)s) AS tz) z
"""
# The function runs first (the CTE is materialised and read by the main query); if it raises, the whole statement,
# quest progress included, is undone.
COMPLETE = f"""
WITH done AS MATERIALIZED (
    SELECT habit_complete(%(user_id)s, %(id)s, %(notes)s, %(xp)s, %(coins)s, %(milestones)s, %(milestone_xp)s,
                          %(milestone_coins)s) AS result
), quest_progress AS ({quests.COUNT_IN_STATEMENT})
SELECT result FROM done
"""
UNDO = f"""
WITH undone AS MATERIALIZED (SELECT habit_undo(%(user_id)s, %(id)s) AS result),
quest_progress AS ({quests.RETRACT_IN_STATEMENT})
SELECT result FROM undone
"""
COMPLETIONS = """
SELECT c.id, c.habit_id, c.completed_at, c.completed_date, c.notes
FROM habit_completions c JOIN habits h ON h.id = c.habit_id AND h.user_id = %(user_id)s
WHERE c.habit_id = %(id)s
  AND (%(after_at)s::timestamptz IS NULL OR (c.completed_at, c.id) < (%(after_at)s, %(after_id)s::uuid))
ORDER BY c.completed_at DESC, c.id DESC
LIMIT %(limit)s
"""
PATCHABLE = (
    "name",
    "description",
    "frequency",
    "target_count",
    "custom_days",
    "icon",
    "color",
    "is_active",
    "sort_order",
)


def _today(conn: Connection, user_id: UUID) -> date:
    return localtime.local_today(conn, user_id)


def list_habits(conn: Connection, user_id: UUID, page: PageRequest) -> Page[Habit]:
    after_order, after_id = page.after_key(int, UUID)
    params = {
        "user_id": user_id,
        "today": _today(conn, user_id),
        "after_order": after_order,
        "after_id": after_id,
        "limit": page.limit + 1,
    }
    rows = fetch_all(conn, Habit, LIST, params)
    return page_of(rows, page, key=lambda h: (h.sort_order, str(h.id)))


def get_habit(conn: Connection, user_id: UUID, habit_id: UUID) -> Habit:
    """Raises: NotFound."""
    params = {"id": habit_id, "user_id": user_id, "today": _today(conn, user_id)}
    return fetch_one(conn, Habit, GET, params, resource="habit")


def create_habit(conn: Connection, user_id: UUID, body: HabitIn) -> Habit:
    (habit_id,) = conn.execute(CREATE, body.model_dump() | {"user_id": user_id}).fetchone() or (None,)
    return get_habit(conn, user_id, habit_id)


def update_habit(conn: Connection, user_id: UUID, habit_id: UUID, body: HabitPatch) -> Habit:
    """Change the fields sent; a new schedule or target recomputes the streaks. Raises: NotFound, InvalidInput."""
    fields = [f for f in PATCHABLE if f in body.model_fields_set]
    if body.frequency in ("daily", "weekly") and "custom_days" not in fields:
        fields.append("custom_days")  # a habit that leaves the custom schedule leaves its days behind
    with conn.transaction():
        _lock(conn, user_id, habit_id)
        if fields:
            values: dict[str, Any] = {f: getattr(body, f) for f in fields} | {"id": habit_id}
            assignments = ", ".join(f"{f} = %({f})s" for f in fields)
            conn.execute(f"UPDATE habits SET {assignments} WHERE id = %(id)s", values)
        habit = _lock(conn, user_id, habit_id)
        if habit["frequency"] == "custom" and not habit["custom_days"]:
            raise InvalidInput("A custom habit needs custom_days", details={"field": "custom_days"})
        _recompute_streaks(conn, user_id, habit)
    return get_habit(conn, user_id, habit_id)


def delete_habit(conn: Connection, user_id: UUID, habit_id: UUID) -> None:
    """Delete a habit with its completions; what they paid stays paid (the ledger is history). Raises: NotFound."""
    if conn.execute(DELETE, {"id": habit_id, "user_id": user_id}).fetchone() is None:
        raise NotFound("habit")


def _lock(conn: Connection, user_id: UUID, habit_id: UUID) -> dict[str, Any]:
    row = conn.execute(LOCK, {"id": habit_id, "user_id": user_id}).fetchone()
    if row is None:
        raise NotFound("habit")
    keys = ("id", "frequency", "custom_days", "target_count", "is_active", "created_at", "name")
    return dict(zip(keys, row, strict=True))


def _recompute_streaks(conn: Connection, user_id: UUID, habit: dict[str, Any]) -> None:
    """Rewrite the habit's streaks from its completions (the caller holds its lock)."""
    conn.execute(SET_STREAKS, {"id": habit["id"], "user_id": user_id})


def _one_statement(conn: Connection, query: LiteralString, params: dict[str, Any]) -> Any:
    """The one value a write statement returns, its errors as domain errors. Inside a caller's transaction (a plan
    tick completes a habit in its own) it runs under a savepoint, so an error leaves that transaction usable."""
    try:
        if conn.info.transaction_status == TransactionStatus.IDLE:
            return fetch_row(conn, query, params)[0]
        with conn.transaction():
            return fetch_row(conn, query, params)[0]
    except psycopg.Error as error:
        raise dberrors.domain_error(error) or error from None


def complete_habit(conn: Connection, user_id: UUID, habit_id: UUID, body: HabitCompleteIn) -> HabitCompletion:
    """Complete a habit for today (local date). Raises: NotFound, Conflict (habit_done_for_period, habit_inactive)."""
    params = {
        "user_id": user_id,
        "id": habit_id,
        "notes": body.notes,
        "xp": rules.HABIT_XP,
        "coins": rules.HABIT_COINS,
        "milestones": list(rules.MILESTONES),
        "milestone_xp": [xp for xp, _ in rules.MILESTONES.values()],
        "milestone_coins": [coins for _, coins in rules.MILESTONES.values()],
        "target_type": "habits_completed",
        "amount": 1,
    }
    result = _one_statement(conn, COMPLETE, params)
    if result.pop("achievements_due"):
        gamification.check_achievements(conn, user_id)
    return HabitCompletion.model_validate(result)


def undo_today(conn: Connection, user_id: UUID, habit_id: UUID) -> Habit:
    """Remove today's latest completion and reverse its payment through the ledger.

    Raises: NotFound, Conflict (nothing_to_undo, insufficient_coins).
    """
    params = {"user_id": user_id, "id": habit_id, "target_type": "habits_completed", "amount": -1}
    return Habit.model_validate(_one_statement(conn, UNDO, params))


def list_completions(
    conn: Connection, user_id: UUID, habit_id: UUID, query: HabitCompletionQuery, page: PageRequest
) -> Page[HabitCompletionRecord]:
    """A habit's completions, newest first. Raises: NotFound."""
    get_habit(conn, user_id, habit_id)
    after_at, after_id = page.after_key(datetime, UUID)
    params = {"id": habit_id, "user_id": user_id, "after_at": after_at, "after_id": after_id, "limit": page.limit + 1}
    rows = fetch_all(conn, HabitCompletionRecord, COMPLETIONS, params)
    return page_of(rows, page, key=lambda c: (c.completed_at.isoformat(), str(c.id)))
