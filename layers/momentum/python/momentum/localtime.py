"""A person's calendar day: the ``timezone`` user setting (an IANA name such as "Europe/Berlin"), else UTC.

Habits, plans and stats count days where the person lives, not in UTC. One small module so that the rule has one
place to change.
"""

from __future__ import annotations

from datetime import date, datetime, time
from uuid import UUID
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from psycopg import Connection

from momentum.db import fetch_value

UTC = ZoneInfo("UTC")

USER_TIMEZONE = "SELECT value #>> '{}' FROM user_settings WHERE user_id = %s AND key = 'timezone'"


def zone(name: str | None) -> ZoneInfo:
    """The named time zone, or UTC for a missing or unknown name."""
    try:
        return ZoneInfo(name) if name else UTC
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def user_zone(conn: Connection, user_id: UUID) -> ZoneInfo:
    """The person's time zone from their ``timezone`` setting, else UTC."""
    return zone(fetch_value(conn, USER_TIMEZONE, (user_id,)))


def local_today(conn: Connection, user_id: UUID, now: datetime | None = None) -> date:
    """Today's date where the person lives."""
    return (now or datetime.now(UTC)).astimezone(user_zone(conn, user_id)).date()


def day_start(day: date, tz: ZoneInfo) -> datetime:
    """The instant a local day begins."""
    return datetime.combine(day, time.min, tzinfo=tz)
