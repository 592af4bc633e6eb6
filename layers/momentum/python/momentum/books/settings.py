"""The two user settings reading uses, read straight from ``user_settings`` (values are JSON) in one query.

Their meaning is the platform's (``momentum.platform.settings``): an unset goal is the default goal that
``GET /me/settings`` shows, 0 means no goal, and the time zone follows ``momentum.localtime``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from psycopg import Connection

from momentum import localtime
from momentum.platform.settings import DEFAULTS

READ_SETTINGS = "SELECT key, value FROM user_settings WHERE user_id = %s AND key IN ('timezone', 'reading_goal_books')"
GOAL = "reading_goal_books"


@dataclass(frozen=True)
class ReaderSettings:
    tz: ZoneInfo
    reading_goal_books: int | None


def reader_settings(conn: Connection, user_id: UUID) -> ReaderSettings:
    """The reader's time zone (UTC unless a valid ``timezone`` is set) and yearly goal: the setting, else the
    default; None when it is 0 or a stored value is not a positive integer (a row edited by hand)."""
    values: dict[str, Any] = dict(conn.execute(READ_SETTINGS, (user_id,)).fetchall())
    timezone = values.get("timezone")
    goal = values.get(GOAL, DEFAULTS[GOAL])
    valid_goal = isinstance(goal, int) and not isinstance(goal, bool) and goal > 0
    return ReaderSettings(
        tz=localtime.zone(timezone if isinstance(timezone, str) else None),
        reading_goal_books=goal if valid_goal else None,
    )
