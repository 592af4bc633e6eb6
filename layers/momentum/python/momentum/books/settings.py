"""The two user settings reading uses, read straight from ``user_settings`` (values are JSON)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from psycopg import Connection

from momentum.books import rules

READ_SETTINGS = "SELECT key, value FROM user_settings WHERE user_id = %s AND key IN ('timezone', 'reading_goal_books')"


@dataclass(frozen=True)
class ReaderSettings:
    tz: ZoneInfo
    reading_goal_books: int | None


def reader_settings(conn: Connection, user_id: UUID) -> ReaderSettings:
    """The reader's time zone (UTC unless a valid ``timezone`` is set) and yearly goal (a positive integer)."""
    values: dict[str, Any] = dict(conn.execute(READ_SETTINGS, (user_id,)).fetchall())
    timezone = values.get("timezone")
    goal = values.get("reading_goal_books")
    valid_goal = isinstance(goal, int) and not isinstance(goal, bool) and goal > 0
    return ReaderSettings(
        tz=rules.zone(timezone if isinstance(timezone, str) else None), reading_goal_books=goal if valid_goal else None
    )
