"""A person's calendar day for habits, plans, quests and focus stats: their ``timezone`` setting, else UTC.

The rule lives in ``momentum.platform`` (the setting and its default in ``settings``, days in ``days``); these are the
small helpers the daily-loop domains use on top of it.
"""

from __future__ import annotations

from datetime import date, datetime, time
from uuid import UUID
from zoneinfo import ZoneInfo

from psycopg import Connection

from momentum.platform import days
from momentum.platform.settings import TIMEZONE, get_setting

UTC = ZoneInfo("UTC")


def zone(name: str | None) -> ZoneInfo:
    """The named time zone, or UTC for a missing or unknown name."""
    return days.zone(name) if name else UTC


def user_zone(conn: Connection, user_id: UUID) -> ZoneInfo:
    """The person's time zone from their ``timezone`` setting, else UTC."""
    return zone(get_setting(conn, user_id, TIMEZONE))


def local_today(conn: Connection, user_id: UUID, now: datetime | None = None) -> date:
    """Today's date where the person lives."""
    if now is None:
        return days.local_today(conn, user_id)
    return now.astimezone(user_zone(conn, user_id)).date()


def day_start(day: date, tz: ZoneInfo) -> datetime:
    """The instant a local day begins."""
    return datetime.combine(day, time.min, tzinfo=tz)
