"""Habits: a schedule (daily, weekly or custom days), completions counted per period in the person's time zone, and
streaks per habit that follow the schedule.

Completing locks the habit row, refuses a completion beyond ``target_count`` in the period (409
``habit_done_for_period``), and pays through ``gamification.award`` under ``habit-completion:<completion id>``: the
base amount, plus a bonus when the completion finishes a period on a milestone streak (``rules.MILESTONES``).
Undoing removes today's latest completion and reverses exactly what it paid with a negative award under
``habit-undo:<completion id>`` (refused with 409 ``insufficient_coins`` when those coins are spent already).
Streaks are recomputed from the completions after each change, so an undo also takes back the streak it made.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from psycopg import Connection

from momentum import gamification, localtime, quests
from momentum.db import fetch_all, fetch_one
from momentum.errors import Conflict, InvalidInput, NotFound
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
INSERT_COMPLETION = """
INSERT INTO habit_completions (habit_id, user_id, completed_date, notes)
VALUES (%(id)s, %(user_id)s, %(today)s, %(notes)s)
RETURNING id, habit_id, completed_at, completed_date, notes
"""
UNDO_COMPLETION = """
DELETE FROM habit_completions WHERE id = (
    SELECT id FROM habit_completions WHERE habit_id = %(id)s AND completed_date = %(today)s
    ORDER BY completed_at DESC, id DESC LIMIT 1)
RETURNING id
"""
COUNTS = (
    "SELECT completed_date, count(*)::integer FROM habit_completions WHERE habit_id = %(id)s GROUP BY completed_date"
)
PAID = "SELECT coins, xp FROM points_ledger WHERE user_id = %(user_id)s AND idempotency_key = %(key)s"
SET_STREAKS = """
UPDATE habits SET current_streak = %(current)s, longest_streak = %(longest)s,
    last_completed_at = (SELECT max(completed_at) FROM habit_completions WHERE habit_id = %(id)s)
WHERE id = %(id)s
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


def _recompute_streaks(conn: Connection, user_id: UUID, habit: dict[str, Any]) -> int:
    """Rewrite the habit's streaks from its completions; returns the current streak."""
    zone = localtime.user_zone(conn, user_id)
    today = _today(conn, user_id)
    counts: dict[date, int] = dict(conn.execute(COUNTS, {"id": habit["id"]}).fetchall())
    first: date = habit["created_at"].astimezone(zone).date()
    current, longest = rules.streaks(
        habit["frequency"], habit["custom_days"], habit["target_count"], counts, min(first, today), today
    )
    conn.execute(SET_STREAKS, {"id": habit["id"], "current": current, "longest": longest})
    return current


def complete_habit(conn: Connection, user_id: UUID, habit_id: UUID, body: HabitCompleteIn) -> HabitCompletion:
    """Complete a habit for today (local date). Raises: NotFound, Conflict (habit_done_for_period, habit_inactive)."""
    with conn.transaction():
        today = _today(conn, user_id)
        habit = _lock(conn, user_id, habit_id)
        if not habit["is_active"]:
            raise Conflict("The habit is paused", code="habit_inactive")
        before = get_habit(conn, user_id, habit_id)
        if before.done_for_period:
            raise Conflict(
                "The habit is done for this period",
                code="habit_done_for_period",
                details={"target_count": before.target_count, "period_count": before.period_count},
            )
        params = {"id": habit_id, "user_id": user_id, "today": today, "notes": body.notes}
        completion = fetch_one(conn, HabitCompletionRecord, INSERT_COMPLETION, params, resource="habit")
        streak = _recompute_streaks(conn, user_id, habit)
        pay = rules.completion_pay(before.period_count + 1 == before.target_count, streak)
        gamification.award(
            conn,
            user_id,
            event_type="habit",
            idempotency_key=f"habit-completion:{completion.id}",
            xp=pay.xp,
            coins=pay.coins,
            reason=f"Habit: {habit['name']}" + (f" ({pay.milestone}-period streak)" if pay.milestone else ""),
            event_id=completion.id,
        )
        gamification.touch_streak(conn, user_id, "habit")
        quests.record_progress(conn, user_id, "habits_completed", 1)
        gamification.check_achievements(conn, user_id)
    return HabitCompletion(
        habit=get_habit(conn, user_id, habit_id),
        completion=completion,
        xp=pay.xp,
        coins=pay.coins,
        milestone=pay.milestone,
    )


def undo_today(conn: Connection, user_id: UUID, habit_id: UUID) -> Habit:
    """Remove today's latest completion and reverse its payment through the ledger.

    Raises: NotFound, Conflict (nothing_to_undo, insufficient_coins).
    """
    with conn.transaction():
        today = _today(conn, user_id)
        habit = _lock(conn, user_id, habit_id)
        row = conn.execute(UNDO_COMPLETION, {"id": habit_id, "today": today}).fetchone()
        if row is None:
            raise Conflict("No completion today to undo", code="nothing_to_undo")
        completion_id = row[0]
        paid = conn.execute(PAID, {"user_id": user_id, "key": f"habit-completion:{completion_id}"}).fetchone()
        if paid is not None and (paid[0] or paid[1]):
            gamification.award(
                conn,
                user_id,
                event_type="habit_undo",
                idempotency_key=f"habit-undo:{completion_id}",
                coins=-paid[0],
                xp=-paid[1],
                reason=f"Habit undone: {habit['name']}",
                event_id=completion_id,
            )
        _recompute_streaks(conn, user_id, habit)
        quests.record_progress(conn, user_id, "habits_completed", -1)
    return get_habit(conn, user_id, habit_id)


def list_completions(
    conn: Connection, user_id: UUID, habit_id: UUID, query: HabitCompletionQuery, page: PageRequest
) -> Page[HabitCompletionRecord]:
    """A habit's completions, newest first. Raises: NotFound."""
    get_habit(conn, user_id, habit_id)
    after_at, after_id = page.after_key(datetime, UUID)
    params = {"id": habit_id, "user_id": user_id, "after_at": after_at, "after_id": after_id, "limit": page.limit + 1}
    rows = fetch_all(conn, HabitCompletionRecord, COMPLETIONS, params)
    return page_of(rows, page, key=lambda c: (c.completed_at.isoformat(), str(c.id)))
